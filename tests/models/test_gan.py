"""GAN and DCGAN: the optimal discriminator, phases, batch norm, configs."""

import functools
import importlib
import os

import chex
import jax
import jax.numpy as jnp
import numpy as np
import ml_collections
import optax
import pytest
import tensorflow_datasets as tfds
from scipy.spatial.distance import jensenshannon
from scipy.stats import norm

from gen_jax.data import load
from gen_jax.errors import UserError
from gen_jax.losses import discriminator_loss, gan_value, generator_loss
from gen_jax.models import make_recipe
from gen_jax.nn.dcgan import (DCGANDiscriminator, GeneratorMLP, MLPDiscriminator,
                              apply_player, pack, upsample_plan)
from gen_jax.train import Experiment, make_train_step, train
from gen_jax.train.samples import draw
from gen_jax.train.step import create_train_state
from tests.helpers import read_metrics, saved_state, stacked, tiny_config, with_overrides

# 1-D densities: data N(0, 1), a fixed generator N(1.5, 0.7^2).
P_DATA, P_G = norm(0.0, 1.0), norm(1.5, 0.7)


def d_star(x):
  return P_DATA.pdf(x) / (P_DATA.pdf(x) + P_G.pdf(x))


def reference_jsd() -> float:
  """JSD(p_data, p_g) in nats by scipy on a fine grid (independent of our code)."""
  grid = np.linspace(-10, 10, 200001)
  return jensenshannon(P_DATA.pdf(grid), P_G.pdf(grid)) ** 2


def test_minimax_value_at_the_optimal_discriminator_is_2jsd_minus_log4():
  rng = np.random.default_rng(0)
  real = rng.normal(0.0, 1.0, 400_000)
  fake = rng.normal(1.5, 0.7, 400_000)
  logit = lambda x: np.log(P_DATA.pdf(x)) - np.log(P_G.pdf(x))   # D* = sigmoid(logit)
  value = float(gan_value(jnp.asarray(logit(real)), jnp.asarray(logit(fake))))
  assert value == pytest.approx(2 * reference_jsd() - np.log(4.0), abs=3e-3)


def test_trained_discriminator_approaches_d_star():
  net = MLPDiscriminator((32, 32))
  key = jax.random.PRNGKey(0)
  params = net.init(key, jnp.zeros((2, 1)))["params"]
  tx = optax.adam(3e-3)

  def step(carry, i):
    params, opt = carry
    kr, kf = jax.random.split(jax.random.fold_in(key, i))
    real = jax.random.normal(kr, (512, 1))
    fake = 1.5 + 0.7 * jax.random.normal(kf, (512, 1))
    loss_fn = lambda p: discriminator_loss(net.apply({"params": p}, real)[0],
                                           net.apply({"params": p}, fake)[0])
    grads = jax.grad(loss_fn)(params)
    updates, opt = tx.update(grads, opt, params)
    return (optax.apply_updates(params, updates), opt), None

  (params, _), _ = jax.jit(lambda p: jax.lax.scan(step, (p, tx.init(p)),
                                                  jnp.arange(1500)))(params)
  grid = np.linspace(-1.5, 2.5, 41)
  d = jax.nn.sigmoid(net.apply({"params": params}, jnp.asarray(grid)[:, None])[0])
  np.testing.assert_allclose(np.asarray(d), d_star(grid), atol=0.06)
  # The trained D's value is close to (and by optimality not above) V(D*).
  rng = np.random.default_rng(1)
  real, fake = rng.normal(0, 1, 100_000), rng.normal(1.5, 0.7, 100_000)
  logits = lambda x: net.apply({"params": params}, jnp.asarray(x)[:, None])[0]
  value = float(gan_value(logits(real), logits(fake)))
  assert 2 * reference_jsd() - np.log(4.0) - 0.02 < value < 2 * reference_jsd() - np.log(4.0) + 0.005


