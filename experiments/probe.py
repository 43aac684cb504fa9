"""Linear probe table: logistic regression on frozen features vs raw pixels.

  python -m experiments.probe --workdirs=workdirs/vae_digits,workdirs/aae_digits

Each workdir is restored from its own config.json and latest checkpoint; its
model must expose `features` (VAE: posterior means; AAE: codes). The data
(train split to fit, eval split to score) is that of the first workdir, and
every workdir must have been trained on the same dataset. Prints the table and
writes it to probe.txt in the first workdir.
"""

import os

from absl import flags

from experiments import common
from gen_jax.errors import UserError

WORKDIRS = flags.DEFINE_list("workdirs", None, "Comma-separated trained workdirs.")
C = flags.DEFINE_float("c", 1.0, "Inverse L2 strength of the logistic regression.")
MAX_EXAMPLES = flags.DEFINE_integer("max_examples", None,
                                    "Use at most this many examples per split.")


def main(argv):
  del argv
  common.start(multihost_ok=False)
  if not WORKDIRS.value:
    raise UserError("--workdirs is required: one or more trained workdirs, "
                    "comma-separated.")
  # pylint: disable=import-outside-toplevel
  import jax
  from gen_jax.eval.probe import format_table, probe_table, source_arrays
  from gen_jax.train import Experiment
  representations, train, test, data_name = {}, None, None, None
  for workdir in WORKDIRS.value:
    config = common.load_config(workdir)
    exp = Experiment(config, workdir, read_only=True)
    if exp.resumed_from is None:
      raise UserError(f"no checkpoint in {workdir}; train it first.")
    if not hasattr(exp.recipe, "features"):
      raise UserError(f"model {config.model.name!r} in {workdir} has no frozen "
                      "features to probe (VAE and AAE do).")
    if train is None:
      data_name = config.data.name
      train = source_arrays(exp.train_source, MAX_EXAMPLES.value)
      test = source_arrays(exp.eval_source, MAX_EXAMPLES.value)
    elif config.data.name != data_name:
      raise UserError(f"{workdir} was trained on {config.data.name!r}, not "
                      f"{data_name!r}; probe workdirs of one dataset at a time.")
    features = jax.jit(exp.recipe.features)
    variables = exp.variables()
    name = (f"{config.model.name} (L={exp.recipe.latent_dim}, step {exp.step}, "
            f"{os.path.basename(os.path.normpath(workdir))})")
    representations[name] = (lambda x, f=features, v=variables: f(v, x))
  table = format_table(probe_table(train, test, representations, C.value))
  header = (f"linear probe on {data_name}: fit on {len(train['x'])} train, "
            f"scored on {len(test['x'])} test examples")
  print(header + "\n" + table)
  with open(os.path.join(WORKDIRS.value[0], "probe.txt"), "w", encoding="utf-8") as f:
    f.write(header + "\n" + table + "\n")


if __name__ == "__main__":
  common.main_with_clear_errors(main)
