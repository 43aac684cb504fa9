"""Where a NADE sampling step's time goes, against its FLOP floor.

  python -m benchmarks.nade_breakdown [--batches=64,256] [--hidden=500]
      [--dims=784] [--repeats=5] [--output=benchmarks/results/nade_breakdown.jsonl]

Times three `lax.scan`s over D positions with the sampler's shapes (carry
a [B, H], per-position rows of W and V scanned over):
  step        the sampler's step: h = sigmoid(a), logit = h . v_i + b_i,
              x = [logit + noise > 0], a += x w_i;
  activation  only a = sigmoid(a): the B x H transcendentals of a step;
  linear      the step without its sigmoid (the matvec, pick and update);
  step_unroll8    the step with `lax.scan(..., unroll=8)`;
  step_hb         the step with the carry laid out [H, B] (batch fastest).
Each line gives microseconds per position, its FLOPs (benchmarks/flops.py)
and fraction of the measured matmul peak, and the floor: FLOPs / peak.
"""

from absl import app, flags
import jax
import jax.numpy as jnp

from benchmarks import roofline

FLAGS = flags.FLAGS


def define_flags():
  """Defined when run as a script only (see benchmarks.sampling)."""
  flags.DEFINE_list("batches", ["64", "256"], "Batch sizes.")
  flags.DEFINE_integer("hidden", 500, "H.")
  flags.DEFINE_integer("dims", 784, "D, the positions.")
  flags.DEFINE_integer("repeats", 5, "Timed calls per variant.")
  flags.DEFINE_string("output", "benchmarks/results/nade_breakdown.jsonl",
                      "JSON lines file to append to ('' to skip).")


def pick_and_update(a, h, inputs):
  """a, h [B, H]; (w_i [H], v_i [H], b_i [], noise_i [B]) -> the next a."""
  w_i, v_i, b_i, noise_i = inputs
  x = (h @ v_i + b_i + noise_i > 0).astype(jnp.float32)       # [B]
  return a + x[:, None] * w_i


def pick_and_update_hb(a, h, inputs):
  """As `pick_and_update` with a, h laid out [H, B]."""
  w_i, v_i, b_i, noise_i = inputs
  x = (v_i @ h + b_i + noise_i > 0).astype(jnp.float32)       # [B]
  return a + w_i[:, None] * x[None, :]


def step_variants() -> dict:
  """name -> (body(a, (w_i, v_i, b_i, noise_i)) -> a, unroll, carry layout)."""
  step = lambda a, inputs: pick_and_update(a, jax.nn.sigmoid(a), inputs)
  return {
      "step": (step, 1, "BH"),
      "activation": (lambda a, inputs: jax.nn.sigmoid(a), 1, "BH"),
      "linear": (lambda a, inputs: pick_and_update(a, a, inputs), 1, "BH"),
      "step_unroll8": (step, 8, "BH"),
      "step_hb": (lambda a, inputs: pick_and_update_hb(a, jax.nn.sigmoid(a), inputs),
                  1, "HB"),
  }


def scan_of(body, unroll: int = 1):
  """a0, rows ([D, H], [D, H], [D], [D, B]) -> final a, one scan."""
  return jax.jit(lambda a0, rows: jax.lax.scan(lambda a, r: (body(a, r), None), a0, rows,
                                               unroll=unroll)[0])


def inputs(batch: int, hidden: int, dims: int):
  keys = jax.random.split(jax.random.PRNGKey(0), 4)
  a0 = jax.random.normal(keys[0], (batch, hidden))
  rows = (0.01 * jax.random.normal(keys[1], (dims, hidden)),
          0.01 * jax.random.normal(keys[2], (dims, hidden)),
          jnp.zeros((dims,)), jax.random.logistic(keys[3], (dims, batch)))
  return a0, rows


def measure(name: str, variant, batch: int, hidden: int, dims: int, repeats: int,
            peak_flops: float) -> dict:
  """One variant's JSON line: per-position time, FLOPs and fraction of peak."""
  body, unroll, layout = variant
  a0, rows = inputs(batch, hidden, dims)
  a0 = a0.T if layout == "HB" else a0
  return {"benchmark": "nade_breakdown", "model": "nade", "variant": name,
          "setting": f"H={hidden}", "batch": batch, "dims": dims,
          **roofline.per_position_fields(scan_of(body, unroll), (a0, rows), dims, repeats,
                                         peak_flops)}


def main(argv):
  del argv
  env, peak = roofline.announce_peak()
  rows = []
  for batch in (int(b) for b in FLAGS.batches):
    for name, variant in step_variants().items():
      row = dict(measure(name, variant, batch, FLAGS.hidden, FLAGS.dims, FLAGS.repeats, peak),
                 **env)
      rows.append(row)
      print(roofline.position_line(batch, name, row), flush=True)
  roofline.append_jsonl(FLAGS.output, rows)


if __name__ == "__main__":
  define_flags()
  app.run(main)
