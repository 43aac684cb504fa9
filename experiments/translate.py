"""Translates images with a trained translator's workdir (CycleGAN, StarGAN:
the `Translator` protocol); writes one PNG per image.

  python -m experiments.translate --workdir=workdirs/cyclegan_mnist_digits \
      --input=PATH --output=DIR [--direction=ab|ba] [--resize]
  python -m experiments.translate --workdir=workdirs/stargan_mnist_attributes \
      --input=PATH --output=DIR --target=colour=blue,thickness=thick [--resize]

--direction (a translator between two named sources, CycleGAN): ab asks
for domain b (target 1 of its one group, "domain"), ba for domain a.
--target (a translator of one source's attributes, StarGAN): the target
attributes (its `translation_groups`) by name, `name=value` pairs
separated by commas; a value is a class name where the data names them
(colours, thin / thick, black / white) or a class index (0 / 1 for a binary
attribute). Attributes left out keep each eval image's own; PNG inputs,
whose attributes are unknown, need every one.

--input: a PNG file, a folder of PNGs (its *.png files, not recursive), or
`eval`: the source domain's eval split (written as 00000.png, ...). Images
keep their file names. The model translates images of its training size and
channel count; another size or channel count is an error unless --resize,
which converts the channels (RGB <-> gray) and center-crops and resizes
(bilinear). The workdir's config.json and latest checkpoint are used.
"""

import os
from typing import Mapping

from absl import flags

from experiments import common
from gen_jax.errors import UserError

INPUT = flags.DEFINE_string("input", None, "A PNG file, a folder of PNGs, or 'eval'.")
OUTPUT = common.OUTPUT   # --output: the folder for the translated PNGs
DIRECTION = flags.DEFINE_enum("direction", "ab", ["ab", "ba"],
                              "ab: domain a -> b (G); ba: b -> a (F).")
TARGET = flags.DEFINE_string("target", None, "StarGAN: target attributes, "
                             "e.g. colour=blue,thickness=thick.")
RESIZE = flags.DEFINE_bool("resize", False, "Resize and convert inputs of another "
                           "size or channel count instead of refusing them.")
CHUNK = 64
MODES = {"1": 1, "L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "P": 3}


def png_paths(path: str) -> list[str]:
  """The PNG itself, or a folder's *.png files sorted by name."""
  if os.path.isdir(path):
    found = sorted(os.path.join(path, f) for f in os.listdir(path)
                   if f.lower().endswith(".png"))
    if not found:
      raise UserError(f"--input={path} is a folder without .png files.")
    return found
  if not os.path.isfile(path):
    raise UserError(f"--input={path} does not exist; give a PNG file, a folder "
                    "of PNGs, or 'eval'.")
  return [path]


def center_crop(pil, width: int, height: int):
  """The largest centred crop of `pil` with the aspect ratio width:height."""
  w, h = pil.size
  scale = min(w / width, h / height)
  cw, ch = round(width * scale), round(height * scale)
  left, top = (w - cw) // 2, (h - ch) // 2
  return pil.crop((left, top, left + cw, top + ch))


def read_png(path: str, shape, resize: bool):
  """[H, W, C] float32 in [0, 1] for a model of event `shape` (H, W, C)."""
  from PIL import Image, UnidentifiedImageError  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel
  height, width, channels = shape
  try:
    pil = Image.open(path)
    pil.load()
  except (OSError, UnidentifiedImageError) as e:
    raise UserError(f"could not read {path} as an image ({e}).") from e
  have = MODES.get(pil.mode)
  if have is None:
    raise UserError(f"{path} has PNG mode {pil.mode!r}; save it as 8-bit gray or RGB.")
  if (pil.height, pil.width, have) != (height, width, channels):
    if not resize:
      raise UserError(
          f"{path} is {pil.width}x{pil.height} with {have} channel(s); the model "
          f"translates {width}x{height} images with {channels} channel(s). Pass "
          "--resize to convert and resize it, or give images of that size.")
    pil = center_crop(pil.convert("L" if channels == 1 else "RGB"), width, height)
    pil = pil.resize((width, height), Image.BILINEAR)
  elif pil.mode in ("1", "P"):
    pil = pil.convert("L" if channels == 1 else "RGB")
  pixels = np.asarray(pil, np.float32) / 255.0
  return pixels.reshape(height, width, channels)


def encode(images, spec):
  """[N, H, W, C] in [0, 1] -> the model's encoding (binary: > 1/2)."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  if spec.encoding == "binary":
    return (images > 0.5).astype(np.float32)
  return images


def load_rows(exp, source: str | None, input_flag: str, resize: bool):
  """(rows {"x": [N, H, W, C] in the data encoding, and for the eval split its
  side features}, output file names); `source` None: the one source."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  spec = exp.spec if source is None else exp.spec[source]
  if input_flag == "eval":
    split = exp.eval_source if source is None else exp.eval_source[source]
    rows = split.get(np.arange(len(split)))
    rows["x"] = np.asarray(rows["x"], np.float32)
    return rows, [f"{i:05d}.png" for i in range(len(rows["x"]))]
  paths = png_paths(input_flag)
  images = np.stack([read_png(p, spec.event_shape, resize) for p in paths])
  return {"x": encode(images, spec)}, [os.path.basename(p) for p in paths]


def load_inputs(exp, source: str, input_flag: str, resize: bool):
  """(images [N, H, W, C] in the data encoding, output file names)."""
  rows, names = load_rows(exp, source, input_flag, resize)
  return rows["x"], names


DOMAINS = ("a", "b")   # a two-domain translator's sources: target 0 and 1


def restore(workdir: str):
  """The trained `Experiment` of a translator's workdir (its latest
  checkpoint)."""
  config = common.load_config(workdir)
  # pylint: disable=import-outside-toplevel
  from gen_jax.models.base import Translator, require
  from gen_jax.train import Experiment
  exp = Experiment(config, workdir, read_only=True)
  require(exp.recipe, Translator, "experiments.translate")
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train first with python -m "
                    "experiments.train.")
  return exp


