"""StarGAN: the attribute layout and its losses by hand, the conditioning,
fresh critic batches, schedules, ground-truth metrics, the data options,
resume through the trainer, translate.py's targets, the CelebA config."""

import functools
import importlib
import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest
import tensorflow_datasets as tfds

from experiments import translate
from gen_jax.data import attribute_digits as ad
from gen_jax.data.sources import ArraySource, attribute_value, open_dataset
from gen_jax.data.spec import DataSpec, Feature
from gen_jax.errors import UserError
from gen_jax.eval import EvalData, make_evaluators
from gen_jax.eval import attribute_translation as at
from gen_jax.eval.translation import translate_in_chunks
from gen_jax.losses import edge_magnitude, structure_loss
from gen_jax.models import make_recipe, stargan
from gen_jax.models.base import Translator, batches_per_step
from gen_jax.nn.translation import parse_target
from gen_jax.models.stargan import (attribute_layout, batch_indices, classification_loss,
                                    code_width, domain_index, domain_targets, encode,
                                    num_domains)
from gen_jax.nn.stargan import Generator, tile_condition
from gen_jax.train import Experiment, base_config, make_train_step, train
from gen_jax.train.step import batch_at, create_train_state
from tests.helpers import read_metrics, saved_state, tiny_config, with_overrides

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ATTRIBUTES = ("colour", "thickness", "background")
TINY_NETS = {"model.g_features": 4, "model.num_blocks": 1, "model.d_features": 4,
             "model.d_layers": 1}


def spec(shape=(8, 8, 3), encoding="float"):
  """Attribute-digits-like features: colour (4, exclusive), thickness and
  background (binary), digit (10)."""
  features = (Feature("digit", (), "int32", 10),
              Feature("colour", (), "int32", 4, class_names=("red", "green", "blue", "yellow")),
              Feature("thickness", (), "int32", 2, class_names=("thin", "thick")),
              Feature("background", (), "int32", 2))
  return DataSpec(name="tiny", event_shape=shape, encoding=encoding,
                  num_levels=None if encoding == "float" else 2, features=features)


def recipe_for(data_spec=None, **model):
  config = ml_collections.ConfigDict({"name": "stargan", "attributes": ATTRIBUTES,
                                      "g_features": 4, "num_blocks": 1, "d_features": 4,
                                      "d_layers": 1, **model})
  return make_recipe(config, data_spec or spec())


def batch(n=4, seed=0, shape=(8, 8, 3)):
  rng = np.random.default_rng(seed)
  return {"x": rng.uniform(size=(n,) + shape).astype(np.float32),
          "colour": rng.integers(0, 4, n).astype(np.int32),
          "thickness": rng.integers(0, 2, n).astype(np.int32),
          "background": rng.integers(0, 2, n).astype(np.int32),
          "digit": rng.integers(0, 10, n).astype(np.int32)}


def stargan_config(steps=4, **overrides):
  """Attribute digits at 8x8 (train: one draw per digit, every composition,
  with the grey digits), tiny networks, 2 critic steps, no classifier
  metrics (the CelebA test and the metrics tests run them)."""
  config = tiny_config(model="stargan", steps=steps, **{
      "data.name": "attribute_digits", "data.encoding": "float", "data.image_size": 8,
      "data.eval_split": "test[:40]",
      "model.decay_start_step": 2, "checkpoint.every_steps": 2, "eval.batch_size": 40,
      "eval.num_examples": 40, "sample.num": 8, "model.n_critic": 2, **TINY_NETS})
  config.model.attributes = ATTRIBUTES
  config.data.train_draws = 1
  config.data.hold_out = False
  config.data.digit_images = True
  return with_overrides(config, overrides)


# ------------------------------------------------------------ layout, losses


def test_the_code_is_one_hot_per_exclusive_group_and_the_value_per_binary():
  layout = attribute_layout(spec(), ATTRIBUTES)
  assert [(a.name, a.binary, a.width) for a in layout] == [
      ("colour", False, 4), ("thickness", True, 1), ("background", True, 1)]
  assert code_width(layout) == 6
  code = encode(layout, jnp.array([[2, 1, 0], [0, 0, 1], [-1, 1, 1]]))
  np.testing.assert_array_equal(code, [[0, 0, 1, 0, 1, 0], [1, 0, 0, 0, 0, 1],
                                       [0, 0, 0, 0, 1, 1]])       # -1: no class


def test_classification_loss_equals_a_numpy_reference():
  layout = attribute_layout(spec(), ATTRIBUTES)
  rng = np.random.default_rng(1)
  logits = rng.normal(size=(5, 6)) * 3
  idx = np.array([[0, 1, 0], [3, 0, 1], [-1, 1, 1], [2, 0, 0], [1, 1, 0]])

  def softmax_ce(z, k):
    return np.log(np.sum(np.exp(z))) - z[k]

  def bce(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))

  colour = np.mean([softmax_ce(logits[i, :4], idx[i, 0]) for i in range(5) if idx[i, 0] >= 0])
  thick = np.mean([bce(logits[i, 4], idx[i, 1]) for i in range(5)])
  back = np.mean([bce(logits[i, 5], idx[i, 2]) for i in range(5)])
  total, terms = classification_loss(layout, jnp.asarray(logits, jnp.float32),
                                     jnp.asarray(idx, jnp.int32))
  np.testing.assert_allclose([terms["colour"], terms["thickness"], terms["background"]],
                             [colour, thick, back], rtol=1e-5)
  np.testing.assert_allclose(total, colour + thick + back, rtol=1e-5)


