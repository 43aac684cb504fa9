"""Shared launcher plumbing: config flags, multi-host start-up, clear errors."""

import os
import sys

from absl import flags
from ml_collections import config_flags

from gen_jax.errors import UserError

CONFIG = config_flags.DEFINE_config_file(
    "config", None, "Path to an experiment config file (experiments/configs/*.py).",
    lock_config=True)
WORKDIR = flags.DEFINE_string("workdir", None, "Directory for checkpoints, "
                              "metrics and samples; reused to resume.")
MULTIHOST = flags.DEFINE_bool(
    "multihost", os.environ.get("GEN_JAX_MULTIHOST", "") not in ("", "0"),
    "Call jax.distributed.initialize() first (or set GEN_JAX_MULTIHOST=1).")


def start() -> None:
  """Quiet library logs; multi-host initialization when asked (before any JAX call)."""
  from absl import logging  # pylint: disable=import-outside-toplevel
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  if MULTIHOST.value:
    import jax  # pylint: disable=import-outside-toplevel
    jax.distributed.initialize()


def require_flags() -> tuple:
  if CONFIG.value is None:
    raise UserError("--config is required, e.g. "
                    "--config=experiments/configs/quickstart.py")
  if not WORKDIR.value:
    raise UserError("--workdir is required: the directory for checkpoints, "
                    "metrics and samples (an existing one resumes).")
  return CONFIG.value, WORKDIR.value


def run_clearly(fn, argv) -> None:
  """Runs fn(argv); a UserError ends the program with its message only."""
  try:
    fn(argv)
  except UserError as e:
    print(f"error: {e}", file=sys.stderr)
    sys.exit(2)
