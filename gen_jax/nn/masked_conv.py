"""Masked convolutions for PixelCNN-style models, with the RGB channel split.

Pixels are ordered in raster order over (H, W, C) with channels fastest, so
channel c of pixel (r, w) may see every channel of earlier pixels and the
channels < c of its own pixel. Features of hidden layers are split into
`num_colors` contiguous color groups (`feature_colors`); a feature of color g
carries information about channels <= g of the current pixel only.

Mask types ([kh, kw, in, out], center (kh // 2, kw // 2)):
  A: rows above the center, the center row left of the center, and at the
     center in-color < out-color (first layer: a channel never sees itself).
  B: as A but in-color <= out-color at the center (later layers).
  V: every row up to and including the center row, all channels (the
     vertical stack of Gated PixelCNN, shifted down a row before use).

References:
  van den Oord, Kalchbrenner, Kavukcuoglu. Pixel Recurrent Neural Networks,
  ICML 2016, section 3.4.
"""

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError

MASK_TYPES = ("A", "B", "V")


def feature_colors(num_features: int, num_colors: int, chunks: int = 1) -> np.ndarray:
  """[num_features] color group of each feature.

  The features form `chunks` equal blocks (gates of an LSTM or a gated unit)
  and each block is split into `num_colors` contiguous groups, so gate k of
  feature f has the same color as feature f.
  """
  per_chunk = num_features // chunks
  colors = (np.arange(per_chunk) * num_colors) // per_chunk
  return np.tile(colors, chunks)


def check_odd_kernel(kernel_size: tuple[int, int]) -> None:
  """Masks are centred at (kh // 2, kw // 2): an even size puts that centre
  off by one, and the mask would let the current pixel through."""
  if any(k % 2 == 0 for k in kernel_size):
    raise UserError(
        f"masked convolution kernel {tuple(kernel_size)} has an even size: its "
        "centre is off by one and the mask would leak the current pixel. Use "
        "odd kernel sizes (e.g. --config.model.first_kernel=7, "
        "--config.model.kernel=3).")


def conv_mask(kernel_size: tuple[int, int], in_colors: np.ndarray,
              out_colors: np.ndarray, mask_type: str) -> np.ndarray:
  """[kh, kw, in, out] float32 0/1 mask of the given type (see module doc)."""
  if mask_type not in MASK_TYPES:
    raise ValueError(f"mask_type {mask_type!r} not in {MASK_TYPES}")
  check_odd_kernel(kernel_size)
  kh, kw = kernel_size
  ch, cw = kh // 2, kw // 2
  mask = np.zeros((kh, kw, len(in_colors), len(out_colors)), np.float32)
  mask[:ch] = 1.0
  if mask_type == "V":
    mask[ch] = 1.0
    return mask
  mask[ch, :cw] = 1.0
  ic, oc = in_colors[:, None], out_colors[None, :]
  mask[ch, cw] = (ic < oc) if mask_type == "A" else (ic <= oc)
  return mask


def conv2d(x: jax.Array, kernel: jax.Array, padding: Any = "SAME") -> jax.Array:
  """NHWC / HWIO 2-D convolution, stride 1."""
  return jax.lax.conv_general_dilated(
      x, kernel, (1, 1), padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))


class MaskedConv2D(nn.Module):
  """A same-padded conv whose kernel is multiplied by a fixed causal mask.

  Attributes:
    features: output features.
    kernel_size: (kh, kw), odd.
    mask_type: 'A', 'B' or 'V'.
    num_colors: channels per pixel of the data (1 or 3).
    in_chunks / out_chunks: gate blocks of the input / output features.
  """
  features: int
  kernel_size: tuple[int, int]
  mask_type: str
  num_colors: int = 1
  in_chunks: int = 1
  out_chunks: int = 1
  use_bias: bool = True

  def mask(self, in_features: int) -> np.ndarray:
    return conv_mask(self.kernel_size,
                     feature_colors(in_features, self.num_colors, self.in_chunks),
                     feature_colors(self.features, self.num_colors, self.out_chunks),
                     self.mask_type)

  @nn.compact
  def __call__(self, x):  # [B, H, W, F_in] -> [B, H, W, features]
    mask = self.mask(x.shape[-1])
    self.sow("masks", "kernel", mask, reduce_fn=lambda _, m: m,
             init_fn=lambda: None)
    kernel = self.param("kernel", nn.initializers.lecun_normal(), mask.shape)
    y = conv2d(x, kernel * jnp.asarray(mask, kernel.dtype))
    if self.use_bias:
      y = y + self.param("bias", nn.initializers.zeros_init(), (self.features,))
    return y


def output_head(h, num_colors: int, out_dim: int, features: int):
  """ReLU, 1x1 mask-B conv, ReLU, 1x1 mask-B conv -> [B, H, W, C * out_dim]
  (the pixel models' output; called inside a compact module, whose params get
  `out_hidden` and `out`)."""
  h = MaskedConv2D(features, (1, 1), "B", num_colors, name="out_hidden")(nn.relu(h))
  return MaskedConv2D(num_colors * out_dim, (1, 1), "B", num_colors,
                      name="out")(nn.relu(h))


