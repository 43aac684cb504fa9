"""Sequential autoregressive sampling with noise drawn up front.

Every sampler of a model draws all of its randomness at once from one key
(`draw_noise`) and turns conditional logits into values with `pick`. Two
samplers that compute the same conditionals therefore return the same
samples for the same key, which is how cached samplers are tested.

Binary values use logistic noise (x = 1 iff logit + noise > 0, which has
probability sigmoid(logit)); K-level values use Gumbel-max.
"""

from typing import Callable

import jax
import jax.numpy as jnp


def draw_noise(rng: jax.Array, num: int, num_dims: int, num_levels: int) -> jax.Array:
  """[D, num] logistic noise (binary) or [D, num, K] Gumbel noise (K levels).

  Positions lead so a `lax.scan` over positions consumes one slice per step.
  """
  if num_levels == 2:
    return jax.random.logistic(rng, (num_dims, num))
  return jax.random.gumbel(rng, (num_dims, num, num_levels))


def pick(logits: jax.Array, noise: jax.Array) -> jax.Array:
  """Values from logits ([B] binary or [B, K]) and matching noise, int32 [B]."""
  if noise.ndim == logits.ndim and logits.ndim == 1:
    return (logits + noise > 0).astype(jnp.int32)
  return jnp.argmax(logits + noise, axis=-1).astype(jnp.int32)


def sequential_sample(conditional_logits: Callable[[jax.Array, jax.Array], jax.Array],
                      noise: jax.Array) -> jax.Array:
  """Samples [B, D] int32 values one position at a time with `lax.scan`.

  Args:
    conditional_logits: (x [B, D] int32 with positions >= i still zero, i)
      -> logits of position i, [B] (binary) or [B, K].
    noise: from `draw_noise`, [D, B] or [D, B, K].

  Returns:
    [B, D] int32 samples in raster order.
  """
  num_dims, num = noise.shape[:2]

  def step(x, inputs):
    i, noise_i = inputs
    value = pick(conditional_logits(x, i), noise_i)
    return x.at[:, i].set(value), None

  x0 = jnp.zeros((num, num_dims), jnp.int32)
  x, _ = jax.lax.scan(step, x0, (jnp.arange(num_dims), noise))
  return x
