"""CycleGAN: losses by hand, the image pool rule, phases, schedule, domain
checks, resume through the trainer, translation metrics, configs."""

import importlib
import types

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest
import scipy.special
import tensorflow_datasets as tfds

from gen_jax.data import ArraySource, digits_arrays
from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.eval import EvalData, make_evaluators, translation
from gen_jax.eval.translation import translate_in_chunks
from gen_jax.losses import lsgan_discriminator_loss, lsgan_generator_loss
from gen_jax.models import make_recipe
from gen_jax.models.base import Translator
from gen_jax.models.cyclegan import empty_pool, l1, pool_decisions, pool_query
from gen_jax.nn.cyclegan import (PatchDiscriminator, ResnetGenerator, patch_output_size,
                                 receptive_field)
from gen_jax.optim import constant_then_linear_decay
from gen_jax.train import Experiment, base_config, make_train_step, train
from gen_jax.train.step import create_train_state
from tests.helpers import read_metrics, saved_state, stacked, tiny_config, with_overrides

TINY_NETS = {"model.g_features": 4, "model.num_blocks": 1, "model.d_features": 4,
             "model.d_layers": 1}


def spec(shape=(8, 8, 1), encoding="float", name="tiny", num_classes=10):
  levels = {"float": None, "binary": 2, "categorical": 17}[encoding]
  return DataSpec(name=name, event_shape=shape, encoding=encoding, num_levels=levels,
                  num_classes=num_classes)


def recipe_for(a=None, b=None, **model):
  config = ml_collections.ConfigDict({"name": "cyclegan", "g_features": 4,
                                      "num_blocks": 1, "d_features": 4, "d_layers": 1,
                                      **model})
  return make_recipe(config, {"a": a or spec(), "b": b or spec()})


def cyclegan_config(steps=4, **overrides):
  """Two digits sources (b: 500 train, 100 eval images), tiny networks; the
  learning rate decays from step 2, the pools (20) fill at step 2."""
  config = tiny_config(model="cyclegan", steps=steps, **{
      "data.encoding": "float", "model.pool_size": 20, "model.decay_start_step": 2,
      "checkpoint.every_steps": 2, **TINY_NETS})
  config.evals.translation = ml_collections.ConfigDict(dict(classifier_steps=20,
                                                            num_examples=64))
  config.data.sources = ml_collections.ConfigDict({
      "a": {"name": "digits"},
      "b": {"name": "digits", "train_split": "train[:500]", "eval_split": "test[:100]"}})
  return with_overrides(config, overrides)


# ------------------------------------------------------------------ losses


def test_lsgan_and_l1_losses_by_hand():
  real, fake = jnp.array([[1.0, 0.5]]), jnp.array([[0.0, 1.0]])
  # 0.5 * (mean(0, 0.25) + mean(0, 1)) = 0.5 * (0.125 + 0.5)
  assert float(lsgan_discriminator_loss(real, fake)) == pytest.approx(0.3125)
  assert float(lsgan_generator_loss(jnp.array([0.5, 2.0]))) == pytest.approx(0.625)
  assert float(l1(jnp.array([1.0, -1.0, 0.0]), jnp.array([0.0, 1.0, 0.5]))) == pytest.approx(3.5 / 3)


def linear_nets(recipe):
  """Stub networks: G_g(x) = s_g x, D_g(x) = w_g mean(x) per example."""
  recipe.generate = lambda params, group, x: params[group]["s"] * x
  recipe.discriminate = lambda params, group, x: params[group]["w"] * jnp.mean(x, (1, 2, 3))
  return {"g_ab": {"s": 2.0}, "g_ba": {"s": -1.0}, "d_a": {"w": 1.0}, "d_b": {"w": 3.0}}


def constant_batch():
  """a = 0.75 everywhere (0.5 for the nets), b = 0.25 (-0.5)."""
  return {"a": {"x": jnp.full((2, 8, 8, 1), 0.75)}, "b": {"x": jnp.full((2, 8, 8, 1), 0.25)}}


