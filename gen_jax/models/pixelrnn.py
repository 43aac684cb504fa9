"""PixelRNN: Row LSTM and Diagonal BiLSTM networks over discrete images.

A 7x7 mask-A conv, `num_layers` recurrent layers with residual connections
(y + lstm(y)), and the 1x1 mask-B output head of PixelCNN; Bernoulli or
K-way softmax outputs per channel.

Reference:
  van den Oord, Kalchbrenner, Kavukcuoglu. Pixel Recurrent Neural Networks,
  ICML 2016.
"""

import dataclasses

import flax.linen as nn

from gen_jax.models.base.pixel import PixelOptions, PixelRecipe
from gen_jax.nn.masked_conv import MaskedConv2D, output_head
from gen_jax.nn.pixelrnn import DiagonalBiLSTM as DiagonalBiLSTMLayer
from gen_jax.nn.pixelrnn import RowLSTM as RowLSTMLayer
from gen_jax.options import option


class PixelRNNNet(nn.Module):
  """x [B, H, W, C] in [-1, 1] -> logits [B, H, W, C * out_dim]."""
  num_colors: int
  out_dim: int
  cell: str = "row"          # 'row' or 'diagonal'
  features: int = 64
  num_layers: int = 7
  first_kernel: int = 7
  kernel: int = 3            # Row LSTM conv width
  out_features: int = 64

  @nn.compact
  def __call__(self, x, label=None):
    del label
    c, k = self.num_colors, self.first_kernel
    y = MaskedConv2D(self.features, (k, k), "A", c, name="conv_in")(x)
    for i in range(self.num_layers):
      if self.cell == "row":
        layer = RowLSTMLayer(self.features, c, self.kernel, name=f"lstm_{i}")
      else:
        layer = DiagonalBiLSTMLayer(self.features, c, name=f"lstm_{i}")
      y = y + layer(y)
    return output_head(y, c, self.out_dim, self.out_features)


@dataclasses.dataclass(frozen=True)
class PixelRNNOptions(PixelOptions):
  features: int = option(64, minimum=1)
  num_layers: int = option(7, minimum=1)
  first_kernel: int = option(7, minimum=1)
  kernel: int = option(3, minimum=1)      # Row LSTM conv width
  out_features: int = option(64, minimum=1)


class _PixelRNN(PixelRecipe):
  cell = "row"
  Options = PixelRNNOptions

  def make_net(self):
    o = self.options
    return PixelRNNNet(self.num_colors, self.out_dim, cell=self.cell,
                       features=o.features, num_layers=o.num_layers,
                       first_kernel=o.first_kernel, kernel=o.kernel,
                       out_features=o.out_features)

  def samplers(self):
    return {"scan": self.sample_scan, "cached": self.sample_cached}

  def sample_cached(self, variables, rng, num, inputs=None):
    """Raster-order sampler that carries the LSTM states (see cached_pixelrnn)."""
    from gen_jax.sampling.cached_pixelrnn import cached_pixelrnn_sample  # pylint: disable=import-outside-toplevel
    x, _ = cached_pixelrnn_sample(self.net, variables["params"]["model"],
                                  self.noise(rng, num), self.spec.event_shape,
                                  self.num_levels)
    return self.decode(x)


class RowLSTM(_PixelRNN):
  """PixelRNN with Row LSTM layers."""
  name = "row_lstm"
  cell = "row"


class DiagonalBiLSTM(_PixelRNN):
  """PixelRNN with Diagonal BiLSTM layers."""
  name = "diagonal_bilstm"
  cell = "diagonal"
