"""The "ais" evaluator: the likelihood of an energy model whose normalizer
is estimated apart (a `PartitionFunction`: the RBM).

  c.evals.ais = ml_collections.ConfigDict(dict(log_z="ais", ais_steps=14_500,
                                               ais_runs=100))

Once per evaluation, log Z and its standard error come from
`recipe.log_partition` with key fold_in(key, LOG_Z_KEY): by annealed
importance sampling (`log_z="ais"`: `ais_steps` intermediate distributions
spaced as in Salakhutdinov & Murray 2008, `ais_runs` runs; the math is in
`gen_jax.sampling.ais`) or by exact enumeration (`log_z="exact"`, for models
small enough). Then, per example over the split,

  nll_nats = -(unnormalized_log_prob(x) - log Z),  bits_per_dim (images),
  log_z, log_z_se   (constants: their `_stderr` is 0 up to float rounding).

The NLL's `nll_nats_stderr` is over examples; log Z's error is shared by
all of them, so the total is sqrt(nll_nats_stderr^2 + log_z_se^2), and AIS
errs towards a low log Z, i.e. an optimistic NLL (`gen_jax.sampling.ais`).
"""

import dataclasses
import functools
import sys

import jax
import jax.numpy as jnp
from tqdm import tqdm

from gen_jax.eval.evaluator import Evaluator
from gen_jax.models.base import PartitionFunction, likelihood_metrics, require
from gen_jax.options import option

LOG_Z_KEY = 2 ** 31 - 3   # the constant folded into the evaluation's key for log Z


@dataclasses.dataclass(frozen=True)
class AISOptions:
  log_z: str = option("ais", choices=("ais", "exact"))   # how log Z is computed
  ais_steps: int = option(14_500, minimum=1)   # intermediate distributions (paper: 14,500)
  ais_runs: int = option(100, minimum=2)       # runs; the standard error is over them


@functools.lru_cache(maxsize=None)
def jitted_log_partition(recipe):
  """`recipe.log_partition` jitted (its settings static), once per recipe."""
  return jax.jit(recipe.log_partition, static_argnums=(2, 3, 4))


@functools.lru_cache(maxsize=None)
def likelihood_fn(recipe):
  """metrics(variables, batch, rng) -> {name: [B]} with log Z and its
  standard error read from variables["log_z"], variables["log_z_se"]: one
  function per recipe, so the split's step compiles once."""
  def metrics(variables, batch, rng):
    del rng
    log_z = variables["log_z"]
    nll = -(recipe.unnormalized_log_prob(variables, batch) - log_z)     # [B]
    num = nll.shape[0]
    return {**likelihood_metrics(nll, recipe.spec),
            "log_z": jnp.full((num,), log_z),
            "log_z_se": jnp.full((num,), variables["log_z_se"])}
  return metrics


class AISLikelihood(Evaluator):
  """nll_nats (and bits_per_dim) with log Z estimated once per evaluation."""
  Options = AISOptions

  def __call__(self, recipe, variables, key, data):
    require(recipe, PartitionFunction, "evaluator 'ais'")
    o = self.options
    if o.log_z == "ais" and jax.process_index() == 0:
      tqdm.write(f"estimating log Z by AIS ({o.ais_steps} distributions, {o.ais_runs} runs)",
                 file=sys.stderr)
    log_z, log_z_se = jitted_log_partition(recipe)(
        variables, jax.random.fold_in(key, LOG_Z_KEY), o.log_z, o.ais_steps, o.ais_runs)
    return data.means(likelihood_fn(recipe),
                      {**variables, "log_z": log_z, "log_z_se": log_z_se})
