"""The cached PixelCNN sampler of a git revision against today's, in turn.

  python -m benchmarks.cached_pixelcnn_ab --before=92d2c96 [--width=32]
      [--depth=6] [--batches=64,256] [--rounds=5]

Loads gen_jax/sampling/cached_pixelcnn.py as it was at `--before` (it must
run against today's gen_jax helpers) beside today's, builds one random
PixelCNN (benchmarks.sampling_pixel.build, 28x28x1 binary), checks that both
return the same samples for the same key, then times the two alternately,
`--rounds` calls each, so a change of load on a shared machine hits both.
Prints best and median samples/s of each and the ratio of the bests.
"""

import importlib.util
import os
import statistics
import subprocess
import tempfile
import time

from absl import app, flags
import jax
import numpy as np

from benchmarks import roofline, sampling_pixel
from benchmarks.flops import count_flops
from gen_jax.sampling import cached_pixelcnn

FLAGS = flags.FLAGS
PATH = "gen_jax/sampling/cached_pixelcnn.py"
SHAPE = (28, 28, 1)


def define_flags():
  """Defined when run as a script only (see benchmarks.sampling)."""
  flags.DEFINE_string("before", "", "Git revision of the earlier sampler.")
  flags.DEFINE_integer("width", 32, "Features per layer.")
  flags.DEFINE_integer("depth", 6, "Residual blocks.")
  flags.DEFINE_list("batches", ["64", "256"], "Batch sizes.")
  flags.DEFINE_integer("rounds", 5, "Timed calls of each sampler.")


def module_at(revision: str):
  """cached_pixelcnn.py as it was at `revision`, imported under another name."""
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  source = subprocess.run(["git", "show", f"{revision}:{PATH}"], cwd=root, check=True,
                          capture_output=True, text=True).stdout
  with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
    f.write(source)
  spec = importlib.util.spec_from_file_location(f"cached_pixelcnn_{revision}", f.name)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  os.unlink(f.name)
  return module


def samplers(modules: dict, width: int, depth: int, batch: int) -> dict:
  """name -> jitted rng -> samples [B, D], one random PixelCNN for all."""
  recipe, variables = sampling_pixel.build("pixelcnn", SHAPE, width, depth)
  params = variables["params"]["model"]
  return {name: jax.jit(lambda rng, m=m: m.cached_pixelcnn_sample(
      recipe.net, params, recipe.noise(rng, batch), SHAPE, 2)[0])
          for name, m in modules.items()}


def alternate(runs: dict, rounds: int) -> dict:
  """name -> seconds of each call, the runs called in turn `rounds` times."""
  rng = jax.random.PRNGKey(0)
  seconds = {name: [] for name in runs}
  for _ in range(rounds):
    for name, run in runs.items():
      start = time.perf_counter()
      jax.block_until_ready(run(rng))
      seconds[name].append(time.perf_counter() - start)
  return seconds


def main(argv):
  del argv
  modules = {FLAGS.before: module_at(FLAGS.before), "now": cached_pixelcnn}
  _, peak = roofline.announce_peak()
  for batch in (int(b) for b in FLAGS.batches):
    runs = samplers(modules, FLAGS.width, FLAGS.depth, batch)
    outs = [np.asarray(run(jax.random.PRNGKey(0))) for run in runs.values()]  # compiles
    same = all(np.array_equal(outs[0], o) for o in outs[1:])
    seconds = alternate(runs, FLAGS.rounds)
    rates = {name: (batch / min(s), batch / statistics.median(s))
             for name, s in seconds.items()}
    rng = jax.random.PRNGKey(0)
    for name, (best, median) in rates.items():
      flops = count_flops(runs[name], rng).flops / batch
      print(f"{FLAGS.width} x {FLAGS.depth}, batch {batch:>4}, {name:>8}: "
            f"best {best:8.1f}  median {median:8.1f} samples/s, "
            f"{flops / 1e6:.1f} MFLOP/sample, {100 * best * flops / peak:.2f}% of peak",
            flush=True)
    print(f"  same samples: {same}; now / before (best): "
          f"{rates['now'][0] / rates[FLAGS.before][0]:.2f}x", flush=True)


if __name__ == "__main__":
  define_flags()
  app.run(main)
