"""Writes a PNG grid of samples from the latest checkpoint of a workdir.

  python -m experiments.sample --config=experiments/configs/quickstart.py \
      --workdir=workdirs/quickstart [--output=grid.png]
"""

from absl import flags

from experiments import common
from gen_jax.errors import UserError

OUTPUT = flags.DEFINE_string("output", None, "PNG path (default: "
                             "<workdir>/samples/sample_step_<N>.png).")


def main(argv):
  del argv
  common.start()
  config, workdir = common.require_flags()
  import os  # pylint: disable=import-outside-toplevel
  from gen_jax.train import Experiment  # pylint: disable=import-outside-toplevel
  exp = Experiment(config, workdir)
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train first with "
                    "python -m experiments.train using the same --config and --workdir.")
  path = OUTPUT.value or os.path.join(workdir, "samples", f"sample_step_{exp.step}.png")
  print(exp.write_samples(path))


if __name__ == "__main__":
  common.main_with_clear_errors(main)
