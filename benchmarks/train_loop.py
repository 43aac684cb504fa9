"""Overhead of the training loop over the bare jitted step.

  python -m benchmarks.train_loop [--configs=quickstart,nade_digits,...]
      [--steps_per_dispatch=1,16] [--seconds=3] [--repeats=3] [--data_dir=DIR]
      [--output=benchmarks/results/train_loop.jsonl]

For each config (a module of experiments/configs):

Bare and loop runs alternate, `--repeats` rounds of each, so that a change
of load on a shared machine hits all of them; each figure is the fastest.

- bare: the loop's own jitted call alone (`StageRunner.train_step`, or
  `train_steps` for K = `train.steps_per_dispatch` > 1 steps per call, a
  `lax.scan`), called back to back on the rows of the run's first
  prefetched chunk, already on the device (its batches, or their indices
  and the split's device tables), after one untimed call to compile; then
  `block_until_ready`. The difference to the loop is the loop's host work
  only: prefetching, bookkeeping, logging. With K > 1, "bare K=1" (one step
  per call) is measured too.
- loop: `gen_jax.train.train` (data pipeline, prefetch, non-finite record,
  logging, progress off) with evaluation, sampling and checkpoints pushed
  past the end; they still run once at the last step. Timed from its second
  dispatch (the first compiled) to the final test, in runs of N and 2N steps
  in fresh workdirs: the last step's work and the first dispatch cancel in
  (t(2N) - t(N)) / N, each t the fastest of `--repeats`. N is sized from the
  bare rate to take about `--seconds`.

Prints steps/s of both and overhead = loop time per step / bare time - 1
(target: under 5% on CPU); appends JSON lines to `--output`. Runs unchanged
on any backend: it uses every device, as `experiments.train` does.
"""

import contextlib
import importlib
import json
import math
import os
import tempfile
import time

from absl import app, flags, logging
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from benchmarks import roofline
from benchmarks.flops import count_flops
from benchmarks.harness import wall_seconds
from gen_jax import data as data_lib
from gen_jax.train import Experiment, make_train_step, train
from gen_jax.train import loop as loop_lib
from gen_jax.train.step import NO_NONFINITE

FLAGS = flags.FLAGS


def define_flags():
  """The script's flags (defined when run, so importing it defines none)."""
  flags.DEFINE_list("configs", ["quickstart", "nade_digits", "pixelcnn_digits",
                                "dcgan_digits"], "Modules of experiments/configs to run.")
  flags.DEFINE_list("steps_per_dispatch", [], "train.steps_per_dispatch values to "
                    "run each config with (default: the config's own).")
  flags.DEFINE_string("data_dir", None, "TFDS data_dir of configs that read TFDS "
                      "(their data.data_dir).")
  flags.DEFINE_float("seconds", 3.0, "About how long N loop steps take.")
  flags.DEFINE_integer("repeats", 3, "Runs per length; the fastest counts.")
  flags.DEFINE_string("output", "benchmarks/results/train_loop.jsonl",
                      "JSON lines file to append to ('' to skip).")

NEVER = 10 ** 9   # an every_steps past any run's end


def load_config(name: str):
  return importlib.import_module(f"experiments.configs.{name}").get_config()


def without_periodic_work(config, steps: int):
  """`config` for `steps` steps with evaluation, sampling and checkpoints
  only at the end, on one evaluation batch and one sample per device; no
  evaluator of `config.evals` and no validation split (they are evaluation,
  not training)."""
  config = config.copy_and_resolve_references()
  config.train.num_steps = steps
  config.eval.every_steps = NEVER
  config.sample.every_steps = NEVER
  config.checkpoint.every_steps = NEVER
  config.eval.num_examples = config.eval.batch_size
  config.sample.num = jax.device_count()
  config.evals = ml_collections.ConfigDict()
  config.data.validation_split = None
  return config


