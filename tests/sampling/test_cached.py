"""Cached / state-carrying samplers equal the sequential scan sampler."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.sampling.cached_pixelcnn import cached_gated_sample, cached_pixelcnn_sample
from gen_jax.sampling.cached_pixelrnn import cached_pixelrnn_sample
from tests.models.pixel_helpers import build

CASES = [  # (model, shape, levels, extra config)
    ("pixelcnn", (4, 4, 1), 2, {}),
    ("pixelcnn", (3, 3, 3), 4, {}),
    ("gated_pixelcnn", (3, 3, 3), 4, {"conditional": True}),
    ("row_lstm", (3, 3, 3), 4, {}),
    ("diagonal_bilstm", (3, 3, 3), 4, {}),
]


def cached_fn(recipe):
  name = recipe.name
  if name == "pixelcnn":
    return cached_pixelcnn_sample
  if name == "gated_pixelcnn":
    return lambda *a: cached_gated_sample(*a, jnp.asarray([0, 1, 2, 0, 1, 2]))
  return cached_pixelrnn_sample


@pytest.mark.parametrize("name,shape,levels,kw", CASES)
def test_cached_sampler_equals_scan_sampler_bit_for_bit(name, shape, levels, kw):
  recipe, variables = build(name, shape, levels, num_classes=3, **kw)
  rng = jax.random.PRNGKey(11)
  label = jnp.asarray([0, 1, 2, 0, 1, 2]) if kw else None
  scan = jax.jit(recipe.sample_scan, static_argnums=2)(variables, rng, 6, label)
  x, log_p = jax.jit(cached_fn(recipe), static_argnums=(0, 3, 4))(
      recipe.net, variables["params"]["model"], recipe.noise(rng, 6), shape, levels)
  cached = recipe.decode(x)
  assert cached.dtype == scan.dtype and cached.shape == (6,) + shape
  np.testing.assert_array_equal(cached, scan)
  assert len(np.unique(np.asarray(cached).reshape(6, -1), axis=0)) > 1
  # Its conditionals are the model's: their product is log_prob of the sample.
  want = recipe.log_prob(variables, {"x": cached, "label": label})
  np.testing.assert_allclose(log_p, want, rtol=1e-5, atol=1e-4)


def test_recipe_sample_uses_the_configured_sampler_and_naive_agrees():
  recipe, variables = build("pixelcnn", (3, 3, 1), 2)
  rng = jax.random.PRNGKey(3)
  cached = jax.jit(recipe.sample, static_argnums=2)(variables, rng, 5)
  naive = recipe.naive_sampler(variables, 5)(rng)
  np.testing.assert_array_equal(cached, naive)
  assert cached.dtype == jnp.float32 and set(np.unique(cached)) <= {0.0, 1.0}


def test_different_keys_give_different_samples():
  recipe, variables = build("pixelcnn", (3, 3, 1), 2)
  sample = jax.jit(recipe.sample, static_argnums=2)
  a = sample(variables, jax.random.PRNGKey(0), 8)
  b = sample(variables, jax.random.PRNGKey(1), 8)
  np.testing.assert_array_equal(a, sample(variables, jax.random.PRNGKey(0), 8))
  assert not np.array_equal(a, b)


@pytest.mark.parametrize("name", ["pixelcnn", "gated_pixelcnn", "row_lstm", "diagonal_bilstm"])
def test_default_sampler_follows_log_prob_by_chi_square(name):
  """The configured (cached) sampler and `log_prob` are separate code paths:
  20,000 samples of 2x2 binary images against exp(log_prob) of all 16."""
  from scipy import stats  # pylint: disable=import-outside-toplevel
  recipe, variables = build(name, shape=(2, 2, 1), levels=2, seed=2)
  x = jnp.asarray(np.array(list(np.ndindex(2, 2, 2, 2)), np.float32).reshape(16, 2, 2, 1))
  probs = np.exp(np.asarray(jax.jit(recipe.log_prob)(variables, {"x": x}), np.float64))
  assert probs.sum() == pytest.approx(1.0, abs=1e-4)
  num = 20_000
  samples = jax.jit(recipe.sample, static_argnums=2)(variables, jax.random.PRNGKey(5), num)
  index = np.asarray(samples).reshape(num, 4).astype(int) @ (2 ** np.arange(3, -1, -1))
  counts = np.bincount(index, minlength=16)
  expected = probs / probs.sum() * num
  assert (expected > 5).sum() >= 8
  _, p_value = stats.chisquare(counts, expected)
  assert p_value > 1e-3, (counts, expected)
