"""Where a cached PixelCNN sampling step's time goes, against its FLOP floor.

  python -m benchmarks.pixelcnn_breakdown [--batches=64,256] [--width=32]
      [--depth=6] [--repeats=5] [--output=benchmarks/results/pixelcnn_breakdown.jsonl]

On one random PixelCNN (benchmarks.sampling_pixel.build, 28x28x1 binary),
times `lax.scan`s over the 784 positions with the cached sampler's shapes:
  sampler    the whole cached sampler (gen_jax.sampling.cached_pixelcnn),
             its row-end convolutions included;
  matmuls    only its per-pixel arithmetic: every conv's in-row taps as one
             [B, taps * F_in] x [taps * F_in, F] matmul, the residual adds
             and the two-layer output head, on a carried [B, F] activation;
  caches     only its per-pixel cache traffic: each block's pixel written
             into its [B, H + p, W + 2p, F] cache and the in-row patch read
             back (dynamic_update_slice / dynamic_slice), no arithmetic;
  row_end    the convolutions over the rows above, once per row (28 calls),
             spread over the row's positions.
Each line gives microseconds per position, its FLOPs (benchmarks/flops.py),
the fraction of the measured matmul peak, and the floor: FLOPs / peak.
"""

from absl import app, flags
import jax
import jax.numpy as jnp

from benchmarks import roofline, sampling_pixel
from benchmarks.flops import count_flops
from gen_jax.nn.masked_conv import (conv_above, conv_in_row, masked_kernel, pad_cache,
                                    write_pixel)
from gen_jax.sampling import cached_pixelcnn
from gen_jax.sampling.autoregressive import draw_noise

FLAGS = flags.FLAGS
SHAPE = (28, 28, 1)


def define_flags():
  """Defined when run as a script only (see benchmarks.sampling)."""
  flags.DEFINE_list("batches", ["64", "256"], "Batch sizes.")
  flags.DEFINE_integer("width", 32, "Features per layer.")
  flags.DEFINE_integer("depth", 6, "Residual blocks.")
  flags.DEFINE_integer("repeats", 5, "Timed calls per variant.")
  flags.DEFINE_string("output", "benchmarks/results/pixelcnn_breakdown.jsonl",
                      "JSON lines file to append to ('' to skip).")


def kernels_of(net, params):
  """The masked kernels of the input conv and of each block, in order."""
  return [masked_kernel(params["conv_in"]["kernel"], SHAPE[-1], "A")] + [
      masked_kernel(params[f"block_{i}"]["kernel"], SHAPE[-1], "B")
      for i in range(net.num_blocks)]


def in_row_matrix(kernel):
  """[kh, kw, F_in, F] -> [taps * F_in, F]: the taps of the centre row up to
  the centre (what `conv_in_row` multiplies)."""
  kh, kw, fin, fout = kernel.shape
  return kernel[kh // 2, :kw // 2 + 1].reshape(-1, fout)


def matmul_scan(net, params, batch: int):
  """The sampler's per-pixel arithmetic only: fn(act [B, F]) -> act."""
  mats = [in_row_matrix(k) for k in kernels_of(net, params)[1:]]
  first = in_row_matrix(kernels_of(net, params)[0])       # [taps * C, F]
  head = lambda h: cached_pixelcnn.head(params, h, SHAPE[-1])

  def position(act, _):
    x = act[:, :first.shape[0]]                             # stands in for the pixels
    act = act + x @ first
    for m in mats:
      act = act + jnp.tile(jax.nn.relu(act), m.shape[0] // act.shape[1]) @ m
    return jnp.clip(act + head(act)[:, :1], -1.0, 1.0), None   # bounded over 784 steps

  return jax.jit(lambda act: jax.lax.scan(position, act, None, length=SHAPE[0] * SHAPE[1])[0])


def cache_scan(net, batch: int):
  """The sampler's per-pixel cache traffic only: fn(act, caches) -> act."""
  pad = (max(net.first_kernel, net.kernel) // 2,) * 2
  tap = jnp.zeros((net.kernel, net.kernel, net.features, 1), jnp.float32)
  tap = tap.at[net.kernel // 2, :net.kernel // 2 + 1].set(1.0)   # sums the patch

  def position(carry, p):
    act, caches = carry
    r, c = p // SHAPE[1], p % SHAPE[1]
    out = []
    for cache in caches:
      cache = write_pixel(cache, act, r, c, pad)
      act = act + conv_in_row(cache, tap, r, c, pad)         # [B, 1] broadcast
      out.append(cache)
    return (jnp.clip(act, -1.0, 1.0), out), None

  def run(act, caches):
    (act, _), _ = jax.lax.scan(position, (act, caches), jnp.arange(SHAPE[0] * SHAPE[1]))
    return act

  return jax.jit(run), pad


def row_end_fn(net, params):
  """conv_above of every layer for one row: fn(caches, r) -> [B, W, F] sums."""
  kernels = kernels_of(net, params)
  pad = (max(net.first_kernel, net.kernel) // 2,) * 2
  return jax.jit(lambda caches, r: sum(conv_above(x, k, r, pad).sum(-1)
                                       for x, k in zip(caches, kernels))), pad


def variants(recipe, variables, batch: int):
  """name -> (jitted fn, args, positions the call covers)."""
  net, params = recipe.net, variables["params"]["model"]
  d = SHAPE[0] * SHAPE[1]
  noise = draw_noise(jax.random.PRNGKey(2), batch, d * SHAPE[2], recipe.num_levels)
  sampler = jax.jit(lambda noise: cached_pixelcnn.cached_pixelcnn_sample(
      net, params, noise, SHAPE, recipe.num_levels)[0])
  act = 0.1 * jax.random.normal(jax.random.PRNGKey(3), (batch, net.features))
  caches_fn, pad = cache_scan(net, batch)
  blank = lambda f: pad_cache(jnp.zeros((batch,) + SHAPE[:2] + (f,), jnp.float32), pad)
  caches = [blank(net.features) for _ in range(net.num_blocks)]
  rows_fn, _ = row_end_fn(net, params)
  layer_inputs = [blank(SHAPE[-1])] + caches
  per_row = SHAPE[1] * SHAPE[2]
  return {"sampler": (sampler, (noise,), d),
          "matmuls": (matmul_scan(net, params, batch), (act,), d),
          "caches": (caches_fn, (act, caches), d),
          "row_end": (rows_fn, (layer_inputs, jnp.int32(14)), per_row)}


def measure(name, fn, args, positions, repeats, peak_flops) -> dict:
  return {"benchmark": "pixelcnn_breakdown", "model": "pixelcnn", "variant": name,
          **roofline.per_position_fields(fn, args, positions, repeats, peak_flops)}


def main(argv):
  del argv
  env, peak = roofline.announce_peak()
  recipe, variables = sampling_pixel.build("pixelcnn", SHAPE, FLAGS.width, FLAGS.depth)
  setting = sampling_pixel.describe("pixelcnn", FLAGS.width, FLAGS.depth)
  rows = []
  for batch in (int(b) for b in FLAGS.batches):
    for name, (fn, args, positions) in variants(recipe, variables, batch).items():
      row = dict(measure(name, fn, args, positions, FLAGS.repeats, peak),
                 setting=setting, batch=batch, **env)
      rows.append(row)
      print(roofline.position_line(batch, name, row), flush=True)
  roofline.append_jsonl(FLAGS.output, rows)


if __name__ == "__main__":
  define_flags()
  app.run(main)
