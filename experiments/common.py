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
OUTPUT = flags.DEFINE_string(
    "output", None, "Where a launcher writes: experiments.sample a PNG path "
    "(default <workdir>/samples/sample_step_<N>.png), experiments.translate a "
    "folder. Defined once here so the launchers can share one process.")
OUTLIERS = flags.DEFINE_list(
    "outliers", None, "experiments.classify / anomaly: outlier sets (default: every "
    "one that fits the data): letters, noise, constant, inverted, mnist, digits.")
NUM_EXAMPLES = flags.DEFINE_integer(
    "num_examples", None, "experiments.classify / anomaly: use at most this many "
    "examples per split and outlier set (anomaly: also held-out images for the "
    "entropy estimate).")
ALLOW_CONFIG_CHANGE = flags.DEFINE_bool(
    "allow_config_change", False, "Resume a workdir with a config that differs "
    "from its config.json (the old one is kept as config.<step>.json).")
RESTORE_EARLIER = flags.DEFINE_bool(
    "restore_earlier", False, "If the latest checkpoint cannot be read, move it "
    "to <workdir>/unreadable_checkpoints and resume from the newest step that reads.")
MULTIHOST = flags.DEFINE_bool(
    "multihost", os.environ.get("GEN_JAX_MULTIHOST", "") not in ("", "0"),
    "Call jax.distributed.initialize() first (or set GEN_JAX_MULTIHOST=1). "
    "Where no cluster (TPU VM, Slurm, Open MPI, Kubernetes) tells JAX the "
    "processes, set JAX_COORDINATOR_ADDRESS=host:port, JAX_NUM_PROCESSES and "
    "JAX_PROCESS_ID on each process.")

DETERMINISTIC_OPS = "--xla_gpu_deterministic_ops=true"
EMPTY_EVALS = "--config.evals={}"


def start(multihost_ok: bool = True) -> None:
  """Quiet library logs; XLA's deterministic GPU ops unless
  `--config.nondeterministic_ops`; multi-host initialization when asked.
  All before JAX starts a backend (which reads XLA_FLAGS once). The analysis
  tools (`multihost_ok=False`) write their files from one process and
  refuse --multihost."""
  if MULTIHOST.value and not multihost_ok:
    raise UserError(f"{os.path.basename(sys.argv[0])} runs on one host (it reads a "
                    "trained workdir and writes its tables there); drop --multihost.")
  from absl import logging  # pylint: disable=import-outside-toplevel
  if not flags.FLAGS["verbosity"].present:
    logging.set_verbosity(logging.WARNING)
  if not _nondeterministic_ops_asked():
    os.environ["XLA_FLAGS"] = with_deterministic_ops(os.environ.get("XLA_FLAGS", ""))
  if MULTIHOST.value:
    import jax  # pylint: disable=import-outside-toplevel
    jax.distributed.initialize(**distributed_args(os.environ))


def with_deterministic_ops(xla_flags: str) -> str:
  """XLA_FLAGS plus XLA's deterministic-ops flag (GPU only; CPU and TPU
  ignore it), unless the flags already set it either way."""
  if "--xla_gpu_deterministic_ops" in xla_flags:
    return xla_flags
  return f"{xla_flags} {DETERMINISTIC_OPS}".strip()


def _nondeterministic_ops_asked() -> bool:
  """--config.nondeterministic_ops; False without a readable config
  (`require_flags` then says what is wrong with it)."""
  try:
    config = CONFIG.value
    return bool(config is not None and config.get("nondeterministic_ops", False))
  except (OSError, ImportError, SyntaxError, AttributeError):
    return False


def distributed_args(environ) -> dict:
  """`jax.distributed.initialize` arguments from JAX_NUM_PROCESSES and
  JAX_PROCESS_ID where set (JAX reads JAX_COORDINATOR_ADDRESS itself);
  unset ones are left to JAX's cluster detection."""
  args = {}
  for arg, name in (("num_processes", "JAX_NUM_PROCESSES"), ("process_id", "JAX_PROCESS_ID")):
    value = environ.get(name, "")
    if value:
      if not value.isdigit():
        raise UserError(f"{name}={value!r} must be a non-negative integer.")
      args[arg] = int(value)
  return args


