"""RBM: normalization with exact log Z, the CD / PCD gradient and state, the
k schedule, Gibbs samples against exact probabilities, the optimizer
schedule, AIS through the trainer, and exact resume of persistent chains."""

import importlib
import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from scipy import stats

from gen_jax.errors import UserError
from gen_jax.models import make_recipe
from gen_jax.train import Experiment, base_config, train
from tests.helpers import (all_binary_images, randomize, read_metrics, saved_state,
                           timeless, tiny_config, tiny_spec, with_overrides)


def build(spec, seed=0, scale=1.0, **kw):
  recipe = make_recipe(ml_collections.ConfigDict({"name": "rbm", **kw}), spec)
  variables = recipe.init(jax.random.PRNGKey(seed), None)
  variables["params"] = randomize(variables["params"], seed, scale)
  return recipe, variables


def state_index(x):
  """Binary images [N, ...] -> their index in `all_binary_images` order."""
  flat = np.asarray(x).reshape(len(x), -1).astype(int)
  return flat @ (2 ** np.arange(flat.shape[1] - 1, -1, -1))


# ------------------------------------------------------------ normalization


def test_exact_model_sums_to_one_over_all_3x3_binary_images():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(spec, hidden=6)
  log_p = jax.jit(recipe.log_prob)(variables, {"x": all_binary_images(spec)})
  assert log_p.shape == (512,)
  np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)
  # The same through log_partition(method="exact") (what the "ais" evaluator calls).
  log_z, se = log_partition(recipe)(variables, jax.random.PRNGKey(0), "exact", 10, 2)
  assert float(se) == 0.0
  log_p = recipe.unnormalized_log_prob(variables, {"x": all_binary_images(spec)}) - log_z
  np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)


def log_partition(recipe):
  return jax.jit(recipe.log_partition, static_argnums=(2, 3, 4))


def test_ais_log_prob_agrees_with_the_exact_one():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(spec, hidden=6)
  log_z, se = log_partition(recipe)(variables, jax.random.PRNGKey(1), "ais", 1000, 100)
  x = {"x": all_binary_images(spec)[::17]}
  exact = recipe.log_prob(variables, x)                     # enumerates log Z
  se = float(se)
  assert 0 < se < 0.1
  np.testing.assert_allclose(recipe.unnormalized_log_prob(variables, x) - log_z, exact,
                             atol=3 * se)
  metrics = recipe.eval_metrics(variables, x, None)        # no log Z needed
  assert set(metrics) == {"free_energy"} and metrics["free_energy"].shape == exact.shape
  np.testing.assert_array_equal(metrics["free_energy"],
                                -recipe.unnormalized_log_prob(variables, x))


# ----------------------------------------------------------- CD, PCD, state


def cd_gradient_by_hand(params, data, negative):
  """<v h>_neg - <v h>_data with h = p(h | v): dF/dW averaged, NumPy."""
  w, b, c = (np.asarray(params[k], np.float64) for k in "wbc")
  prob = lambda v: 1 / (1 + np.exp(-(c + v @ w)))
  data, negative = np.asarray(data, np.float64), np.asarray(negative, np.float64)
  n, m = len(data), len(negative)
  return {"w": negative.T @ prob(negative) / m - data.T @ prob(data) / n,
          "b": negative.mean(0) - data.mean(0),
          "c": prob(negative).mean(0) - prob(data).mean(0)}


@pytest.mark.parametrize("persistent", [False, True])
def test_surrogate_gradient_is_the_cd_gradient_of_its_negative_samples(persistent):
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(spec, scale=0.5, hidden=5, cd_k=3, persistent=persistent,
                            num_chains=12)
  x = all_binary_images(spec)[::23]                           # 23 images
  batch, rng, step = {"x": x}, jax.random.PRNGKey(2), jnp.int32(0)
  params, state = variables["params"], variables["state"]
  grads, (metrics, new_state) = jax.jit(jax.grad(recipe._cd_loss, has_aux=True))(
      params, state, batch, rng, step)
  negative = jax.jit(recipe.negative_samples)(params["model"], state,
                                              x.reshape(len(x), -1), rng, step)
  assert negative.shape == ((12, 9) if persistent else (23, 9))
  want = cd_gradient_by_hand(params["model"], x.reshape(len(x), -1), negative)
  for key in "wbc":
    np.testing.assert_allclose(grads["model"][key], want[key], rtol=1e-4, atol=1e-5)
  assert float(metrics["cd_k"]) == 3.0
  if persistent:   # the chains move on to the negatives
    np.testing.assert_array_equal(new_state["chains"], negative)
    assert not np.array_equal(new_state["chains"], state["chains"])
  else:
    assert "chains" not in new_state


