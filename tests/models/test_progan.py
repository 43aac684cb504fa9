"""Progressive GAN: the fade-in identities, equalised layers, WGAN-GP terms,
the stage plan, the sliced Wasserstein distance, and exact resume mid-fade."""

import math

import chex
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
import scipy.stats

from gen_jax import data as data_lib
from gen_jax.data.arrays import digits_arrays
from gen_jax.data.sources import PaddedSource, ArraySource, pad_images
from gen_jax.errors import UserError
from gen_jax.eval import progan_metrics, swd
from gen_jax.losses import gradient_penalty
from gen_jax.models.base import Stage
from gen_jax.models.progan import box_downsample, stage_plan
from gen_jax.nn.progan import (EqualizedConv, EqualizedDense, ProCritic, ProGenerator,
                               minibatch_stddev, pixel_norm, upsample)
from gen_jax.train import Experiment, train
from tests.helpers import read_metrics, saved_state, tiny_config

CHANNELS = (8, 8, 4)          # levels 4, 8, 16
Z = jax.random.normal(jax.random.PRNGKey(0), (4, 6))


@pytest.fixture(name="players", scope="module")
def _players():
  g, d = ProGenerator(CHANNELS, 1), ProCritic(CHANNELS)
  gp = jax.jit(g.init, static_argnums=2)(jax.random.PRNGKey(1), Z, 2)
  dp = jax.jit(d.init, static_argnums=2)(jax.random.PRNGKey(2), jnp.zeros((4, 16, 16, 1)), 2)
  return g, gp, d, dp


@pytest.mark.parametrize("level", [1, 2])
def test_at_alpha_zero_the_new_level_is_the_old_one_upsampled(players, level):
  g, gp, d, dp = players
  np.testing.assert_allclose(g.apply(gp, Z, level, 0.0),
                             upsample(g.apply(gp, Z, level - 1, 1.0)), rtol=1e-6)
  x = jax.random.normal(jax.random.PRNGKey(3), (4, 4 * 2 ** level, 4 * 2 ** level, 1))
  np.testing.assert_allclose(d.apply(dp, x, level, 0.0),
                             d.apply(dp, box_downsample(x, 2), level - 1, 1.0), rtol=1e-5)


def test_halfway_through_a_fade_the_output_is_the_mean_of_both(players):
  g, gp, _, _ = players
  np.testing.assert_allclose(
      g.apply(gp, Z, 2, 0.5),
      0.5 * g.apply(gp, Z, 2, 1.0) + 0.5 * g.apply(gp, Z, 2, 0.0), rtol=1e-5, atol=1e-6)


def test_every_level_is_built_at_initialisation(players):
  _, gp, _, dp = players
  assert {f"to_rgb_{i}" for i in range(3)} <= set(gp["params"])
  assert {f"from_rgb_{i}" for i in range(3)} <= set(dp["params"])


def test_equalised_layers_scale_unit_weights_by_the_he_constant():
  x = jax.random.normal(jax.random.PRNGKey(4), (3, 5))
  layer = EqualizedDense(2)
  params = layer.init(jax.random.PRNGKey(5), x)["params"]["Dense_0"]
  expected = x @ (params["kernel"] * math.sqrt(2.0) / math.sqrt(5)) + params["bias"]
  np.testing.assert_allclose(layer.apply({"params": {"Dense_0": params}}, x), expected,
                             rtol=1e-6)
  assert abs(float(jnp.std(EqualizedConv(64).init(jax.random.PRNGKey(6), jnp.zeros(
      (1, 4, 4, 64)))["params"]["Conv_0"]["kernel"])) - 1.0) < 0.05   # N(0, 1) weights


def test_pixel_norm_and_minibatch_stddev_against_numpy():
  x = np.asarray(jax.random.normal(jax.random.PRNGKey(7), (8, 2, 2, 3)))
  normed = np.asarray(pixel_norm(x))
  np.testing.assert_allclose((normed ** 2).mean(-1), 1.0, rtol=1e-5)
  out = np.asarray(minibatch_stddev(x, group=4))
  groups = x.reshape(4, 2, 2, 2, 3)
  stat = np.sqrt(groups.var(0) + 1e-8).mean((1, 2, 3))       # [2]
  np.testing.assert_allclose(out[..., -1], np.tile(stat, 4)[:, None, None] * np.ones((8, 2, 2)),
                             rtol=1e-5)
  np.testing.assert_array_equal(out[..., :3], x)


def test_gradient_penalty_of_a_linear_critic_is_exact():
  w = jnp.array([0.6, 0.8, 2.0])        # ||w|| = sqrt(5)
  real, fake = jnp.ones((5, 3)), jnp.zeros((5, 3))
  penalty = gradient_penalty(lambda x: x @ w, real, fake, jax.random.PRNGKey(8))
  np.testing.assert_allclose(penalty, (math.sqrt(5.0) - 1.0) ** 2, rtol=1e-5)