@pytest.mark.parametrize("identity_weight,expected", [(0.5, 41.75), (0.0, 34.25)])
def test_generators_loss_wires_each_term_as_the_paper_by_hand(identity_weight, expected):
  """a' = 0.5, b' = -0.5: G(a') = 1, F(b') = 0.5, F(G(a')) = -1, G(F(b')) = 1,
  G(b') = -1, F(a') = -0.5. adv: (3*1 - 1)^2 = 4 (D_B on G(a)), (1*0.5 - 1)^2
  = 0.25 (D_A on F(b)); cycle |-1 - 0.5| + |1 + 0.5| = 3, times 10; identity
  |-1 + 0.5| + |-0.5 - 0.5| = 1.5, times 0.5 * 10."""
  recipe = recipe_for(identity_weight=identity_weight, pool_size=0)
  params = linear_nets(recipe)
  generators, _ = recipe.phases
  loss, (terms, _) = generators.loss_fn(params, {}, constant_batch(), None, 0)
  assert float(loss) == pytest.approx(expected)
  assert float(terms["g_adv_ab"]) == pytest.approx(4.0)
  assert float(terms["g_adv_ba"]) == pytest.approx(0.25)
  assert float(terms["cycle_a"]) == float(terms["cycle_b"]) == pytest.approx(1.5)
  assert ("identity_a" in terms) == (identity_weight > 0)


def test_the_label_term_asks_the_target_classifier_for_the_input_label():
  """With label_weight w, groups c_a and c_b classify real a and b (their
  cross-entropies join the discriminators' loss) and the generators pay
  w * (CE(C_B(G(a)), y_a) + CE(C_A(F(b)), y_b)); checked against the
  classifier applied by hand and scipy's log-softmax."""
  train, _ = digits_arrays("float")
  x, y = jnp.asarray(train["x"][:6]), jnp.asarray(train["label"][:6])
  batch = {"a": {"x": x, "label": y}, "b": {"x": x[::-1], "label": y[::-1]}}
  recipe = recipe_for(identity_weight=0.0, pool_size=0, label_weight=2.0)
  assert [p.groups for p in recipe.phases] == [("g_ab", "g_ba"), ("d_a", "d_b", "c_a", "c_b")]
  params = recipe.init(jax.random.PRNGKey(0), batch)["params"]
  assert set(params) == {"g_ab", "g_ba", "d_a", "d_b", "c_a", "c_b"}

  def cross_entropy(group, images, labels):            # images in [-1, 1]
    logits = recipe.label_classifier.apply({"params": params[group]}, (images + 1) / 2)[0]
    log_p = scipy.special.log_softmax(np.asarray(logits, np.float64), axis=-1)
    return -log_p[np.arange(len(labels)), np.asarray(labels)].mean()

  real_a, real_b = recipe.to_model(x), recipe.to_model(x[::-1])
  loss, (terms, _) = recipe.phases[0].loss_fn(params, {}, batch, None, 0)
  fake_b, fake_a = (recipe.generate(params, g, r) for g, r in (("g_ab", real_a),
                                                                ("g_ba", real_b)))
  np.testing.assert_allclose(terms["label_ab"], cross_entropy("c_b", fake_b, y), rtol=1e-5)
  np.testing.assert_allclose(terms["label_ba"], cross_entropy("c_a", fake_a, y[::-1]),
                             rtol=1e-5)
  paper = sum(float(v) for k, v in terms.items() if not k.startswith("label")
              and not k.startswith("cycle")) + 10 * (terms["cycle_a"] + terms["cycle_b"])
  np.testing.assert_allclose(loss, paper + 2.0 * (terms["label_ab"] + terms["label_ba"]),
                             rtol=1e-5)
  loss, (terms, _) = recipe.phases[1].loss_fn(params, {}, batch, jax.random.PRNGKey(1), 0)
  np.testing.assert_allclose(terms["c_a"], cross_entropy("c_a", real_a, y), rtol=1e-5)
  np.testing.assert_allclose(terms["c_b"], cross_entropy("c_b", real_b, y[::-1]), rtol=1e-5)
  np.testing.assert_allclose(loss, sum(terms.values()), rtol=1e-6)
  assert "label_ab" not in recipe_for(pool_size=0).phases[0].loss_fn(
      params, {}, batch, None, 0)[1][0]
  with pytest.raises(UserError, match="label_weight > 0 needs both domains labelled"):
    recipe_for(spec(num_classes=None), spec(num_classes=None), label_weight=1.0)
  recipe_for(spec(num_classes=None), spec(num_classes=None))     # without it: no labels


