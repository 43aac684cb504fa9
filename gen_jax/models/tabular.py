"""Tabular explicit models: the parameter-counting ladder.

- `IndependentPixels`: p(x) = prod_i p(x_i); n parameters for binary pixels,
  n(K-1) for K-level pixels.
- `JointTable`: one probability per binary image, 2^n - 1 parameters.
- `MarkovChain`: order-k autoregressive tables in raster order; position i
  has K^min(i,k) contexts of K-1 logits each (binary AR-1: 2n - 1).

All use the minimal parameterization: K-way categoricals have K-1 free
logits with class 0 as reference (`losses.pad_reference_logit`).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import categorical_log_prob, pad_reference_logit
from gen_jax.models.base import (LikelihoodOptions, LikelihoodRecipe, flat_levels,
                                 require_discrete, unflatten)
from gen_jax.options import option
from gen_jax.sampling import draw_noise, sequential_sample

MAX_JOINT_PIXELS = 20


class IndependentPixels(LikelihoodRecipe):
  """Each pixel its own categorical (Bernoulli for binary data)."""

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.num_levels = require_discrete(spec, "independent")

  def init_params(self, rng):
    del rng
    return {"logits": jnp.zeros((self.spec.num_dims, self.num_levels - 1))}

  def _logits(self, params):  # [D, K]
    return pad_reference_logit(params["model"]["logits"])

  def log_prob(self, variables, batch, rng=None):
    x = flat_levels(batch["x"], self.spec)                      # [B, D]
    logits = self._logits(variables["params"])                  # [D, K]
    logits = jnp.broadcast_to(logits, x.shape + logits.shape[-1:])
    return categorical_log_prob(logits, x).sum(-1)

  def sample(self, variables, rng, num, inputs=None):
    logits = self._logits(variables["params"])                  # [D, K]
    x = jax.random.categorical(rng, logits, shape=(num, self.spec.num_dims))
    return unflatten(x, self.spec)


class JointTable(LikelihoodRecipe):
  """A full table over all 2^n binary images (tiny images only)."""

  def __init__(self, config, spec):
    super().__init__(config, spec)
    require_discrete(spec, "joint_table", binary_only=True)
    if spec.num_dims > MAX_JOINT_PIXELS:
      raise UserError(
          f"model 'joint_table' needs 2^{spec.num_dims} - 1 parameters for "
          f"{spec.event_shape} images; it supports at most {MAX_JOINT_PIXELS} "
          "pixels. Use a smaller image or an autoregressive model (fvsbn).")
    self.weights = 2 ** np.arange(spec.num_dims - 1, -1, -1)   # raster bits, MSB first

  def init_params(self, rng):
    del rng
    return {"logits": jnp.zeros((2 ** self.spec.num_dims - 1,))}

  def _logits(self, params):  # [2^n]
    return pad_reference_logit(params["model"]["logits"][None])[0]

  def log_prob(self, variables, batch, rng=None):
    x = flat_levels(batch["x"], self.spec)                      # [B, D]
    index = x @ jnp.asarray(self.weights, jnp.int32)            # [B]
    return jax.nn.log_softmax(self._logits(variables["params"]))[index]

  def sample(self, variables, rng, num, inputs=None):
    index = jax.random.categorical(rng, self._logits(variables["params"]),
                                   shape=(num,))
    bits = (index[:, None] // jnp.asarray(self.weights, jnp.int32)) % 2
    return unflatten(bits, self.spec)


@dataclasses.dataclass(frozen=True)
class MarkovOptions(LikelihoodOptions):
  order: int = option(1, minimum=1)   # k: pixels each conditional sees


class MarkovChain(LikelihoodRecipe):
  """Order-k Markov chain over pixels in raster order, with exact tables.

  Position i is conditioned on the min(i, k) pixels before it; its table has
  one row of K-1 free logits per context. Rows of all positions live in one
  [R, K-1] array, R = sum_i K^min(i,k).
  """
  Options = MarkovOptions

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.num_levels = require_discrete(spec, "markov")
    self.order = self.options.order
    if self.num_levels ** self.order > 2 ** 24:
      raise UserError(
          f"model.order={self.order} with {self.num_levels} levels needs "
          f"{self.num_levels}^{self.order} contexts per pixel; lower model.order.")
    k, d = self.order, spec.num_dims
    contexts = self.num_levels ** np.minimum(np.arange(d), k)  # [D]
    self.row_offset = np.concatenate([[0], np.cumsum(contexts)[:-1]])
    self.num_rows = int(contexts.sum())
    # Digit weights of the previous pixels in the context index: x_{i-j} * K^(j-1).
    self.context_weights = self.num_levels ** np.arange(k)    # [k]

  def init_params(self, rng):
    del rng
    return {"logits": jnp.zeros((self.num_rows, self.num_levels - 1))}

  def _context(self, x, i):
    """Context index of position i from int32 x [B, D] (pixels < i only)."""
    lags = jnp.arange(1, self.order + 1)                        # [k]
    prev = jnp.take(x, jnp.maximum(i - lags, 0), axis=1)        # [B, k]
    prev = jnp.where(i - lags >= 0, prev, 0)
    return prev @ jnp.asarray(self.context_weights, jnp.int32)  # [B]

  def _row_logits(self, params, x, i):
    rows = jnp.asarray(self.row_offset, jnp.int32)[i] + self._context(x, i)
    return pad_reference_logit(params["model"]["logits"][rows])  # [B, K]

  def log_prob(self, variables, batch, rng=None):
    x = flat_levels(batch["x"], self.spec)                      # [B, D]
    positions = jnp.arange(self.spec.num_dims)
    logits = jax.vmap(lambda i: self._row_logits(variables["params"], x, i),
                      out_axes=1)(positions)                    # [B, D, K]
    return categorical_log_prob(logits, x).sum(-1)

  def sample(self, variables, rng, num, inputs=None):
    noise = draw_noise(rng, num, self.spec.num_dims, self.num_levels)
    if self.num_levels == 2:
      fn = lambda x, i: self._row_logits(variables["params"], x, i)[:, 1]
    else:
      fn = lambda x, i: self._row_logits(variables["params"], x, i)
    return unflatten(sequential_sample(fn, noise), self.spec)
