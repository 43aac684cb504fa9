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
VERBOSE = flags.DEFINE_bool(
    "verbose", False, "With an error, also print the library's own text behind it.")
SHOW_CONFIG = flags.DEFINE_bool(
    "show_config", False, "Print the keys and values of --config (overrides "
    "applied) and exit.")
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
    raise UserError("could not load the config file given by --config: it must be a "
                    "Python file with a get_config() function, like "
                    "experiments/configs/quickstart.py (--verbose shows why it failed).",
                    detail=f"{type(e).__name__}: {e}") from e
  if config is None:
    raise UserError("--config is required, e.g. "
                    "--config=experiments/configs/quickstart.py")
  return config


def trained_experiment(config, workdir: str):
  """The `Experiment` of a trained workdir, read only: the workdir must exist
  and hold a checkpoint, and nothing in it is created, moved or deleted.
  The config is the workdir's (`reading_config`); `config` (--config, or
  None) may change only what is measured and how much."""
  from gen_jax.train import Experiment  # pylint: disable=import-outside-toplevel
  from gen_jax.train import workdir as workdir_lib  # pylint: disable=import-outside-toplevel
  workdir_lib.require_existing(workdir)
  if RESTORE_EARLIER.value:
    raise UserError("--restore_earlier belongs to experiments.train; this command "
                    "only reads the workdir and takes the newest checkpoint that "
                    "reads by itself. Drop the flag.")
  exp = Experiment(reading_config(config, workdir), workdir, read_only=True)
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train first with "
                    "python -m experiments.train using the same --config and --workdir.")
  return exp


def reading_config(given, workdir: str):
  """The config a read-only command uses: the workdir's config.json, with
  the keys that never change the state (`FREELY_CHANGED`: evaluation sizes,
  `evals`, `sample.num`...) taken from `given` (--config) when it is passed.
  Other keys where `given` differs are named in one note on stderr."""
  # pylint: disable=import-outside-toplevel
  from gen_jax.train import config as config_lib
  saved = load_config(workdir)
  if given is None:
    return saved
  plain_given = config_lib.as_plain_dict(given)
  ignored = config_lib.config_changes(config_lib.as_plain_dict(saved), plain_given)
  if ignored:
    keys = ", ".join(f"{k} ({old!r} in the workdir, {new!r} given)" for k, old, new in ignored)
    print(f"note: using {workdir}'s config.json, which differs from --config in: "
          f"{keys}.", file=sys.stderr)
  merged = config_lib.as_plain_dict(saved)
  flat = config_lib.flatten(plain_given)
  for key, value in flat.items():
    if config_lib.is_freely_changed(key):
      _set_dotted(merged, key, value)
  if "evals" in plain_given:
    merged["evals"] = plain_given["evals"]
  return config_lib.saved_with_defaults(merged)


def _set_dotted(tree: dict, dotted: str, value) -> None:
  *parents, last = dotted.split(".")
  for part in parents:
    tree = tree.setdefault(part, {})
  tree[last] = value


def optional_config():
  """--config if given (loaded, or one clear message), else None."""
  if not flags.FLAGS["config"].present:
    return None
  return require_config()


def require_workdir() -> str:
  if not WORKDIR.value:
    raise UserError("--workdir is required: the directory of a trained run.")
  return WORKDIR.value


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
  """absl flag parsing that ends a bad flag, config path or override in one
  clear message. `--config.evals=` (nothing) runs no evaluator."""
  argv = [EMPTY_EVALS if a == "--config.evals=" else a for a in argv]
  check_config_path(argv)
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    if config_path(argv) is None and any(a.startswith("--config.") for a in argv):
      _fail("a --config.<key> override needs --config=FILE to override (the "
            "workdir's config.json is read as it is).")
    _fail(f"{first_line(e)}. Pass --help to list this command's flags.", str(e))
  except (SyntaxError, ImportError, OSError) as e:
    _fail(f"could not load the config file --config={config_path(argv)}: it must be a "
          "Python file with a get_config() function, like "
          "experiments/configs/quickstart.py (--verbose shows why it failed).",
          f"{type(e).__name__}: {e}")
  except (AttributeError, KeyError, TypeError, ValueError) as e:
    overrides = [a for a in argv[1:] if a.startswith("--config.")]
    _fail(override_message(argv, overrides), f"{type(e).__name__}: {e}")
  return None