def test_generator_losses_are_stable_and_have_the_right_gradients():
  logits = jnp.array([-200.0, -1.0, 0.0, 3.0, 200.0])
  d = jax.nn.sigmoid(jnp.array([-1.0, 0.0, 3.0]))
  assert np.isclose(generator_loss(logits[1:4], "minimax"), jnp.mean(jnp.log(1 - d)))
  assert np.isclose(generator_loss(logits[1:4], "non_saturating"), -jnp.mean(jnp.log(d)))
  for kind in ("minimax", "non_saturating"):
    assert np.isfinite(generator_loss(logits, kind))
    assert np.all(np.isfinite(jax.grad(lambda l, k=kind: generator_loss(l, k))(logits)))
  # Saturation: when D rejects a sample (logit -> -inf) the minimax
  # gradient vanishes while the non-saturating one stays near -1/B.
  g_mm = jax.grad(lambda l: generator_loss(l, "minimax"))(jnp.array([-10.0]))
  g_ns = jax.grad(lambda l: generator_loss(l, "non_saturating"))(jnp.array([-10.0]))
  assert abs(float(g_mm[0])) < 1e-4 and float(g_ns[0]) == pytest.approx(-1.0, abs=1e-4)


def gan_config(model="gan", data="ring8", encoding="float", steps=2, **overrides):
  base = {"evals.sample_quality": ml_collections.ConfigDict(
              dict(num_examples=200, classifier_steps=10)),
          "data.name": data, "data.encoding": encoding, "eval.num_examples": 64,
          "checkpoint.every_steps": steps}
  return tiny_config(model=model, steps=steps, **{**base, **overrides})


def one_phase_step(recipe, phase, variables, batch):
  tx = {g: optax.adam(1e-2) for g in variables["params"]}
  ts = create_train_state(variables, tx, None)
  saved = recipe.phases
  recipe.phases = (phase,)
  try:
    new, _ = jax.jit(make_train_step(recipe, tx, 0.0))(ts, stacked(batch), jax.random.PRNGKey(1))
  finally:
    recipe.phases = saved
  return new


@pytest.mark.parametrize("model,data", [("gan", "ring8"), ("dcgan", "digits"),
                                        ("infogan", "digits")])
def test_each_phase_changes_only_its_own_parameters_and_state(model, data):
  config = gan_config(model, data)
  train_source, _, spec = load(config.data)
  recipe = make_recipe(config.model, spec)
  batch = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(16)).items()}
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
  expected = {"discriminator": ("discriminator",),
              "generator": ("generator", "q_head") if model == "infogan" else ("generator",)}
  assert [p.name for p in recipe.phases] == ["discriminator", "generator"]
  for phase in recipe.phases:
    assert phase.groups == expected[phase.name]
    new = one_phase_step(recipe, phase, variables, batch)
    for group, before in variables["params"].items():
      same = jax.tree.leaves(jax.tree.map(np.array_equal, before, new.params[group]))
      assert all(same) == (group not in phase.groups), (phase.name, group)
    for player, before in variables["state"].items():   # batch-norm statistics
      if jax.tree.leaves(before):
        same = jax.tree.leaves(jax.tree.map(np.array_equal, before, new.state[player]))
        assert all(same) == (player != phase.name), (phase.name, player)


def test_batch_norm_statistics_match_on_one_and_eight_devices(tmp_path):
  config = gan_config("dcgan", "digits", steps=2, **{"evals": ml_collections.ConfigDict()})
  train(config, str(tmp_path / "one"), progress=False, devices=jax.devices()[:1])
  train(config, str(tmp_path / "eight"), progress=False)
  exp = Experiment(config, str(tmp_path / "eight"))
  one, eight = saved_state(exp, tmp_path / "one"), jax.device_get(exp.train_state)
  for player in ("generator", "discriminator"):
    stats = one.state[player]["batch_stats"]
    means = [l for path, l in jax.tree_util.tree_leaves_with_path(stats)
             if "mean" in jax.tree_util.keystr(path)]
    assert means and all(np.abs(m).max() > 1e-4 for m in means)   # moved from 0
    chex.assert_trees_all_close(stats, eight.state[player]["batch_stats"],
                                rtol=1e-4, atol=1e-5)
  # Parameters agree too (Adam magnifies float noise where gradients are ~0).
  chex.assert_trees_all_close(one.params, eight.params, rtol=1e-3, atol=1e-4)


