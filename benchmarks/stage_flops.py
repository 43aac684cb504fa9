"""Training FLOPs of a staged recipe, stage by stage (traced, not run).

  python -m benchmarks.stage_flops --config=experiments/configs/progan_mnist.py \
      [--config.model.progressive=False ...]

Prints, per stage, its steps, batch size and FLOPs per step (counted from the
traced step by `benchmarks.flops`, scan bodies times their length), and the
total: the machine-independent cost that the wall-clock comparison of the
Progressive GAN ablation stands for on a shared machine.
"""

import tempfile

from absl import app, flags, logging
from ml_collections import config_flags

from benchmarks.flops import count_flops
from gen_jax import data as data_lib
from gen_jax.train import Experiment, make_train_step

FLAGS = flags.FLAGS


def define_flags():
  """The script's flags (defined when run: importing it defines none)."""
  config_flags.DEFINE_config_file("config", None, "Experiment config file.")


def stage_costs(config) -> list[dict]:
  """[{stage, steps, batch, flops_per_step}] for every stage of `config`."""
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
    flops = count_flops(step, exp.train_state, next(stream), exp.keys["train"]).flops
    last = min(schedule.end(index), config.train.num_steps)
    steps = max(0, last - schedule.start(index))
    name = schedule.stages[index].name if schedule.staged else "all"
    rows.append({"stage": name, "steps": steps, "batch": batch, "flops_per_step": flops})
  return rows


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)   # orbax logs its every step
  rows = stage_costs(FLAGS.config)
  for r in rows:
    print(f"{r['stage']:>14} {r['steps']:>7} steps x {r['batch']:>4} "
          f"{r['flops_per_step'] / 1e9:10.3f} GFLOP/step")
  total = sum(r["steps"] * r["flops_per_step"] for r in rows)
  print(f"{'total':>14} {total / 1e12:10.3f} TFLOP")


if __name__ == "__main__":
  define_flags()
  app.run(main)
