"""Train-step throughput against the hardware's measured peak.

  python -m benchmarks.train_step [--configs=nade_binarized_mnist,...]
      [--steps=5] [--repeats=3] [--data_dir=...] [--batch_size=0]
      [--output=benchmarks/results/train_step.jsonl]

For each config (a module of experiments/configs, at its own batch size
unless --batch_size is given): the trainer's jitted step (every phase of
the recipe, optimizer updates, EMA) is lowered and compiled (timed apart:
`compile_s`), called once untimed, then timed as `--steps` back-to-back
calls on one batch already on the device, `--repeats` times. One JSON line
per config: `examples_per_s` (fastest run) and its median, FLOPs per example
(forward and backward, scan bodies times their length: benchmarks/flops.py;
XLA's own count beside it), achieved FLOP/s, `fraction_of_peak` of a
float32 matmul measured at the start, peak device memory (None on CPU),
the compiled step's `argument_size_in_bytes`, `output_size_in_bytes` and
`temp_size_in_bytes` (`memory_analysis()`; None where the backend gives
none), device, JAX version, git revision, time. An example is one image of one
batch; a step that reads several batches (a GAN's repeated discriminator
phase) counts each. Runs unchanged on any backend; it uses every device.
"""

import importlib
import tempfile

from absl import app, flags, logging
import jax

from benchmarks import roofline
from benchmarks.flops import count_flops, xla_cost
from gen_jax import data as data_lib
from gen_jax.models.base import batches_per_step
from gen_jax.train import Experiment, make_train_step

PAPER_CONFIGS = ("nade_binarized_mnist", "pixelcnn_binarized_mnist", "vae_binarized_mnist",
                 "dcgan_binarized_mnist")

FLAGS = flags.FLAGS


def define_flags():
  """Defined when run as a script only (see benchmarks.sampling)."""
  flags.DEFINE_list("configs", list(PAPER_CONFIGS), "Modules of experiments/configs to run.")
  flags.DEFINE_integer("steps", 5, "Steps per timed run.")
  flags.DEFINE_integer("repeats", 3, "Timed runs per config.")
  flags.DEFINE_integer("batch_size", 0, "Global batch (0: the config's).")
  flags.DEFINE_string("data_dir", "", "TFDS data directory ('': the config's).")
  flags.DEFINE_integer("peak_size", 0, "n of the n x n peak matmul "
                       "(0: 2048 on CPU, 8192 on an accelerator).")
  flags.DEFINE_string("output", "benchmarks/results/train_step.jsonl",
                      "JSON lines file to append to ('' to skip).")


def load_config(name: str, batch_size: int = 0, data_dir: str = ""):
  """experiments/configs/<name>.py's config, with optional overrides."""
  config = importlib.import_module(f"experiments.configs.{name}").get_config()
  if batch_size:
    config.train.batch_size = batch_size
  if data_dir:
    config.data.data_dir = data_dir
  return config


def compiled_step(exp: Experiment, stream, batches, recipe=None, donate: bool = True):
  """(the step function, its executable, compile seconds) for `recipe` (by
  default `exp.recipe`; a staged run passes its stage's). With `donate` each
  call consumes the state it is given."""
  step = make_train_step(recipe or exp.recipe, exp.optimizers, exp.config.train.ema_decay)
  jitted = jax.jit(step, in_shardings=(exp.replicated, stream.sharding, exp.replicated),
                   out_shardings=(exp.replicated, exp.replicated),
                   donate_argnums=(0,) if donate else ())
  compiled, seconds = roofline.compile_timed(jitted, exp.train_state, batches,
                                             exp.keys["train"])
  return step, compiled, seconds


def step_runner(compiled, state, batches, key):
  """run(n): n back-to-back calls of `compiled` on one batch from the state
  the last call returned (the first from `state`), returning the last."""
  held = {"ts": state}

  def run(num_steps):
    for _ in range(num_steps):
      held["ts"], _ = compiled(held["ts"], batches, key)
    return held["ts"]

  return run


def measure(name: str, config, steps: int, repeats: int, peak_flops: float) -> dict:
  """One config's JSON line (see the module doc)."""
  with tempfile.TemporaryDirectory() as workdir:
    exp = Experiment(config, workdir)
    exp.checkpointer.close()
  batch_size, count = config.train.batch_size, batches_per_step(exp.recipe)
  stream = data_lib.TrainStream(exp.train_source, batch_size, exp.data_seed,
                                exp.batch_sharding, count=count)
  batches, key = next(stream), exp.keys["train"]
  step, compiled, compile_s = compiled_step(exp, stream, batches)
  cost = count_flops(step, exp.train_state, batches, key) * steps
  run = step_runner(compiled, exp.train_state, batches, key)   # donated
  first_call_s = roofline.steady_seconds(lambda: run(1), 1, warmup=0)[0]
  seconds = roofline.steady_seconds(lambda: run(steps), repeats, warmup=0)
  examples = steps * batch_size * count
  xla = xla_cost(compiled)
  return {"benchmark": "train_step", "model": config.model.name,
          "config": name, "batch": batch_size,
          "batches_per_step": count, "steps": steps,
          **roofline.throughput_fields(examples, seconds, cost, peak_flops, "examples"),
          "xla_flops_per_item": (xla["flops"] / (batch_size * count)
                                 if "flops" in xla else None),
          "compile_s": compile_s, "first_call_s": first_call_s,
          "peak_memory_bytes": roofline.peak_memory_bytes(),
          **roofline.compiled_memory(compiled)}


def main(argv):
  del argv
  logging.set_verbosity(logging.WARNING)
  env, peak = roofline.announce_peak(FLAGS.peak_size or None)
  rows = []
  for name in FLAGS.configs:
    config = load_config(name, FLAGS.batch_size, FLAGS.data_dir)
    row = dict(measure(name, config, FLAGS.steps, FLAGS.repeats, peak), **env)
    rows.append(row)
    print(f"{name:>28} batch {row['batch']:>4}: {row['examples_per_s']:10.1f} examples/s "
          f"{row['flops_per_item'] / 1e6:10.1f} MFLOP/example "
          f"{100 * row['fraction_of_peak']:6.2f}% of peak "
          f"(compile {row['compile_s']:.1f} s)", flush=True)
  roofline.append_jsonl(FLAGS.output, rows)


if __name__ == "__main__":
  define_flags()
  app.run(main)
