"""Chunked importance sampling: exact masking, chunk-size invariance, bias in k."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.losses import importance_log_likelihood


@pytest.mark.parametrize("k,chunk", [(1, 4), (7, 3), (12, 4), (5, 100)])
def test_equal_weights_give_exactly_their_value_whatever_the_chunking(k, chunk):
  """If K is not a multiple of the chunk the surplus draws must be masked out."""
  value = jnp.array([-3.0, 1.5])
  est = importance_log_likelihood(lambda rng, n: jnp.broadcast_to(value, (n, 2)),
                                  jax.random.PRNGKey(0), k, chunk)
  np.testing.assert_allclose(est, value, rtol=1e-6)


def test_matches_a_numpy_logmeanexp_of_the_same_draws():
  """Draw i of chunk c must be the i-th draw of fold_in(rng, c)."""
  rng, k, chunk = jax.random.PRNGKey(3), 10, 4
  log_weights = lambda key, n: jax.random.normal(key, (n, 3))
  draws = np.concatenate([np.asarray(log_weights(jax.random.fold_in(rng, c), chunk))
                          for c in range(3)])[:k]                          # [K, 3]
  reference = np.log(np.mean(np.exp(draws.astype(np.float64)), axis=0))
  np.testing.assert_allclose(importance_log_likelihood(log_weights, rng, k, chunk),
                             reference, rtol=1e-5)


def test_lognormal_weights_estimate_rises_towards_log_mean_weight():
  """log w ~ N(mu, s^2): log E[w] = mu + s^2 / 2; the k=1 estimate has mean mu."""
  mu, s = -2.0, 1.0
  log_weights = lambda key, n: mu + s * jax.random.normal(key, (n, 2000))
  est = jax.jit(lambda k: importance_log_likelihood(log_weights, jax.random.PRNGKey(1),
                                                    k, 250), static_argnums=0)
  means = [float(est(k).mean()) for k in (1, 10, 100, 2000)]
  assert means[0] == pytest.approx(mu, abs=0.06)
  assert all(a < b for a, b in zip(means, means[1:]))
  assert means[-1] == pytest.approx(mu + s ** 2 / 2, abs=0.03)