def test_discriminators_loss_by_hand():
  """D_A: 0.5 ((0.5 - 1)^2 + 0.5^2) = 0.25; D_B: 0.5 ((3 * -0.5 - 1)^2 + 3^2) = 7.625."""
  recipe = recipe_for(pool_size=0)
  params = linear_nets(recipe)
  _, discriminators = recipe.phases
  loss, (terms, _) = discriminators.loss_fn(params, {}, constant_batch(),
                                            jax.random.PRNGKey(0), 0)
  assert float(terms["d_a"]) == pytest.approx(0.25)
  assert float(terms["d_b"]) == pytest.approx(7.625)
  assert float(loss) == pytest.approx(7.875)


# -------------------------------------------------------------- image pool


def reference_pool(pool, count, fakes, key):
  """The rule, one image at a time in plain Python, with the same draws."""
  pool, shown = list(pool), []
  for i, fake in enumerate(fakes):
    coin, slot = (int(v) for v in pool_decisions(key, i, len(pool)))
    if count < len(pool):
      pool[count] = fake
      count += 1
      shown.append(fake)
    elif coin:
      shown.append(pool[slot])
      pool[slot] = fake
    else:
      shown.append(fake)
  return pool, count, shown


def test_image_pool_first_fills_then_swaps_half_the_time_exactly():
  size = 5
  pool = empty_pool(size, (1, 1, 1))
  key = jax.random.PRNGKey(3)
  values = lambda lo, hi: jnp.arange(lo, hi, dtype=jnp.float32).reshape(-1, 1, 1, 1)
  # A first query of 3: stored in slots 0..2 and shown as they are.
  pool, shown = pool_query(pool, values(1, 4), key)
  assert int(pool["count"]) == 3
  np.testing.assert_array_equal(shown.ravel(), [1, 2, 3])
  np.testing.assert_array_equal(pool["images"].ravel(), [1, 2, 3, 0, 0])
  # A second query of 8 fills slots 3, 4, then each fake swaps with p = 1/2.
  key2 = jax.random.PRNGKey(4)
  new, shown = pool_query(pool, values(10, 18), key2)
  ref_pool, ref_count, ref_shown = reference_pool([1, 2, 3, 0, 0], 3, list(range(10, 18)),
                                                  key2)
  np.testing.assert_array_equal(new["images"].ravel(), ref_pool)
  np.testing.assert_array_equal(shown.ravel(), ref_shown)
  assert int(new["count"]) == ref_count == size
  np.testing.assert_array_equal(shown.ravel()[:2], [10, 11])
  # This key exercises both branches: some fakes shown as they are, some swapped.
  later = shown.ravel()[2:]
  assert 0 < np.sum(later < 10) < len(later) and np.any(later >= 12)
  # Once full, nothing is lost: what is shown or pooled after the fill is the
  # full pool [1, 2, 3, 10, 11] and the fakes 12..17, each exactly once.
  np.testing.assert_array_equal(np.sort(np.r_[later, new["images"].ravel()]),
                                np.r_[1, 2, 3, 10, 11, np.arange(12, 18)])


def test_pool_decisions_are_fair_coins_and_uniform_slots():
  key = jax.random.PRNGKey(0)
  coins, slots = jax.vmap(lambda i: pool_decisions(key, i, 50))(jnp.arange(20000))
  assert abs(float(jnp.mean(coins)) - 0.5) < 4 * 0.5 / np.sqrt(20000)
  counts = np.bincount(np.asarray(slots), minlength=50)
  assert counts.min() > 400 - 4 * 20 and counts.max() < 400 + 4 * 20   # 400 each


