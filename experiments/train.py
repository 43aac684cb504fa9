"""Trains one experiment config; resumes when the workdir holds a checkpoint.

  python -m experiments.train --config=experiments/configs/quickstart.py \
      --workdir=workdirs/quickstart [--config.train.num_steps=N ...]
"""

import json

from experiments import common


def main(argv):
  del argv
  common.start()
  config, workdir = common.require_flags()
  from gen_jax.train import train  # pylint: disable=import-outside-toplevel
  final = train(config, workdir)
  print(json.dumps({"workdir": workdir, **final}, indent=2))


if __name__ == "__main__":
  common.main_with_clear_errors(main)
