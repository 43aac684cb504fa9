"""Evaluates the latest checkpoint of a workdir; writes and prints eval.json.

  python -m experiments.evaluate --config=experiments/configs/quickstart.py \
      --workdir=workdirs/quickstart
"""

import json
import os

from experiments import common
from gen_jax.errors import UserError


def main(argv):
  del argv
  common.start()
  config, workdir = common.require_flags()
  from gen_jax.train import Experiment  # pylint: disable=import-outside-toplevel
  exp = Experiment(config, workdir)
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train first with "
                    "python -m experiments.train using the same --config and --workdir.")
  result = {"step": exp.step, "split": config.data.eval_split,
            "num_parameters": exp.recipe.num_parameters(exp.train_state.params),
            **exp.evaluate()}
  with open(os.path.join(workdir, "eval.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, indent=2)
  print(json.dumps(result, indent=2))


if __name__ == "__main__":
  common.main_with_clear_errors(main)