def first_line(error) -> str:
  text = str(error).strip().splitlines()
  return text[0] if text else type(error).__name__


def config_path(argv) -> str | None:
  for i, a in enumerate(argv):
    if a.startswith("--config="):
      return a.split("=", 1)[1]
    if a == "--config" and i + 1 < len(argv):
      return argv[i + 1]
  return None


def check_config_path(argv) -> None:
  """A --config file that does not exist, named in one line."""
  path = config_path(argv)
  if path is not None and not os.path.isfile(path.split(":")[0]):
    _fail(f"--config={path}: no such config file. Pass one of "
          "experiments/configs/*.py (python -m experiments.list lists them).")


def override_message(argv, overrides) -> str:
  """What is wrong with the first bad --config.* override, with a "did you mean"."""
  import difflib  # pylint: disable=import-outside-toplevel
  import runpy  # pylint: disable=import-outside-toplevel
  path = config_path(argv)
  try:
    config = runpy.run_path(path.split(":")[0])["get_config"]()
  except Exception:  # pylint: disable=broad-except
    config = None
  for arg in overrides:
    key = arg[len("--config."):].split("=", 1)[0]
    node, walked = config, []
    for part in key.split("."):
      keys = list(node.keys()) if hasattr(node, "keys") else []
      if part not in keys:
        close = difflib.get_close_matches(part, keys, n=1)
        hint = f" Did you mean --config.{'.'.join(walked + close)}?" if close else ""
        return (f"--config.{key} is not a key of {path}.{hint} "
                "Pass --config=... --show_config to list its keys.")
      node, walked = node[part], walked + [part]
  return (f"could not apply the config overrides {overrides}: each must name a key "
          "of the config file and give a value of its type (--show_config lists "
          "the keys and values).")


def _fail(message: str, detail: str | None = None) -> None:
  """Prints the one message and exits 2. Background threads that die while
  the interpreter shuts down (tensorstore's callbacks into orbax's closed
  asyncio loop after a failed restore) print their tracebacks from C, past
  every Python hook, so stderr is closed to them once the message is out."""
  print(f"error: {message}", file=sys.stderr, flush=True)
  if detail and _verbose():
    print(detail, file=sys.stderr, flush=True)
  sys.stdout.flush()
  os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
  sys.exit(2)


def _verbose() -> bool:
  try:
    return bool(VERBOSE.value)
  except flags.Error:
    return "--verbose" in sys.argv


def main_with_clear_errors(main, uses: tuple[str, ...] = ("config", "workdir")):
  """app.run(main) where flag mistakes and `UserError`s print one message;
  `--help` lists the launcher's own flags and the shared ones it `uses`;
  `--show_config` prints the config and exits."""
  from absl import app  # pylint: disable=import-outside-toplevel
  if any(a in ("--help", "-h", "-?", "--helpshort") for a in sys.argv[1:]):
    print(launcher_help(sys.modules["__main__"], uses))
    sys.exit(0)

  def run(argv):
    if SHOW_CONFIG.value:
      print(require_config())
      return
    main(argv)

  app.run(lambda argv: run_clearly(run, argv), flags_parser=parse_flags)


def launcher_help(module, uses: tuple[str, ...]) -> str:
  """The module's docstring, then its flags and the shared ones it uses,
  one line each."""
  own = [f for f in flags.FLAGS.get_flags_for_module(module)]
  shared = [flags.FLAGS[name] for name in uses + ("verbose", "show_config")
            if name in flags.FLAGS]
  lines = [(module.__doc__ or "").strip(), "", "flags:"]
  for flag in own + shared:
    default = "" if flag.default in (None, False, "") else f" (default {flag.default!r})"
    lines.append(f"  --{flag.name}: {' '.join(flag.help.split())}{default}")
  lines.append("  --config.<key>=<value>: override any key of the config "
               "(--show_config lists them)")
  return "\n".join(lines)


def run_clearly(fn, argv) -> None:
  """Runs fn(argv); a UserError ends the program with its message only (and
  the library's text behind it with --verbose)."""
  try:
    fn(argv)
  except UserError as e:
    detail = e.detail
    if _verbose() and e.__cause__ is not None:
      import traceback  # pylint: disable=import-outside-toplevel
      detail = "".join(traceback.format_exception(e.__cause__))
    _fail(str(e), detail)