def test_long_chains_give_the_exact_likelihood_gradient():
  """CD-k from many chains approaches d(-mean log p)/dtheta as k grows."""
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(spec, seed=1, scale=1.0, hidden=4, cd_k=30)
  data = jax.random.bernoulli(jax.random.PRNGKey(3), 0.3, (40, 3, 3, 1))
  data = data.astype(jnp.float32)
  exact = jax.jit(jax.grad(lambda p: -jnp.mean(recipe.log_prob(
      {"params": p, "state": {}}, {"x": data}))))(variables["params"])
  # 20,000 chains: the data repeated, so the positive phase is unchanged.
  batch = {"x": jnp.tile(data, (500, 1, 1, 1))}
  cd = jax.jit(jax.grad(lambda p: recipe._cd_loss(p, variables["state"], batch,
                                                  jax.random.PRNGKey(4), 0)[0]))(
      variables["params"])
  for key in "wbc":
    np.testing.assert_allclose(cd["model"][key], exact["model"][key], atol=0.02)
  # CD-1 from the same chains is measurably biased: the test can tell them apart.
  one, _ = build(spec, seed=1, scale=1.0, hidden=4, cd_k=1)
  cd1 = jax.jit(jax.grad(lambda p: one._cd_loss(p, variables["state"], batch,
                                                jax.random.PRNGKey(4), 0)[0]))(
      variables["params"])
  assert np.abs(cd1["model"]["w"] - exact["model"]["w"]).max() > 0.1


def test_k_grows_by_schedule_in_a_fixed_length_scan():
  spec = tiny_spec((3, 3, 1))
  kw = dict(hidden=5, cd_k=1, cd_k_final=5, cd_k_ramp_steps=8)
  ramp, variables = build(spec, **kw)
  assert [int(ramp.k_at(s)) for s in (0, 1, 2, 4, 7, 8, 100)] == [1, 1, 2, 3, 4, 5, 5]
  v = all_binary_images(spec)[::37].reshape(-1, 9)
  rng, params = jax.random.PRNGKey(7), variables["params"]["model"]
  negatives = jax.jit(
      lambda s: ramp.negative_samples(params, variables["state"], v, rng, s))
  for step, k in ((0, 1), (4, 3), (50, 5)):
    fixed, _ = build(spec, hidden=5, cd_k=k)
    want = jax.jit(fixed.negative_samples)(params, variables["state"], v, rng, step)
    np.testing.assert_array_equal(negatives(jnp.int32(step)), want)


def test_state_keeps_the_running_pixel_means_for_the_base_rate():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(spec, hidden=4, persistent=True, num_chains=8)
  state = variables["state"]
  np.testing.assert_allclose(recipe.base_rate(state), 0.5)          # before training
  images = all_binary_images(spec)
  first, second = images[3:13], images[100:130]
  for x in (first, second):
    _, (_, state) = jax.jit(recipe._cd_loss)(variables["params"], state, {"x": x},
                                             jax.random.PRNGKey(0), 0)
  seen = np.concatenate([first, second]).reshape(40, 9)
  np.testing.assert_allclose(state["data_mean"], seen.mean(0), atol=1e-6)
  assert float(state["data_count"]) == 40.0
  np.testing.assert_allclose(recipe.base_rate(state), (seen.sum(0) + 1) / 42, atol=1e-6)
  assert state["chains"].shape == (8, 9)


# ---------------------------------------------------------------- sampling