# --------------------------------------------------------------- networks


def test_networks_keep_the_image_size_and_patchgan_sees_70x70():
  for shape in ((8, 8, 1), (28, 28, 1), (32, 32, 3)):
    gen = ResnetGenerator(shape[-1], features=4, num_blocks=2)
    x = jnp.zeros((2,) + shape)
    y, _ = jax.eval_shape(gen.init_with_output, jax.random.PRNGKey(0), x)
    assert y.shape == x.shape
  assert [receptive_field(n) for n in (1, 2, 3)] == [16, 34, 70]
  disc = PatchDiscriminator(features=2, num_layers=3, norm=False)
  x = jax.random.normal(jax.random.PRNGKey(1), (1, 128, 128, 1))
  params = disc.init(jax.random.PRNGKey(2), x)
  out = disc.apply(params, x)
  assert out.shape == (1, patch_output_size(128, 3), patch_output_size(128, 3)) == (1, 14, 14)
  grad = jax.jit(jax.grad(lambda z: disc.apply(params, z)[0, 7, 7]))(x)[0, ..., 0]
  rows, cols = np.nonzero(np.asarray(grad))
  assert rows.max() - rows.min() + 1 == cols.max() - cols.min() + 1 == 70


# ------------------------------------------------------------------ phases


@pytest.mark.parametrize("label_weight", [0.0, 1.0])
def test_each_phase_updates_only_its_groups_and_the_pools_only_in_the_d_phase(label_weight):
  recipe = recipe_for(pool_size=4, label_weight=label_weight)
  train_arrays = digits_arrays("float")[0]
  x, y = jnp.asarray(train_arrays["x"][:8]), jnp.asarray(train_arrays["label"][:8])
  batch = {"a": {"x": x, "label": y}, "b": {"x": x[::-1], "label": y[::-1]}}
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
  classifiers = ("c_a", "c_b") if label_weight else ()
  assert [(p.name, p.groups) for p in recipe.phases] == [
      ("generators", ("g_ab", "g_ba")), ("discriminators", ("d_a", "d_b") + classifiers)]
  for phase in recipe.phases:
    tx = {g: optax.adam(1e-2) for g in variables["params"]}
    ts = create_train_state(variables, tx, None)
    saved = recipe.phases
    recipe.phases = (phase,)
    try:
      new, _ = jax.jit(make_train_step(recipe, tx, 0.0))(ts, stacked(batch),
                                                         jax.random.PRNGKey(1))
    finally:
      recipe.phases = saved
    for group, before in variables["params"].items():
      same = jax.tree.leaves(jax.tree.map(np.array_equal, before, new.params[group]))
      assert all(same) == (group not in phase.groups), (phase.name, group)
    counts = [int(new.state[p]["count"]) for p in ("pool_a", "pool_b")]
    assert counts == ([4, 4] if phase.name == "discriminators" else [0, 0])


# ---------------------------------------------------------------- schedule


def test_learning_rate_is_constant_then_decays_linearly_to_zero():
  schedule = constant_then_linear_decay(2e-4, 6, 10)
  np.testing.assert_allclose([float(schedule(t)) for t in (0, 5, 6, 8, 10)],
                             [2e-4, 2e-4, 2e-4, 1e-4, 0.0], rtol=1e-6, atol=1e-12)
  # The recipe's optimizers: Adam on a constant gradient steps by the rate.
  c = base_config()
  c.train.num_steps, c.train.learning_rate, c.train.b1 = 10, 2e-4, 0.5
  recipe = recipe_for(decay_start_step=6)
  tx = recipe.optimizers(c.train)["g_ab"]
  w, state, steps = jnp.zeros(()), tx.init(jnp.zeros(())), []
  for _ in range(10):
    update, state = tx.update(jnp.ones(()), state, w)
    steps.append(-float(update))
  np.testing.assert_allclose(steps, [2e-4] * 7 + [2e-4 * k / 4 for k in (3, 2, 1)],
                             rtol=1e-5)
  assert float(constant_then_linear_decay(1.0, 5, 5)(7)) == 1.0     # no decay at all