def live_parameter_count(module: nn.Module, params, *args, **kwargs) -> int:
  """Parameters of `module` that are not masked to zero.

  Runs `module` once to collect the masks its MaskedConv2D layers sow.
  """
  _, sown = module.apply({"params": params}, *args, mutable=["masks"], **kwargs)
  total = sum(int(np.prod(p.shape)) for p in jax.tree.leaves(params))
  dead = sum(int(np.size(m) - np.sum(m))
             for m in jax.tree.leaves(jax.device_get(sown.get("masks", {}))))
  return total - dead


def masked_kernel(kernel: jax.Array, num_colors: int, mask_type: str,
                  in_chunks: int = 1, out_chunks: int = 1) -> jax.Array:
  """kernel [kh, kw, in, out] times the mask MaskedConv2D would use."""
  kh, kw, fin, fout = kernel.shape
  mask = conv_mask((kh, kw), feature_colors(fin, num_colors, in_chunks),
                   feature_colors(fout, num_colors, out_chunks), mask_type)
  return kernel * jnp.asarray(mask, kernel.dtype)


def conv_at(padded: jax.Array, kernel: jax.Array, r: jax.Array, c: jax.Array,
            pad: tuple[int, int]) -> jax.Array:
  """One output pixel of a causal conv read from a zero-padded input cache.

  Args:
    padded: [B, pad[0] + H, 2 * pad[1] + W, F_in], the layer input with
      pad[0] zero rows on top and pad[1] zero columns on each side (see
      `pad_cache`); pad must be at least (kh // 2, kw // 2). Rows below the
      center are never read: causal masks zero them.
    kernel: [kh, kw, F_in, F_out], already masked.
    r, c: the output pixel (unpadded coordinates).
    pad: the (top, side) padding of `padded`.

  Returns:
    [B, F_out]: the conv output at (r, c), without bias.
  """
  kh, kw = kernel.shape[:2]
  rows = kh // 2 + 1
  start = (0, r + pad[0] - kh // 2, c + pad[1] - kw // 2, 0)
  patch = jax.lax.dynamic_slice(
      padded, start, (padded.shape[0], rows, kw, padded.shape[3]))
  return jnp.einsum("bhwi,hwio->bo", patch, kernel[:rows])


def conv_row(padded: jax.Array, kernel: jax.Array, r: jax.Array,
             pad: tuple[int, int]) -> jax.Array:
  """Row r of a causal conv from a padded cache: [B, W, F_out], no bias."""
  kh, kw = kernel.shape[:2]
  rows = kh // 2 + 1
  width = padded.shape[2] - 2 * pad[1]
  band = jax.lax.dynamic_slice(
      padded, (0, r + pad[0] - kh // 2, pad[1] - kw // 2, 0),
      (padded.shape[0], rows, width + 2 * (kw // 2), padded.shape[3]))
  return conv2d(band, kernel[:rows], "VALID")[:, 0]


def conv_above(padded: jax.Array, kernel: jax.Array, r: jax.Array,
               pad: tuple[int, int]) -> jax.Array:
  """The part of row r of a causal conv read from the rows above r: [B, W, F_out].

  One batched conv over the whole row once row r - 1 is complete; with
  `conv_in_row` at pixel c it adds up to `conv_at` (the taps split by row).
  """
  kh, kw = kernel.shape[:2]
  above = kh // 2
  width = padded.shape[2] - 2 * pad[1]
  if above == 0:
    return jnp.zeros((padded.shape[0], width, kernel.shape[3]), padded.dtype)
  band = jax.lax.dynamic_slice(                     # [B, above, W + kw - 1, F_in]
      padded, (0, r + pad[0] - above, pad[1] - kw // 2, 0),
      (padded.shape[0], above, width + 2 * (kw // 2), padded.shape[3]))
  return conv2d(band, kernel[:above], "VALID")[:, 0]


def conv_in_row(padded: jax.Array, kernel: jax.Array, r: jax.Array, c: jax.Array,
                pad: tuple[int, int]) -> jax.Array:
  """The part of `conv_at` (r, c) read from row r itself, [B, F_out]: the
  columns up to c only (causal masks zero those right of it)."""
  kh, kw = kernel.shape[:2]
  patch = jax.lax.dynamic_slice(                    # [B, 1, kw // 2 + 1, F_in]
      padded, (0, r + pad[0], c + pad[1] - kw // 2, 0),
      (padded.shape[0], 1, kw // 2 + 1, padded.shape[3]))
  return jnp.einsum("bhwi,hwio->bo", patch, kernel[kh // 2:kh // 2 + 1, :kw // 2 + 1])


def pad_cache(x: jax.Array, pad: tuple[int, int]) -> jax.Array:
  """[B, H, W, F] -> [B, pad[0] + H, 2 pad[1] + W, F], zeros on top and sides."""
  return jnp.pad(x, ((0, 0), (pad[0], 0), (pad[1], pad[1]), (0, 0)))


def write_pixel(padded: jax.Array, value: jax.Array, r: jax.Array, c: jax.Array,
                pad: tuple[int, int]) -> jax.Array:
  """Stores value [B, F] at pixel (r, c) of a padded cache."""
  return jax.lax.dynamic_update_slice(
      padded, value[:, None, None, :], (0, r + pad[0], c + pad[1], 0))


def write_row(padded: jax.Array, value: jax.Array, r: jax.Array,
              pad: tuple[int, int]) -> jax.Array:
  """Stores value [B, W, F] as row r of a padded cache."""
  return jax.lax.dynamic_update_slice(
      padded, value[:, None], (0, r + pad[0], pad[1], 0))
