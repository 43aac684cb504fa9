"""Result tables as data: each table is a declared set of runs.

One module per table in this package defines `TABLE`. A `Row` names a
config, its overrides and seeds, how its figures are taken from the finished
workdir (`Measure`), and the paper's figures with their source.
`python -m experiments.reproduce --table=NAME` runs the rows and appends one
JSON line per row and seed to `results/<NAME>.jsonl`;
`python -m experiments.results_pages` turns those lines into
`docs/results/<NAME>.md` and the README's model table.
"""

import dataclasses
import hashlib
import importlib
import json
import os
import pkgutil

from gen_jax.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS_DIR = os.path.join(ROOT, "results")
CONFIGS_DIR = os.path.join(ROOT, "experiments", "configs")
# Keys that never change a run's figures (where the data lives, how often to
# log, checkpoint or draw pictures): left out of the hash.
UNHASHED_KEYS = ("data.data_dir", "train.log_every_steps", "checkpoint.every_steps",
                 "checkpoint.max_to_keep", "sample.every_steps", "sample.num",
                 "data.on_device_mb")


@dataclasses.dataclass(frozen=True)
class Metric:
  """One column: `key` as the measure reports it (e.g. "nll_nats")."""
  key: str
  label: str
  lower_is_better: bool = True
  digits: int = 2
  scale: float = 1.0        # shown value = value * scale (e.g. 100 for percent)


@dataclasses.dataclass(frozen=True)
class Paper:
  """A published figure: `value` (None: the paper has no such column), its
  reported uncertainty (s.e. or s.d., as the source says) and the source."""
  value: float | None
  source: str
  uncertainty: float | None = None


@dataclasses.dataclass(frozen=True)
class Measure:
  """How a finished workdir's figures are read.

  With no `command`, the figures are the trainer's final test row (the
  validation-selected checkpoint, evaluated once). Otherwise `python -m
  <command> --workdir=W <args>` runs on the trained workdir and writes the
  JSON file `output` there; `paths[metric]` is the metric's dotted path in it
  (the standard error at `<path>_stderr` when present, n at `count`). `args`
  may name the workdir as `{workdir}`. Rows of one config share its run and
  the command's output."""
  command: str = ""
  args: tuple[str, ...] = ()
  output: str = ""
  paths: tuple[tuple[str, str], ...] = ()
  count: str = "num_examples"


@dataclasses.dataclass(frozen=True)
class Row:
  name: str                              # unique in its table, e.g. "fvsbn"
  label: str                             # what the page shows, e.g. "FVSBN"
  config: str                            # experiments/configs/<config>.py
  overrides: tuple[tuple[str, object], ...] = ()   # (("model.order", 2),)
  seeds: tuple[int, ...] = (0,)
  paper: tuple[tuple[str, Paper], ...] = ()        # ((metric key, Paper),)
  headline: bool = False                 # a line of the README's model table
  family: str = ""                       # the README model table's family
  data_dir: bool = False                 # reads TFDS data: needs --data_dir
  measure: Measure | None = None         # None: the table's
  note: str = ""

  def paper_figure(self, key: str) -> Paper | None:
    return dict(self.paper).get(key)


@dataclasses.dataclass(frozen=True)
class Table:
  name: str
  title: str
  docs: str                   # the family page, e.g. "docs/explicit.md"
  metrics: tuple[Metric, ...]
  rows: tuple[Row, ...]
  description: str = ""
  measure: Measure = Measure()

  def measure_of(self, row: Row) -> Measure:
    return row.measure or self.measure

  def row(self, name: str) -> Row:
    for row in self.rows:
      if row.name == name:
        return row
    raise UserError(f"table {self.name} has no row {name!r}; its rows: "
                    f"{', '.join(r.name for r in self.rows)}.")

  def select(self, names) -> tuple[Row, ...]:
    """The rows named in `names` (all when empty), in the table's order."""
    if not names:
      return self.rows
    wanted = {self.row(n).name for n in names}
    return tuple(r for r in self.rows if r.name in wanted)


def all_tables() -> dict[str, Table]:
  """{name: Table} of every module in this package, by name."""
  tables = {}
  for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    table = importlib.import_module(f"{__name__}.{info.name}").TABLE
    if table.name != info.name:
      raise ValueError(f"experiments/tables/{info.name}.py defines table {table.name!r}")
    tables[table.name] = table
  return tables


def get_table(name: str) -> Table:
  tables = all_tables()
  if name not in tables:
    raise UserError(f"no table {name!r}; python -m experiments.reproduce --list "
                    f"lists them: {', '.join(tables)}.")
  return tables[name]


def row_config(row: Row, seed: int, data_dir: str = ""):
  """The config of `row` with its overrides, seed `seed` and, when given, the
  TFDS `data_dir`."""
  module = importlib.import_module(f"experiments.configs.{row.config}")
  config = module.get_config()
  for key, value in row.overrides:
    set_key(config, key, value)
  config.seed = seed
  if data_dir:
    config.data.data_dir = data_dir
  return config


def set_key(config, dotted: str, value) -> None:
  *parents, last = dotted.split(".")
  node = config
  for part in parents:
    node = node[part]
  node[last] = value


def override_flags(row: Row) -> list[str]:
  """The row's overrides as command-line flags of experiments.train."""
  return [f"--config.{key}={format_value(value)}" for key, value in row.overrides]


def format_value(value) -> str:
  if isinstance(value, (tuple, list)):
    return "(" + ",".join(format_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
  return str(value)


def config_hash(config) -> str:
  """A short hash of what `config` computes: `UNHASHED_KEYS` left out, and
  the evaluation cadence too when no validation split selects a step."""
  from gen_jax.train import config as config_lib  # pylint: disable=import-outside-toplevel
  plain = config_lib.as_plain_dict(config)
  unhashed = UNHASHED_KEYS
  if not config.data.validation_split:   # evaluations then only monitor the run
    unhashed += ("eval.every_steps",)
  for dotted in unhashed:
    *parents, last = dotted.split(".")
    node = plain
    for part in parents:
      node = node.get(part, {})
    node.pop(last, None)
  text = json.dumps(plain, sort_keys=True, default=str)
  return hashlib.sha256(text.encode()).hexdigest()[:12]


def results_path(table: str, root: str = RESULTS_DIR) -> str:
  return os.path.join(root, f"{table}.jsonl")


def read_results(table: str, root: str = RESULTS_DIR) -> list[dict]:
  """Every line of results/<table>.jsonl, in order ([] when there is none)."""
  path = results_path(table, root)
  if not os.path.exists(path):
    return []
  lines = []
  with open(path, encoding="utf-8") as f:
    for number, text in enumerate(f, 1):
      if not text.strip():
        continue
      try:
        lines.append(json.loads(text))
      except ValueError as e:
        raise UserError(f"{path}, line {number}, is not JSON ({e}); fix or remove "
                        "that line.") from e
  return lines


def append_result(table: str, line: dict, root: str = RESULTS_DIR) -> None:
  os.makedirs(root, exist_ok=True)
  with open(results_path(table, root), "a", encoding="utf-8") as f:
    f.write(json.dumps(line) + "\n")
