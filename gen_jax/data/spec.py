"""What a dataset looks like to a model: `DataSpec` and pixel encodings."""

import dataclasses

import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError

ENCODINGS = ("binary", "categorical", "float")


@dataclasses.dataclass(frozen=True)
class Feature:
  """One piece of side information that travels in the batch beside `x`.

  Attributes:
    name: its key in the batch ("label", "attributes", "caption", ...).
    shape: shape of one example's value (() for a class index).
    dtype: numpy dtype name ("int32", "float32").
    num_classes: values are class indices in [0, num_classes) (per entry
      for vectors); None for real values.
    vocabulary: for word ids (captions), the words of ids 1..V (0 pads);
      None otherwise.
    class_names: for class indices, the names of classes 0..K-1 (attribute
      values a user may ask for by name, e.g. colours); None otherwise.
  """
  name: str
  shape: tuple[int, ...] = ()
  dtype: str = "int32"
  num_classes: int | None = None
  vocabulary: tuple[str, ...] | None = None
  class_names: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True)
class DataSpec:
  """Static description of one dataset as the models see it.

  Attributes:
    name: dataset name as given in the config (for messages only: models and
      metrics read the attributes below, never the name).
    event_shape: shape of one example, `(H, W, C)` for images, `(2,)` for points.
    encoding: 'binary' (float32 in {0, 1}), 'categorical' (int32 in
      [0, num_levels)) or 'float' (float32; images in [0, 1]).
    num_levels: 2 for binary, K for categorical, None for float.
    num_classes: number of labels, None when unlabeled (the "label" feature).
    is_image: whether examples are images (sample grids, bits/dim).
    max_value: the raw pixels' largest integer value before encoding (16 for
      the 8x8 digits, 255 for 8-bit images, 1 for binarized MNIST); None for
      data that was never discrete.
    features: side information in the batch besides "x"; a "label" feature
      is added from `num_classes` when not given.
    label_factors: a label that is several class indices read as one number
      (stacked digits: (10, 10, 10), channel 0 most significant); None otherwise.
    mode_centres: for a known mixture of isotropic Gaussians, its centres
      (tuple of points) and `mode_std`; None otherwise.
  """
  name: str
  event_shape: tuple[int, ...]
  encoding: str
  num_levels: int | None
  num_classes: int | None = None
  is_image: bool = True
  max_value: int | None = None
  features: tuple[Feature, ...] = ()
  label_factors: tuple[int, ...] | None = None
  mode_centres: tuple[tuple[float, ...], ...] | None = None
  mode_std: float | None = None

  def __post_init__(self):
    names = [f.name for f in self.features]
    if self.num_classes and "label" not in names:
      label = Feature("label", (), "int32", self.num_classes)
      object.__setattr__(self, "features", (label,) + tuple(self.features))

  @property
  def num_dims(self) -> int:
    return int(np.prod(self.event_shape))

  def feature(self, name: str) -> Feature | None:
    """The side feature called `name`, or None when the data lacks it."""
    return next((f for f in self.features if f.name == name), None)

  def to_model(self, x):
    """The data encoding -> the networks' space, float32: images in [0, 1]
    (float or binary) to [-1, 1]; other data (2-D points) as they are."""
    x = jnp.asarray(x, jnp.float32)
    return x * 2.0 - 1.0 if self.is_image else x

  def from_model(self, y):
    """The networks' space -> the data encoding: images from [-1, 1] to
    [0, 1], clipped (binary: thresholded at 1/2); other data as they are."""
    if not self.is_image:
      return y
    y = (y + 1.0) / 2.0
    if self.encoding == "binary":
      return (y > 0.5).astype(jnp.float32)
    return jnp.clip(y, 0.0, 1.0)


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
