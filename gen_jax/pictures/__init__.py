"""Pictures of samples: uint8 conversion, grids, PNGs and 2-D scatter plots.

Below the trainer and the models alike: both write pictures with these.
The writers write on process 0 only (`gen_jax.multihost.writer_only`), so
every process may call them after computing what they show.
"""

import os

import numpy as np

from gen_jax.data.spec import DataSpec
from gen_jax.multihost import writer_only


def to_uint8_images(x: np.ndarray, spec: DataSpec) -> np.ndarray:
  """Samples in the data encoding -> uint8 [N, H, W, C] for display."""
  x = np.asarray(x, np.float32)
  if spec.num_levels is not None:
    x = x / (spec.num_levels - 1)
  return (np.clip(x, 0.0, 1.0) * 255).round().astype(np.uint8)


def image_grid(images: np.ndarray, columns: int | None = None,
               pad: int = 1) -> np.ndarray:
  """uint8 [N, H, W, C] -> one uint8 [rows*(H+pad)+pad, cols*(W+pad)+pad, C]."""
  n, h, w, c = images.shape
  cols = columns or int(np.ceil(np.sqrt(n)))
  rows = int(np.ceil(n / cols))
  grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), 128, np.uint8)
  for k in range(n):
    r, q = divmod(k, cols)
    top, left = pad + r * (h + pad), pad + q * (w + pad)
    grid[top:top + h, left:left + w] = images[k]
  return grid


@writer_only
def save_png(array: np.ndarray, path: str, scale: int = 1) -> None:
  """Writes a uint8 [H, W, C] picture (process 0 only), `scale` times larger."""
  from PIL import Image  # pylint: disable=import-outside-toplevel
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  img = array[..., 0] if array.shape[-1] == 1 else array
  pil = Image.fromarray(img)
  if scale > 1:
    pil = pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST)
  pil.save(path)


@writer_only
def save_triples(x: np.ndarray, fake: np.ndarray, rec: np.ndarray, spec, path: str,
                 per_row: int = 4) -> None:
  """A PNG grid of (x, translation, reconstruction) triples, `per_row` a row.

  x, fake, rec: [N, H, W, C] in the data encoding / [0, 1].
  """
  triples = np.stack([np.asarray(a, np.float32) for a in (x, fake, rec)], 1)
  grid = image_grid(to_uint8_images(triples.reshape((-1,) + x.shape[1:]), spec),
                    columns=3 * min(per_row, len(x)))
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  save_png(grid, path, scale=max(1, 512 // max(grid.shape[:2])))


@writer_only
def save_samples(samples: np.ndarray, spec: DataSpec, path: str) -> None:
  """A PNG grid for images, a scatter plot for 2-D points."""
  samples = np.asarray(samples)
  if spec.is_image:
    grid = image_grid(to_uint8_images(samples, spec))
    save_png(grid, path, scale=max(1, 512 // grid.shape[0]))
    return
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  fig, ax = plt.subplots(figsize=(4, 4))
  ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.5)
  ax.set_aspect("equal")
  fig.savefig(path, dpi=100, bbox_inches="tight")
  plt.close(fig)


def read_picture(path: str, spec: DataSpec) -> np.ndarray:
  """A user's image file -> [1, H, W, C] in `spec`'s encoding (float32 in
  [0, 1], binary thresholded at 1/2, or int32 levels), or a UserError that
  says what is wrong (unreadable, or not H x W)."""
  from PIL import Image, UnidentifiedImageError  # pylint: disable=import-outside-toplevel
  from gen_jax.errors import UserError  # pylint: disable=import-outside-toplevel
  h, w, c = spec.event_shape
  try:
    with Image.open(path) as pil:
      pil = pil.convert("L" if c == 1 else "RGB")
  except (OSError, UnidentifiedImageError) as e:
    raise UserError(f"could not read the image {path!r} ({e}); give a PNG or JPEG "
                    "file.") from e
  if pil.size != (w, h) or c not in (1, 3):
    raise UserError(f"{path!r} is {pil.width}x{pil.height} pixels but the model "
                    f"works on {w}x{h} images ({c} channels); resize it to {w}x{h} first.")
  x = np.asarray(pil, np.float32).reshape(1, h, w, c) / 255.0
  if spec.encoding == "binary":
    return (x > 0.5).astype(np.float32)
  if spec.encoding == "categorical":
    return np.round(x * (spec.num_levels - 1)).astype(np.int32)
  return x


def completion_tiles(patches: np.ndarray, image: np.ndarray, mask: np.ndarray,
                     original: np.ndarray) -> np.ndarray:
  """[N, K + 3, H, W, C] tiles in [0, 1]: the K patches [N, K, p, p, C]
  centred on gray, the completed image, the mask [N, H, W, 1] (as gray
  levels), the original."""
  n, k, p = patches.shape[:3]
  h, w, c = original.shape[1:]
  tiles = np.full((n, k + 3, h, w, c), 0.5, np.float32)
  top, left = (h - p) // 2, (w - p) // 2
  tiles[:, :k, top:top + p, left:left + p] = patches
  tiles[:, k] = image
  tiles[:, k + 1] = np.broadcast_to(mask, (n, h, w, c))
  tiles[:, k + 2] = original
  return tiles


def save_completion_rows(completion: dict, original: np.ndarray, spec: DataSpec,
                         path: str) -> None:
  """A PNG of one row per image: patches | completed image | predicted mask |
  original. `completion`: a `Completer`'s {"patches", "image", "mask", ...}
  of `original` [N, H, W, C] (numpy; process 0 writes)."""
  original = np.asarray(original, np.float32)
  tiles = completion_tiles(np.asarray(completion["patches"]), np.asarray(completion["image"]),
                           np.asarray(completion["mask"]), original)
  n, per_row = tiles.shape[:2]
  images = to_uint8_images(tiles.reshape((n * per_row,) + tiles.shape[2:]), spec)
  grid = image_grid(images, columns=per_row)
  save_png(grid, path, scale=max(1, 256 // grid.shape[1] + 1))
