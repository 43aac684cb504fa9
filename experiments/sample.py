"""Writes a PNG grid of samples from the latest checkpoint of a workdir.

  python -m experiments.sample --workdir=workdirs/quickstart [--output=grid.png]

The config is the workdir's own (config.json). Nothing in the workdir is
changed; the grid is added as `<workdir>/samples/sample_step_<N>[_seed<S>]
[_labels_...|_caption_...].png` (or written to --output).

Conditional models draw what they are asked for: `--labels=3,3,7` (one
sample per label), or `--inputs=eval` (the side information of the first
`sample.num` examples of the eval split, e.g. their labels); text-to-image
models draw sentences, `--caption="a thin green two"` (8 samples each; the
flag repeats), and name any word outside their vocabulary. A Puzzle-GAN
completes the user's own picture from its key patches:
`--patches_from=IMAGE.png` (also writes `<output>_rows.png`).

Without `--seed` the grid is drawn with the key the trainer used at that
step, so it reproduces `<workdir>/samples/step_<N>.png` byte for byte;
`--seed=S` draws new samples from PRNGKey(S).
"""

from absl import flags

from experiments import common
from gen_jax.errors import UserError
from gen_jax.train import samples as samples_lib

OUTPUT = common.OUTPUT   # --output: the PNG path
CAPTION_SAMPLES = 8
LABELS = flags.DEFINE_list("labels", None, "Class labels to sample, one sample "
                           "each (conditional models), e.g. --labels=3,3,7.")
SEED = flags.DEFINE_integer(
    "seed", None, "Draw fresh samples from PRNGKey(seed). Without it, the key "
    "the trainer used for this step's grid: the PNG equals samples/step_<N>.png "
    "byte for byte (same sample.num, no --labels / --inputs).")
CAPTION = flags.DEFINE_multi_string(
    "caption", None, "A sentence to draw (text-to-image models), "
    f"{CAPTION_SAMPLES} samples each; repeat the flag for several rows, e.g. "
    '--caption="a thin green two".')
INPUTS = flags.DEFINE_enum("inputs", None, ["eval"], "Take the sampler's inputs "
                           "from the first sample.num examples of the eval split.")
PATCHES_FROM = flags.DEFINE_string(
    "patches_from", None, "Complete an image from the key patches of this "
    "picture (models that sample from images, e.g. puzzlegan; a PNG/JPEG of the "
    "model's size); also writes <output>_rows.png: patches | generated | mask | original.")


def parse_labels(values, recipe) -> dict:
  """--labels values -> {"label": int32 [N]}, checked against the model."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  if "label" not in recipe.sample_inputs:
    raise UserError(f"model {recipe.config.get('name')!r} does not sample from "
                    "labels; --labels needs a class-conditional model (e.g. "
                    "gated_pixelcnn with --config.model.conditional=True).")
  try:
    labels = np.asarray([int(v) for v in values], np.int32)
  except ValueError as e:
    raise UserError(f"--labels={','.join(values)} must be integers.") from e
  spec = recipe.spec if not isinstance(recipe.spec, dict) else None
  classes = spec.num_classes if spec is not None else None
  if classes is not None and (labels.min() < 0 or labels.max() >= classes):
    raise UserError(f"--labels must lie in [0, {classes}); got {','.join(values)}.")
  return {"label": labels}


def patches_inputs(path: str, recipe) -> dict:
  """--patches_from=IMAGE -> {"x": [1, H, W, C]} in the model's encoding."""
  # pylint: disable=import-outside-toplevel
  from gen_jax.models.base import Completer
  from gen_jax.pictures import read_picture
  if "x" not in recipe.sample_inputs or not isinstance(recipe, Completer):
    raise UserError(f"model {recipe.config.get('name')!r} does not complete images "
                    "from patches; --patches_from needs model 'puzzlegan'.")
  return {"x": read_picture(path, recipe.spec)}


def write_completion_rows(recipe, variables, rng, x, path: str) -> None:
  """The rows picture of a `Completer`'s completions of images x [N, H, W, C]:
  patches | completed image | predicted mask | original."""
  # pylint: disable=import-outside-toplevel
  from gen_jax.eval.puzzle_metrics import complete_in_chunks
  from gen_jax.pictures import save_completion_rows
  save_completion_rows(complete_in_chunks(recipe, variables, x, rng), x, recipe.spec, path)


def parse_captions(sentences, recipe, per_caption: int = CAPTION_SAMPLES) -> dict:
  """--caption sentences -> {"caption": int32 [N * per_caption, L]} word ids
  in the model's vocabulary (unknown words: a UserError naming them)."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  from gen_jax.data.captions import tokenize  # pylint: disable=import-outside-toplevel
  spec = recipe.spec if not isinstance(recipe.spec, dict) else None
  feature = spec.feature("captions") if spec is not None else None
  if feature is None or not feature.vocabulary:
    raise UserError(f"model {recipe.config.get('name')!r} does not draw from "
                    "sentences; --caption needs a text-to-image model "
                    "(model.name=text2image).")
  ids = np.stack([tokenize(s, feature.vocabulary, feature.shape[-1]) for s in sentences])
  return {"caption": np.repeat(ids, per_caption, 0)}


def output_name(step: int, seed: int | None, labels, captions, patches) -> str:
  """sample_step_<N>[_seed<S>][_labels_3-3-7 | _caption_a-thin-green-two |
  _patches_<file>].png: two different draws never share a file name."""
  import os  # pylint: disable=import-outside-toplevel
  import re  # pylint: disable=import-outside-toplevel
  parts = [f"sample_step_{step}"]
  if seed is not None:
    parts.append(f"seed{seed}")
  if labels:
    parts.append("labels_" + "-".join(labels))
  elif captions:
    parts.append("caption_" + "_".join(re.sub(r"[^a-z0-9]+", "-", c.lower()).strip("-")
                                      for c in captions)[:80])
  elif patches:
    parts.append("patches_" + os.path.splitext(os.path.basename(patches))[0])
  return "_".join(parts) + ".png"


def main(argv):
  del argv
  common.start()
  workdir = common.require_workdir()
  import os  # pylint: disable=import-outside-toplevel
  exp = common.trained_experiment(common.optional_config(), workdir)
  config = exp.config
  inputs = None
  if LABELS.value:
    inputs = parse_labels(LABELS.value, exp.recipe)
  elif CAPTION.value:
    inputs = parse_captions(CAPTION.value, exp.recipe)
  elif PATCHES_FROM.value:
    inputs = patches_inputs(PATCHES_FROM.value, exp.recipe)
  elif INPUTS.value == "eval":
    inputs = samples_lib.inputs_from_eval(exp, config.sample.num)
    if inputs is None:
      raise UserError(f"model {config.model.name!r} reads no side information "
                      "when sampling; drop --inputs.")
  path = OUTPUT.value or os.path.join(workdir, "samples", output_name(
      exp.step, SEED.value, LABELS.value, CAPTION.value, PATCHES_FROM.value))
  print(samples_lib.write_samples(exp, path, inputs=inputs, seed=SEED.value))
  if PATCHES_FROM.value:
    import jax  # pylint: disable=import-outside-toplevel
    rows = os.path.splitext(path)[0] + "_rows.png"
    write_completion_rows(exp.recipe, exp.variables(), jax.random.PRNGKey(SEED.value or 0),
                          inputs["x"], rows)
    print(rows)


if __name__ == "__main__":
  common.main_with_clear_errors(main, uses=("config", "workdir", "output", "multihost"))
