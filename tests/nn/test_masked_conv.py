"""Masked convolutions, cached conv reads, PixelRNN skewing and recurrences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.nn.masked_conv import (MaskedConv2D, conv2d, conv_above, conv_at, conv_in_row,
                                    conv_mask, conv_row, feature_colors,
                                    live_parameter_count, masked_kernel, pad_cache)
from gen_jax.nn.pixelrnn import diagonal_lstm, lstm_update, skew, unskew


def test_feature_colors_are_contiguous_and_shared_by_gate_blocks():
  np.testing.assert_array_equal(feature_colors(6, 3), [0, 0, 1, 1, 2, 2])
  np.testing.assert_array_equal(feature_colors(3, 3), [0, 1, 2])
  np.testing.assert_array_equal(feature_colors(8, 1, chunks=2), [0] * 8)
  np.testing.assert_array_equal(feature_colors(12, 3, chunks=2),
                                [0, 0, 1, 1, 2, 2] * 2)


@pytest.mark.parametrize("mask_type,center", [
    ("A", [[0, 1, 1], [0, 0, 1], [0, 0, 0]]),   # R sees nothing, G sees R, B sees R, G
    ("B", [[1, 1, 1], [0, 1, 1], [0, 0, 1]]),
])
def test_rgb_masks_split_channels_at_the_center(mask_type, center):
  colors = np.arange(3)
  mask = conv_mask((5, 5), colors, colors, mask_type)   # [5, 5, in, out]
  np.testing.assert_array_equal(mask[2, 2], center)
  assert (mask[:2] == 1).all() and (mask[2, :2] == 1).all()
  assert (mask[2, 3:] == 0).all() and (mask[3:] == 0).all()


def test_vertical_mask_keeps_rows_up_to_the_center():
  mask = conv_mask((3, 3), np.zeros(2, int), np.zeros(4, int), "V")
  assert (mask[:2] == 1).all() and (mask[2] == 0).all()


def test_live_parameter_count_skips_masked_weights():
  layer = MaskedConv2D(1, (3, 3), "B")
  x = jnp.zeros((1, 4, 4, 1))
  params = layer.init(jax.random.PRNGKey(0), x)["params"]
  assert live_parameter_count(layer, params, x) == 5 + 1   # 4 past taps + center, bias


def test_cached_reads_match_the_full_convolution():
  rng = np.random.default_rng(0)
  x = jnp.asarray(rng.normal(size=(2, 5, 6, 3)), jnp.float32)
  kernel = jnp.asarray(rng.normal(size=(5, 3, 3, 4)), jnp.float32)
  kernel = kernel * conv_mask((5, 3), np.arange(3), np.arange(4) % 3, "B")
  full = conv2d(x, kernel)
  pad = (2, 2)
  cache = pad_cache(x, pad)
  for r, c in [(0, 0), (2, 3), (4, 5)]:
    np.testing.assert_allclose(conv_at(cache, kernel, r, c, pad), full[:, r, c],
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(conv_row(cache, kernel, r, pad), full[:, r],
                               rtol=1e-5, atol=1e-5)


def test_skew_shifts_row_r_right_by_r_and_unskew_inverts_it():
  x = jnp.arange(2 * 3 * 4 * 1, dtype=jnp.float32).reshape(2, 3, 4, 1) + 1
  s = skew(x)
  assert s.shape == (2, 3, 6, 1)
  for r in range(3):
    np.testing.assert_array_equal(s[:, r, r:r + 4], x[:, r])
    assert (np.delete(np.asarray(s[:, r]), np.s_[r:r + 4], axis=1) == 0).all()
  np.testing.assert_array_equal(unskew(s, 4), x)


def _sigmoid(z):
  return 1 / (1 + np.exp(-z))


def test_diagonal_lstm_matches_a_raster_order_numpy_reference():
  """h(r, c) from h(r, c-1), h(r-1, c) and the cell of (r, c-1), loop by loop."""
  rng = np.random.default_rng(1)
  b, h, w, f = 2, 3, 4, 2
  gates_in = rng.normal(size=(b, h, w, 4 * f)).astype(np.float32)
  kernel = rng.normal(size=(2, f, 4 * f)).astype(np.float32) * 0.5
  state = np.zeros((b, h + 1, w + 1, f))          # one zero row on top, column left
  cell = np.zeros((b, h + 1, w + 1, f))
  for r in range(h):
    for c in range(w):
      g = (gates_in[:, r, c] + state[:, r, c + 1] @ kernel[0]
           + state[:, r + 1, c] @ kernel[1])
      i, fg, o, cand = np.split(g, 4, axis=-1)
      cell[:, r + 1, c + 1] = _sigmoid(fg) * cell[:, r + 1, c] + _sigmoid(i) * np.tanh(cand)
      state[:, r + 1, c + 1] = _sigmoid(o) * np.tanh(cell[:, r + 1, c + 1])
  out = diagonal_lstm(jnp.asarray(gates_in), jnp.asarray(kernel))
  np.testing.assert_allclose(out, state[:, 1:, 1:], rtol=1e-5, atol=1e-5)


def test_lstm_update_is_the_standard_cell():
  g = jnp.asarray([[0.1, -0.2, 0.3, 0.4]])
  hid, cell = lstm_update(g, jnp.asarray([[0.5]]))
  want_c = _sigmoid(-0.2) * 0.5 + _sigmoid(0.1) * np.tanh(0.4)
  np.testing.assert_allclose(cell, [[want_c]], rtol=1e-6)
  np.testing.assert_allclose(hid, [[_sigmoid(0.3) * np.tanh(want_c)]], rtol=1e-6)


@pytest.mark.parametrize("kernel", [(4, 4), (3, 4), (2, 3), (1, 2)])
def test_even_kernels_are_refused_because_they_leak_the_current_pixel(kernel):
  from gen_jax.errors import UserError  # pylint: disable=import-outside-toplevel
  with pytest.raises(UserError, match=r"even size.*odd kernel sizes"):
    conv_mask(kernel, np.arange(1), np.arange(1), "A")
  layer = MaskedConv2D(2, kernel, "A", 1)
  with pytest.raises(UserError, match="even size"):
    layer.init(jax.random.PRNGKey(0), jnp.zeros((1, 5, 5, 1)))


@pytest.mark.parametrize("k", [1, 3, 5, 7])
def test_odd_mask_a_kernels_are_causal_in_raster_order(k):
  """Output at pixel p has zero gradient w.r.t. inputs at p and after it."""
  layer = MaskedConv2D(2, (k, k), "A", 1)
  x0 = jax.random.normal(jax.random.PRNGKey(1), (1, 5, 5, 1))
  params = layer.init(jax.random.PRNGKey(0), x0)
  params = jax.tree.map(lambda p: jnp.ones_like(p), params)
  jac = jax.jacrev(lambda x: layer.apply(params, x)[0, ..., 0].reshape(-1))(x0)
  jac = np.asarray(jac).reshape(25, 25)                  # [out pixel, in pixel]
  for p in range(25):
    assert np.all(jac[p, p:] == 0.0), (k, p)
  if k > 1:
    assert np.any(jac[24, :24] != 0.0)


def test_conv_above_plus_conv_in_row_is_conv_at():
  rng = np.random.default_rng(0)
  for kh, mask in ((7, "A"), (3, "B")):
    kernel = masked_kernel(jnp.asarray(rng.normal(size=(kh, kh, 3, 5)), jnp.float32), 1, mask)
    pad = (kh // 2, kh // 2)
    cache = pad_cache(jnp.asarray(rng.normal(size=(2, 6, 5, 3)), jnp.float32), pad)
    for r, c in ((0, 0), (3, 2), (5, 4)):
      split = conv_above(cache, kernel, r, pad)[:, c] + conv_in_row(cache, kernel, r, c, pad)
      np.testing.assert_allclose(split, conv_at(cache, kernel, r, c, pad), rtol=1e-5, atol=1e-5)
