"""FVSBN: fully-visible sigmoid belief network (logistic autoregression).

p(x_i = 1 | x_<i) = sigmoid(b_i + sum_{j<i} W_ij x_j), raster order; the
strictly lower-triangular W gives n(n+1)/2 free parameters.
"""

import flax.linen as nn
import jax.numpy as jnp

from gen_jax.losses import bernoulli_log_prob
from gen_jax.models.base import (LikelihoodRecipe, flat_levels, require_discrete,
                                 unflatten)
from gen_jax.nn import MaskedDense, autoregressive_mask
from gen_jax.sampling import draw_noise, sequential_sample


class FVSBNNet(nn.Module):
  """x [B, D] -> conditional logits [B, D]; logit i sees x_<i only."""
  num_dims: int

  @nn.compact
  def __call__(self, x):
    return MaskedDense(autoregressive_mask(self.num_dims, self.num_dims),
                       name="logistic")(x)


class FVSBN(LikelihoodRecipe):
  """Logistic conditionals on all previous pixels (binary data)."""

  def __init__(self, config, spec):
    super().__init__(config, spec)
    require_discrete(spec, "fvsbn", binary_only=True)
    self.net = FVSBNNet(spec.num_dims)

  def init_params(self, rng):
    return self.net.init(rng, jnp.zeros((1, self.spec.num_dims)))["params"]

  def logits(self, variables, x):  # x [B, D] -> [B, D]
    return self.net.apply({"params": variables["params"]["model"]},
                          x.astype(jnp.float32))

  def log_prob(self, variables, batch, rng=None):
    x = flat_levels(batch["x"], self.spec)
    return bernoulli_log_prob(self.logits(variables, x), x).sum(-1)

  def sample(self, variables, rng, num, inputs=None):
    p = variables["params"]["model"]["logistic"]
    kernel = p["kernel"] * autoregressive_mask(self.spec.num_dims, self.spec.num_dims)

    def conditional(x, i):  # O(D) per position: one column of the kernel
      return x.astype(jnp.float32) @ kernel[:, i] + p["bias"][i]

    noise = draw_noise(rng, num, self.spec.num_dims, 2)
    return unflatten(sequential_sample(conditional, noise), self.spec)

  def num_parameters(self, params):
    d = self.spec.num_dims
    return d * (d - 1) // 2 + d
