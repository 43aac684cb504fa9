"""NADE sampling cases for `python -m benchmarks.sampling --models=nade`.

`scan`: the recipe's sampler, one `lax.scan` over the D positions carrying
the running pre-activation, O(DH) per sample. `naive`: the same samples
(same noise, same `pick`) but every step recomputes the conditionals of the
whole prefix with a full `log_prob`-style pass, O(D^2 H) per sample.
Parameters are random (init plus noise): sampling cost does not depend on
their values. NADE_BENCH_DTYPE=bfloat16 times `model.dtype=bfloat16` instead
(the setting then says so).
"""

import os

import jax
import ml_collections

from benchmarks.harness import Case
from gen_jax.data.spec import DataSpec
from gen_jax.models import make_recipe

# (image shape, hidden units, largest batch the naive sampler is timed at:
# it is D times slower, and at 28x28 a batch of 256 takes minutes on a CPU).
SETTINGS = (((8, 8, 1), 100, None), ((28, 28, 1), 500, 16))


def _model(shape, hidden, dtype="float32"):
  spec = DataSpec(name="bench", event_shape=shape, encoding="binary", num_levels=2)
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": "nade", "hidden": hidden, "dtype": dtype}), spec)
  variables = recipe.init(jax.random.PRNGKey(0), None)
  noise = jax.tree.map(lambda p: 0.1 * jax.random.normal(jax.random.PRNGKey(1), p.shape),
                       variables["params"])
  variables["params"] = jax.tree.map(lambda p, n: p + n, variables["params"], noise)
  return recipe, variables


def cases(batches):
  dtype = os.environ.get("NADE_BENCH_DTYPE", "float32")
  out = []
  for shape, hidden, naive_max in SETTINGS:
    recipe, variables = _model(shape, hidden, dtype)
    setting = f"H={hidden}" + ("" if dtype == "float32" else f" {dtype}")
    for batch in batches:
      scan = jax.jit(lambda rng, b=batch, r=recipe, v=variables: r.sample(v, rng, b))
      out.append(Case("nade", "scan", shape, batch, scan, setting=setting))
      if naive_max is None or batch <= naive_max:
        naive = jax.jit(lambda rng, b=batch, r=recipe, v=variables:
                        r.naive_sample(v, rng, b))
        out.append(Case("nade", "naive", shape, batch, naive, setting=setting))
  return out
