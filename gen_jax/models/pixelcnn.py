"""PixelCNN and Gated PixelCNN over discrete images.

Both model p(x) = prod_i p(x_i | x_<i) in raster order over (H, W, C),
channels fastest, with Bernoulli outputs for binary images and a K-way
softmax per channel for K-level images.

References:
  van den Oord, Kalchbrenner, Kavukcuoglu. Pixel Recurrent Neural Networks,
  ICML 2016 (PixelCNN: 7x7 mask-A conv, residual mask-B 3x3 convs, 1x1
  output convs).
  van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves, Kavukcuoglu.
  Conditional Image Generation with PixelCNN Decoders, NeurIPS 2016 (Gated
  PixelCNN: vertical and horizontal stacks, tanh * sigmoid gates, class
  conditioning).
"""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.models.base.pixel import PixelOptions, PixelRecipe
from gen_jax.nn.masked_conv import MaskedConv2D, output_head
from gen_jax.options import option


def gate(a: jax.Array) -> jax.Array:
  """[..., 2F] -> [..., F]: tanh(first half) * sigmoid(second half)."""
  u, g = jnp.split(a, 2, axis=-1)
  return jnp.tanh(u) * jax.nn.sigmoid(g)


class PixelCNNNet(nn.Module):
  """x [B, H, W, C] in [-1, 1] (, label [B]) -> logits [B, H, W, C * out_dim].

  A `first_kernel` mask-A conv, `num_blocks` residual blocks
  h + conv3x3_B(relu(h)), and the 1x1 output head. `num_classes` > 0 adds a
  learned per-layer bias V_l^T onehot(y) to the input conv and every block
  (the conditional biases of van den Oord et al. 2016b); it depends on the
  label only, so causality is untouched.
  """
  num_colors: int
  out_dim: int
  features: int = 128
  num_blocks: int = 14
  first_kernel: int = 7
  kernel: int = 3
  out_features: int = 128
  num_classes: int = 0

  def label_bias(self, onehot, name):
    """[B, K] -> [B, 1, 1, F], or 0 for an unconditional net."""
    if onehot is None:
      return 0.0
    return nn.Dense(self.features, use_bias=False, name=name)(onehot)[:, None, None, :]

  @nn.compact
  def __call__(self, x, label=None):
    c, k = self.num_colors, self.first_kernel
    onehot = jax.nn.one_hot(label, self.num_classes) if self.num_classes else None
    h = MaskedConv2D(self.features, (k, k), "A", c, name="conv_in")(x)
    h = h + self.label_bias(onehot, "cond_in")
    for i in range(self.num_blocks):
      h = h + MaskedConv2D(self.features, (self.kernel, self.kernel), "B", c,
                           name=f"block_{i}")(nn.relu(h))
      h = h + self.label_bias(onehot, f"cond_{i}")
    return output_head(h, c, self.out_dim, self.out_features)


def shift_down(x: jax.Array) -> jax.Array:
  """[B, H, W, F] moved down one row (zeros on top): row r holds row r - 1."""
  return jnp.pad(x, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]


class GatedPixelCNNNet(nn.Module):
  """Vertical + horizontal stacks with gated units; no blind spot.

  The vertical stack at row r sees rows <= r and reaches the horizontal
  stack only shifted down one row; the horizontal stack sees the current
  row to the left (and the earlier channels of the current pixel).
  `num_classes` > 0 adds a per-layer class embedding to both stacks.
  """
  num_colors: int
  out_dim: int
  features: int = 128
  num_layers: int = 15
  kernel: int = 7
  out_features: int = 128
  num_classes: int = 0

  @nn.compact
  def __call__(self, x, label=None):
    c, k, f = self.num_colors, self.kernel, self.features
    v = h = x
    for i in range(self.num_layers):
      first = i == 0
      v_pre = MaskedConv2D(2 * f, (k, k), "V", c, out_chunks=2, name=f"v_{i}")(v)
      h_pre = MaskedConv2D(2 * f, (1, k), "A" if first else "B", c,
                           out_chunks=2, name=f"h_{i}")(h)
      h_pre = h_pre + nn.Dense(2 * f, name=f"v_to_h_{i}")(shift_down(v_pre))
      if self.num_classes:
        onehot = jax.nn.one_hot(label, self.num_classes)[:, None, None, :]
        v_pre = v_pre + nn.Dense(2 * f, use_bias=False, name=f"cond_v_{i}")(onehot)
        h_pre = h_pre + nn.Dense(2 * f, use_bias=False, name=f"cond_h_{i}")(onehot)
      v = gate(v_pre)
      h_new = MaskedConv2D(f, (1, 1), "B", c, name=f"h_out_{i}")(gate(h_pre))
      h = h_new if first else h + h_new
    return output_head(h, c, self.out_dim, self.out_features)


@dataclasses.dataclass(frozen=True)
class PixelCNNOptions(PixelOptions):
  conditional: bool = False          # p(x | y): the label's conditional biases
  features: int = option(128, minimum=1)
  num_blocks: int = option(14, minimum=0)
  first_kernel: int = option(7, minimum=1)
  kernel: int = option(3, minimum=1)
  out_features: int = option(128, minimum=1)


class PixelCNN(PixelRecipe):
  """PixelCNN (van den Oord et al. 2016a); options `PixelCNNOptions`;
  `conditional` adds the label's conditional biases (p(x | y))."""
  name = "pixelcnn"
  Options = PixelCNNOptions

  def make_net(self):
    o = self.options
    return PixelCNNNet(self.num_colors, self.out_dim, features=o.features,
                       num_blocks=o.num_blocks, first_kernel=o.first_kernel,
                       kernel=o.kernel, out_features=o.out_features,
                       num_classes=self.spec.num_classes if self.conditional else 0)

  def samplers(self):
    return {"scan": self.sample_scan, "cached": self.sample_cached}

  def sample_cached(self, variables, rng, num, inputs=None):
    from gen_jax.sampling.cached_pixelcnn import cached_pixelcnn_sample  # pylint: disable=import-outside-toplevel
    x, _ = cached_pixelcnn_sample(self.net, variables["params"]["model"],
                               self.noise(rng, num), self.spec.event_shape,
                               self.num_levels, self._label(inputs, num))
    return self.decode(x)


@dataclasses.dataclass(frozen=True)
class GatedPixelCNNOptions(PixelOptions):
  conditional: bool = False          # p(x | y): per-layer class embeddings
  features: int = option(128, minimum=1)
  num_layers: int = option(15, minimum=1)
  kernel: int = option(7, minimum=1)
  out_features: int = option(128, minimum=1)


class GatedPixelCNN(PixelRecipe):
  """Gated PixelCNN (van den Oord et al. 2016b); options
  `GatedPixelCNNOptions`; `conditional` uses labels."""
  name = "gated_pixelcnn"
  Options = GatedPixelCNNOptions

  def make_net(self):
    o = self.options
    return GatedPixelCNNNet(self.num_colors, self.out_dim, features=o.features,
                            num_layers=o.num_layers, kernel=o.kernel,
                            out_features=o.out_features,
                            num_classes=self.spec.num_classes if self.conditional else 0)

  def samplers(self):
    return {"scan": self.sample_scan, "cached": self.sample_cached}

  def sample_cached(self, variables, rng, num, inputs=None):
    from gen_jax.sampling.cached_pixelcnn import cached_gated_sample  # pylint: disable=import-outside-toplevel
    x, _ = cached_gated_sample(self.net, variables["params"]["model"],
                            self.noise(rng, num), self.spec.event_shape,
                            self.num_levels, self._label(inputs, num))
    return self.decode(x)