def linear_nets(recipe, w):
  """Stubs: G(x, c) = x / 2 whatever c; D_src(x) = <w, x> per example (one
  patch), D_cls = 0, so grad_x D_src = w everywhere."""
  recipe.generate = lambda params, x, code: 0.5 * x
  recipe.discriminate = lambda params, x, indices=None: (
      jnp.sum(w * x, axis=(1, 2, 3))[:, None, None], jnp.zeros((x.shape[0], 6)))


def test_the_critic_loss_by_hand_with_the_exact_gradient_penalty_of_a_linear_critic():
  """GP = (||w|| - 1)^2 at any interpolate; D_cls = 0 gives a loss of
  log 4 + 2 log 2; with x' = 2x - 1, -mean<w, x'> + mean<w, x'/2> + 10 GP + cls."""
  recipe = recipe_for()
  w = jnp.asarray(np.random.default_rng(2).normal(size=(8, 8, 3)) * 0.1, jnp.float32)
  linear_nets(recipe, w)
  b = batch()
  critic, _ = recipe.phases
  loss, (metrics, _) = critic.loss_fn({}, {}, b, jax.random.PRNGKey(0), 0)
  gp = (float(jnp.linalg.norm(w)) - 1.0) ** 2
  np.testing.assert_allclose(metrics["gradient_penalty"], gp, rtol=1e-5)
  scores = np.sum(np.asarray(w) * (2 * b["x"] - 1), axis=(1, 2, 3))
  cls = np.log(4) + 2 * np.log(2)
  np.testing.assert_allclose(metrics["d_cls"], cls, rtol=1e-6)
  np.testing.assert_allclose(loss, -scores.mean() + 0.5 * scores.mean() + 10 * gp + cls,
                             rtol=1e-5)
  # The generator's terms: adversarial -<w, x'/2>, cls at 0 logits, rec |x' - x'/4|.
  _, generator = recipe.phases
  loss, (terms, _) = generator.loss_fn({}, {}, b, jax.random.PRNGKey(1), 0)
  x = 2 * b["x"] - 1
  np.testing.assert_allclose(terms["g_rec"], np.mean(np.abs(x - x / 4)), rtol=1e-5)
  np.testing.assert_allclose(loss, -0.5 * scores.mean() + cls + 10 * terms["g_rec"],
                             rtol=1e-5)
  assert "g_identity" not in terms                        # the paper's objective
  # The optional identity term: |x' - G(x', c)| = |x' - x'/2|, weighted 2.
  recipe = recipe_for(identity_weight=2.0)
  linear_nets(recipe, w)
  with_identity, (terms, _) = recipe.phases[1].loss_fn({}, {}, b, jax.random.PRNGKey(1), 0)
  np.testing.assert_allclose(terms["g_identity"], np.mean(np.abs(x / 2)), rtol=1e-5)
  np.testing.assert_allclose(with_identity, loss + 2 * terms["g_identity"], rtol=1e-5)


def test_the_least_squares_game_by_hand_with_the_same_linear_critic():
  """adversarial="lsgan", gp_weight 0: the critic 1/2 mean (s - 1)^2 +
  1/2 mean (s/2)^2 + cls, the generator mean (s/2 - 1)^2 + cls + 10 rec."""
  recipe = recipe_for(adversarial="lsgan", gp_weight=0.0)
  w = jnp.asarray(np.random.default_rng(2).normal(size=(8, 8, 3)) * 0.1, jnp.float32)
  linear_nets(recipe, w)
  b = batch()
  critic, generator = recipe.phases
  loss, (metrics, _) = critic.loss_fn({}, {}, b, jax.random.PRNGKey(0), 0)
  scores = np.sum(np.asarray(w) * (2 * b["x"] - 1), axis=(1, 2, 3))
  cls = np.log(4) + 2 * np.log(2)
  d_adv = 0.5 * np.mean((scores - 1) ** 2) + 0.5 * np.mean((scores / 2) ** 2)
  np.testing.assert_allclose(metrics["d_adv"], d_adv, rtol=1e-5)
  assert float(metrics["gradient_penalty"]) == 0.0 and "wasserstein" not in metrics
  np.testing.assert_allclose(loss, d_adv + cls, rtol=1e-5)
  loss, (terms, _) = generator.loss_fn({}, {}, b, jax.random.PRNGKey(1), 0)
  np.testing.assert_allclose(terms["g_adv"], np.mean((scores / 2 - 1) ** 2), rtol=1e-5)
  np.testing.assert_allclose(loss, terms["g_adv"] + cls + 10 * terms["g_rec"], rtol=1e-5)


def test_domain_index_numbers_every_combination_once_with_none_as_its_own_class():
  layout = attribute_layout(spec(), ATTRIBUTES)          # 4 colours, 2, 2
  assert num_domains(layout) == 5 * 3 * 3
  combos = np.array([[c, t, b] for c in range(-1, 4) for t in range(-1, 2) for b in range(-1, 2)])
  index = np.asarray(domain_index(layout, jnp.asarray(combos, jnp.int32)))
  assert sorted(index.tolist()) == list(range(45))
  # By hand: red (0), thick (1), white (1) -> (0 * 3 + 1) * 3 + 1; none colour -> 4.
  np.testing.assert_array_equal(domain_index(layout, jnp.array([[0, 1, 1], [-1, 0, 0]])),
                                [4, 4 * 9])