def test_same_seed_same_parameters_and_samples(tmp_path):
  config = gan_config(steps=3, **{"model.generator_loss": "minimax", "model.d_steps": 2})
  one = jax.devices()[:1]    # (1 vs 8 devices: the batch-norm test below)
  for run in ("a", "b"):
    train(config, str(tmp_path / run), progress=False, devices=one)
  a, b = (Experiment(config, str(tmp_path / run), devices=one) for run in ("a", "b"))
  jax.tree.map(np.testing.assert_array_equal, jax.device_get(a.train_state.params),
               jax.device_get(b.train_state.params))
  np.testing.assert_array_equal(draw(a, 16), draw(b, 16))
  assert not np.array_equal(draw(a, 16), draw(a, 16, step=0))


def test_samples_are_in_the_data_encoding():
  for encoding in ("binary", "float"):
    config = gan_config("dcgan", "digits", encoding)
    train_source, _, spec = load(config.data)
    recipe = make_recipe(config.model, spec)
    variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), train_source.get(np.arange(2)))
    x = np.asarray(recipe.sample(variables, jax.random.PRNGKey(1), 6))
    assert x.shape == (6, 8, 8, 1) and x.min() >= 0 and x.max() <= 1
    if encoding == "binary":
      assert set(np.unique(x)) <= {0.0, 1.0}


def test_upsample_plan_and_bad_values_are_clear():
  assert [upsample_plan(s) for s in (8, 28, 32, 64)] == [(2, 2), (7, 2), (2, 4), (4, 4)]
  with pytest.raises(UserError, match="generator_loss='wasserstein' is not one of"):
    train(gan_config(**{"model.generator_loss": "wasserstein"}), "/nonexistent/x", progress=False)
  with pytest.raises(UserError, match="needs image data"):
    train(gan_config("dcgan", "ring8"), "/nonexistent/x", progress=False)
  with pytest.raises(UserError, match="encoding=float"):
    train(gan_config("dcgan", "digits", "categorical"), "/nonexistent/x", progress=False)
  # Metric settings are the evaluators' (config.evals), no longer the model's.
  with pytest.raises(UserError, match="does not read --config.model.num_metric_samples"):
    train(gan_config("dcgan", "digits", **{"model.num_metric_samples": 64}),
          "/nonexistent/x", progress=False)


def test_spectral_norm_divides_every_layer_of_d_by_its_largest_singular_value():
  d = DCGANDiscriminator(features=4, norm="spectral")
  x = jax.random.normal(jax.random.PRNGKey(0), (3, 8, 8, 2))
  variables = d.init(jax.random.PRNGKey(1), x, train=False)
  update = jax.jit(lambda v: d.apply(v, x, train=True, mutable=["batch_stats"])[1])
  for _ in range(30):                                  # power iteration converges
    variables = {"params": variables["params"], **update(variables)}
  sigmas = {name.split("/")[0]: value for stats in variables["batch_stats"].values()
            for name, value in stats.items() if name.endswith("/sigma")}
  assert sorted(sigmas) == ["Conv_0", "Conv_1", "Dense_0"]          # every layer
  for name, sigma in sigmas.items():
    kernel = np.asarray(variables["params"][name]["kernel"])
    largest = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    np.testing.assert_allclose(sigma, largest, rtol=1e-3)
  # Scaling every kernel leaves the logits unchanged: each layer is divided by sigma.
  logits, _ = d.apply(variables, x, train=False)
  scaled = jax.tree_util.tree_map_with_path(
      lambda path, w: 3.0 * w if path[-1].key == "kernel" else w, variables["params"])
  scaled_logits, _ = d.apply({**variables, "params": scaled}, x, train=False)
  np.testing.assert_allclose(scaled_logits, logits, rtol=1e-4, atol=1e-5)


# The default run covers each code path once (mixture modes, stacked modes,
# LeNet on mock MNIST; InfoGAN through train() is in test_infogan.py); the
# rest run with -m slow.
slow = lambda name: pytest.param(name, marks=pytest.mark.slow)
CONFIGS = ["gan_ring8", slow("gan_grid25"), slow("dcgan_digits"), "dcgan_stacked_digits",
           "dcgan_mnist", slow("dcgan_binarized_mnist"), slow("dcgan_celeba"),
           slow("infogan_digits"), slow("infogan_mnist")]


# What a final test row holds beside the metrics.
RUN_FIELDS = {"selected_step", "train_seconds"}