# ----------------------------------------------------------------- domains


@pytest.mark.parametrize("a,b,message", [
    (spec(), spec(encoding="binary"), "different encodings: a .* 'float', b .* 'binary'"),
    (spec(), spec((28, 28, 1)), r"different sizes: a .* \(8, 8, 1\), b .* \(28, 28, 1\)"),
    (spec(), spec((8, 8, 3)), "different sizes"),
    (spec(encoding="categorical"), spec(encoding="categorical"), "'categorical'"),
    (spec((12, 10, 1)), spec((12, 10, 1)), "multiples of 4"),
])
def test_domains_of_different_encodings_or_sizes_are_refused(a, b, message):
  with pytest.raises(UserError, match=message):
    recipe_for(a, b)


def test_one_source_and_bad_settings_are_refused():
  config = ml_collections.ConfigDict({"name": "cyclegan"})
  with pytest.raises(UserError, match="two named sources"):
    make_recipe(config, spec())
  with pytest.raises(UserError, match="d_layers=3 halves 8-pixel images"):
    recipe_for(d_layers=3)
  with pytest.raises(UserError, match="pool_size=-1 must be >= 0"):
    recipe_for(pool_size=-1)
  with pytest.raises(UserError, match="cyclegan' does not read --config.model.metrics"):
    recipe_for(metrics="labels")             # an evaluator's setting now
  with pytest.raises(UserError, match="kind='fid' is not one of"):
    translation_evaluator({"kind": "fid"})
  with pytest.raises(UserError, match="kind='labels' .* needs both domains labelled.*"
                     "kind=domain"):
    translation_evaluator({}, spec(num_classes=None), spec(num_classes=None))
  with pytest.raises(UserError, match="two named sources a and b"):
    translation_evaluator({}, a=None, b=None, one=spec())


def translation_evaluator(options, a=None, b=None, one=None):
  """The `translation` evaluator of `c.evals.translation = options`."""
  config = base_config()
  config.evals.translation = ml_collections.ConfigDict(options)
  data_spec = one or {"a": a or spec(), "b": b or spec()}
  return make_evaluators(config.evals, data_spec)["translation"]


# ----------------------------------------------------------------- outputs


def test_translate_maps_each_row_by_its_target_in_the_data_encoding(tmp_path):
  """target 1: G (a -> b), 0: F (b -> a), per row, in the data encoding;
  sample is that translation ([N, *event], every row to b without a
  target); pictures of both directions."""
  for encoding in ("float", "binary"):
    recipe = recipe_for(spec(encoding=encoding), spec(encoding=encoding))
    assert isinstance(recipe, Translator) and recipe.translation_groups == (("domain", 2),)
    x = jnp.asarray(digits_arrays(encoding)[0]["x"][:6])
    variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), {"a": {"x": x}, "b": {"x": x}})
    params = variables["params"]
    to_b = recipe.from_model(recipe.generate(params, "g_ab", recipe.to_model(x)))
    to_a = recipe.from_model(recipe.generate(params, "g_ba", recipe.to_model(x)))
    target = np.array([[1], [0], [1], [1], [0], [0]], np.int32)
    mixed = jax.jit(recipe.translate)(variables, x, target)
    want = np.where(target[:, :, None, None] == 1, to_b, to_a)
    np.testing.assert_allclose(mixed, want, atol=1e-5)          # jitted vs not
    np.testing.assert_allclose(recipe.translate(variables, x, np.ones((6, 1), np.int32)),
                               to_b, atol=1e-6)
    np.testing.assert_allclose(recipe.translate(variables, x, np.zeros((6, 1), np.int32)),
                               to_a, atol=1e-6)
    sampled = jax.jit(recipe.sample, static_argnums=2)(variables, None, 6, {"x": x})
    assert sampled.shape == x.shape
    np.testing.assert_allclose(sampled, to_b, atol=1e-5)
    np.testing.assert_array_equal(
        recipe.sample(variables, None, 6, {"x": x, "target": target}), mixed)
    chunked = translate_in_chunks(recipe, variables, np.asarray(x), target, chunk=4)
    np.testing.assert_allclose(chunked, mixed, atol=1e-5)      # two calls of 4 and 2
    assert translate_in_chunks(recipe, variables, np.asarray(x)[:0], target[:0]).shape == (
        0, 8, 8, 1)
    values = np.asarray(mixed)
    assert values.min() >= 0 and values.max() <= 1
    if encoding == "binary":
      assert set(np.unique(values)) <= {0.0, 1.0}
  with pytest.raises(UserError, match="translates images: its sample needs inputs"):
    recipe.sample(variables, jax.random.PRNGKey(1), 6)
  recipe.write_pictures(variables, None, {"a": {"x": np.asarray(x)}, "b": {"x": np.asarray(x)}},
                        str(tmp_path), 7)
  assert sorted(p.name for p in tmp_path.iterdir()) == [
      "translations_ab_step_7.png", "translations_ba_step_7.png"]