def test_a_per_domain_critic_scores_each_image_by_its_domains_head():
  recipe = recipe_for(critic="per_domain")
  b = batch(4)
  variables = recipe.init(jax.random.PRNGKey(0), b)
  x = 2 * jnp.asarray(b["x"]) - 1
  heads, cls = recipe.discriminator.apply(
      {"params": variables["params"]["discriminator"]}, x)       # [4, h, w, 45]
  assert heads.shape[-1] == 45
  indices = batch_indices(recipe.layout, b)
  src, same_cls = recipe.discriminate(variables["params"], x, indices)
  domains = np.asarray(domain_index(recipe.layout, indices))
  for i, d in enumerate(domains):
    np.testing.assert_array_equal(src[i], heads[i, ..., d])
  np.testing.assert_array_equal(cls, same_cls)
  # Another domain's head gives another score; the shared critic has one.
  other = recipe.discriminate(variables["params"], x, (indices + 1) % 2)[0]
  assert float(jnp.max(jnp.abs(other - src))) > 1e-4
  shared = recipe_for()
  shared_vars = shared.init(jax.random.PRNGKey(0), b)["params"]["discriminator"]
  assert shared.discriminator.apply({"params": shared_vars}, x)[0].ndim == 3


# ----------------------------------------------------------- conditioning


def test_the_code_is_tiled_as_channels_and_changes_the_translation():
  x = jnp.asarray(batch(2)["x"])
  code = jnp.array([[1.0, 0.0, 2.0], [0.5, -1.0, 3.0]])
  tiled = tile_condition(x, code)
  assert tiled.shape == (2, 8, 8, 6)
  np.testing.assert_array_equal(tiled[..., :3], x)
  np.testing.assert_array_equal(tiled[..., 3:], jnp.broadcast_to(code[:, None, None], (2, 8, 8, 3)))
  gen = Generator(3, features=4, num_blocks=1)
  layout = attribute_layout(spec(), ATTRIBUTES)
  a, b = (encode(layout, jnp.array([t, t])) for t in ([0, 0, 0], [2, 1, 1]))
  params = gen.init(jax.random.PRNGKey(0), x, a)
  ya, yb = gen.apply(params, x, a), gen.apply(params, x, b)
  assert ya.shape == x.shape and float(jnp.max(jnp.abs(ya - yb))) > 1e-3
  # The first conv reads the image's 3 channels and the 6 code planes.
  assert params["params"]["Conv_0"]["kernel"].shape[2] == 3 + code_width(layout)
  # With the way up cut (transposed-conv kernels zeroed), the output ignores x:
  # every path from the image runs through the 1/4-size bottleneck.
  other = jnp.asarray(batch(2, seed=5)["x"])
  cut = jax.tree_util.tree_map_with_path(
      lambda path, v: jnp.zeros_like(v) if "ConvTranspose" in jax.tree_util.keystr(path)
      else v, params["params"])
  change = jnp.max(jnp.abs(gen.apply({"params": cut}, x, b) - gen.apply({"params": cut}, other, b)))
  assert float(change) < 1e-3


def test_code_norm_feeds_the_code_to_every_norm_beyond_the_first_conv():
  """With the code's slice of the first conv's kernel zeroed, G ignores the
  code unless code_norm gives it to every norm (as scale and bias)."""
  x = jnp.asarray(batch(2)["x"])
  layout = attribute_layout(spec(), ATTRIBUTES)
  a, b = (encode(layout, jnp.array([t, t])) for t in ([0, 0, 0], [2, 1, 1]))
  for code_norm in (False, True):
    gen = Generator(3, features=4, num_blocks=1, code_norm=code_norm)
    params = gen.init(jax.random.PRNGKey(0), x, a)["params"]
    kernel = params["Conv_0"]["kernel"]                       # [7, 7, 3 + A, 4]
    cut = {**params, "Conv_0": {"kernel": kernel.at[:, :, 3:].set(0.0)}}
    change = jnp.max(jnp.abs(gen.apply({"params": cut}, x, a) - gen.apply({"params": cut}, x, b)))
    assert (float(change) > 1e-3) == code_norm
  norms = sorted(k for k in params if k.startswith("CodeNorm_"))
  assert len(norms) == 5 and params["CodeNorm_0"]["scale"]["kernel"].shape == (
      code_width(layout), 4)
  assert {"CodeNorm_0", "CodeNorm_1"} <= set(params["ResidualBlock_0"])