@pytest.mark.parametrize("kw", [{}, {"sample_chains": 40, "sample_thinning": 5}])
def test_gibbs_samples_follow_the_exact_distribution(kw):
  """2x2 images, 16 states: long chains (independent, or thinned from a few
  chains) against exp(log_prob) with exact log Z, chi-square."""
  spec = tiny_spec((2, 2, 1))
  recipe, variables = build(spec, seed=3, scale=1.0, hidden=3, sample_burn_in=50, **kw)
  probs = np.exp(np.asarray(recipe.log_prob(variables, {"x": all_binary_images(spec)}),
                            np.float64))
  assert probs.sum() == pytest.approx(1.0, abs=1e-5)
  assert probs.max() / probs.min() > 5          # far from uniform
  num = 20_000
  sample = jax.jit(recipe.sample, static_argnums=2)
  samples = sample(variables, jax.random.PRNGKey(0), num)
  assert samples.shape == (num, 2, 2, 1) and samples.dtype == jnp.float32
  counts = np.bincount(state_index(samples), minlength=16)
  _, p_value = stats.chisquare(counts, probs / probs.sum() * num)
  assert p_value > 1e-3, (counts, probs * num)


def test_short_chains_from_the_base_rate_are_detectably_unmixed():
  """The chi-square test has power: zero burn-in fails it."""
  spec = tiny_spec((2, 2, 1))
  recipe, variables = build(spec, seed=3, scale=1.0, hidden=3, sample_burn_in=0)
  probs = np.exp(np.asarray(recipe.log_prob(variables, {"x": all_binary_images(spec)}),
                            np.float64))
  samples = jax.jit(recipe.sample, static_argnums=2)(variables, jax.random.PRNGKey(0),
                                                     20_000)
  counts = np.bincount(state_index(samples), minlength=16)
  assert stats.chisquare(counts, probs / probs.sum() * 20_000)[1] < 1e-6


def test_sampling_is_deterministic_given_the_key():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(spec, hidden=5, sample_burn_in=20, sample_chains=3,
                            sample_thinning=2)
  sample = jax.jit(recipe.sample, static_argnums=2)
  a = sample(variables, jax.random.PRNGKey(5), 16)
  b = sample(variables, jax.random.PRNGKey(5), 16)
  c = sample(variables, jax.random.PRNGKey(6), 16)
  assert a.shape == (16, 3, 3, 1) and set(np.unique(a)) <= {0.0, 1.0}
  np.testing.assert_array_equal(a, b)
  assert not np.array_equal(a, c)
  frames = recipe.chain_frames(variables, jax.random.PRNGKey(5), 10)
  assert frames.shape == (10, 3, 3, 1)


# --------------------------------------------------------------- optimizer


def train_config(**kw):
  c = base_config().train
  c.update(kw)
  return c


def test_sgd_momentum_switches_at_its_step_and_weight_decay_hits_weights_only():
  spec = tiny_spec((2, 2, 1))
  recipe, variables = build(spec, hidden=3, momentum=0.5, final_momentum=0.9,
                            momentum_switch_step=2, weight_decay=0.1)
  tx = recipe.optimizers(train_config(optimizer="sgd", learning_rate=1.0))["model"]
  params = jax.tree.map(jnp.ones_like, variables["params"]["model"])
  grads = jax.tree.map(jnp.ones_like, params)
  opt_state = tx.init(params)
  steps = []
  for _ in range(4):
    updates, opt_state = tx.update(grads, opt_state, params)
    steps.append((float(updates["w"][0, 0]), float(updates["b"][0])))
  # b's velocity g + mu v: mu = 0.5 for updates 0 and 1, 0.9 from update 2 on.
  b_velocity = [1.0, 1.5, 1 + 0.9 * 1.5, 1 + 0.9 * (1 + 0.9 * 1.5)]
  np.testing.assert_allclose([-s[1] for s in steps], b_velocity, rtol=1e-6)
  # w: the gradient plus weight_decay * w (params held at 1 here).
  np.testing.assert_allclose([-s[0] for s in steps], [1.1 * v for v in b_velocity],
                             rtol=1e-6)


