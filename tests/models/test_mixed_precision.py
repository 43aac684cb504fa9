"""`model.dtype=bfloat16` (NADE): the NLL moves by less than a stated tolerance.

Tolerance: 0.1% of each image's NLL (bfloat16 keeps 8 significant bits,
0.4% per product; the float32 accumulation averages the errors out), and
0.05% on the batch mean. At the paper NADE's 88 nats, 0.1% is 0.09 nats.
"""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.models import make_recipe

SPEC = DataSpec(name="t", event_shape=(12, 12, 1), encoding="binary", num_levels=2)


def nade(dtype: str, hidden: int = 64):
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": "nade", "hidden": hidden, "dtype": dtype}), SPEC)
  variables = recipe.init(jax.random.PRNGKey(0), None)
  variables["params"] = jax.tree.map(
      lambda p: p + 0.3 * jax.random.normal(jax.random.PRNGKey(1), p.shape),
      variables["params"])
  return recipe, variables


def test_bfloat16_nll_within_tolerance_of_float32():
  x = (jax.random.uniform(jax.random.PRNGKey(2), (32,) + SPEC.event_shape) < 0.3)
  batch = {"x": x.astype(jnp.float32)}
  nll = {d: -np.asarray(nade(d)[0].log_prob(nade(d)[1], batch), np.float64)
         for d in ("float32", "bfloat16")}
  assert nll["bfloat16"].dtype == np.float64 and np.all(np.isfinite(nll["bfloat16"]))
  assert not np.array_equal(nll["float32"], nll["bfloat16"])     # it does change
  np.testing.assert_allclose(nll["bfloat16"], nll["float32"], rtol=1e-3)
  assert abs(nll["bfloat16"].mean() / nll["float32"].mean() - 1) < 5e-4


def test_bfloat16_log_prob_is_accumulated_in_float32():
  recipe, variables = nade("bfloat16", hidden=8)
  log_p = recipe.log_prob(variables, {"x": jnp.zeros((2,) + SPEC.event_shape)})
  assert log_p.dtype == jnp.float32


def test_bfloat16_samplers_agree():
  recipe, variables = nade("bfloat16", hidden=8)
  rng = jax.random.PRNGKey(3)
  np.testing.assert_array_equal(recipe.sample(variables, rng, 4),
                                recipe.naive_sample(variables, rng, 4))


def test_unknown_dtype_is_a_user_error():
  with pytest.raises(UserError, match="model.dtype"):
    nade("float8")