def test_sample_reads_indices_or_a_code_and_pictures_show_every_domain(tmp_path):
  recipe = recipe_for()
  b = batch(3)
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), b)
  with pytest.raises(UserError, match="translates images: its sample needs inputs"):
    recipe.sample(variables, jax.random.PRNGKey(1), 3)
  assert isinstance(recipe, Translator)
  assert recipe.translation_groups == (("colour", 4), ("thickness", 2), ("background", 2))
  idx = np.array([[1, 0, 1]] * 3, np.int32)
  by_index = recipe.sample(variables, None, 3, {"x": b["x"], "target": idx})
  np.testing.assert_array_equal(recipe.translate(variables, b["x"], idx), by_index)
  code = encode(recipe.layout, jnp.asarray(idx))
  by_code = jax.jit(recipe.sample, static_argnums=2)(variables, None, 3,
                                                    {"x": b["x"], "target": code})
  np.testing.assert_allclose(by_index, by_code, atol=1e-5)
  assert by_index.shape == (3, 8, 8, 3) and 0 <= float(by_index.min()) <= float(by_index.max()) <= 1
  # Without a target, each image gets random classes drawn from the key:
  # the translation to those classes, a new draw for a new key.
  random = recipe.sample(variables, jax.random.PRNGKey(2), 3, {"x": b["x"]})
  drawn = stargan.random_indices(recipe.layout, jax.random.PRNGKey(2), 3)
  np.testing.assert_allclose(random, recipe.sample(variables, None, 3,
                                                   {"x": b["x"], "target": drawn}), atol=1e-6)
  assert not np.allclose(random, recipe.sample(variables, jax.random.PRNGKey(3), 3,
                                               {"x": b["x"]}))
  # Domains of an image of classes (2, 0, 1): 4 colours, thickness and background flipped.
  np.testing.assert_array_equal(domain_targets(recipe.layout, np.array([2, 0, 1])),
                                [[0, 0, 1], [1, 0, 1], [2, 0, 1], [3, 0, 1], [2, 1, 1], [2, 0, 0]])
  rows = recipe.picture_rows(variables, b)
  assert rows.shape == (3, 7, 8, 8, 3)                  # no ground truth in this data
  np.testing.assert_array_equal(rows[:, 0], b["x"])
  recipe.write_pictures(variables, None, b, str(tmp_path), 5)
  assert os.listdir(tmp_path) == ["translations_step_5.png"]


# --------------------------------------------------- phases and schedules


def test_each_critic_repetition_reads_its_own_batch():
  """n_critic=3: one step on 3 distinct batches equals 3 critic updates,
  repetition r on batch r with the trainer's key, then one generator update
  on batch 0; with batches 1, 2 replaced by batch 0 the critic ends elsewhere."""
  recipe = recipe_for(n_critic=3)
  batches = [batch(4, seed=s) for s in range(3)]
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batches[0])
  tx = {g: optax.sgd(1e-3) for g in variables["params"]}    # updates proportional to grads
  assert batches_per_step(recipe) == 3 and recipe.phases[0].repeat == 3
  assert recipe_for().phases[0].repeat == 5                 # the paper's n_critic
  step = jax.jit(make_train_step(recipe, tx, 0.0))
  stack = jax.tree.map(lambda *a: jnp.stack(a), *batches)
  key = jax.random.PRNGKey(7)
  new, _ = step(create_train_state(variables, tx, None), stack, key)

  @functools.partial(jax.jit, static_argnums=0)
  def grads_of(p_index, params, b, rng):
    phase = recipe.phases[p_index]
    (group,) = phase.groups
    return jax.grad(lambda q: phase.loss_fn({**params, group: q}, {}, b, rng, 0)[0])(
        params[group])

  params = dict(variables["params"])
  step_key = jax.random.fold_in(key, 0)
  for p_index, phase in enumerate(recipe.phases):
    for r in range(phase.repeat):
      rng = jax.random.fold_in(jax.random.fold_in(step_key, p_index), r)
      (group,) = phase.groups
      grads = grads_of(p_index, params, batch_at(stack, r), rng)
      params[group] = jax.tree.map(lambda p, g: p - 1e-3 * g, params[group], grads)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7,
                                                       equal_nan=False),
               new.params, params)
  same = jax.tree.map(lambda a: jnp.stack([a[0]] * 3), stack)
  other, _ = step(create_train_state(variables, tx, None), same, key)
  diffs = jax.tree.leaves(jax.tree.map(lambda a, b: float(jnp.max(jnp.abs(a - b))),
                                       other.params["discriminator"],
                                       new.params["discriminator"]))
  assert max(diffs) > 1e-4


def test_the_critic_schedule_counts_its_own_updates_and_decays_to_zero():
  c = base_config()
  c.train.num_steps, c.train.learning_rate, c.train.b1 = 4, 1e-4, 0.5
  recipe = recipe_for(decay_start_step=2, n_critic=5)
  rates = {}
  for group, updates in (("generator", 4), ("discriminator", 20)):
    tx = recipe.optimizers(c.train)[group]
    w, state, steps = jnp.zeros(()), tx.init(jnp.zeros(())), []
    for _ in range(updates):
      update, state = tx.update(jnp.ones(()), state, w)
      steps.append(-float(update))
    rates[group] = steps
  np.testing.assert_allclose(rates["generator"], [1e-4, 1e-4, 1e-4, 5e-5], rtol=1e-4)
  # The critic: constant for 2 steps (10 updates), then down to 0 at 20.
  np.testing.assert_allclose(rates["discriminator"][:11], [1e-4] * 11, rtol=1e-4)
  np.testing.assert_allclose(rates["discriminator"][15], 5e-5, rtol=1e-4)


@pytest.mark.parametrize("model,data_spec,message", [
    ({"attributes": ("colour", "hue")}, None, r"\['hue'\] not among .*colour, thickness"),
    ({"attributes": ()}, None, "name the attributes to translate"),
    ({"preserved": ("digit",)}, None, "does not read --config.model.preserved"),
    ({"d_layers": 4}, None, "d_layers=4 halves 8-pixel images"),
    ({"rec_weight": -0.1}, None, "rec_weight=-0.1 must be >= 0"),
    ({"code_norm": "yes"}, None, "code_norm='yes' must be True or False"),
    ({"n_critic": 0}, None, "n_critic=0 must be >= 1"),
    ({"structure_scale": 0}, None, "structure_scale=0 must be >= 1"),
    ({"structure_scale": 5}, None, "structure_scale=5 leaves fewer than 2x2 blocks"),
    ({"adversarial": "hinge"}, None, "adversarial='hinge' is not one of"),
    ({"critic": "each"}, None, "critic='each' is not one of"),
    ({}, spec(encoding="categorical"), "'categorical'"),
    ({}, spec((10, 10, 3)), "multiples of 4"),
    ({"d_layers": 1}, spec((4, 4, 3)), r"halves the image twice .* at least 8"),
    ({"g_downsamplings": 2}, None, "does not read --config.model.g_downsamplings"),
    ({}, {"a": spec(), "b": spec()}, "one source with attributes"),
])
def test_bad_settings_are_refused_clearly(model, data_spec, message):
  with pytest.raises(UserError, match=message):
    recipe_for(data_spec, **model)


