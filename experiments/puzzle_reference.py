"""Supervised references for a Puzzle-GAN config: how well its key patches
can be placed and can name the digit when a network is told the answer.

  python -m experiments.puzzle_reference \
      --config=experiments/configs/puzzlegan_mnist.py --steps=1500 --eval_every=100

Trains on the config's train split, keeps the step with the best validation
score (the config's `data.validation_split`, required) and scores the test
split once (`gen_jax/eval/puzzle_reference.py`). Prints one JSON object and
writes it to --output when given.
"""

import json

from absl import flags

from experiments import common
from gen_jax.errors import UserError

STEPS = flags.DEFINE_integer("steps", 1500, "Updates of each reference network.")
EVAL_EVERY = flags.DEFINE_integer("eval_every", 100, "Validation scoring every this many updates.")


def split_arrays(source) -> tuple:
  """(images, labels or None) of a whole split."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  rows = source.get(np.arange(len(source)))
  return rows["x"], rows.get("label")


def main(argv):
  del argv
  common.start(multihost_ok=False)
  config = common.CONFIG.value
  if config is None:
    raise UserError("--config is required: a Puzzle-GAN config, e.g. "
                    "experiments/configs/puzzlegan_mnist.py")
  if config.model.get("name") != "puzzlegan":
    raise UserError(f"--config trains {config.model.get('name')!r}; the references are "
                    "for Puzzle-GAN configs (model.name='puzzlegan').")
  if STEPS.value < 1 or EVAL_EVERY.value < 1:
    raise UserError("--steps and --eval_every must be at least 1.")
  # pylint: disable=import-outside-toplevel
  from gen_jax.data.sources import load_data
  from gen_jax.eval.puzzle_reference import supervised_references
  from gen_jax.models import make_recipe
  data = load_data(config.data)
  if data.validation is None:
    raise UserError("the references are selected on a validation split; set "
                    "--config.data.validation_split (e.g. 'train[3500:]').")
  recipe = make_recipe(config.model, data.spec)
  splits = {"train": split_arrays(data.train), "validation": split_arrays(data.validation),
            "test": split_arrays(data.eval)}
  options = recipe.options      # the config's model options, read and checked
  result = supervised_references(recipe.key_patches, recipe.generator, options.noise_dim,
                                 options.spatial_loss, splits, data.spec.num_classes,
                                 STEPS.value, EVAL_EVERY.value, seed=config.seed)
  text = json.dumps(result, indent=2)
  print(text)
  if common.OUTPUT.value:
    with open(common.OUTPUT.value, "w", encoding="utf-8") as f:
      f.write(text + "\n")


if __name__ == "__main__":
  common.main_with_clear_errors(main)