def bare_steps(config, steps: int, workdir: str, cost: dict | None = None):
  """A timed run of the loop's own jitted call alone: fn() -> seconds per
  step over `steps` steps, `train.steps_per_dispatch` (K) steps per call,
  on the first prefetched chunk of the run's stream (its rows cycled),
  without the loop's host work; compiled here. `cost` receives one step's
  FLOPs (`benchmarks.flops`)."""
  exp = Experiment(config, workdir)
  runner = loop_lib.StageRunner(exp, 0, resumed=None)
  k = runner.steps_per_dispatch
  chunk, _ = runner.batches.take(1)
  starts = [jax.device_put(np.int32(i), exp.replicated)
            for i in range(0, runner.batches.chunk - k + 1, k)]
  fn = runner.train_steps if k > 1 else runner.train_step
  key = exp.keys["train"]
  record = jax.device_put(jnp.asarray(NO_NONFINITE, jnp.int32), exp.replicated)
  if cost is not None:
    batch = data_lib.gather_rows(runner.tables, data_lib.take_step(chunk, starts[0]))
    step_fn = make_train_step(exp.recipe, exp.optimizers, config.train.ema_decay)
    cost["flops"] = count_flops(step_fn, exp.train_state, batch, key).flops
  state = {"ts": fn(exp.train_state, runner.tables, chunk, starts[0], key, record)[0]}
  jax.block_until_ready(state["ts"])   # compiled
  exp.checkpointer.close()
  calls = -(-steps // k)

  def run():
    ts = state["ts"]
    for i in range(calls):
      ts, _, _ = fn(ts, runner.tables, chunk, starts[i % len(starts)], key, record)
    state["ts"] = ts
    return ts

  return lambda: wall_seconds(run) / (calls * k)


def with_steps_per_dispatch(config, k: int):
  config = config.copy_and_resolve_references()
  config.train.steps_per_dispatch = k
  return config


def bare_step_seconds(config, steps: int, repeats: int, workdir: str) -> float:
  """Seconds per step of the bare step, K = 1: the fastest of `repeats` runs."""
  run = bare_steps(config, steps, workdir)
  return min(run() for _ in range(repeats))


@contextlib.contextmanager
def stepping_clock(marks: list[float]):
  """Within it, `train` appends the time of its second dispatch (the first
  compiled by then) and of the start of its final test to `marks`."""
  prefetch, final_test = data_lib.Prefetch, loop_lib.final_test

  class Clocked(prefetch):
    calls = 0

    def take(self, num):
      self.calls += 1
      if self.calls == 2:
        marks.append(time.perf_counter())
      return super().take(num)

  def clocked_final_test(*args, **kwargs):
    marks.append(time.perf_counter())
    return final_test(*args, **kwargs)

  data_lib.Prefetch, loop_lib.final_test = Clocked, clocked_final_test
  try:
    yield
  finally:
    data_lib.Prefetch, loop_lib.final_test = prefetch, final_test


def loop_seconds(config, steps: int, workdir: str) -> float:
  """Seconds of `train` from its second dispatch to its final test."""
  marks = []
  with stepping_clock(marks):
    train(without_periodic_work(config, steps), workdir, progress=False)
  start, end = marks
  return end - start


def per_step(short_seconds: float, long_seconds: float, extra_steps: int) -> float:
  """Seconds per step from runs that differ by `extra_steps` steps only."""
  return (long_seconds - short_seconds) / extra_steps


def overhead(loop_per_step: float, bare_per_step: float) -> float:
  """The loop's extra time per step, as a fraction of the bare step's."""
  return loop_per_step / bare_per_step - 1.0


def measure(config, seconds: float, repeats: int, peak_flops: float,
            min_steps: int = 10) -> dict:
  """Bare and loop steps/s of `config`, the overhead (see module doc), the
  FLOPs per step and the share of the measured peak each reaches."""
  k = config.train.steps_per_dispatch
  with tempfile.TemporaryDirectory() as root:
    probe = bare_step_seconds(without_periodic_work(config, min_steps), min_steps, 1,
                              os.path.join(root, "probe"))
    steps = max(min_steps, math.ceil(seconds / probe))
    cost = {}
    timed = without_periodic_work(config, steps)
    runs = {"bare": bare_steps(timed, steps, os.path.join(root, "bare"), cost)}
    if k > 1:
      runs["single"] = bare_steps(with_steps_per_dispatch(timed, 1), steps,
                                  os.path.join(root, "one"))
    times = {name: [] for name in (*runs, steps, 2 * steps)}
    for r in range(repeats):   # interleaved: a change of load hits every measurement
      for name, run in runs.items():
        times[name].append(run())
      for n in (steps, 2 * steps):
        times[n].append(loop_seconds(config, n, os.path.join(root, f"loop_{n}_{r}")))
  bare, single = min(times["bare"]), min(times.get("single", times["bare"]))
  loop = per_step(min(times[steps]), min(times[2 * steps]), steps)
  return {"steps": steps, "bare_steps_per_s": 1.0 / bare,
          "bare_one_step_per_call_steps_per_s": 1.0 / single,
          "loop_steps_per_s": 1.0 / loop,
          "overhead": overhead(loop, bare), "flops_per_step": cost["flops"],
          "peak_flops_per_s": peak_flops,
          "bare_fraction_of_peak": cost["flops"] / bare / peak_flops,
          "loop_fraction_of_peak": cost["flops"] / loop / peak_flops}


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)   # orbax logs every checkpoint step
  env, peak = roofline.announce_peak()
  rows = []
  print(f"{'config':>16} {'K':>3} {'N':>6} {'bare K=1':>9} {'bare steps/s':>13} "
        f"{'loop steps/s':>13} {'overhead':>9}", flush=True)
  for name in FLAGS.configs:
    for k in FLAGS.steps_per_dispatch or [None]:
      config = load_config(name)
      if FLAGS.data_dir:
        config.data.data_dir = FLAGS.data_dir
      if k is not None:
        config.train.steps_per_dispatch = int(k)
      k = config.train.steps_per_dispatch
      row = {"benchmark": "train_loop", "config": name, "steps_per_dispatch": k, **env,
             **measure(config, FLAGS.seconds, FLAGS.repeats, peak)}
      rows.append(row)
      print(f"{name:>16} {k:>3} {row['steps']:>6} "
            f"{row['bare_one_step_per_call_steps_per_s']:>9.1f} {row['bare_steps_per_s']:>13.1f} "
            f"{row['loop_steps_per_s']:>13.1f} {100 * row['overhead']:>8.1f}% "
            f"({100 * row['loop_fraction_of_peak']:.2f}% of peak)", flush=True)
  if FLAGS.output:
    os.makedirs(os.path.dirname(FLAGS.output) or ".", exist_ok=True)
    with open(FLAGS.output, "a", encoding="utf-8") as f:
      for r in rows:
        f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
  define_flags()
  app.run(main)
