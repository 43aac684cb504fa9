"""Strided conv encoder and transposed-conv decoder stacks (DCGAN-style).

`ConvEncoder` halves the resolution with each stride-2 conv and ends in a
Dense head; `ConvDecoder` starts from a Dense projection at
ceil(H / 2^n) x ceil(W / 2^n) and doubles the resolution n times, then crops
to the target size, so any image size works (8x8 digits, 28x28 MNIST, 64x64).
"""

import math
from typing import Sequence

import flax.linen as nn
import jax

from gen_jax.nn.conv_transpose import ConvTranspose
from gen_jax.nn.mlp import activation


class ConvEncoder(nn.Module):
  """x [B, H, W, C] -> [B, out_dim].

  Attributes:
    channels: output channels of the stride-2 convs, one per halving.
    out_dim: width of the final Dense layer.
    act: activation name (see `gen_jax.nn.mlp.ACTIVATIONS`).
    kernel: conv kernel size.
  """
  channels: Sequence[int]
  out_dim: int
  act: str = "relu"
  kernel: int = 4

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    h = x
    for i, ch in enumerate(self.channels):
      h = nn.Conv(ch, (self.kernel, self.kernel), strides=(2, 2), padding="SAME",
                  name=f"conv_{i}")(h)                  # [B, H/2^(i+1), W/2^(i+1), ch]
      h = activation(self.act)(h)
    h = h.reshape(h.shape[0], -1)
    return nn.Dense(self.out_dim, name="out")(h)        # [B, out_dim]


class ConvDecoder(nn.Module):
  """z [B, L] -> [B, H, W, out_channels] (raw outputs: logits or means).

  Attributes:
    image_shape: (H, W) of the output.
    channels: channels at each resolution, coarsest first; one 2x upsampling
      per entry after the first.
    out_channels: channels of the output (e.g. C, or C * K for K-way logits).
    act: activation name.
    kernel: transposed-conv kernel size.
  """
  image_shape: Sequence[int]
  channels: Sequence[int]
  out_channels: int
  act: str = "relu"
  kernel: int = 4

  @nn.compact
  def __call__(self, z: jax.Array) -> jax.Array:
    h_out, w_out = self.image_shape
    ups = len(self.channels) - 1
    h0, w0 = math.ceil(h_out / 2 ** ups), math.ceil(w_out / 2 ** ups)
    h = nn.Dense(h0 * w0 * self.channels[0], name="project")(z)
    h = activation(self.act)(h).reshape(z.shape[0], h0, w0, self.channels[0])
    for i, ch in enumerate(self.channels[1:]):
      h = ConvTranspose(ch, (self.kernel, self.kernel), strides=(2, 2),
                        padding="SAME", name=f"deconv_{i}")(h)  # 2x resolution
      h = activation(self.act)(h)
    h = h[:, :h_out, :w_out]                            # crop [B, H, W, ch]
    return nn.Conv(self.out_channels, (3, 3), padding="SAME", name="out")(h)