def test_learning_rate_decays_linearly_and_momentum_keys_need_sgd():
  spec = tiny_spec((2, 2, 1))
  recipe, variables = build(spec, hidden=3, learning_rate_decay_steps=4)
  tx = recipe.optimizers(train_config(optimizer="sgd", learning_rate=1.0))["model"]
  params = variables["params"]["model"]
  grads = jax.tree.map(jnp.ones_like, params)
  opt_state, sizes = tx.init(params), []
  for _ in range(4):   # default momentum 0.5 throughout: velocity 1, 1.5, 1.75, 1.875
    updates, opt_state = tx.update(grads, opt_state, params)
    sizes.append(-float(updates["c"][0]))
  np.testing.assert_allclose(sizes, [1.0, 0.75 * 1.5, 0.5 * 1.75, 0.25 * 1.875],
                             rtol=1e-6)
  adam, _ = build(spec, hidden=3, momentum=0.9)
  with pytest.raises(UserError, match="train.optimizer=sgd"):
    adam.optimizers(train_config(optimizer="adam"))


def test_bad_settings_are_refused_clearly():
  with pytest.raises(UserError, match="binary"):
    build(tiny_spec((2, 2, 1), num_levels=4), hidden=3)
  recipe, variables = build(tiny_spec((5, 5, 1)), hidden=21)
  with pytest.raises(UserError, match="log_z='ais'"):
    recipe.log_partition(variables, jax.random.PRNGKey(0), "exact", 10, 2)
  with pytest.raises(UserError, match="'ais' evaluator"):
    recipe.log_prob(variables, {"x": jnp.zeros((1, 5, 5, 1))})
  with pytest.raises(UserError, match="hiden"):
    build(tiny_spec(), hiden=3)
  with pytest.raises(UserError, match="cd_k"):
    build(tiny_spec(), cd_k=0)


# ----------------------------------------------------------------- trainer


def small(config, steps, **overrides):
  base = tiny_config(model="rbm", steps=steps)
  optimizer, learning_rate = config.train.optimizer, config.train.learning_rate
  for key in ("train", "eval", "checkpoint", "sample"):
    config[key].update(base[key].to_dict())
  config.train.optimizer, config.train.learning_rate = optimizer, learning_rate
  return with_overrides(config, {"model.hidden": 8, "evals.ais.ais_steps": 50,
                                 "evals.ais.ais_runs": 8, "model.sample_burn_in": 5,
                                 "model.sample_thinning": 2, "checkpoint.every_steps": 2,
                                 **overrides})


def digits_config(steps):
  config = importlib.import_module("experiments.configs.rbm_digits").get_config()
  return small(config, steps, **{"model.persistent": True, "model.num_chains": 16,
                                 "model.cd_k": 1, "model.cd_k_final": 3,
                                 "model.cd_k_ramp_steps": 2})


def test_persistent_chains_resume_exactly(tmp_path):
  """PCD with a growing k through the trainer: 4 steps equal 2 + 2 resumed
  bit for bit (chains and base-rate statistics are checkpointed state)."""
  full = digits_config(4)
  train(full, str(tmp_path / "full"), progress=False)
  train(digits_config(2), str(tmp_path / "resumed"), progress=False)
  train(full, str(tmp_path / "resumed"), progress=False)
  exp = Experiment(full, str(tmp_path / "full"))
  a, b = exp.train_state, saved_state(exp, tmp_path / "resumed")
  assert int(b.step) == 4 and b.state["chains"].shape == (16, 64)
  assert float(b.state["data_count"]) == 4 * 16
  for part in ("params", "state", "opt_state"):
    jax.tree.map(np.testing.assert_array_equal, jax.device_get(getattr(a, part)),
                 jax.device_get(getattr(b, part)))
  train_rows = lambda d: [e for e in read_metrics(d) if e["split"] == "train"]
  assert [e["cd_k"] for e in train_rows(tmp_path / "full")] == [1.0, 2.0, 3.0, 3.0]
  assert ([e["cd_loss"] for e in train_rows(tmp_path / "full")] ==
          [e["cd_loss"] for e in train_rows(tmp_path / "resumed")])
  # The reported figure: the AIS NLL with log Z and its s.e.; the pictures.
  final = read_metrics(tmp_path / "full")[-1]
  assert final["split"] == "test" and final["num_examples"] == 128
  assert np.isfinite(final["nll_nats"]) and final["log_z_se"] > 0
  samples = tmp_path / "full" / "samples"
  assert {"step_4.png", "gibbs_chain_step_4.png",
          "persistent_chains_step_4.png"} <= set(os.listdir(samples))
  # Both runs evaluated the same state with the same eval key: same AIS draw.
  assert timeless(read_metrics(tmp_path / "resumed")[-1]) == timeless(final)