# ------------------------------------------------------- through the trainer


@pytest.mark.parametrize("label_weight", [0.0, 1.0])
def test_a_run_is_seeded_and_resumes_exactly_with_its_pools(tmp_path, label_weight):
  """4 steps vs 2 + 2: the two runs' first steps agree (everything comes from
  the seed), and the resumed run ends bit-equal, the pools (full from step 2,
  then swapping), the decaying learning rate and the label classifiers
  (label_weight > 0) included."""
  labels = {"model.label_weight": label_weight}
  full = cyclegan_config(steps=4, **{"checkpoint.every_steps": 4}, **labels)
  train(full, str(tmp_path / "full"), progress=False)
  train(cyclegan_config(steps=2, **labels), str(tmp_path / "resumed"), progress=False)
  result = train(full, str(tmp_path / "resumed"), progress=False)
  exp = Experiment(full, str(tmp_path / "full"))
  a, b = jax.device_get(exp.train_state), saved_state(exp, tmp_path / "resumed")
  pool = a.state["pool_a"]
  assert int(b.step) == 4 and int(pool["count"]) == 20
  assert ("c_a" in b.params) == bool(label_weight)
  assert len(np.unique(pool["images"][:, 0, 0, 0])) == 20
  for part in ("params", "state", "opt_state"):
    jax.tree.map(np.testing.assert_array_equal, getattr(a, part), getattr(b, part))
  losses = lambda d: [(e["generators_loss"], e["discriminators_loss"])
                      for e in read_metrics(d) if e["split"] == "train"]
  assert len(losses(tmp_path / "full")) == 4
  assert losses(tmp_path / "full") == losses(tmp_path / "resumed")
  # Per-source eval rows: a reads 128 (eval.num_examples), b has 100.
  assert result["a/cycle_l1_num_examples"] == 128 and result["b/cycle_l1_num_examples"] == 100
  assert 0 < result["a/cycle_l1"] < 1 and 0 <= result["mlp256-128_ab_label_accuracy"] <= 1
  assert (tmp_path / "full" / "samples" / "translations_ab_step_4.png").exists()


# ----------------------------------------------------------------- metrics


def digits_sources(transform=lambda x: x):
  train, test = digits_arrays("float")
  side = lambda d: ArraySource({"x": transform(d["x"]), "label": d["label"]})
  return ArraySource(train), ArraySource(test), side(train), side(test)


