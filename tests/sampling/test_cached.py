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
