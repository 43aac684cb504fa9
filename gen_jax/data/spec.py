"""What a dataset looks like to a model: `DataSpec` and pixel encodings."""

import dataclasses

import numpy as np

from gen_jax.errors import UserError

ENCODINGS = ("binary", "categorical", "float")


@dataclasses.dataclass(frozen=True)
class DataSpec:
  """Static description of one dataset as the models see it.

  Attributes:
    name: dataset name as given in the config.
    event_shape: shape of one example, `(H, W, C)` for images, `(2,)` for points.
    encoding: 'binary' (float32 in {0, 1}), 'categorical' (int32 in
      [0, num_levels)) or 'float' (float32; images in [0, 1]).
    num_levels: 2 for binary, K for categorical, None for float.
    num_classes: number of labels, None when unlabeled.
    is_image: whether examples are images (sample grids, bits/dim).
  """
  name: str
  event_shape: tuple[int, ...]
  encoding: str
  num_levels: int | None
  num_classes: int | None = None
  is_image: bool = True

  @property
  def num_dims(self) -> int:
    return int(np.prod(self.event_shape))


def check_encoding(encoding: str) -> None:
  if encoding not in ENCODINGS:
    raise UserError(f"data.encoding={encoding!r} is not one of {ENCODINGS}; "
                    "set --config.data.encoding to one of them.")


def encode_pixels(pixels: np.ndarray, max_value: int, encoding: str) -> np.ndarray:
  """Maps integer pixels in [0, max_value] to the model-facing encoding.

  binary: 1 where the pixel is above half its range (fixed threshold);
  categorical: the integer levels themselves (num_levels = max_value + 1);
  float: pixels / max_value in [0, 1].
  """
  if encoding == "binary":
    return (pixels > max_value / 2).astype(np.float32)
  if encoding == "categorical":
    return pixels.astype(np.int32)
  if encoding == "float":
    return pixels.astype(np.float32) / np.float32(max_value)
  check_encoding(encoding)
  raise AssertionError("unreachable")


def levels_for(encoding: str, max_value: int) -> int | None:
  return {"binary": 2, "categorical": max_value + 1, "float": None}[encoding]
