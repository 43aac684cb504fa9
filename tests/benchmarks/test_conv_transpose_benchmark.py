"""The transposed-conv benchmark times the same function in both variants."""

import jax
from jax import lax
import numpy as np

from benchmarks import conv_transpose as bench
from gen_jax.nn.conv_transpose import conv_transpose


def test_both_variants_compute_the_same_parts():
  x = jax.random.normal(jax.random.key(0), (2, 5, 5, 3))
  kernel = jax.random.normal(jax.random.key(1), (4, 4, 3, 2))
  want = bench.parts(lambda x, w: lax.conv_transpose(x, w, (2, 2), "SAME",
                                                     dimension_numbers=bench.NHWC), x, kernel)
  got = bench.parts(lambda x, w: conv_transpose(x, w, (2, 2), "SAME"), x, kernel)
  assert set(got) == set(bench.PARTS)
  for part in bench.PARTS:
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4),
                 got[part](x, kernel), want[part](x, kernel))
  times = bench.layer_times({"gen_jax": lambda x, w: conv_transpose(x, w, (2, 2), "SAME")},
                            x, kernel, repeats=1)
  assert set(times) == {("gen_jax", part) for part in bench.PARTS}