def test_targets_parse_by_name_or_index_and_unknown_names_list_the_known():
  groups, data_spec = recipe_for().translation_groups, spec()
  assert parse_target(groups, data_spec, "colour=blue, thickness=thick") == {
      "colour": 2, "thickness": 1}
  assert parse_target(groups, data_spec, "colour=3,background=true") == {
      "colour": 3, "background": 1}
  with pytest.raises(UserError, match=r"'hair' is not an attribute of this model; .*"
                     "from: colour, thickness, background"):
    parse_target(groups, data_spec, "hair=blond")
  with pytest.raises(UserError, match="colour='purple' is not one of red, green, blue"):
    parse_target(groups, data_spec, "colour=purple")


# ------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def digits8():
  """Attribute digits at 8x8, one draw per train digit, grey digits kept
  (the trainer tests' data: built once)."""
  return open_dataset(ml_collections.ConfigDict({
      "name": "attribute_digits", "encoding": "float", "image_size": 8,
      "train_draws": 1, "hold_out": False, "digit_images": True}))


def test_the_data_options_give_unpaired_rows_whose_truth_is_their_own_pixels(digits8):
  train = digits8.split("train").arrays
  assert len(train["x"]) == 4000 and train["digit_image"].shape == (4000, 8, 8)
  assert ad.is_held_out(train["digit"], train["colour"]).any()        # every composition
  assert digits8.spec.feature("colour").class_names == ("red", "green", "blue", "yellow")
  rows = {k: v[:50] for k, v in train.items()}
  np.testing.assert_array_equal(ad.translation_truth(rows, {}), rows["x"])
  blue = ad.translation_truth(rows, {"colour": np.full(50, 2)})
  np.testing.assert_array_equal(
      blue[3], np.round(ad.render(rows["digit_image"][3], 2, rows["thickness"][3],
                                  rows["background"][3]) * 255) / np.float32(255))
  with pytest.raises(UserError, match="train_draws=0 must be an integer >= 1"):
    ad.options(ml_collections.ConfigDict({"train_draws": 0}))


def test_tfds_attributes_read_flags_and_exclusive_groups():
  flags = {"Black_Hair": False, "Blond_Hair": True, "Brown_Hair": True, "Male": True}
  hair = ("Black_Hair", "Blond_Hair", "Brown_Hair")
  assert attribute_value(flags, hair) == 1                 # the first set
  assert attribute_value({**flags, "Blond_Hair": False, "Brown_Hair": False}, hair) == -1
  assert attribute_value(flags, ("Male",)) == 1
  config = ml_collections.ConfigDict({"name": "celeb_a", "encoding": "float",
                                      "image_size": 16,
                                      "attributes": {"hair": ("Black_Hair", "Pink_Hair")}})
  with tfds.testing.mock_data(num_examples=4):
    with pytest.raises(UserError, match=r"\['Pink_Hair'\] is not among 'celeb_a'.*Young"):
      open_dataset(config)


# --------------------------------------------------------------- metrics


def test_l1_and_psnr_by_hand():
  a = np.zeros((2, 2, 2, 1))
  b = np.array([0.5, 0.5, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1]).reshape(2, 2, 2, 1)
  np.testing.assert_allclose(at.l1_per_image(a, b), [0.25, 0.1])
  # MSE 0.125 -> 10 log10(8); MSE 0.01 -> 20 dB; exact -> the 100 dB cap.
  np.testing.assert_allclose(at.psnr_per_image(a, b), [10 * np.log10(8), 20.0])
  assert at.psnr_per_image(a, a).tolist() == [100.0, 100.0]
  np.testing.assert_array_equal(at.all_targets([2, 3]),
                                [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]])


