"""Progressive GAN players (Karras et al. 2018), every resolution level built.

Level l works at 4 * 2**l pixels. Both nets hold the blocks, to-RGB and
from-RGB layers of every level from the start (initialisation touches them
all), so the parameter tree never changes; `level` (a Python int) says which
blocks a call uses, `alpha` how far the newest one is faded in.

- Equalised learning rate: weights drawn N(0, 1) and scaled at run time by
  the He constant gain / sqrt(fan_in) (scaling the input is the same).
- Pixelwise feature normalisation after every conv of G.
- Minibatch standard deviation as an extra channel before D's last block.
- Nearest-neighbour upsampling in G, 2x2 average pooling in D.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp

LEAK = 0.2


def resolution(level: int) -> int:
  return 4 * 2 ** level


def pixel_norm(x, eps: float = 1e-8):
  """x / sqrt(mean over features of x^2 + eps), per pixel."""
  return x * jax.lax.rsqrt(jnp.mean(x * x, axis=-1, keepdims=True) + eps)


def upsample(x):
  """[B, H, W, C] -> [B, 2H, 2W, C], nearest neighbour."""
  return jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2)


def downsample(x):
  """[B, H, W, C] -> [B, H/2, W/2, C], 2x2 box filter."""
  b, h, w, c = x.shape
  return x.reshape(b, h // 2, 2, w // 2, 2, c).mean((2, 4))


def minibatch_stddev(x, group: int = 4):
  """Appends the mean standard deviation over groups of `group` images of
  every feature and pixel, as one more channel: [B, H, W, C] -> [.., C + 1]."""
  b, h, w, c = x.shape
  g = math.gcd(group, b)
  grouped = x.reshape(g, b // g, h, w, c)
  std = jnp.sqrt(jnp.var(grouped, axis=0) + 1e-8)              # [B/g, H, W, C]
  stat = jnp.mean(std, axis=(1, 2, 3))                          # [B/g]
  stat = jnp.tile(stat, g)[:, None, None, None]                 # [B, 1, 1, 1]
  return jnp.concatenate([x, jnp.broadcast_to(stat, (b, h, w, 1))], -1)


class EqualizedDense(nn.Module):
  features: int
  gain: float = math.sqrt(2.0)

  @nn.compact
  def __call__(self, x):
    scale = self.gain / math.sqrt(x.shape[-1])
    return nn.Dense(self.features, kernel_init=nn.initializers.normal(1.0))(x * scale)


class EqualizedConv(nn.Module):
  features: int
  kernel: int = 3
  gain: float = math.sqrt(2.0)

  @nn.compact
  def __call__(self, x):
    scale = self.gain / math.sqrt(self.kernel * self.kernel * x.shape[-1])
    return nn.Conv(self.features, (self.kernel, self.kernel), padding="SAME",
                   kernel_init=nn.initializers.normal(1.0))(x * scale)


def _act(x):
  return nn.leaky_relu(x, LEAK)


class ProGenerator(nn.Module):
  """z [B, Z] -> images [B, r, r, C] at level `level` (r = 4 * 2**level),
  linear output (the data lives in [-1, 1])."""
  channels: tuple[int, ...]     # per level, from 4x4 up
  out_channels: int

  def setup(self):
    c0 = self.channels[0]
    self.project = EqualizedDense(16 * c0, gain=math.sqrt(2.0) / 4)
    self.base_conv = EqualizedConv(c0)
    self.blocks = [(EqualizedConv(c), EqualizedConv(c)) for c in self.channels[1:]]
    self.to_rgb = [EqualizedConv(self.out_channels, kernel=1, gain=1.0)
                   for _ in self.channels]

  def features(self, z, level: int):
    """Feature maps of every level up to `level`: [[B, 4, 4, c0], ...]."""
    x = self.project(pixel_norm(z)).reshape(z.shape[0], 4, 4, self.channels[0])
    x = pixel_norm(_act(x))
    x = pixel_norm(_act(self.base_conv(x)))                    # [B, 4, 4, c0]
    maps = [x]
    for conv_a, conv_b in self.blocks[:level]:
      x = pixel_norm(_act(conv_a(upsample(x))))
      x = pixel_norm(_act(conv_b(x)))
      maps.append(x)
    return maps

  def __call__(self, z, level: int, alpha=1.0):
    if self.is_initializing():   # build every level's layers
      level = len(self.channels) - 1
      for lv, x in enumerate(self.features(z, level)):
        self.to_rgb[lv](x)
    maps = self.features(z, level)
    image = self.to_rgb[level](maps[-1])
    if level == 0:
      return image
    previous = upsample(self.to_rgb[level - 1](maps[-2]))
    return alpha * image + (1.0 - alpha) * previous            # fade-in


class ProCritic(nn.Module):
  """images [B, r, r, C] at level `level` -> scores [B] (WGAN critic)."""
  channels: tuple[int, ...]     # per level, from 4x4 up

  def setup(self):
    self.from_rgb = [EqualizedConv(c, kernel=1) for c in self.channels]
    self.blocks = [(EqualizedConv(self.channels[lv]), EqualizedConv(self.channels[lv - 1]))
                   for lv in range(1, len(self.channels))]
    c0 = self.channels[0]
    self.final_conv = EqualizedConv(c0)
    self.final_dense = EqualizedDense(c0)
    self.score = EqualizedDense(1, gain=1.0)

  def block(self, h, lv: int):
    conv_a, conv_b = self.blocks[lv - 1]
    return downsample(_act(conv_b(_act(conv_a(h)))))

  def __call__(self, x, level: int, alpha=1.0):
    if self.is_initializing():   # build every level's layers
      top = len(self.channels) - 1
      x = jax.image.resize(x, (x.shape[0], resolution(top), resolution(top), x.shape[-1]),
                           "nearest")
      for lv in range(top, -1, -1):
        self.from_rgb[lv](x)
        if lv:
          self.block(_act(self.from_rgb[lv](x)), lv)
          x = downsample(x)
      level = 0
    h = _act(self.from_rgb[level](x))
    for lv in range(level, 0, -1):
      h = self.block(h, lv)
      if lv == level:                                          # fade-in
        skip = _act(self.from_rgb[level - 1](downsample(x)))
        h = alpha * h + (1.0 - alpha) * skip
    h = _act(self.final_conv(minibatch_stddev(h)))
    h = _act(self.final_dense(h.reshape(h.shape[0], -1)))
    return self.score(h)[:, 0]
