"""The user's captioned images: a folder of images and a `captions.jsonl`.

  --config.data.name=caption_folder --config.data.data_dir=FOLDER
  [--config.data.image_size=64]

`FOLDER/captions.jsonl` holds one JSON object per line,
{"image": "<file under FOLDER>", "caption": "<sentence>"}; an image may have
several lines (several captions). Images are read with PIL as RGB,
centre-cropped to a square and resized to `image_size` (default 64).
The vocabulary is every word of the captions (lower-case, commas kept),
sorted; captions are padded to the longest one. Splits: `train` and `test`
(a fixed seeded 10% of the images, at least one), and `all`.
"""

import json
import os

import numpy as np

from gen_jax.data import captions as cap
from gen_jax.data.arrays import resize_image
from gen_jax.data.spec import DataSpec, Feature, encode_pixels, levels_for
from gen_jax.errors import UserError

CAPTIONS_FILE = "captions.jsonl"
TEST_FRACTION = 0.1
SPLIT_SEED = 0


def read_captions(folder: str) -> dict[str, list[str]]:
  """{image file: [captions]} in file order, with clear errors."""
  path = os.path.join(folder, CAPTIONS_FILE)
  if not os.path.isfile(path):
    raise UserError(f"caption folder {folder!r} has no {CAPTIONS_FILE}; write one JSON "
                    'object per line, {"image": "a.png", "caption": "a red bird"}.')
  out: dict[str, list[str]] = {}
  with open(path, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
      if not line.strip():
        continue
      try:
        row = json.loads(line)
        image, text = row["image"], row["caption"]
      except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise UserError(f"{path}, line {number}: expected "
                        '{"image": FILE, "caption": TEXT}; got ' f"{line.strip()[:80]!r}.") from e
      if not cap.words_of(text):
        raise UserError(f"{path}, line {number}: the caption of {image!r} has no words.")
      out.setdefault(str(image), []).append(str(text))
  if not out:
    raise UserError(f"{path} lists no images.")
  return out


def read_image(folder: str, name: str, size: int) -> np.ndarray:
  """[size, size, 3] uint8, centre-cropped and resized."""
  from PIL import Image  # pylint: disable=import-outside-toplevel
  path = os.path.join(folder, name)
  try:
    with Image.open(path) as im:
      pixels = np.asarray(im.convert("RGB"))
  except (OSError, ValueError) as e:
    raise UserError(f"{CAPTIONS_FILE} names {name!r}, which cannot be read as an image "
                    f"in {folder!r} ({type(e).__name__}).") from e
  return resize_image(pixels, size)


def caption_folder_splits(folder: str | None, encoding: str,
                          size: int | None) -> tuple[DataSpec, dict]:
  """(spec, {"train", "test", "all": arrays}) of a caption folder."""
  if not folder:
    raise UserError("dataset 'caption_folder' reads the folder given by "
                    "--config.data.data_dir=FOLDER (images and captions.jsonl).")
  if not os.path.isdir(folder):
    raise UserError(f"--config.data.data_dir={folder!r} is not a folder.")
  if encoding == "categorical":
    raise UserError("dataset 'caption_folder' is RGB; set --config.data.encoding=float.")
  size = size or 64
  table = read_captions(folder)
  names = list(table)
  texts = [t for ts in table.values() for t in ts]
  vocabulary = tuple(sorted({w for t in texts for w in cap.words_of(t)}))
  length = max(len(cap.words_of(t)) for t in texts)
  per_image = max(len(ts) for ts in table.values())
  ids = np.zeros((len(names), per_image, length), np.int32)
  for i, name in enumerate(names):
    for j, text in enumerate(table[name]):
      ids[i, j] = cap.tokenize(text, vocabulary, length)
  pixels = np.stack([read_image(folder, n, size) for n in names])
  arrays = {"x": encode_pixels(pixels, 255, encoding), "captions": ids}
  order = np.random.default_rng(SPLIT_SEED).permutation(len(names))
  num_test = max(1, int(round(TEST_FRACTION * len(names)))) if len(names) > 1 else 0
  test, train = order[:num_test], order[num_test:]
  splits = {"train": {k: v[train] for k, v in arrays.items()},
            "test": {k: v[test] for k, v in arrays.items()}, "all": arrays}
  if not num_test:
    splits["test"] = arrays
  spec = DataSpec(name="caption_folder", event_shape=(size, size, 3), encoding=encoding,
                  num_levels=levels_for(encoding, 255), max_value=255,
                  features=(Feature("captions", (per_image, length), "int32",
                                    len(vocabulary) + 1, vocabulary),))
  return spec, splits