def test_the_exact_translator_scores_zero_l1_and_keeping_the_input_scores_the_ceiling(digits8):
  train = ArraySource({k: v[:1000] for k, v in digits8.split("train").arrays.items()})
  test = ArraySource({k: v[:100] for k, v in digits8.split("test").arrays.items()})
  rows = test.get(np.arange(100))
  attrs = {"colour": 4, "thickness": 2, "background": 2}
  exact = lambda x, t: ad.translation_truth(rows, {a: t[:, g] for g, a in enumerate(attrs)})
  cache = {}
  perfect = at.translation_metrics(exact, digits8.spec, attrs, {"digit": 10}, train, test,
                                   cache, classifier_steps=300)
  assert perfect["l1_to_truth"] == 0 and perfect["psnr_to_truth"] == 100.0
  assert perfect["translation_num_examples"] == 100 and perfect["translation_targets"] == 16
  assert perfect["mlp256-128_attribute_ceiling"] > 0.9
  for name in ("attribute", "colour", "thickness", "background"):   # as real images
    assert abs(perfect[f"mlp256-128_{name}_accuracy"]
               - perfect[f"mlp256-128_{name}_ceiling"]) < 0.05
  assert abs(perfect["mlp256-128_digit_preservation"]
             - perfect["mlp256-128_digit_ceiling"]) < 0.1
  keep = at.translation_metrics(lambda x, t: x, digits8.spec, attrs, {"digit": 10}, train,
                                test, cache)
  assert keep["l1_to_truth"] == keep["l1_untranslated"] > 0.05
  assert keep["psnr_to_truth"] == keep["psnr_untranslated"] < 20
  assert keep["mlp256-128_digit_preservation"] == keep["mlp256-128_digit_ceiling"]  # same images
  for a in attrs:                       # every source image counts equally in each subset
    for when in ("changes", "is_kept"):
      assert (keep[f"mlp256-128_digit_preservation_when_{a}_{when}"]
              == keep["mlp256-128_digit_ceiling"])
  assert keep["mlp256-128_attribute_accuracy"] < 0.2                       # ~1/16 + errors
  # The evaluator asks a Translator for the same, every target through `translate`.

  class Keeper:
    translation_groups = tuple(attrs.items())

    def translate(self, variables, images, target):
      return images

  evaluator = attribute_evaluator({"preserved": ("digit",), "classifier_steps": 300},
                                  digits8.spec)
  data = EvalData(train=train, split=test, means=None)
  assert evaluator(Keeper(), {}, jax.random.PRNGKey(0), data) == keep
  Keeper.translation_groups = (("digit", 10),)
  with pytest.raises(UserError, match=r"preserved: \['digit'\] must be class features of "
                     "'attribute_digits' that are not translated"):
    evaluator(Keeper(), {}, jax.random.PRNGKey(0), data)


def attribute_evaluator(options, data_spec):
  """The `attribute_translation` evaluator of `c.evals.attribute_translation = options`."""
  config = base_config()
  config.evals.attribute_translation = ml_collections.ConfigDict(options)
  return make_evaluators(config.evals, data_spec)["attribute_translation"]


def test_the_attribute_evaluator_refuses_what_it_cannot_judge():
  with pytest.raises(UserError, match=r"preserved: \['hue'\] must be class features"):
    attribute_evaluator({"preserved": ("hue",)}, spec())
  with pytest.raises(UserError, match="judges one source with attributes"):
    attribute_evaluator({}, {"a": spec(), "b": spec()})
  with pytest.raises(UserError, match="does not read --config.evals.attribute_translation."
                     "metric_examples. Did you mean --config.evals.attribute_translation."
                     "num_examples"):
    attribute_evaluator({"metric_examples": 8}, spec())


def test_a_target_of_minus_one_keeps_each_rows_own_class(digits8):
  """Targets [[-1, -1, 1]]: the background inverted, colour and thickness
  each row's own; the translator is handed those per-row targets, the
  truth keeps them, and only the background counts as changed."""
  train = ArraySource({k: v[:1000] for k, v in digits8.split("train").arrays.items()})
  test = ArraySource({k: v[:100] for k, v in digits8.split("test").arrays.items()})
  rows = test.get(np.arange(100))
  attrs = {"colour": 4, "thickness": 2, "background": 2}
  asked = []

  def exact(x, t):
    asked.append(t)
    return ad.translation_truth(rows, {a: t[:, g] for g, a in enumerate(attrs)})
  out = at.translation_metrics(exact, digits8.spec, attrs, {"digit": 10}, train, test, {},
                               classifier_steps=300, targets=[[-1, -1, 1]])
  np.testing.assert_array_equal(asked[0], np.stack(
      [rows["colour"], rows["thickness"], np.ones(100)], -1))
  assert out["l1_to_truth"] == 0 and out["translation_targets"] == 1
  truth = ad.translation_truth(rows, {"background": np.ones(100, np.int32)})
  np.testing.assert_allclose(out["l1_untranslated"], at.l1_per_image(rows["x"], truth).mean(),
                             rtol=1e-6)
  for a in ("colour", "thickness"):        # kept for every row: all count as kept
    assert (out[f"mlp256-128_digit_preservation_when_{a}_is_kept"]
            == out["mlp256-128_digit_preservation"])
  assert 0 < out["mlp256-128_digit_preservation_when_background_changes"] <= 1


def test_pictures_put_the_exact_translation_beside_each_one(digits8):
  recipe = recipe_for(digits8.spec)
  rows = digits8.split("test").get(np.arange(3))
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), rows)
  grid = recipe.picture_rows(variables, rows)
  assert grid.shape == (3, 1 + 2 * 6, 8, 8, 3)          # input, then 6 (fake, truth) pairs
  targets = domain_targets(recipe.layout, np.array([rows[a][1] for a in ATTRIBUTES]))
  truth = ad.translation_truth({k: np.repeat(v[1:2], 6, 0) for k, v in rows.items()},
                               {a: targets[:, g] for g, a in enumerate(ATTRIBUTES)})
  np.testing.assert_array_equal(grid[1, 2::2], truth)
  np.testing.assert_allclose(grid[1, 1::2], translate_in_chunks(
      recipe, variables, np.repeat(rows["x"][1:2], 6, 0), targets), atol=1e-5)   # other batch size


# ------------------------------------------------------- through the trainer


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
  """A 4-step run (the lr decays from step 2) and its workdir."""
  path = str(tmp_path_factory.mktemp("stargan_full"))
  result = train(stargan_config(steps=4), path, progress=False)
  return path, result


