"""The PixelCNN breakdown's stand-ins do what the cached sampler does."""

import jax
import numpy as np

from benchmarks import pixelcnn_breakdown, sampling_pixel
from gen_jax.nn.masked_conv import conv_in_row, pad_cache


def test_in_row_matrix_is_the_taps_conv_in_row_multiplies():
  kernel = jax.random.normal(jax.random.PRNGKey(0), (3, 3, 4, 5))
  x = jax.random.normal(jax.random.PRNGKey(1), (2, 6, 6, 4))
  padded = pad_cache(x, (1, 1))
  r, c = 3, 4
  patch = x[:, r, c - 1:c + 1].reshape(2, -1)                 # [B, 2 taps * F_in]
  np.testing.assert_allclose(patch @ pixelcnn_breakdown.in_row_matrix(kernel),
                             conv_in_row(padded, kernel, r, c, (1, 1)), rtol=1e-5)


def test_every_variant_runs_and_the_sampler_costs_what_its_parts_cost():
  recipe, variables = sampling_pixel.build("pixelcnn", pixelcnn_breakdown.SHAPE, 8, 2)
  flops = {}
  for name, (fn, args, positions) in pixelcnn_breakdown.variants(recipe, variables, 2).items():
    out = jax.block_until_ready(fn(*args))
    assert np.all(np.isfinite(np.asarray(jax.tree.leaves(out)[0], np.float32)))
    flops[name] = pixelcnn_breakdown.count_flops(fn, *args).flops / positions
  # Per position, the sampler's FLOPs are its in-row matmuls and head plus
  # its row-end convolutions spread over the row (within the few adds the
  # stand-ins do differently); the cache traffic has almost none.
  assert abs(flops["sampler"] / (flops["matmuls"] + flops["row_end"]) - 1) < 0.1
  assert flops["caches"] < 0.05 * flops["sampler"]
