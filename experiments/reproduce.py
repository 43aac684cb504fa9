"""Reproduces a result table: runs its rows and appends their figures.

  python -m experiments.reproduce --list
  python -m experiments.reproduce --table=explicit_digits [--rows=fvsbn,nade]
      [--seeds=0,1,2] [--workdir_root=workdirs/reproduce] [--data_dir=DIR]
  python -m experiments.reproduce --table=explicit_digits --plan

Each row (a config, its overrides and seeds; `experiments/tables/`) trains in
`<workdir_root>/<config>-<config hash>/seed<S>` through the trainer, which selects the
checkpoint on validation where the config has a validation split and
evaluates the test split once. An interrupted run resumes from its last
checkpoint when the command is run again; a row and seed that already has a
line from the same config in `results/<table>.jsonl` is skipped. Each new
figure is appended as one JSON line (metrics with standard error and n,
steps, wall time, config hash, git revision, device, date). `--plan` runs
nothing: it prints each row's FLOPs (the benchmarks' counter times the
steps) and a time estimate on this machine. Then `python -m
experiments.results_pages` regenerates the pages.
"""

import datetime
import glob
import json
import os
import subprocess
import sys
import time

from absl import flags

from experiments import common
from experiments import tables as tables_lib
from gen_jax.errors import UserError

TABLE = flags.DEFINE_string("table", None, "The table to reproduce (--list names them).")
LIST = flags.DEFINE_bool("list", False, "List the tables, one name and title a line.")
PLAN = flags.DEFINE_bool("plan", False, "Print each row's estimated compute and time; "
                         "run nothing.")
ROWS = flags.DEFINE_list("rows", [], "Only these rows of the table (default: all).")
SEEDS = flags.DEFINE_list("seeds", [], "These seeds instead of each row's own.")
WORKDIR_ROOT = flags.DEFINE_string("workdir_root", "workdirs/reproduce",
                                   "Runs go to <root>/<config>-<hash>/seed<S>; rows "
                                   "of the same config share a run.")
DATA_DIR = flags.DEFINE_string("data_dir", "", "TFDS data_dir for the rows that read "
                               "TFDS datasets (e.g. $HOME/tensorflow_datasets).")
RESULTS_DIR = flags.DEFINE_string("results_dir", tables_lib.RESULTS_DIR,
                                  "Where results/<table>.jsonl live.")
SOURCE = "experiments.reproduce"


def list_lines(tables: dict) -> list[str]:
  width = max(len(name) for name in tables)
  return [f"{name:<{width}}  {table.title}" for name, table in tables.items()]


def row_seeds(row, seeds) -> tuple[int, ...]:
  try:
    return tuple(int(s) for s in seeds) if seeds else row.seeds
  except ValueError as e:
    raise UserError(f"--seeds takes integers separated by commas, e.g. --seeds=0,1,2; "
                    f"got {','.join(seeds)}.") from e


def measured_lines(lines: list[dict], row: str, seed: int) -> list[dict]:
  """The lines of `row` and `seed` that a run of this command wrote."""
  return [l for l in lines if l.get("row") == row and l.get("seed") == seed
          and l.get("source") == SOURCE]


def check_same_config(table: str, lines: list[dict], row: str, seed: int,
                      expected: str) -> bool:
  """Whether `row`/`seed` is done: True when a line from this config exists;
  one clear error when a line from another config does."""
  for line in measured_lines(lines, row, seed):
    if line.get("config_hash") != expected:
      raise UserError(
          f"results/{table}.jsonl holds row {row} seed {seed} from another config "
          f"(hash {line.get('config_hash')}; the row's config now hashes to {expected}): "
          "the config or the row changed since it was measured. Move the file aside, "
          "or delete that row's lines, to measure it again.")
  return bool(measured_lines(lines, row, seed))


def finished_test_row(workdir: str, config) -> dict | None:
  """The trainer's final test row in `workdir`, if the run finished."""
  path = os.path.join(workdir, "metrics.jsonl")
  if not os.path.exists(path):
    return None
  with open(path, encoding="utf-8") as f:
    rows = [json.loads(line) for line in f if line.strip()]
  for row in reversed(rows):
    if (row.get("split") == config.data.eval_split
        and row.get("step") == config.train.num_steps and "selected_step" in row):
      return row
  return None


def dotted(tree: dict, path: str):
  for part in path.split("."):
    if not isinstance(tree, dict) or part not in tree:
      return None
    tree = tree[part]
  return tree