def test_a_run_is_seeded_and_resumes_bit_exactly(trained, tmp_path):
  full_dir, result = trained
  config = stargan_config(steps=4)
  train(stargan_config(steps=2), str(tmp_path), progress=False)
  train(config, str(tmp_path), progress=False)
  exp = Experiment(config, full_dir)
  a, b = jax.device_get(exp.train_state), saved_state(exp, tmp_path)
  assert int(b.step) == 4
  for part in ("params", "opt_state"):
    jax.tree.map(np.testing.assert_array_equal, getattr(a, part), getattr(b, part))
  losses = lambda d: [(e["discriminator_loss"], e["generator_loss"])
                      for e in read_metrics(d) if e["split"] == "train"]
  assert len(losses(full_dir)) == 4 and losses(full_dir) == losses(tmp_path)
  assert result["num_examples"] == 40 and 0 < result["cycle_l1"] < 1
  assert exp.data_position == 8      # 2 batches a step
  assert os.path.exists(os.path.join(full_dir, "samples", "translations_step_4.png"))


def test_translate_sets_named_attributes_and_refuses_unknown_ones(trained, tmp_path):
  exp = translate.restore(trained[0])
  paths = translate.translate_with(exp, "eval", str(tmp_path / "out"),
                                   target="colour=blue,background=white")
  assert len(paths) == 40 and os.path.basename(paths[0]) == "00000.png"
  with pytest.raises(UserError, match=r"'hair' is not an attribute of this model; give "
                     "name=value pairs with names from: colour, thickness, background"):
    translate.translate_with(exp, "eval", str(tmp_path / "bad"), target="hair=blond")
  with pytest.raises(UserError, match="give --target=name=value"):
    translate.translate_with(exp, "eval", str(tmp_path / "none"))
  with pytest.raises(UserError, match="--direction is for cyclegan workdirs"):
    translate.translate_with(exp, "eval", str(tmp_path / "dir"), "ba", target="colour=red")


