"""Evaluates a checkpoint of a workdir; writes and prints eval.json.

  python -m experiments.evaluate --workdir=workdirs/quickstart \
      [--checkpoint=best] [--split=validation] [--config=C --config.evals...]

The config is the workdir's own (config.json); a --config may change what is
measured and how much (`evals`, `eval.num_examples`, ...), nothing else.

`--checkpoint=best` evaluates the validation-selected checkpoint (configs with
`data.validation_split`), `latest` (the default) the newest one. Figures
carry `<metric>_stderr` and `num_examples`. The evaluators are the config's
`evals` (`--config.evals=` for none).

  python -m experiments.evaluate --config=experiments/configs/dcgan_mnist.py --prepare

trains (or finds cached) the metric classifiers of the config's evaluators
ahead of a run, so its first evaluation does not; no workdir is needed.
"""

import json
import os

from experiments import common
from absl import flags

from gen_jax.errors import UserError
from gen_jax.models.base import num_parameters
from gen_jax.train.evaluation import evaluate
from gen_jax.multihost import is_writer

CHECKPOINT = flags.DEFINE_enum("checkpoint", "latest", ["latest", "best"],
                               "Which checkpoint to evaluate.")
PREPARE = flags.DEFINE_bool("prepare", False, "Only train (or load from the cache) "
                            "the metric classifiers of the config's evaluators.")
SPLIT = flags.DEFINE_enum("split", "eval", ["eval", "validation"],
                          "eval: data.eval_split (the reported one); validation: "
                          "data.validation_split.")


def prepare(config) -> None:
  """Trains what each configured evaluator needs (cached for later runs)."""
  # pylint: disable=import-outside-toplevel
  from gen_jax import data as data_lib
  from gen_jax.eval import make_evaluators
  from gen_jax.models import make_recipe
  data = data_lib.load_data(config.data)
  recipe = make_recipe(config.model, data.spec)
  evaluators = make_evaluators(config.evals, data.spec)
  first_split = data.validation if data.validation is not None else data.eval
  for name, evaluator in evaluators.items():
    print(f"preparing evaluator {name}", flush=True)
    evaluator.prepare(recipe, data.train, first_split)
  print(f"ready: {', '.join(evaluators) or 'no evaluators configured'}")


def main(argv):
  del argv
  common.start()
  if PREPARE.value:
    prepare(common.require_config())
    return
  workdir = common.require_workdir()
  exp = common.trained_experiment(common.optional_config(), workdir)
  if CHECKPOINT.value == "best" and not exp.restore_best():
    raise UserError(f"no validation-selected checkpoint in {workdir}: train with "
                    "--config.data.validation_split set, or use --checkpoint=latest.")
  config = exp.config
  split = config.data.eval_split if SPLIT.value == "eval" else config.data.validation_split
  result = {"step": exp.step, "split": split, "checkpoint": CHECKPOINT.value,
            "num_parameters": num_parameters(exp.recipe, exp.train_state.params),
            **evaluate(exp, split=SPLIT.value)}
  if is_writer():   # every process evaluated; one writes
    with open(os.path.join(workdir, "eval.json"), "w", encoding="utf-8") as f:
      json.dump(result, f, indent=2)
  print(json.dumps(result, indent=2))


if __name__ == "__main__":
  common.main_with_clear_errors(main, uses=("config", "workdir", "multihost"))
