"""Floating-point operations of a JAX function, loops counted by their trips.

XLA's `compiled.cost_analysis()` counts a `while` body once, whatever its
trip count, so for a `lax.scan` sampler it reports the cost of one step (and
the noise drawn up front). `count_flops` walks the jaxpr instead and
multiplies each `scan` body by its length; on loop-free programs the two
agree (tests/benchmarks/test_flops.py). Conventions, as XLA's:

- dot_general / conv: 2 * output elements * contracted elements (a conv's
  zeros between dilated inputs excluded);
- float elementwise ops and reductions: one per element;
- transcendentals (exp, log, tanh, logistic, ...) counted apart;
- data movement (slices, reshapes, updates, casts) and integer ops: free.
"""

import dataclasses
import math
from typing import Any, Callable

import jax
import jax.numpy as jnp

TRANSCENDENTAL = frozenset({"exp", "exp2", "log", "log1p", "expm1", "tanh", "logistic",
                            "sin", "cos", "tan", "erf", "erf_inv", "erfc", "pow", "sqrt",
                            "rsqrt", "cbrt", "lgamma", "digamma", "atan2"})
ELEMENTWISE = frozenset({"add", "sub", "mul", "div", "neg", "max", "min", "abs", "sign",
                         "integer_pow", "square", "floor", "ceil", "round", "select_n",
                         "gt", "lt", "ge", "le", "eq", "ne", "clamp", "rem", "nextafter",
                         "add_any", "is_finite"})
REDUCTION = frozenset({"reduce_sum", "reduce_max", "reduce_min", "reduce_prod",
                       "argmax", "argmin", "cumsum", "cumlogsumexp", "cummax"})


@dataclasses.dataclass
class Cost:
  flops: float = 0.0
  transcendentals: float = 0.0

  def __add__(self, other):
    return Cost(self.flops + other.flops, self.transcendentals + other.transcendentals)

  def __mul__(self, times):
    return Cost(self.flops * times, self.transcendentals * times)


def _size(var) -> int:
  return math.prod(getattr(var.aval, "shape", ()))


def _is_float(var) -> bool:
  dtype = getattr(var.aval, "dtype", None)
  return dtype is not None and jnp.issubdtype(dtype, jnp.inexact)


def _dot_flops(eqn) -> float:
  lhs = eqn.invars[0].aval.shape
  (contract_lhs, _), _ = eqn.params["dimension_numbers"]
  return 2.0 * _size(eqn.outvars[0]) * math.prod(lhs[d] for d in contract_lhs)


def _conv_flops(eqn) -> float:
  """Kernel taps per output that meet real inputs: an input dilated by s
  (a transposed or input-gradient conv of stride s) meets 1 / s of them."""
  rhs = eqn.invars[1].aval.shape                 # kernel
  out_feature_dim = eqn.params["dimension_numbers"].rhs_spec[0]
  per_output = math.prod(rhs) / rhs[out_feature_dim]
  dilation = math.prod(eqn.params.get("lhs_dilation") or (1,))
  return 2.0 * _size(eqn.outvars[0]) * per_output / dilation


def _sub_jaxprs(eqn):
  for value in eqn.params.values():
    for item in value if isinstance(value, (tuple, list)) else (value,):
      if hasattr(item, "eqns"):
        yield item
      elif hasattr(item, "jaxpr") and hasattr(item.jaxpr, "eqns"):
        yield item.jaxpr


def jaxpr_cost(jaxpr) -> Cost:
  """The Cost of one evaluation of `jaxpr` (scan bodies times their length)."""
  total = Cost()
  for eqn in jaxpr.eqns:
    name = eqn.primitive.name
    if name == "dot_general":
      total += Cost(_dot_flops(eqn))
    elif name == "conv_general_dilated":
      total += Cost(_conv_flops(eqn))
    elif name == "scan":
      total += jaxpr_cost(eqn.params["jaxpr"].jaxpr) * eqn.params["length"]
    elif name == "cond":
      branches = [jaxpr_cost(b.jaxpr) for b in eqn.params["branches"]]
      total += max(branches, key=lambda c: c.flops + c.transcendentals)
    elif name in TRANSCENDENTAL and _is_float(eqn.outvars[0]):
      total += Cost(0.0, _size(eqn.outvars[0]))
    elif name in ELEMENTWISE and any(_is_float(v) for v in eqn.invars):
      total += Cost(_size(eqn.outvars[0]))
    elif name in REDUCTION and _is_float(eqn.invars[0]):
      total += Cost(_size(eqn.invars[0]))
    else:                      # pjit, custom_jvp/vjp, remat, while (counted once)
      for sub in _sub_jaxprs(eqn):
        total += jaxpr_cost(sub)
  return total


def count_flops(fn: Callable[..., Any], *args) -> Cost:
  """Cost of `fn(*args)`, traced (not run)."""
  return jaxpr_cost(jax.make_jaxpr(fn)(*args).jaxpr)


def xla_cost(compiled) -> dict:
  """`compiled.cost_analysis()` as one dict (some versions return a list)."""
  cost = compiled.cost_analysis()
  if isinstance(cost, (list, tuple)):
    cost = cost[0] if cost else {}
  return dict(cost or {})
