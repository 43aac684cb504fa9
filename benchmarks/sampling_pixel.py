"""PixelCNN / Gated PixelCNN / PixelRNN sampling cases for `benchmarks.sampling`.

  python -m benchmarks.sampling --models=pixelcnn,gated_pixelcnn,row_lstm,diagonal_bilstm \
      --batches=1,16

Samplers, all returning the same samples for the same key:
  naive   a host loop over the H*W*C positions, each a jitted full forward
          pass (what one writes without scan or caches);
  scan    the reference sampler: one jitted `lax.scan` over positions, still
          a full forward pass per position;
  cached  PixelCNN / Gated PixelCNN: per-layer input caches, each step
          computes the new pixel only (Ramachandran et al. 2017);
          PixelRNN: the LSTM states are carried in raster order instead of
          recomputing the recurrences over the image.

The grid is 28x28x1 binary and 32x32x3 256-level images; on a small CPU it
is slow, so environment variables select a part of it:
  PIXEL_BENCH_SHAPES    e.g. "28x28x1" (default "28x28x1,32x32x3")
  PIXEL_BENCH_SAMPLERS  e.g. "scan,cached" (default "naive,scan,cached")
  PIXEL_BENCH_WIDTH     features per layer (default 128; PixelRNN: half)
  PIXEL_BENCH_DEPTH     layers / residual blocks (default 12)
  PIXEL_BENCH_NAIVE_MAX largest batch the naive sampler is timed at (default 16)
Parameters are random (init plus noise); cost does not depend on them.
"""

import os

import jax
import ml_collections

from benchmarks.harness import Case
from gen_jax.data.spec import DataSpec
from gen_jax.models import make_recipe

MODELS = ("pixelcnn", "gated_pixelcnn", "row_lstm", "diagonal_bilstm")


def _env_list(name, default):
  return [s for s in os.environ.get(name, default).split(",") if s]


def model_config(name: str, width: int, depth: int) -> dict:
  """Architecture of the benchmarked `name` at a given width and depth."""
  if name == "pixelcnn":
    return dict(features=width, num_blocks=depth, out_features=width)
  if name == "gated_pixelcnn":
    return dict(features=width, num_layers=depth, kernel=5, out_features=width)
  return dict(features=max(width // 2, 4), num_layers=max(depth // 2, 1),
              out_features=width)


def build(name: str, shape: tuple[int, ...], width: int, depth: int):
  levels = 2 if shape[-1] == 1 else 256
  spec = DataSpec(name="bench", event_shape=shape,
                  encoding="binary" if levels == 2 else "categorical",
                  num_levels=levels)
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": name, **model_config(name, width, depth)}), spec)
  variables = recipe.init(jax.random.PRNGKey(0), None)
  noise = jax.tree.map(lambda p: 0.05 * jax.random.normal(jax.random.PRNGKey(1), p.shape),
                       variables["params"])
  variables["params"] = jax.tree.map(lambda p, n: p + n, variables["params"], noise)
  return recipe, variables


def describe(name: str, width: int, depth: int) -> str:
  """The benchmarked architecture in words, e.g. '32 features x 6 blocks'."""
  config = model_config(name, width, depth)
  layers = config.get("num_blocks", config.get("num_layers"))
  return f"{config['features']} features x {layers} " + (
      "blocks" if "num_blocks" in config else "layers")


def parse_shape(text: str) -> tuple[int, ...]:
  return tuple(int(v) for v in text.split("x"))


def cases(batches):
  shapes = [parse_shape(s) for s in _env_list("PIXEL_BENCH_SHAPES", "28x28x1,32x32x3")]
  samplers = _env_list("PIXEL_BENCH_SAMPLERS", "naive,scan,cached")
  width = int(os.environ.get("PIXEL_BENCH_WIDTH", "128"))
  depth = int(os.environ.get("PIXEL_BENCH_DEPTH", "12"))
  naive_max = int(os.environ.get("PIXEL_BENCH_NAIVE_MAX", "16"))
  out = []
  for name in MODELS:
    for shape in shapes:
      recipe, variables = build(name, shape, width, depth)
      setting = describe(name, width, depth)
      for batch in batches:
        for sampler in samplers:
          # The naive host loop does the scan sampler's arithmetic.
          fn = recipe.samplers()["scan" if sampler == "naive" else sampler]
          jitted = jax.jit(lambda rng, f=fn, b=batch, v=variables: f(v, rng, b))
          if sampler == "naive":
            if batch > naive_max:
              continue
            out.append(Case(name, sampler, shape, batch,
                            recipe.naive_sampler(variables, batch), counted=jitted,
                            setting=setting))
          else:
            out.append(Case(name, sampler, shape, batch, jitted, setting=setting))
  return out
