"""Importance-sampled estimates of log p(x), in bounded-memory chunks.

log p(x) ~= logsumexp_k log w_k - log K, with w_k = p(x, z_k) / q(z_k | x) and
z_k ~ q(. | x). The estimate is a stochastic lower bound whose expectation
increases with K towards log p(x) (Burda et al., 2016, "Importance Weighted
Autoencoders", Theorem 1). Samples are drawn `chunk_size` at a time inside a
`lax.scan`, so memory is that of one chunk whatever K is.
"""

from typing import Callable

import jax
import jax.numpy as jnp

# log_weights(rng, n) -> [n, B] log p(x, z) - log q(z | x) for n fresh z ~ q.
LogWeightFn = Callable[[jax.Array, int], jax.Array]


def importance_log_likelihood(log_weights: LogWeightFn, rng: jax.Array,
                              num_samples: int, chunk_size: int = 100) -> jax.Array:
  """[B] estimate of log p(x) from `num_samples` importance samples.

  Args:
    log_weights: draws n samples and returns their [n, B] log weights.
    rng: key; chunk c uses fold_in(rng, c).
    num_samples: K, the total number of samples per example.
    chunk_size: samples drawn per chunk (bounds memory); the last chunk's
      surplus samples, if K is not a multiple, are masked out.
  Returns:
    [B] logsumexp of the K log weights minus log K.
  """
  if num_samples < 1:
    raise ValueError(f"num_samples must be >= 1, got {num_samples}")
  chunk = min(chunk_size, num_samples)
  num_chunks = -(-num_samples // chunk)

  def body(running, c):  # running [B]: logsumexp of the log weights so far
    lw = log_weights(jax.random.fold_in(rng, c), chunk)          # [chunk, B]
    index = c * chunk + jnp.arange(chunk)
    lw = jnp.where((index < num_samples)[:, None], lw, -jnp.inf)
    return jnp.logaddexp(running, jax.nn.logsumexp(lw, axis=0)), None

  batch = jax.eval_shape(lambda: log_weights(rng, 1)).shape[1]
  init = jnp.full((batch,), -jnp.inf, jnp.float32)
  total, _ = jax.lax.scan(body, init, jnp.arange(num_chunks))
  return total - jnp.log(float(num_samples))