def figures(source: dict, paths: dict[str, str], count: str) -> dict[str, dict]:
  """{metric: {value, stderr, n}} read from `source` at `paths[metric]`
  (n at `<path>_num_examples`, else at `count`)."""
  out = {}
  for metric, path in paths.items():
    value = dotted(source, path)
    if value is None:
      raise UserError(f"the run wrote no {path!r} (for the table's metric {metric}); "
                      f"it has: {', '.join(sorted(source))}.")
    n = dotted(source, f"{path}_num_examples")
    out[metric] = {"value": float(value), "stderr": dotted(source, f"{path}_stderr"),
                   "n": n if n is not None else dotted(source, count)}
  return out


def written_metrics(table, source: dict) -> dict[str, str]:
  """{metric: path} of the table's metrics that `source` holds, read at their
  own names: rows of one table may write different ones (a conditional GAN
  its conditioning accuracy, InfoGAN its code accuracy). All of them when it
  holds none, so that `figures` names what is missing."""
  paths = {m.key: m.key for m in table.metrics}
  return {k: p for k, p in paths.items() if dotted(source, p) is not None} or paths


def run_measure(measure, workdir: str) -> dict:
  """The measure's JSON output, after running its command on `workdir`
  (once: a later row of the same run and command reads the same output)."""
  command = [sys.executable, "-m", measure.command, f"--workdir={workdir}",
             *(a.format(workdir=workdir) for a in measure.args)]
  output = os.path.join(workdir, measure.output)
  ran = output + ".command"
  if os.path.exists(ran) and os.path.exists(output):
    with open(ran, encoding="utf-8") as f:
      if f.read() == " ".join(command[1:]):
        with open(output, encoding="utf-8") as f2:
          return json.load(f2)
  print(" ".join(command), flush=True)
  if subprocess.run(command, check=False).returncode:
    raise UserError(f"{measure.command} failed on {workdir} (its message is above); the "
                    "trained run is kept, and running this command again retries it.")
  with open(ran, "w", encoding="utf-8") as f:
    f.write(" ".join(command[1:]))
  with open(output, encoding="utf-8") as f:
    return json.load(f)


def wall_seconds(final: dict, measure_s: float) -> float | None:
  """The run's training time (every resumed run of its workdir, from the
  trainer's test row) plus the measure command's; None for a run trained
  before the trainer recorded its time."""
  if final.get("train_seconds") is None:
    return None
  return round(final["train_seconds"] + measure_s, 1)


def run_row(table, row, seed: int, lines: list[dict], workdir_root: str,
            data_dir: str = "") -> dict | None:
  """Trains (or resumes) one row and seed in `workdir_root` and returns its
  result line; None when `lines` (the table's results) already hold it."""
  import jax  # pylint: disable=import-outside-toplevel
  from benchmarks.roofline import git_revision, hardware  # pylint: disable=import-outside-toplevel
  from gen_jax.train import train  # pylint: disable=import-outside-toplevel
  config = tables_lib.row_config(row, seed, data_dir)
  expected = tables_lib.config_hash(config)
  if check_same_config(table.name, lines, row.name, seed, expected):
    print(f"{table.name}/{row.name} seed {seed}: in results/{table.name}.jsonl; skipped")
    return None
  workdir = os.path.join(workdir_root, f"{row.config}-{expected}", f"seed{seed}")
  print(f"{table.name}/{row.name} seed {seed}: {row.config} in {workdir}", flush=True)
  final = finished_test_row(workdir, config) or train(config, workdir)
  measure = table.measure_of(row)
  start = time.perf_counter()
  source = run_measure(measure, workdir) if measure.command else final
  measure_s = time.perf_counter() - start
  paths = dict(measure.paths) or written_metrics(table, source)
  return {
      "table": table.name, "row": row.name, "seed": seed,
      "metrics": figures(source, paths, measure.count),
      "split": config.data.eval_split, "selected_step": final.get("selected_step"),
      "steps": config.train.num_steps, "wall_s": wall_seconds(final, measure_s),
      "config_hash": expected, "revision": git_revision(),
      "device_kind": jax.devices()[0].device_kind, "device_count": jax.device_count(),
      "hardware": hardware(),
      "date": datetime.date.today().isoformat(), "source": SOURCE}


