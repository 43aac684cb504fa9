"""Training FLOPs of a staged recipe, stage by stage (traced, not run).

  python -m benchmarks.stage_flops --config=experiments/configs/progan_mnist.py \
      [--config.model.progressive=False ...] [--time_steps=20]

Prints, per stage, its steps, batch size and FLOPs per step (counted from the
traced step by `benchmarks.flops`, scan bodies times their length), and the
total: the machine-independent cost that the wall-clock comparison of the
Progressive GAN ablation stands for on a shared machine. With `--time_steps`
N > 0 it also compiles each stage's step and times N back-to-back calls on
one batch (the fastest of 3), and prints seconds per step and the stage's
training time at that rate (steps x s/step, no compilation, data or
metrics): the wall-clock of the ablation on this machine, measured with
nothing else running.
"""

import tempfile

from absl import app, flags, logging
import jax
from ml_collections import config_flags

from benchmarks import roofline, train_step
from benchmarks.flops import count_flops
from gen_jax import data as data_lib
from gen_jax.train import Experiment, make_train_step

FLAGS = flags.FLAGS


def define_flags():
  """The script's flags (defined when run: importing it defines none)."""
  config_flags.DEFINE_config_file("config", None, "Experiment config file.")
  flags.DEFINE_integer("time_steps", 0, "Time this many calls of each stage's "
                       "compiled step (0: count FLOPs only).", lower_bound=0)


def seconds_per_step(exp, stream, batches, recipe, num_calls: int) -> float:
  """Fastest of 3 timings of `num_calls` back-to-back calls of `recipe`'s
  compiled step on one batch, per call (the state is not donated: the next
  stage starts from it)."""
  _, compiled, _ = train_step.compiled_step(exp, stream, batches, recipe, donate=False)
  run = train_step.step_runner(compiled, exp.train_state, batches, exp.keys["train"])
  return min(roofline.steady_seconds(lambda: run(num_calls), 3)) / num_calls


def stage_costs(config, time_steps: int = 0) -> list[dict]:
  """[{stage, steps, batch, flops_per_step}] for every stage of `config`,
  with `seconds_per_step` when `time_steps` > 0."""
  with tempfile.TemporaryDirectory() as workdir:
    exp = Experiment(config, workdir)
    exp.checkpointer.close()
  rows = []
  schedule = exp.schedule
  for index in range(len(schedule)):
    recipe = exp.stage_recipe(index)
    batch = schedule.batch_size(index, config.train.batch_size)
    stream = data_lib.TrainStream(exp.train_source, batch, exp.data_seed,
                                  exp.batch_sharding, count=recipe.batches_per_step)
    step = make_train_step(recipe, exp.optimizers, config.train.ema_decay)
    batches = next(stream)
    flops = count_flops(step, exp.train_state, batches, exp.keys["train"]).flops
    last = min(schedule.end(index), config.train.num_steps)
    steps = max(0, last - schedule.start(index))
    name = schedule.stages[index].name if schedule.staged else "all"
    rows.append({"stage": name, "steps": steps, "batch": batch, "flops_per_step": flops})
    if time_steps > 0:
      rows[-1]["seconds_per_step"] = seconds_per_step(exp, stream, batches, recipe,
                                                     time_steps)
  return rows


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)   # orbax logs its every step
  rows = stage_costs(FLAGS.config, FLAGS.time_steps)
  for r in rows:
    timing = ""
    if "seconds_per_step" in r:
      timing = (f" {r['seconds_per_step'] * 1e3:9.1f} ms/step "
                f"{r['steps'] * r['seconds_per_step'] / 60:7.2f} min")
    print(f"{r['stage']:>14} {r['steps']:>7} steps x {r['batch']:>4} "
          f"{r['flops_per_step'] / 1e9:10.3f} GFLOP/step{timing}")
  total = sum(r["steps"] * r["flops_per_step"] for r in rows)
  timing = ""
  if FLAGS.time_steps > 0:
    minutes = sum(r["steps"] * r["seconds_per_step"] for r in rows) / 60
    timing = f" {minutes:.2f} min of training on {jax.devices()[0].device_kind}"
  print(f"{'total':>14} {total / 1e12:10.3f} TFLOP{timing}")


if __name__ == "__main__":
  define_flags()
  app.run(main)