@pytest.mark.parametrize("name", CONFIGS)
def test_every_config_trains_one_step_and_evaluates(tmp_path, name):
  config = importlib.import_module(f"experiments.configs.{name}").get_config()
  config.train.num_steps = 1
  config.train.batch_size = 8
  config.eval.batch_size = 16
  config.eval.num_examples = 16
  config.sample.num = 4
  if "sample_quality" in config.evals:
    config.evals.sample_quality.update(num_examples=64, classifier_steps=2)
  if config.model.get("features"):
    config.model.features = 4          # the configs' layouts, narrower
  if config.model.get("g_hidden"):
    config.model.g_hidden = (16, 16)
    config.model.d_hidden = (16,)
  with tfds.testing.mock_data(num_examples=16):
    result = train(config, str(tmp_path), progress=False)
  events = read_metrics(tmp_path)
  assert [e["step"] for e in events if e["split"] == "train"] == [1]
  losses = [e for e in events if e["split"] == "train"][0]
  assert np.isfinite(losses["discriminator_loss"]) and np.isfinite(losses["generator_loss"])
  if name.startswith("gan_"):
    assert set(result) - RUN_FIELDS == {"num_modes", "high_quality", "reverse_kl"}
  elif name in ("dcgan_binarized_mnist", "dcgan_celeba"):
    assert set(result) == RUN_FIELDS                        # no labels: no metrics
  elif name == "dcgan_stacked_digits":
    assert "mlp256-128_num_modes" in result
  else:
    prefix = "mlp256-128" if "digits" in name else "lenet5"
    assert np.isfinite(result[f"{prefix}_frechet"]) and np.isfinite(result[f"{prefix}_score"])
  if name.startswith("infogan"):
    assert 0 < result["categorical_code_accuracy"] <= 1


def test_classifier_score_identities():
  """exp(E_x KL(p(y|x) || p(y))): K for certain, balanced predictions over K
  classes; exactly 1 when every input gets the same posterior."""
  from gen_jax.eval.classifier import classifier_score  # pylint: disable=import-outside-toplevel
  certain = np.full((40, 4), -1e4)
  certain[np.arange(40), np.arange(40) % 4] = 0.0
  assert classifier_score(certain) == pytest.approx(4.0, rel=1e-6)
  same = np.tile(np.array([[0.3, -1.2, 2.0, 0.1]]), (40, 1))
  assert classifier_score(same) == pytest.approx(1.0, abs=1e-9)
  half = np.zeros((40, 4))
  half[:, :2] = np.where(np.arange(40)[:, None] % 2 == 0, [0.0, -1e4], [-1e4, 0.0])
  half[:, 2:] = -1e4
  assert classifier_score(half) == pytest.approx(2.0, rel=1e-6)


def train_mode(module, params, state, x):
  """`module` on `x` alone in training mode, without recipe code: (out, state)."""
  out, new = module.apply({"params": params, **state}, x, train=True, mutable=list(state))
  return out, dict(new)


