"""Stride-2 conv layers of the generators and DCGAN's discriminator, part by part.

  python -m benchmarks.conv_transpose [--repeats=5] [--scale=1]

For each layer (batch, input, kernel as the configs use them): the forward,
the input gradient, the kernel gradient and the three together (one
`jax.grad` wrt input and kernel), jitted, median milliseconds of `--repeats`
calls taken in turn with the other variants. Transposed convs run as
`lax.conv_transpose` (flax's `nn.ConvTranspose`) and as
`gen_jax.nn.conv_transpose` (the same forward, the kernel gradient as
per-tap matmuls); strided convs as `lax.conv_general_dilated` only.
`--scale` divides the batches (a quick run).
"""

import statistics
import time

from absl import app, flags
import jax
from jax import lax
import jax.numpy as jnp

from gen_jax.nn.conv_transpose import conv_transpose

FLAGS = flags.FLAGS

NHWC = ("NHWC", "HWIO", "NHWC")
# name, batch, input side, in channels, out channels, kernel; all stride 2, SAME
TRANSPOSED = (
    ("DCGAN 28x28 G 1", 64, 7, 256, 128, 4), ("DCGAN 28x28 G 2", 64, 14, 128, 1, 4),
    ("PuzzleGAN 28x28 G 1", 64, 7, 64, 32, 4), ("PuzzleGAN 28x28 G 2", 64, 14, 32, 16, 4),
    ("StarGAN 28x28 G 1", 16, 7, 128, 64, 4), ("StarGAN 28x28 G 2", 16, 14, 64, 32, 4),
    ("CycleGAN 28x28 G 1", 16, 7, 64, 32, 3), ("CycleGAN 28x28 G 2", 16, 14, 32, 16, 3),
    ("ConvDecoder 28x28 1", 100, 7, 64, 64, 4), ("ConvDecoder 28x28 2", 100, 14, 64, 32, 4),
)
STRIDED = (("DCGAN 28x28 D 1", 64, 28, 1, 64, 4), ("DCGAN 28x28 D 2", 64, 14, 64, 128, 4))
PARTS = ("forward", "input grad", "kernel grad", "fwd+bwd")


def define_flags():
  """Defined when run as a script only (see benchmarks.sampling)."""
  flags.DEFINE_integer("repeats", 5, "Timed calls per variant and part.")
  flags.DEFINE_integer("scale", 1, "Divide every batch by this.")


def parts(conv, x, kernel):
  """{part: (jitted function, args)} of conv(x, kernel)."""
  cotangent = jnp.ones(jax.eval_shape(conv, x, kernel).shape, x.dtype)
  loss = lambda x, k: jnp.vdot(conv(x, k), cotangent)
  return {"forward": jax.jit(conv), "input grad": jax.jit(jax.grad(loss, 0)),
          "kernel grad": jax.jit(jax.grad(loss, 1)), "fwd+bwd": jax.jit(jax.grad(loss, (0, 1)))}


def layer_times(variants: dict, x, kernel, repeats: int) -> dict:
  """{(variant, part): median ms}, the calls of all variants interleaved."""
  fns = {(v, p): f for v, conv in variants.items() for p, f in parts(conv, x, kernel).items()}
  for f in fns.values():
    jax.block_until_ready(f(x, kernel))
  times = {key: [] for key in fns}
  for _ in range(repeats):
    for key, f in fns.items():
      start = time.perf_counter()
      jax.block_until_ready(f(x, kernel))
      times[key].append((time.perf_counter() - start) * 1e3)
  return {key: statistics.median(t) for key, t in times.items()}


def run(repeats: int = 5, scale: int = 1) -> list[dict]:
  rows = []
  key = jax.random.key(0)
  for kind, layers in (("transposed", TRANSPOSED), ("strided", STRIDED)):
    for name, batch, side, c_in, c_out, k in layers:
      x = jax.random.normal(key, (max(1, batch // scale), side, side, c_in))
      kernel = jax.random.normal(key, (k, k, c_in, c_out))
      if kind == "transposed":
        variants = {"lax": lambda x, w: lax.conv_transpose(x, w, (2, 2), "SAME",
                                                           dimension_numbers=NHWC),
                    "gen_jax": lambda x, w: conv_transpose(x, w, (2, 2), "SAME")}
      else:
        variants = {"lax": lambda x, w: lax.conv_general_dilated(x, w, (2, 2), "SAME",
                                                                 dimension_numbers=NHWC)}
      rows.append(dict(layer=name, batch=x.shape[0], shape=f"{side}x{side}x{c_in}->{c_out}",
                       kernel=k, ms=layer_times(variants, x, kernel, repeats)))
  return rows


def main(argv):
  del argv
  print(f"median ms of {FLAGS.repeats} calls; lax -> gen_jax where both run")
  for row in run(FLAGS.repeats, FLAGS.scale):
    cells = []
    for part in PARTS:
      lax_ms, new_ms = row["ms"][("lax", part)], row["ms"].get(("gen_jax", part))
      cells.append(f"{part} {lax_ms:.1f}" + (f" -> {new_ms:.1f}" if new_ms else ""))
    print(f"{row['layer']:20s} B{row['batch']:<4d}{row['shape']:>14s} k{row['kernel']}: "
          + "; ".join(cells))


if __name__ == "__main__":
  define_flags()
  app.run(main)
