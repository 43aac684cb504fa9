"""Training FLOPs of a staged recipe, stage by stage (traced, not run).

  python -m benchmarks.stage_flops --config=experiments/configs/progan_mnist.py \
      [--baseline_config=experiments/configs/progan_mnist_flat.py] \
      [--config.model.channels=... --baseline_config.model.channels=...] \
      [--time_steps=5 --rounds=5]

Prints, per stage, its steps, batch size and FLOPs per step (counted from the
traced step by `benchmarks.flops`, scan bodies times their length), and the
total: the machine-independent cost of the Progressive GAN ablation. With
`--baseline_config` it prints the same for a second config (the flat run).
With `--time_steps` N > 0 it also compiles every stage's step (of both
configs) and times them in `--rounds` interleaved rounds (each round: N
back-to-back calls of every stage's step on one batch, one stage after the
other), and prints each stage's median seconds per step and its training time
at that rate (steps x s/step; no compilation, data or metrics). Interleaving
matters on a shared host: the same executable took 0.73 s/step in one run
of this script and 1.26 s/step in another, minutes later, on the project's
2-core CPU, so timings taken one config after the other do not compare.
"""

import tempfile

from absl import app, flags, logging
import jax
import numpy as np
from ml_collections import config_flags

from benchmarks import roofline, train_step
from benchmarks.flops import count_flops
from gen_jax import data as data_lib
from gen_jax.models.base import batches_per_step
from gen_jax.train import Experiment, make_train_step

FLAGS = flags.FLAGS


def define_flags():
  """The script's flags (defined when run: importing it defines none)."""
  config_flags.DEFINE_config_file("config", None, "Experiment config file.")
  config_flags.DEFINE_config_file("baseline_config", None, "A second config to "
                                  "count (and time, interleaved) beside it.")
  flags.DEFINE_integer("time_steps", 0, "Calls of each stage's compiled step per "
                       "round (0: count FLOPs only).", lower_bound=0)
  flags.DEFINE_integer("rounds", 5, "Interleaved timing rounds (the median is "
                       "reported).", lower_bound=1)


def stage_rows(config, timed: bool) -> tuple[list[dict], list]:
  """([{stage, steps, batch, flops_per_step}] for every stage of `config`,
  each stage's `train_step.step_runner` when `timed`, else [])."""
  with tempfile.TemporaryDirectory() as workdir:
    exp = Experiment(config, workdir)
    exp.checkpointer.close()
  rows, runs = [], []
  schedule = exp.schedule
  for index in range(len(schedule)):
    recipe = exp.stage_recipe(index)
    batch = schedule.batch_size(index, config.train.batch_size)
    stream = data_lib.TrainStream(exp.train_source, batch, exp.data_seed,
                                  exp.batch_sharding, count=batches_per_step(recipe))
    step = make_train_step(recipe, exp.optimizers, config.train.ema_decay)
    batches = next(stream)
    flops = count_flops(step, exp.train_state, batches, exp.keys["train"]).flops
    last = min(schedule.end(index), config.train.num_steps)
    steps = max(0, last - schedule.start(index))
    name = schedule.stages[index].name if schedule.staged else "all"
    rows.append({"stage": name, "steps": steps, "batch": batch, "flops_per_step": flops})
    if timed:   # not donated: every later stage counts from the same state
      _, compiled, _ = train_step.compiled_step(exp, stream, batches, recipe, donate=False)
      runs.append(train_step.step_runner(compiled, exp.train_state, batches,
                                         exp.keys["train"]))
  return rows, runs


def interleaved_seconds(runs, num_calls: int, rounds: int) -> list[float]:
  """Each runner's median seconds per call over `rounds` rounds; a round
  times `num_calls` calls of every runner in turn, so that a host whose
  speed drifts slows them alike."""
  for run in runs:
    jax.block_until_ready(run(1))   # the first call of each, untimed
  times = [[] for _ in runs]
  for _ in range(rounds):
    for run, kept in zip(runs, times):
      kept.append(roofline.steady_seconds(lambda run=run: run(num_calls), 1,
                                          warmup=0)[0] / num_calls)
  return [float(np.median(kept)) for kept in times]


def stage_costs(configs: dict, time_steps: int = 0, rounds: int = 5) -> dict:
  """{name: stage_rows of configs[name]}, each row with `seconds_per_step`
  (every stage of every config timed in the same rounds) when `time_steps`
  > 0."""
  built = {name: stage_rows(config, time_steps > 0) for name, config in configs.items()}
  if time_steps > 0:
    runs = [run for _, config_runs in built.values() for run in config_runs]
    seconds = iter(interleaved_seconds(runs, time_steps, rounds))
    for rows, _ in built.values():
      for row in rows:
        row["seconds_per_step"] = next(seconds)
  return {name: rows for name, (rows, _) in built.items()}


def print_rows(name: str, rows: list[dict]) -> None:
  print(f"== {name}")
  for r in rows:
    timing = ""
    if "seconds_per_step" in r:
      timing = (f" {r['seconds_per_step'] * 1e3:9.1f} ms/step "
                f"{r['steps'] * r['seconds_per_step'] / 60:7.2f} min")
    print(f"{r['stage']:>14} {r['steps']:>7} steps x {r['batch']:>4} "
          f"{r['flops_per_step'] / 1e9:10.3f} GFLOP/step{timing}")
  total = sum(r["steps"] * r["flops_per_step"] for r in rows)
  timing = ""
  if all("seconds_per_step" in r for r in rows):
    minutes = sum(r["steps"] * r["seconds_per_step"] for r in rows) / 60
    timing = f" {minutes:.2f} min of training on {jax.devices()[0].device_kind}"
  print(f"{'total':>14} {total / 1e12:10.3f} TFLOP{timing}")


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)   # orbax logs its every step
  configs = {"config": FLAGS.config}
  if FLAGS.baseline_config is not None:
    configs["baseline_config"] = FLAGS.baseline_config
  for name, rows in stage_costs(configs, FLAGS.time_steps, FLAGS.rounds).items():
    print_rows(name, rows)


if __name__ == "__main__":
  define_flags()
  app.run(main)
