"""Masked dense layers for fully-visible autoregressive models."""

import flax.linen as nn
import jax.numpy as jnp
import numpy as np


def autoregressive_mask(num_in: int, num_out: int, strict: bool = True) -> np.ndarray:
  """[num_in, num_out] mask: output i sees input j iff j < i (j <= i if not strict)."""
  j = np.arange(num_in)[:, None]
  i = np.arange(num_out)[None, :]
  return (j < i if strict else j <= i).astype(np.float32)


class MaskedDense(nn.Module):
  """y = x @ (kernel * mask) + bias, with a fixed 0/1 mask [in, out]."""
  mask: np.ndarray
  use_bias: bool = True
  kernel_init: nn.initializers.Initializer = nn.initializers.zeros_init()

  @nn.compact
  def __call__(self, x):  # x: [B, in] -> [B, out]
    kernel = self.param("kernel", self.kernel_init, self.mask.shape)
    y = x @ (kernel * jnp.asarray(self.mask, kernel.dtype))
    if self.use_bias:
      y = y + self.param("bias", nn.initializers.zeros_init(), (self.mask.shape[1],))
    return y