def test_stage_plan_progressive_and_flat():
  plan = stage_plan(3, fade_images=100, stable_images=60, batch_sizes=(20, 20, 10),
                    progressive=True)
  assert [(s.name, s.num_steps, s.batch_size) for s in plan] == [
      ("4px_stable", 3, 20), ("8px_fade", 5, 20), ("8px_stable", 3, 20),
      ("16px_fade", 10, 10), ("16px_stable", 6, 10)]
  flat = stage_plan(3, 100, 60, (20, 20, 10), progressive=False)
  assert flat == (Stage("16px_flat", (3 * 60 + 2 * 100) // 10, 10),)   # same images
  assert not any(s.reset_optimizers for s in plan)
  reset = stage_plan(3, 100, 60, (20, 20, 10), progressive=True, reset_optimizers=True)
  assert [s.reset_optimizers for s in reset] == [False] + [True] * 4   # every new stage
  assert not stage_plan(3, 100, 60, (20, 20, 10), False, True)[0].reset_optimizers


def test_sliced_wasserstein_of_one_dimension_is_the_exact_wasserstein():
  rng = np.random.default_rng(0)
  a, b = rng.normal(size=(500, 1)), rng.normal(1.0, 2.0, size=(500, 1))
  value = swd.sliced_wasserstein(a, b, num_directions=3, rng=rng)
  np.testing.assert_allclose(value, scipy.stats.wasserstein_distance(a[:, 0], b[:, 0]),
                             rtol=1e-10)
  assert swd.sliced_wasserstein(a, a, 16, rng) == 0.0


def test_laplacian_pyramid_reconstructs_the_images():
  x = np.random.default_rng(1).random((2, 32, 32, 3))
  levels = swd.laplacian_pyramid(x, min_size=8)
  assert [l.shape[1] for l in levels] == [32, 16, 8]
  rebuilt = levels[-1]
  for band in reversed(levels[:-1]):
    rebuilt = band + swd.upsample_nearest(rebuilt)
  np.testing.assert_allclose(rebuilt, x, atol=1e-12)


def test_swd_orders_a_shifted_set_above_an_independent_draw():
  rng = np.random.default_rng(2)
  real = rng.random((64, 16, 16, 1))
  same = swd.sliced_wasserstein_distance(real, rng.random((64, 16, 16, 1)), seed=0)["swd"]
  blurred = swd.sliced_wasserstein_distance(
      real, swd.upsample_nearest(swd.gaussian_blur_downsample(real)), seed=0)["swd"]
  assert blurred > 1.5 * same


def test_confidence_and_coverage_by_hand():
  sure = np.eye(4) * 50.0                                  # each class once, certain
  assert progan_metrics.confidence_and_coverage(sure) == pytest.approx((1.0, 1.0))
  one_class = np.tile([50.0, 0, 0, 0], (6, 1))
  assert progan_metrics.confidence_and_coverage(one_class) == pytest.approx((1.0, 0.25))
  flat = np.zeros((3, 4))                                  # uniform: argmax is class 0
  assert progan_metrics.confidence_and_coverage(flat) == pytest.approx((0.25, 0.25))
  half = np.array([[50.0, 0], [50.0, 0], [0, 50.0], [0, 50.0]])
  assert progan_metrics.confidence_and_coverage(half)[1] == pytest.approx(1.0)


def test_stage_metrics_of_real_images_equal_their_real_values():
  train_arrays, test_arrays = digits_arrays("float")
  spec = data_lib.load(ml_collections.ConfigDict({"name": "digits", "encoding": "float"}))[2]
  train_source, eval_source = ArraySource(train_arrays), ArraySource(test_arrays)
  real = eval_source.get(np.arange(64))["x"]               # [64, 8, 8, 1]
  cache = {}
  out = progan_metrics.stage_metrics(spec, progan_metrics.box_filter(real, 4), 4,
                                     train_source, eval_source, cache, 20, 64)
  name = next(k for k in out if k.endswith("_confidence_4px")).split("_confidence")[0]
  for metric in ("confidence", "class_coverage"):
    assert out[f"{name}_{metric}_4px"] == pytest.approx(out[f"{name}_{metric}_4px_real"])
  assert out[f"{name}_frechet_4px"] == pytest.approx(out[f"{name}_frechet_4px_real_floor"])
  assert out["swd_4px"] == 0.0 and out["swd_4px_real_floor"] > 0
  noise = np.random.default_rng(0).random((64, 4, 4, 1)).astype(np.float32)
  worse = progan_metrics.stage_metrics(spec, noise, 4, train_source, eval_source, cache, 20, 64)
  assert worse[f"{name}_frechet_4px"] > 2 * out[f"{name}_frechet_4px"]


def test_images_pad_to_a_centred_square():
  source = PaddedSource(ArraySource({"x": np.ones((2, 28, 28, 1), np.float32)}), 32)
  x = source.get(np.arange(2))["x"]
  assert x.shape == (2, 32, 32, 1) and x.sum() == 2 * 28 * 28
  assert x[:, 2:30, 2:30].min() == 1.0 and pad_images(np.ones((1, 3, 3, 1)), 5)[0, 0, 0, 0] == 0


def progan_config(steps, **overrides):
  config = tiny_config(model="progan", steps=steps, **{
      "data.encoding": "float", "train.learning_rate": 1e-3, "train.b1": 0.0,
      "train.b2": 0.99, "train.ema_decay": 0.9, "checkpoint.every_steps": 100,
      "eval.every_steps": 100, "sample.every_steps": 100, "sample.num": 8,
      **overrides})
  config.model.channels = (8, 8)
  config.model.batch_sizes = (16, 8)
  config.model.fade_images = 16 * 4      # stages: 4px 3 steps, 8px fade 8, 8px stable 6
  config.model.stable_images = 16 * 3
  config.model.noise_dim = 8
  config.model.num_metric_samples = 0
  return config


def test_a_run_stopped_mid_fade_resumes_bit_exact(tmp_path):
  full = progan_config(steps=10)        # ends inside the fade: two stages compiled
  train(full, str(tmp_path / "full"), progress=False)
  train(progan_config(steps=6), str(tmp_path / "cut"), progress=False)   # 3 steps into the fade
  train(full, str(tmp_path / "cut"), progress=False)
  cut = Experiment(full, str(tmp_path / "cut"))
  ours, theirs = jax.device_get(cut.train_state), saved_state(cut, tmp_path / "full")
  chex.assert_trees_all_equal(theirs.params, ours.params)
  chex.assert_trees_all_equal(theirs.ema_params, ours.ema_params)
  alphas = [e["alpha"] for e in read_metrics(tmp_path / "cut") if e["split"] == "train"]
  assert alphas[:3] == [1.0] * 3 and alphas[3:] == pytest.approx(
      [k / 8 for k in range(1, 8)])
  assert cut.sample(2).shape == (2, 8, 8, 1)


def test_wrong_image_sizes_are_a_clear_error(tmp_path):
  config = progan_config(steps=2, **{"data.name": "mnist_small", "data.image_size": 28})
  with pytest.raises(UserError, match="grows from 4x4 by doublings"):
    train(config, str(tmp_path), progress=False)


def test_the_celeba_config_trains_one_step_on_mock_data(tmp_path):
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  from experiments.configs import progan_celeba  # pylint: disable=import-outside-toplevel
  config = progan_celeba.get_config()
  config.model.channels = (4,) * 6           # the paper's six levels, narrower
  config.model.batch_sizes = (8,) * 6
  config.model.num_metric_samples = 0
  config.train.num_steps = 1
  config.train.batch_size = 8
  config.eval.batch_size = 8
  config.eval.num_examples = 8
  config.sample.num = 8
  with tfds.testing.mock_data(num_examples=16):
    train(config, str(tmp_path), progress=False)
  rows = [e for e in read_metrics(tmp_path) if e["split"] == "train"]
  assert len(rows) == 1 and np.isfinite(rows[0]["critic_loss"])
  assert (tmp_path / "samples" / "step_1.png").exists()


def test_stage_flops_counts_every_stage_and_the_flat_run_costs_more():
  from benchmarks import stage_flops  # pylint: disable=import-outside-toplevel
  configs = {p: progan_config(steps=17, **{"model.progressive": p}) for p in (True, False)}
  rows = stage_flops.stage_costs(configs, time_steps=1, rounds=2)
  # Every stage of both configs timed, each from the state the next stage's
  # count reads: a timing that donated it would fail the later stages here.
  assert all(r["seconds_per_step"] > 0 for rs in rows.values() for r in rs)
  assert "seconds_per_step" not in stage_flops.stage_costs({"flat": configs[False]})["flat"][0]
  assert [r["stage"] for r in rows[True]] == ["4px_stable", "8px_fade", "8px_stable"]
  assert [r["steps"] for r in rows[True]] == [3, 8, 6]
  assert rows[True][1]["flops_per_step"] > rows[True][0]["flops_per_step"] > 0
  total = lambda rs: sum(r["steps"] * r["flops_per_step"] for r in rs)
  assert total(rows[False]) > total(rows[True])