def translate(workdir: str, input_flag: str, output: str, direction: str | None = None,
              resize: bool = False, target: str | None = None) -> list[str]:
  """Translates the inputs, writes PNGs under `output`; returns their paths."""
  return translate_with(restore(workdir), input_flag, output, direction, resize, target)


def attribute_targets(recipe, spec, text: str | None, rows: dict):
  """[N, G] class indices of the recipe's `translation_groups` for --target:
  the named attributes set, the others each eval row's own (PNG inputs must
  name every attribute)."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  from gen_jax.nn.translation import parse_target  # pylint: disable=import-outside-toplevel
  names = [name for name, _ in recipe.translation_groups]
  if not text:
    raise UserError(f"a stargan workdir translates to target attributes: give "
                    f"--target=name=value,... with names from: {', '.join(names)}.")
  given = parse_target(recipe.translation_groups, spec, text)
  missing = [n for n in names if n not in given and n not in rows]
  if missing:
    raise UserError(f"--target={text!r} leaves out {', '.join(missing)}, which PNG "
                    "inputs do not carry; give every attribute.")
  n = len(rows["x"])
  return np.stack([np.full(n, given[a], np.int32) if a in given
                   else np.asarray(rows[a], np.int32) for a in names], axis=-1)


def between_domains(exp) -> bool:
  """Whether the workdir translates between two named sources (by
  --direction), else one source's attributes (by --target)."""
  return isinstance(exp.spec, Mapping)


def translate_with(exp, input_flag: str, output: str, direction: str | None = None,
                   resize: bool = False, target: str | None = None) -> list[str]:
  """`translate` with a restored `Experiment`; `direction` (two-domain
  translators only) None: "ab"."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  from gen_jax.eval.translation import translate_in_chunks  # pylint: disable=import-outside-toplevel
  from gen_jax.pictures import save_png, to_uint8_images  # pylint: disable=import-outside-toplevel
  if between_domains(exp):
    if target:
      raise UserError("--target is for stargan workdirs; a cyclegan workdir "
                      "translates by --direction=ab|ba.")
    source, goal = direction or "ab"
    images, names = load_inputs(exp, source, input_flag, resize)
    targets = np.full((len(images), 1), DOMAINS.index(goal), np.int32)
    spec = exp.spec[goal]
  else:
    if direction is not None:
      raise UserError("--direction is for cyclegan workdirs; a stargan workdir "
                      "translates to --target=name=value,...")
    rows, names = load_rows(exp, None, input_flag, resize)
    images, spec = rows["x"], exp.spec
    targets = attribute_targets(exp.recipe, spec, target, rows)
  out = translate_in_chunks(exp.recipe, exp.variables(), images, targets, chunk=CHUNK)
  pixels = to_uint8_images(out, spec)
  os.makedirs(output, exist_ok=True)
  paths = [os.path.join(output, n) for n in names]
  for image, path in zip(pixels, paths):
    save_png(image, path)
  return paths


def main(argv):
  del argv
  common.start(multihost_ok=False)
  workdir = common.WORKDIR.value
  if not workdir or not INPUT.value or not OUTPUT.value:
    raise UserError("--workdir (a trained cyclegan or stargan workdir), --input (a "
                    "PNG, a folder of PNGs or 'eval') and --output (a folder) are "
                    "required.")
  direction = DIRECTION.value if flags.FLAGS["direction"].present else None
  paths = translate(workdir, INPUT.value, OUTPUT.value, direction, RESIZE.value,
                    TARGET.value)
  what = f"--target={TARGET.value}" if TARGET.value else direction or "ab"
  print(f"wrote {len(paths)} {what} translation(s) to {OUTPUT.value}")


if __name__ == "__main__":
  common.main_with_clear_errors(main)