def test_real_and_fake_batches_go_through_batch_norm_apart():
  """As in the DCGAN reference (D applied to the real and to the fake batch in
  two calls), each batch is normalised by its own statistics, so D's outputs
  on the real batch do not depend on the fakes; D's running averages take the
  real then the fake batch's statistics. In the generator phase D sees the
  fake batch alone in training mode and its running averages stay put."""
  config = gan_config("dcgan", "digits")
  train_source, _, spec = load(config.data)
  recipe = make_recipe(config.model, spec)
  batch = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(16)).items()}
  params, state = (jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)[k] for k in ("params", "state"))
  d_phase, g_phase = recipe.phases
  d_net = functools.partial(train_mode, recipe.discriminator, params["discriminator"])
  fakes = lambda key: train_mode(recipe.generator, params["generator"], state["generator"],
                                 recipe.latent(key, 16))[0]
  real = batch["x"] * 2.0 - 1.0
  (real_logits, _), after_real = d_net(state["discriminator"], real)
  d_out = {k: d_phase.loss_fn(params, state, batch, jax.random.PRNGKey(k), 0) for k in (1, 2)}
  for k, (loss, (metrics, new_state)) in d_out.items():
    (fake_logits, _), after_both = d_net(after_real, fakes(jax.random.PRNGKey(k)))
    assert float(loss) == pytest.approx(float(discriminator_loss(real_logits, fake_logits)),
                                        rel=1e-6)
    assert float(metrics["d_real"]) == pytest.approx(
        float(jnp.mean(jax.nn.sigmoid(real_logits))), rel=1e-6)
    chex.assert_trees_all_close(new_state["discriminator"], after_both,
                                rtol=1e-6, atol=1e-7)      # real, then fake
  m1, m2 = (out[1][0] for out in d_out.values())
  assert float(m1["d_real"]) == float(m2["d_real"])            # fakes differ, reals agree
  assert float(m1["d_fake"]) != float(m2["d_fake"])
  # Not vacuous: one call on real and fake together would move the real logits.
  both = jnp.concatenate([real, fakes(jax.random.PRNGKey(1))])
  (joint, _), _ = d_net(state["discriminator"], both)
  assert np.abs(np.asarray(joint[:16] - real_logits)).max() > 1e-2
  # Generator phase: D on the fakes alone, batch statistics, running averages kept.
  g_loss, (_, g_state) = g_phase.loss_fn(params, state, batch, jax.random.PRNGKey(3), 0)
  fake = fakes(jax.random.PRNGKey(3))
  (fake_logits, _), _ = d_net(state["discriminator"], fake)
  kind = recipe.options.generator_loss
  assert float(g_loss) == pytest.approx(float(generator_loss(fake_logits, kind)), rel=1e-6)
  (eval_logits, _), _ = recipe.discriminate(params, state, fake, False)
  assert abs(float(generator_loss(eval_logits, kind)) - float(g_loss)) > 1e-3
  assert all(jax.tree.leaves(jax.tree.map(np.array_equal, state["discriminator"],
                                          g_state["discriminator"])))


def test_dcgan_digits_with_evals_trains_its_classifier_and_writes_the_metrics(
    tmp_path, capfd, monkeypatch):
  """The config's `evals.sample_quality` (as --config.evals.sample_quality.*
  sets it): the metric classifier is trained (and cached) once, and every
  evaluation writes the classifier's metrics beside the recipe's own."""
  monkeypatch.setenv("GEN_JAX_CACHE_DIR", str(tmp_path / "cache"))
  config = with_overrides(importlib.import_module("experiments.configs.dcgan_digits").get_config(), {
      "train.num_steps": 2, "train.batch_size": 8, "eval.batch_size": 16,
      "eval.num_examples": 16, "eval.every_steps": 1, "checkpoint.every_steps": 2,
      "sample.every_steps": 2, "sample.num": 4, "model.features": 4,
      "evals.sample_quality.num_examples": 64, "evals.sample_quality.classifier_steps": 2})
  result = train(config, str(tmp_path / "run"), progress=False)
  assert capfd.readouterr().err.count("training metric classifier mlp256-128") == 1
  assert os.listdir(tmp_path / "cache")
  names = {f"mlp256-128_{m}" for m in ("frechet", "score", "frechet_real_floor",
                                       "score_real_floor", "test_accuracy")}
  evaluations = [e for e in read_metrics(tmp_path / "run")
                 if e["split"] == config.data.eval_split]              # steps 1 and 2
  assert len(evaluations) >= 2 and all(names <= set(e) for e in evaluations)
  assert names <= set(result) and all(np.isfinite(result[n]) for n in names)


# ------------------------------------------------------------------ packing


def test_pack_concatenates_m_consecutive_samples_along_the_last_axis():
  points = jnp.arange(12.0).reshape(6, 2)                        # [B, D]
  np.testing.assert_array_equal(pack(points, 2), np.concatenate(
      [points[0::2], points[1::2]], -1))                         # [B/2, 2D]
  images = jax.random.normal(jax.random.PRNGKey(0), (6, 3, 3, 2))
  packed = pack(images, 3)                                       # [B/3, H, W, 3C]
  assert packed.shape == (2, 3, 3, 6)
  for i in range(2):
    for j in range(3):
      np.testing.assert_array_equal(packed[i, ..., 2 * j:2 * j + 2], images[3 * i + j])
  assert pack(images, 1) is images
  with pytest.raises(UserError, match="batch_size to a multiple of 4"):
    pack(images, 4)
  with pytest.raises(UserError, match="batch_size to a multiple of 3"):
    train(gan_config(**{"model.pack": 3}), "/nonexistent/x", progress=False)   # batch 16
  with pytest.raises(UserError, match="pack=1 for a conditional model"):
    train(gan_config("dcgan", "digits", **{"model.pack": 2, "model.conditional": True}),
          "/nonexistent/x", progress=False)