@pytest.mark.slow   # a second process: JAX start-up, restore and compile (about 20 s)
def test_the_launcher_names_an_unknown_attribute_in_one_line(trained, tmp_path):
  env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
  out = subprocess.run([sys.executable, "-m", "experiments.translate",
                        f"--workdir={trained[0]}", "--input=eval",
                        f"--output={tmp_path / 'cli'}", "--target=colr=red"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                       check=False)
  assert out.returncode == 2 and "Traceback" not in out.stderr
  lines = [l for l in out.stderr.splitlines() if "'colr' is not an attribute" in l]
  assert len(lines) == 1 and lines[0].startswith("error: ")
  assert lines[0].endswith("names from: colour, thickness, background.")


# ----------------------------------------------------------------- configs


def test_celeba_config_trains_one_step_on_mock_data(tmp_path):
  config = importlib.import_module("experiments.configs.stargan_celeba").get_config()
  assert (config.data.image_size, config.model.num_blocks, config.model.d_layers,
          config.train.batch_size, config.train.num_steps, config.model.decay_start_step,
          config.model.n_critic) == (128, 6, 6, 16, 40_000, 20_000, 5)
  config = with_overrides(config, {
      **TINY_NETS, "data.image_size": 8, "train.num_steps": 1, "model.n_critic": 1,
      "train.batch_size": 8, "eval.batch_size": 8, "eval.num_examples": 8,
      "eval.every_steps": 1, "checkpoint.every_steps": 1, "sample.every_steps": 1,
      "sample.num": 2, "evals.attribute_translation.classifier_steps": 2,
      "evals.attribute_translation.num_examples": 8,
      "evals.attribute_translation.classifier_examples": 8})
  with tfds.testing.mock_data(num_examples=8):
    result = train(config, str(tmp_path), progress=False)
  losses = [e for e in read_metrics(tmp_path) if e["split"] == "train"]
  assert len(losses) == 1 and np.isfinite(losses[0]["discriminator_loss"])
  assert np.isfinite(losses[0]["generator_loss"]) and result["translation_targets"] == 12
  assert 0 <= result["mlp256-128_attribute_accuracy"] <= 1 and "l1_to_truth" not in result


def test_structure_loss_ignores_contrast_and_sign_but_not_where_edges_lie():
  rows = {"digit_image": np.stack([np.asarray(m, np.float32) for m in
                                   (np.eye(8), np.fliplr(np.eye(8)))]),
          "colour": np.array([0, 3]), "thickness": np.array([0, 0]),
          "background": np.array([0, 0])}
  to_model = lambda v: 2.0 * jnp.asarray(v, jnp.float32) - 1.0
  x = to_model(ad.translation_truth(rows, {}))
  flipped = to_model(ad.translation_truth(rows, {"colour": np.array([2, 1]),
                                                 "background": np.array([1, 1])}))
  assert float(structure_loss(x, flipped)) < 1e-3           # recoloured and inverted
  assert float(structure_loss(x, x[::-1])) > 0.5             # the other diagonal
  # By hand on one image: edges [[a]] vs [[b]] centred are 0 -> cos 0, loss 1.
  tiny = jnp.zeros((1, 2, 2, 3))
  assert float(structure_loss(tiny, tiny)) == pytest.approx(1.0)
  # In the generator's loss: weight 3 times the loss at scale 2 of x against
  # its translation (a stub G that shifts the image, so the edges move).
  b = batch()
  shift = lambda params, x, code: 0.5 * jnp.roll(x, 3, axis=2)
  losses = {}
  for weight in (0.0, 3.0):
    recipe = recipe_for(structure_weight=weight, structure_scale=2)
    linear_nets(recipe, jnp.full((8, 8, 3), 0.01))
    recipe.generate = shift
    losses[weight] = recipe.phases[1].loss_fn({}, {}, b, jax.random.PRNGKey(1), 0)
  model_x = 2.0 * jnp.asarray(b["x"]) - 1.0
  expected = float(structure_loss(model_x, shift(None, model_x, None), 2))
  assert expected > 0.1
  np.testing.assert_allclose(losses[3.0][1][0]["g_structure"], expected, rtol=1e-5)
  np.testing.assert_allclose(losses[3.0][0], losses[0.0][0] + 3 * expected, rtol=1e-5)
  assert "g_structure" not in losses[0.0][1][0]
  # With a tolerance the generator's term is the tolerant loss.
  recipe = recipe_for(structure_weight=3.0, structure_scale=2, structure_tolerance=1)
  linear_nets(recipe, jnp.full((8, 8, 3), 0.01))
  recipe.generate = shift
  terms = recipe.phases[1].loss_fn({}, {}, b, jax.random.PRNGKey(1), 0)[1][0]
  np.testing.assert_allclose(
      terms["g_structure"],
      float(structure_loss(model_x, shift(None, model_x, None), 2, 1)), rtol=1e-5)
  with pytest.raises(UserError, match="structure_tolerance"):
    recipe_for(structure_weight=3.0, structure_tolerance=-1)
  # Block means by hand: a 4x4 ramp pooled 2x2 -> [[2.5, 4.5], [10.5, 12.5]] / 16 ...
  ramp = jnp.arange(16.0).reshape(1, 4, 4, 1)
  np.testing.assert_allclose(edge_magnitude(ramp, 2)[0, 0, 0], np.hypot(8.0, 2.0), rtol=1e-5)
  # ... and a ring thickened by a pixel looks redrawn to 1-pixel edges
  # (loss > 1) but nearly kept to the edges of 4x4 block means.
  radius = np.hypot(*(np.indices((16, 16)) - 7.5))
  ring = {"digit_image": ((radius > 3.5) & (radius < 5.5)).astype(np.float32)[None],
          "colour": np.array([0]), "thickness": np.array([0]), "background": np.array([0])}
  thin = to_model(ad.translation_truth(ring, {}))
  thick = to_model(ad.translation_truth(ring, {"thickness": np.array([1])}))
  assert float(structure_loss(thin, thick, 1)) > 1.0
  assert float(structure_loss(thin, thick, 4)) < 0.3


def far_share_reference(x, y, radius):
  """structure_loss with a tolerance, by numpy and scipy: per image, the share
  of y's edge mass where the (2r+1)^2 max of x's edges is under NEAR_EDGE x
  x's peak (partly near in between), plus the same with x and y swapped."""
  from scipy import ndimage  # pylint: disable=import-outside-toplevel
  from gen_jax.losses import NEAR_EDGE  # pylint: disable=import-outside-toplevel
  a, b = np.asarray(edge_magnitude(x)), np.asarray(edge_magnitude(y))
  total = 0.0
  for ea, eb in zip(a, b):
    for e, other in ((eb, ea), (ea, eb)):
      near = ndimage.maximum_filter(other, size=2 * radius + 1, mode="constant",
                                    cval=-np.inf)
      near = np.clip(near / (NEAR_EDGE * other.max() + 1e-8), 0.0, 1.0)
      total += np.sum(e * (1.0 - near)) / (np.sum(e) + 1e-8)
  return total / len(a)


def test_structure_loss_with_a_tolerance_forgives_thickness_but_not_another_digit():
  """On rendered 28x28 digits: with a 1-pixel tolerance, thickening (3x3
  dilation) costs a tenth of what another digit of the same attributes does,
  where the cosine (tolerance 0) counts it as worse than another digit;
  recolouring and inverting stay free. The value agrees with numpy/scipy."""
  spec, splits = ad.attribute_digits_splits("float", 28, train_draws=1, hold_out=False,
                                            digit_images=True)
  del spec
  test = splits["test"]
  rows = {k: test[k][:64] for k in ("digit_image", "colour", "thickness", "background")}
  to_model = lambda v: 2.0 * jnp.asarray(v, jnp.float32) - 1.0
  x = to_model(ad.translation_truth(rows, {}))
  thickness_flipped = to_model(ad.translation_truth(rows, {"thickness": 1 - rows["thickness"]}))
  inverted = to_model(ad.translation_truth(rows, {"background": 1 - rows["background"],
                                                  "colour": (rows["colour"] + 1) % 4}))
  others = {k: np.roll(v, 1, axis=0) for k, v in rows.items()}
  other_digit = to_model(ad.translation_truth(
      others, {k: rows[k] for k in ("colour", "thickness", "background")}))
  loss = lambda y, tolerance: float(structure_loss(x, y, 1, tolerance))
  assert loss(x, 1) < 0.01 and loss(inverted, 1) < 0.01
  assert loss(thickness_flipped, 1) < 0.1 * loss(other_digit, 1)
  assert loss(thickness_flipped, 0) > loss(other_digit, 0)
  for y, radius in ((thickness_flipped, 1), (other_digit, 1), (other_digit, 2)):
    np.testing.assert_allclose(float(structure_loss(x, y, 1, radius)),
                               far_share_reference(x, y, radius), rtol=1e-4)