def test_a_perfect_translator_meets_the_ceiling_and_floor_a_label_swapper_does_not():
  a_train, a_test, b_train, b_test = digits_sources()
  specs = {"a": spec(), "b": spec()}
  trains, evals = {"a": a_train, "b": b_train}, {"a": a_test, "b": b_test}
  test = a_test.get(np.arange(len(a_test)))
  perfect = translation.translation_metrics(lambda d, x: x, specs, trains, evals, {},
                                            classifier_steps=300)
  for d in ("ab", "ba"):
    assert perfect[f"mlp256-128_{d}_label_accuracy"] == perfect[f"mlp256-128_{d}_label_ceiling"] > 0.8
    assert perfect[f"mlp256-128_{d}_frechet"] == pytest.approx(
        perfect[f"mlp256-128_{d}_frechet_real_floor"], rel=1e-9)
  # Each image replaced by a real one of the next class: realistic, labels lost.
  nxt = np.array([np.flatnonzero(test["label"] == (y + 1) % 10)[0] for y in test["label"]])
  swapper = translation.translation_metrics(lambda d, x: test["x"][nxt], specs, trains,
                                            evals, {}, classifier_steps=300)
  assert swapper["mlp256-128_ab_label_accuracy"] < 0.2
  # The evaluator asks a Translator for the same: target 1 for a -> b, 0 for b -> a.
  asked = []

  class Keeper:                     # the perfect translator, through the protocol
    translation_groups = (("domain", 2),)

    def translate(self, variables, images, target):
      asked.append(target.shape)          # traced: shapes only
      return images

  evaluator = translation_evaluator({"classifier_steps": 300})
  evaluator.prepare(None, trains, None)
  data = EvalData(train=trains, split=evals, means=None)
  assert evaluator(Keeper(), {}, jax.random.PRNGKey(0), data) == perfect
  assert {shape[1] for shape in asked} == {1}     # one column: the domain
  with pytest.raises(UserError, match="needs a translator between two domains"):
    Keeper.translation_groups = (("colour", 4),)
    evaluator(Keeper(), {}, jax.random.PRNGKey(0), data)
  with pytest.raises(UserError, match="evaluator 'translation' needs a model with Translator"):
    evaluator(types.SimpleNamespace(config={"name": "nade"}), {}, jax.random.PRNGKey(0), data)


def test_domain_metrics_score_an_inverting_translator_at_the_ceiling():
  a_train, a_test, b_train, b_test = digits_sources(lambda x: 1.0 - x)
  a_train, a_test, b_train, b_test = b_train, b_test, a_train, a_test   # a inverted
  specs = {"a": spec(num_classes=None), "b": spec(num_classes=None)}
  out = translation.translation_metrics(
      lambda d, x: 1.0 - x, specs, {"a": a_train, "b": b_train}, {"a": a_test, "b": b_test},
      {}, kind="domain", classifier_steps=100)
  for d in ("ab", "ba"):
    assert out[f"mlp256-128_{d}_domain_accuracy"] == out[f"mlp256-128_{d}_domain_ceiling"] > 0.95
  keep = translation.translation_metrics(
      lambda d, x: x, specs, {"a": a_train, "b": b_train}, {"a": a_test, "b": b_test},
      {}, kind="domain", classifier_steps=100)
  assert keep["mlp256-128_ab_domain_accuracy"] < 0.05


# ----------------------------------------------------------------- configs


@pytest.mark.slow   # 256x256 players: minutes on 2 CPU cores (468 s measured under load)
def test_horse2zebra_config_trains_one_step_on_mock_data(tmp_path):
  config = importlib.import_module("experiments.configs.cyclegan_horse2zebra").get_config()
  assert (config.model.num_blocks, config.model.d_layers, config.data.image_size) == (9, 3, 256)
  config.train.num_steps = 1
  config.train.batch_size = 8
  config.eval.batch_size = 8
  config.eval.num_examples = 8
  config.sample.num = 2
  config.model.g_features = config.model.d_features = 2
  config.model.num_blocks = 1
  config.evals.translation.classifier_steps = 2
  config.evals.translation.num_examples = 8
  with tfds.testing.mock_data(num_examples=8):
    result = train(config, str(tmp_path), progress=False)
  losses = [e for e in read_metrics(tmp_path) if e["split"] == "train"]
  assert len(losses) == 1 and np.isfinite(losses[0]["generators_loss"])
  assert np.isfinite(losses[0]["discriminators_loss"])
  assert 0 <= result["lenet5_ab_domain_accuracy"] <= 1 and np.isfinite(result["lenet5_ab_frechet"])