def reproduce(table, rows, seeds, workdir_root: str, results_dir: str,
              data_dir: str = "") -> None:
  """Runs every row and seed of `rows` that `results_dir` lacks, appending
  each result line as soon as it is measured."""
  for row in rows:
    if row.data_dir and not data_dir:
      raise UserError(f"row {row.name} reads a TFDS dataset: pass --data_dir=DIR, the "
                      "TFDS data_dir that holds it (e.g. $HOME/tensorflow_datasets).")
  for row in rows:
    for seed in row_seeds(row, seeds):
      lines = tables_lib.read_results(table.name, results_dir)
      line = run_row(table, row, seed, lines, workdir_root, data_dir)
      if line is not None:
        tables_lib.append_result(table.name, line, results_dir)
        shown = ", ".join(f"{k} {v['value']:.4g}" for k, v in line["metrics"].items())
        took = "" if line["wall_s"] is None else f" ({line['wall_s']:.0f} s)"
        print(f"{table.name}/{row.name} seed {seed}: {shown}{took} "
              f"-> results/{table.name}.jsonl", flush=True)


# --- the plan -----------------------------------------------------------


def calibration(device_kind: str) -> tuple[float, float] | None:
  """(peak FLOP/s, median fraction of it a train step reached) on
  `device_kind`, from the benchmarks' result files; None without any."""
  peaks, fractions = [], []
  root = os.path.join(tables_lib.ROOT, "benchmarks", "results")
  for path in sorted(glob.glob(os.path.join(root, "*.jsonl"))):
    with open(path, encoding="utf-8") as f:
      for text in f:
        line = json.loads(text) if text.strip() else {}
        if line.get("device") != device_kind or not line.get("peak_flops_per_s"):
          continue
        peaks.append(line["peak_flops_per_s"])
        if line.get("benchmark") == "train_step" and line.get("fraction_of_peak"):
          fractions.append(line["fraction_of_peak"])
  if not peaks or not fractions:
    return None
  fractions.sort()
  return max(peaks), fractions[len(fractions) // 2]


def row_flops(config) -> float:
  """FLOPs of the whole run: every stage's step (the benchmarks' counter)
  times its steps."""
  from benchmarks.stage_flops import stage_rows  # pylint: disable=import-outside-toplevel
  rows, _ = stage_rows(config, timed=False)
  return sum(r["flops_per_step"] * r["steps"] for r in rows)


def plan_line(table, row, seeds, lines, device_kind, calib) -> str:
  config = tables_lib.row_config(row, row_seeds(row, seeds)[0], DATA_DIR.value)
  runs = len(row_seeds(row, seeds))
  head = f"{row.name:<24} {row.config:<28} {config.train.num_steps:>9,} steps x {runs}"
  try:
    flops = row_flops(config)
  except Exception as e:  # pylint: disable=broad-except
    reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return f"{head}  FLOPs not counted here: {reason[:100]}"
  steps = config.train.num_steps
  earlier = [l["wall_s"] * steps / l["steps"] for l in lines
             if l.get("row") == row.name and l.get("device_kind") == device_kind
             and l.get("wall_s") and l.get("steps")]
  if earlier:
    estimate = (f"{max(earlier) / 60:.1f} min per run (an earlier run on {device_kind}, "
                "scaled to these steps)")
  elif calib:
    peak, fraction = calib
    estimate = (f"{flops / (peak * fraction) / 60:.1f} min per run at {fraction:.1%} "
                f"of the peak measured on {device_kind}")
  else:
    estimate = (f"time unknown: no benchmark of {device_kind} in benchmarks/results "
                "(python -m benchmarks.train_step measures one)")
  return f"{head}  {flops:.3g} FLOPs per run, {estimate}"


def plan(table, rows, seeds) -> None:
  import jax  # pylint: disable=import-outside-toplevel
  device_kind = jax.devices()[0].device_kind
  calib = calibration(device_kind)
  lines = tables_lib.read_results(table.name, RESULTS_DIR.value)
  from benchmarks.roofline import hardware  # pylint: disable=import-outside-toplevel
  print(f"{table.name}: {table.title} ({len(rows)} rows, on {hardware()})")
  for row in rows:
    print(plan_line(table, row, seeds, lines, device_kind, calib), flush=True)


def main(argv):
  if len(argv) > 1:
    raise UserError(f"unexpected argument {argv[1]!r}: flags only, e.g. "
                    "--table=explicit_digits.")
  if LIST.value:
    print("\n".join(list_lines(tables_lib.all_tables())))
    return
  if not TABLE.value:
    raise UserError("--table=NAME is required (--list names the tables).")
  common.start(multihost_ok=False)
  table = tables_lib.get_table(TABLE.value)
  rows = table.select(ROWS.value)
  if PLAN.value:
    plan(table, rows, SEEDS.value)
  else:
    reproduce(table, rows, SEEDS.value, WORKDIR_ROOT.value, RESULTS_DIR.value,
              DATA_DIR.value)


if __name__ == "__main__":
  common.main_with_clear_errors(main, uses=())
