"""CycleGAN networks (Zhu et al. 2017): a ResNet generator and a PatchGAN
discriminator, both with instance normalisation (no affine parameters).

Generator: reflection-padded 7x7 conv, two stride-2 3x3 convs (features f,
2f, 4f), `num_blocks` residual blocks at 1/4 resolution (the paper: 6 at
128 px, 9 at 256 px), two stride-2 transposed convs back to full size, a
reflection-padded 7x7 conv to the image channels and tanh. Image sides
must be multiples of 4.

Discriminator: 4x4 convs with zero padding 1; `num_layers` of them have
stride 2, then one stride-1 conv and a stride-1 conv to one logit per patch.
`num_layers=3` is the paper's 70x70 PatchGAN (`receptive_field(3) == 70`).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nn.conv_transpose import ConvTranspose

KERNEL = 4   # PatchGAN kernel size (padding 1)


def instance_norm(x: jax.Array, eps: float = 1e-5) -> jax.Array:
  """[B, H, W, C] normalised over H, W for each example and channel."""
  mean = jnp.mean(x, axis=(1, 2), keepdims=True)
  var = jnp.var(x, axis=(1, 2), keepdims=True)
  return (x - mean) * jax.lax.rsqrt(var + eps)


def reflect_pad(x: jax.Array, p: int) -> jax.Array:
  """[B, H, W, C] -> [B, H + 2p, W + 2p, C], mirrored at the borders."""
  return jnp.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode="reflect")


class ResidualBlock(nn.Module):
  """x + IN(conv(relu(IN(conv(x))))), both 3x3 convs reflection-padded."""
  features: int

  @nn.compact
  def __call__(self, x):
    h = nn.Conv(self.features, (3, 3), padding="VALID")(reflect_pad(x, 1))
    h = nn.relu(instance_norm(h))
    h = nn.Conv(self.features, (3, 3), padding="VALID")(reflect_pad(h, 1))
    return x + instance_norm(h)


# Feature multiples of f of a ResNet generator's two stride-2 halvings (the
# papers'): (encoder's stride-2 convs, residual blocks, decoder's transposed convs).
DOWN, BLOCK, UP = (2, 4), 4, (2, 1)


class ResnetGenerator(nn.Module):
  """[B, H, W, C_in] in [-1, 1] -> [B, H, W, out_channels] in [-1, 1]."""
  out_channels: int
  features: int = 64
  num_blocks: int = 9

  @nn.compact
  def __call__(self, x):
    f = self.features
    h = nn.Conv(f, (7, 7), padding="VALID")(reflect_pad(x, 3))      # [B, H, W, f]
    h = nn.relu(instance_norm(h))
    for mult in DOWN:                                                 # -> [B, H/4, W/4, 4f]
      h = nn.Conv(f * mult, (3, 3), strides=(2, 2), padding=((1, 1), (1, 1)))(h)
      h = nn.relu(instance_norm(h))
    for _ in range(self.num_blocks):
      h = ResidualBlock(BLOCK * f)(h)
    for mult in UP:                                                   # -> [B, H, W, f]
      h = ConvTranspose(f * mult, (3, 3), strides=(2, 2), padding="SAME")(h)
      h = nn.relu(instance_norm(h))
    h = nn.Conv(self.out_channels, (7, 7), padding="VALID")(reflect_pad(h, 3))
    return jnp.tanh(h)


class PatchDiscriminator(nn.Module):
  """[B, H, W, C] -> patch logits [B, h, w] (LSGAN: compared with 1 / 0).

  `norm=False` drops instance norm (which couples every position); only the
  receptive-field test uses it.
  """
  features: int = 64
  num_layers: int = 3
  norm: bool = True

  @nn.compact
  def __call__(self, x):
    pad = ((1, 1), (1, 1))
    conv = lambda f, s: nn.Conv(f, (KERNEL, KERNEL), strides=(s, s), padding=pad)
    h = nn.leaky_relu(conv(self.features, 2)(x), 0.2)                 # no norm on the first
    for n in range(1, self.num_layers + 1):
      stride = 2 if n < self.num_layers else 1
      h = conv(self.features * min(2 ** n, 8), stride)(h)
      h = nn.leaky_relu(instance_norm(h) if self.norm else h, 0.2)
    return conv(1, 1)(h)[..., 0]


def receptive_field(num_layers: int) -> int:
  """Input pixels one patch logit sees: 70 for the paper's num_layers=3."""
  size = 1
  for stride in [1, 1] + [2] * num_layers:    # walked from the output back
    size = (size - 1) * stride + KERNEL
  return size


def patch_output_size(size: int, num_layers: int) -> int:
  """Patch-map side for an input side `size` (k=4, padding 1)."""
  for _ in range(num_layers):
    size = (size + 2 - KERNEL) // 2 + 1
  return size - 2                           # two stride-1 convs: -1 each