def test_maxout_discriminator_and_batch_norm_generator():
  """PacGAN's 2-D players: a maxout unit is the max of its linear pieces; G's
  hidden layers are normalised by batch statistics in training mode, so a
  shift of every noise vector by the same amount leaves the batch unchanged."""
  x = jax.random.normal(jax.random.PRNGKey(0), (4, 5))
  d = MLPDiscriminator((3,), maxout=2)
  params = d.init(jax.random.PRNGKey(1), x)["params"]
  hidden = (x @ params["Dense_0"]["kernel"] + params["Dense_0"]["bias"]).reshape(4, 3, 2)
  expected = hidden.max(-1) @ params["Dense_1"]["kernel"][:, 0] + params["Dense_1"]["bias"][0]
  np.testing.assert_allclose(d.apply({"params": params}, x)[0], expected, rtol=1e-5, atol=1e-6)
  g = GeneratorMLP((6, 6), 2, batch_norm=True)
  variables = g.init(jax.random.PRNGKey(2), x)
  assert "bias" not in variables["params"]["Dense_0"] and "batch_stats" in variables
  out = lambda z: g.apply(variables, z, train=True, mutable=["batch_stats"])[0]
  np.testing.assert_allclose(out(x + 3.0), out(x), rtol=1e-3, atol=1e-3)
  assert np.abs(np.asarray(g.apply(variables, x + 3.0, train=False)
                           - g.apply(variables, x, train=False))).max() > 1e-2


@pytest.mark.parametrize("model,data", [("gan", "ring8"), ("dcgan", "digits")])
def test_packed_discriminator_makes_one_decision_per_m_samples(model, data):
  config = gan_config(model, data, **{"model.pack": 2})
  train_source, _, spec = load(config.data)
  recipe = make_recipe(config.model, spec)
  batch = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(8)).items()}
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
  params, state = variables["params"], variables["state"]
  first = jax.tree.leaves(params["discriminator"])   # D reads 2 samples' features
  in_width = 2 * (spec.event_shape[-1])
  assert any(leaf.ndim >= 2 and leaf.shape[-2] == in_width for leaf in first)
  x = recipe.to_model(batch["x"])
  logits = lambda x: recipe.discriminate(params, state, x, False)[0][0]
  before = logits(x)
  assert before.shape == (4,)                                    # B/m decisions
  changed = logits(x.at[5].set(-x[5]))   # sample 5 is in decision 2
  np.testing.assert_array_equal(np.asarray(changed != before), [False, False, True, False])
  loss, (metrics, _) = recipe.phases[0].loss_fn(params, state, batch, jax.random.PRNGKey(1), 0)
  assert np.isfinite(float(loss)) and np.isfinite(float(metrics["d_fake"]))


@pytest.mark.parametrize("m", [1, 2, 4])
def test_the_recipes_discriminator_judges_the_reference_packing(m):
  """discriminate(x) with pack=m equals D applied to a hand-made packing: for
  2-D points, m consecutive samples side by side is x.reshape(B/m, 2m); m=1
  is D on the samples themselves, as before packing existed."""
  config = gan_config(**{"model.pack": m, "model.g_hidden": (8,), "model.d_hidden": (8,)})
  train_source, _, spec = load(config.data)
  recipe = make_recipe(config.model, spec)
  batch = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(8)).items()}
  variables = recipe.init(jax.random.PRNGKey(0), batch)
  params, state = variables["params"], variables["state"]
  x = recipe.to_model(batch["x"])                                  # [8, 2]
  reference = x.reshape(8 // m, 2 * m)                             # [8/m, 2m]
  (expected, _), _ = apply_player(recipe.discriminator, params["discriminator"],
                                  state["discriminator"], reference, train=False)
  (logits, _), _ = recipe.discriminate(params, state, x, False)
  assert logits.shape == (8 // m,)
  np.testing.assert_array_equal(logits, expected)
