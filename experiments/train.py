"""Trains one experiment config; resumes when the workdir holds a checkpoint.

  python -m experiments.train --config=experiments/configs/quickstart.py \
      --workdir=workdirs/quickstart [--config.train.num_steps=N ...]

Resuming refuses a config that differs from the workdir's config.json
(except the step counts and evaluation sizes) unless --allow_config_change,
and an unreadable latest checkpoint unless --restore_earlier.
"""

import json

from experiments import common


def main(argv):
  del argv
  common.start()
  config, workdir = common.require_flags()
  from gen_jax.train import train  # pylint: disable=import-outside-toplevel
  final = train(config, workdir,
                allow_config_change=common.ALLOW_CONFIG_CHANGE.value,
                restore_earlier=common.RESTORE_EARLIER.value)
  print(json.dumps({"workdir": workdir, **final}, indent=2))


if __name__ == "__main__":
  common.main_with_clear_errors(main, uses=("config", "workdir", "allow_config_change",
                                            "restore_earlier", "multihost"))