def require_flags() -> tuple:
  """(config, workdir) from --config and --workdir, both required."""
  config = require_config()
  if not WORKDIR.value:
    raise UserError("--workdir is required: the directory for checkpoints, "
                    "metrics and samples (an existing one resumes).")
  return config, WORKDIR.value


def require_config():
  """The config of --config (required), loaded or one clear message."""
  try:
    config = CONFIG.value
    if config is not None:
      config.get("seed")  # touches the lazily loaded config file
  except (OSError, ImportError, SyntaxError, AttributeError) as e:
    first = str(e).strip().splitlines()
    raise UserError(f"could not load the config file given by --config "
                    f"({' '.join(l.strip() for l in first[:4])}). Pass a path "
                    "like experiments/configs/quickstart.py.") from e
  if config is None:
    raise UserError("--config is required, e.g. "
                    "--config=experiments/configs/quickstart.py")
  return config


def trained_experiment(config, workdir: str):
  """The `Experiment` of a trained workdir: it must exist (it is never
  created here) and hold a checkpoint."""
  from gen_jax.train import Experiment  # pylint: disable=import-outside-toplevel
  from gen_jax.train import workdir as workdir_lib  # pylint: disable=import-outside-toplevel
  workdir_lib.require_existing(workdir)
  exp = Experiment(config, workdir, allow_config_change=ALLOW_CONFIG_CHANGE.value,
                   restore_earlier=RESTORE_EARLIER.value)
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train first with "
                    "python -m experiments.train using the same --config and --workdir.")
  return exp


def load_config(workdir: str):
  """The config a workdir was trained with (its config.json), keys added to
  `base_config` since then at their defaults."""
  import json  # pylint: disable=import-outside-toplevel
  from gen_jax.train import config as config_lib  # pylint: disable=import-outside-toplevel
  path = os.path.join(workdir, "config.json")
  if not os.path.exists(path):
    raise UserError(f"{path} not found: train first with python -m experiments.train "
                    f"--config=... --workdir={workdir}.")
  with open(path, encoding="utf-8") as f:
    return config_lib.saved_with_defaults(json.load(f))


def parse_flags(argv):
  """absl flag parsing that ends a bad flag or override in one clear message.
  `--config.evals=` (nothing) runs no evaluator."""
  argv = [EMPTY_EVALS if a == "--config.evals=" else a for a in argv]
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    _fail(f"{e}. Pass --helpfull to list the flags.")
  except (AttributeError, KeyError, TypeError, ValueError) as e:
    overrides = [a for a in argv[1:] if a.startswith("--config.")]
    _fail(f"could not apply the config overrides {overrides} ({type(e).__name__}: "
          f"{e}). An override must name a key that exists in the config file "
          "(see its get_config) and give a value of the same type.")
  return None


def _fail(message: str) -> None:
  """Prints the one message and exits 2. Background threads that die while
  the interpreter shuts down (tensorstore's callbacks into orbax's closed
  asyncio loop after a failed restore) print their tracebacks from C, past
  every Python hook, so stderr is closed to them once the message is out."""
  print(f"error: {message}", file=sys.stderr, flush=True)
  sys.stdout.flush()
  os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
  sys.exit(2)


def main_with_clear_errors(main):
  """app.run(main) where flag mistakes and `UserError`s print one message."""
  from absl import app  # pylint: disable=import-outside-toplevel
  app.run(lambda argv: run_clearly(main, argv), flags_parser=parse_flags)


def run_clearly(fn, argv) -> None:
  """Runs fn(argv); a UserError ends the program with its message only."""
  try:
    fn(argv)
  except UserError as e:
    _fail(str(e))
