"""PixelRNN layers: Row LSTM and Diagonal BiLSTM, with skewing.

Both take and return [B, H, W, F] maps and keep the PixelCNN color split:
the input-to-state convs are mask-B convs whose four gate blocks share the
color groups of the hidden features, and the state-to-state connections
only read earlier rows (Row LSTM) or the pixel to the left and the pixel
above (Diagonal LSTM), which are entirely in the past.

References:
  van den Oord, Kalchbrenner, Kavukcuoglu. Pixel Recurrent Neural Networks,
  ICML 2016, sections 3.1 and 3.2.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nn.masked_conv import MaskedConv2D, conv2d


def lstm_update(gates: jax.Array, cell: jax.Array) -> tuple[jax.Array, jax.Array]:
  """gates [..., 4F] (input, forget, output, candidate), cell [..., F] -> (h, c)."""
  i, f, o, g = jnp.split(gates, 4, axis=-1)
  cell = jax.nn.sigmoid(f) * cell + jax.nn.sigmoid(i) * jnp.tanh(g)
  return jax.nn.sigmoid(o) * jnp.tanh(cell), cell


def row_conv(h_row: jax.Array, kernel: jax.Array) -> jax.Array:
  """1-D same-padded conv along a row: [B, W, F] x [k, F, G] -> [B, W, G]."""
  return conv2d(h_row[:, None], kernel[None])[:, 0]


def skew(x: jax.Array) -> jax.Array:
  """[B, H, W, F] -> [B, H, W + H - 1, F]: row r shifted right by r (zeros)."""
  h, w = x.shape[1:3]
  padded = jnp.pad(x, ((0, 0), (0, 0), (0, h), (0, 0)))          # [B, H, W+H, F]
  rows = [jnp.roll(padded[:, r], r, axis=1) for r in range(h)]
  return jnp.stack(rows, axis=1)[:, :, :w + h - 1]


def unskew(x: jax.Array, width: int) -> jax.Array:
  """Inverse of `skew`: [B, H, W + H - 1, F] -> [B, H, W, F]."""
  h = x.shape[1]
  return jnp.stack([x[:, r, r:r + width] for r in range(h)], axis=1)


def diagonal_lstm(input_gates: jax.Array, kernel: jax.Array) -> jax.Array:
  """The diagonal recurrence, left to right: [B, H, W, 4F] -> [B, H, W, F].

  In the skewed map each column is computed from the previous one with a
  2x1 state-to-state conv (kernel [2, F, 4F]: tap 0 reads the row above,
  tap 1 the same row), so h(r, c) depends on h(r, c - 1), h(r - 1, c) and
  the cell state of (r, c - 1).
  """
  b, h, w, g4 = input_gates.shape
  f = g4 // 4
  skewed = jnp.moveaxis(skew(input_gates), 2, 0)        # [W+H-1, B, H, 4F]

  def column(carry, gates_in):
    state, cell = carry                                  # [B, H, F] each
    up = jnp.pad(state, ((0, 0), (1, 0), (0, 0)))[:, :-1]
    gates = gates_in + (up @ kernel[0] + state @ kernel[1])
    state, cell = lstm_update(gates, cell)
    return (state, cell), state

  zeros = jnp.zeros((b, h, f), input_gates.dtype)
  _, out = jax.lax.scan(column, (zeros, zeros), skewed)
  return unskew(jnp.moveaxis(out, 0, 2), w)


class RowLSTM(nn.Module):
  """Row LSTM: a (1, k) mask-B input-to-state conv and a k-wide 1-D
  state-to-state conv over the row above; one lax.scan over rows."""
  features: int
  num_colors: int = 1
  kernel: int = 3

  @nn.compact
  def __call__(self, x):  # [B, H, W, F_in] -> [B, H, W, features]
    f = self.features
    gates_in = MaskedConv2D(4 * f, (1, self.kernel), "B", self.num_colors,
                            out_chunks=4, name="input_to_state")(x)
    kernel = self.param("state_to_state", nn.initializers.lecun_normal(),
                        (self.kernel, f, 4 * f))
    b, _, w, _ = x.shape

    def row(carry, gates_row):
      state, cell = carry                                 # [B, W, F]
      state, cell = lstm_update(gates_row + row_conv(state, kernel), cell)
      return (state, cell), state

    zeros = jnp.zeros((b, w, f), x.dtype)
    _, out = jax.lax.scan(row, (zeros, zeros), jnp.moveaxis(gates_in, 1, 0))
    return jnp.moveaxis(out, 0, 1)


class DiagonalBiLSTM(nn.Module):
  """Diagonal BiLSTM: two diagonal LSTMs (left-to-right and right-to-left)
  with 1x1 mask-B input-to-state convs; the right-to-left output is shifted
  down one row before the two are added, so no future pixel leaks."""
  features: int
  num_colors: int = 1

  @nn.compact
  def __call__(self, x):  # [B, H, W, F_in] -> [B, H, W, features]
    f, c = self.features, self.num_colors
    init = nn.initializers.lecun_normal()
    gates_fwd = MaskedConv2D(4 * f, (1, 1), "B", c, out_chunks=4, name="forward_is")(x)
    gates_bwd = MaskedConv2D(4 * f, (1, 1), "B", c, out_chunks=4, name="backward_is")(x)
    k_fwd = self.param("forward_ss", init, (2, f, 4 * f))
    k_bwd = self.param("backward_ss", init, (2, f, 4 * f))
    fwd = diagonal_lstm(gates_fwd, k_fwd)
    bwd = diagonal_lstm(gates_bwd[:, :, ::-1], k_bwd)[:, :, ::-1]
    bwd = jnp.pad(bwd, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]
    return fwd + bwd
