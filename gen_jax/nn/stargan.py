"""StarGAN networks (Choi et al. 2018, appendix table 4).

Generator: the target attribute code tiled over the image as extra input
channels, a 7x7 conv (f features), two stride-2 4x4 convs (2f, 4f),
`num_blocks` residual blocks at 1/4 resolution (the paper: 6), two stride-2
4x4 transposed convs back to full size (2f, f), a 7x7 conv to the image
channels and tanh; instance norm with a learned scale and bias after every
conv but the last, zero padding. Image sides must be multiples of 4.
`code_norm` (not in the paper; the adaptive instance norm of StarGAN v2,
Choi et al. 2020): every instance norm of G takes its scale and bias from
the code (a dense layer each), so the target reaches every layer. Tiled at
the input only, the code is read by the first conv alone, whose instance
norm removes its constant planes: what survives is their effect on that
norm's statistics, which the zero-padded border sets.

Discriminator: `num_layers` stride-2 4x4 convs (f, 2f, 4f, ... features;
the paper: 6 at 128 px, f=64), leaky ReLU 0.01, no normalisation; two heads
on the last map: a 3x3 conv to one real/fake score per patch (D_src), and a
conv whose kernel covers the whole map (a dense layer over it) to the
attribute logits (D_cls). With `num_domains` (not in the paper) D_src gives
one score per patch and domain, so that each domain has its own critic on
the shared trunk, as CycleGAN has one critic per domain.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nn.conv_transpose import ConvTranspose
from gen_jax.nn.cyclegan import BLOCK, DOWN, UP

LEAK = 0.01


def tile_condition(x: jax.Array, code: jax.Array) -> jax.Array:
  """x [B, H, W, C] and code [B, A] -> [B, H, W, C + A], the code's entries
  as constant channels after the image's."""
  b, h, w, _ = x.shape
  planes = jnp.broadcast_to(code[:, None, None, :].astype(x.dtype), (b, h, w, code.shape[-1]))
  return jnp.concatenate([x, planes], axis=-1)


class CodeNorm(nn.Module):
  """Instance norm of h [B, H, W, F] whose scale and bias are dense
  functions of the code [B, A] (one of each per example and channel)."""

  @nn.compact
  def __call__(self, h, code):
    f = h.shape[-1]
    h = nn.InstanceNorm(epsilon=1e-5, use_scale=False, use_bias=False)(h)
    scale = nn.Dense(f, name="scale")(code)[:, None, None, :]            # [B, 1, 1, F]
    bias = nn.Dense(f, name="bias")(code)[:, None, None, :]
    return h * (1.0 + scale) + bias


def normalise(h, code, code_norm: bool):
  """Instance norm: its learned scale and bias fixed, or read from the code."""
  return CodeNorm()(h, code) if code_norm else nn.InstanceNorm(epsilon=1e-5)(h)


class ResidualBlock(nn.Module):
  """x + IN(conv(ReLU(IN(conv(x))))), 3x3 convs, zero padding."""
  features: int
  code_norm: bool = False

  @nn.compact
  def __call__(self, x, code=None):
    h = nn.Conv(self.features, (3, 3), padding=1, use_bias=False)(x)
    h = nn.relu(normalise(h, code, self.code_norm))
    h = nn.Conv(self.features, (3, 3), padding=1, use_bias=False)(h)
    return x + normalise(h, code, self.code_norm)


class Generator(nn.Module):
  """(x [B, H, W, C] in [-1, 1], code [B, A]) -> [B, H, W, out_channels] in [-1, 1]."""
  out_channels: int
  features: int = 64
  num_blocks: int = 6
  code_norm: bool = False

  @nn.compact
  def __call__(self, x, code):
    f = self.features
    norm_relu = lambda h: nn.relu(normalise(h, code, self.code_norm))
    h = tile_condition(x, code)                                         # [B, H, W, C + A]
    h = norm_relu(nn.Conv(f, (7, 7), padding=3, use_bias=False)(h))     # [B, H, W, f]
    for mult in DOWN:                                                   # -> [B, H/4, W/4, 4f]
      h = norm_relu(nn.Conv(f * mult, (4, 4), strides=(2, 2), padding=1, use_bias=False)(h))
    for _ in range(self.num_blocks):
      h = ResidualBlock(BLOCK * f, self.code_norm)(h, code)
    for mult in UP:                                                     # -> [B, H, W, f]
      h = ConvTranspose(f * mult, (4, 4), strides=(2, 2), padding="SAME",
                        use_bias=False)(h)
      h = norm_relu(h)
    return jnp.tanh(nn.Conv(self.out_channels, (7, 7), padding=3, use_bias=False)(h))


class Discriminator(nn.Module):
  """x [B, H, W, C] -> (patch scores [B, h, w] (with `num_domains`: one per
  domain, [B, h, w, num_domains]), attribute logits [B, num_logits])."""
  num_logits: int
  features: int = 64
  num_layers: int = 6
  num_domains: int | None = None

  @nn.compact
  def __call__(self, x):
    h = x
    for n in range(self.num_layers):                   # layer n: [B, H/2^(n+1), W/2^(n+1), f 2^n]
      h = nn.leaky_relu(nn.Conv(self.features * 2 ** n, (4, 4), strides=(2, 2),
                                padding=1)(h), LEAK)
    src = nn.Conv(self.num_domains or 1, (3, 3), padding=1, use_bias=False)(h)  # [B, h, w, D]
    if self.num_domains is None:
      src = src[..., 0]                                                   # [B, h, w]
    cls = nn.Dense(self.num_logits, use_bias=False)(h.reshape(h.shape[0], -1))
    return src, cls


def output_size(size: int, num_layers: int) -> int:
  """The side of D's last map for input side `size` (k=4, s=2, p=1)."""
  for _ in range(num_layers):
    size = (size + 2 - 4) // 2 + 1
  return size
