"""Partition functions of binary RBMs: annealed importance sampling and
exact enumeration.

The model: visible v in {0,1}^D, hidden h in {0,1}^H, parameters
{"w": [D, H], "b": [D], "c": [H]}, energy E(v, h) = -b.v - c.h - v.W.h, so
summing out h gives the free energy

  F(v) = -b.v - sum_j softplus(c_j + (v W)_j),   p(v) = exp(-F(v)) / Z.

Annealed importance sampling (Neal 2001), set up for RBMs as in
Salakhutdinov & Murray (2008), "On the quantitative analysis of deep belief
networks":

- Base model A at beta = 0: an RBM with no weights and visible biases b_A
  (the caller passes them; the base-rate choice logit(training pixel means)
  makes A close to the data). Its hidden units contribute a constant, so
  log Z_A = sum_i softplus(b_A_i) + H log 2, and v ~ Bernoulli(sigmoid(b_A))
  is an exact sample.
- Intermediate distributions for 0 = beta_0 < ... < beta_K = 1:
  f_k(v) = exp((1 - beta_k) b_A.v + beta_k b.v)
           * prod_j (1 + exp(beta_k (c_j + (v W)_j))),
  the v-marginal of the joint exp((1 - beta_k) b_A.v + beta_k (b.v + c.h + v.W.h)).
  f_0 is A's unnormalised marginal (its partition function is Z_A above) and
  f_K = exp(-F).
- Transition T_k: one block-Gibbs sweep of that joint (h | v, then v | h),
  which leaves f_k invariant.
- One run: v_0 ~ A; for k = 1..K add log f_k(v_{k-1}) - log f_{k-1}(v_{k-1})
  to the log weight, then v_k ~ T_k(v_{k-1}). The mean of the M run weights
  is an unbiased estimate of Z / Z_A, so
  log Z ~= log Z_A + logmeanexp(log w), with standard error by the delta
  method, std(w) / (sqrt(M) mean(w)), computed from the spread of the runs.

Which way it errs: the weight mean is unbiased for Z, so by Jensen its log
underestimates log Z on average (a stochastic lower bound: by Markov's
inequality Z-hat exceeds a Z with probability at most 1/a). A low log Z
makes the test NLL, F(x) + log Z, look *better* than it is, and too few
intermediate distributions or runs miss modes the annealed chains never
reach, which the standard error over runs cannot show. Salakhutdinov &
Murray report log(Z-hat +- 3 s.e.); a conservative reading adds 3 s.e. to
log Z (and so to the NLL). Reverse annealing (RAISE, Burda, Grosse &
Salakhutdinov 2015) anneals from the test example towards A and gives a
stochastic *lower* bound on log p(x) (an upper bound on the NLL), the
conservative counterpart of this estimate; it is not implemented here.

The increments are differences of softplus at nearby temperatures,
softplus(x + d) - softplus(x) = log1p(sigmoid(x) expm1(d)), computed in that
form so that the ~1e-5 steps near beta = 1 lose no precision in float32.

`exact_log_partition` sums the smaller layer out exactly (2^min(D, H)
states, at most 2^20) with a running logsumexp over chunks.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

MAX_EXACT_UNITS = 20
# Salakhutdinov & Murray (2008): uniform steps on [0, .5], [.5, .9], [.9, 1]
# with 500, 4,000 and 10,000 intermediate distributions.
_PAPER_SEGMENTS = ((0.0, 0.5, 500), (0.5, 0.9, 4000), (0.9, 1.0, 10000))
PAPER_NUM_STEPS = sum(n for _, _, n in _PAPER_SEGMENTS)   # 14,500


class AISResult(NamedTuple):
  log_z: jax.Array          # scalar estimate of log Z
  log_z_se: jax.Array       # its standard error over runs (delta method)
  log_weights: jax.Array    # [num_runs] log importance weights (log Z_A excluded)


def free_energy(params, v: jax.Array) -> jax.Array:
  """F(v) [B] for binary (or real) v [B, D]."""
  pre = params["c"] + v @ params["w"]
  return -(v @ params["b"]) - jnp.sum(jax.nn.softplus(pre), axis=-1)


def hidden_probs(params, v: jax.Array) -> jax.Array:
  return jax.nn.sigmoid(params["c"] + v @ params["w"])


def visible_probs(params, h: jax.Array) -> jax.Array:
  return jax.nn.sigmoid(params["b"] + h @ params["w"].T)


def gibbs_sweep(params, v: jax.Array, key: jax.Array) -> jax.Array:
  """One block-Gibbs sweep v -> h ~ p(h | v) -> v' ~ p(v | h); float32 {0,1}."""
  k_h, k_v = jax.random.split(key)
  h = jax.random.bernoulli(k_h, hidden_probs(params, v)).astype(jnp.float32)
  return jax.random.bernoulli(k_v, visible_probs(params, h)).astype(jnp.float32)


def base_log_partition(base_bias: jax.Array, num_hidden: int) -> jax.Array:
  """log Z_A of the weightless base RBM with visible biases `base_bias`."""
  return jnp.sum(jax.nn.softplus(base_bias)) + num_hidden * jnp.log(2.0)


def annealing_schedule(num_steps: int) -> np.ndarray:
  """[num_steps + 1] inverse temperatures from 0 to 1.

  The paper's spacing: its three segments get their share (1/29, 8/29,
  20/29) of the steps, each at least one; `PAPER_NUM_STEPS` gives exactly
  the paper's 500 / 4,000 / 10,000. Fewer than 3 steps: uniform.
  """
  if num_steps < 1:
    raise ValueError(f"AIS needs at least one step, got {num_steps}")
  if num_steps < 3:
    return np.linspace(0.0, 1.0, num_steps + 1)
  share = np.array([n for _, _, n in _PAPER_SEGMENTS], np.float64) / PAPER_NUM_STEPS
  counts = np.maximum(1, np.floor(share * num_steps).astype(int))
  counts[-1] = num_steps - counts[:-1].sum()
  parts = [np.linspace(lo, hi, n, endpoint=False)
           for (lo, hi, _), n in zip(_PAPER_SEGMENTS, counts)]
  return np.concatenate(parts + [np.ones(1)])


def _softplus_step(x: jax.Array, d: jax.Array) -> jax.Array:
  """softplus(x + d) - softplus(x), accurate for small d."""
  stable = jnp.log1p(jax.nn.sigmoid(x) * jnp.expm1(d))
  direct = jax.nn.softplus(x + d) - jax.nn.softplus(x)
  return jnp.where(jnp.abs(d) < 5.0, stable, direct)


def ais_log_partition(params, rng: jax.Array, betas, num_runs: int,
                      base_bias: jax.Array | None = None) -> AISResult:
  """AIS estimate of log Z (module doc); pure and jittable.

  Args:
    params: {"w": [D, H], "b": [D], "c": [H]}.
    rng: run r uses fold_in(rng, r), sweep k of it fold_in(that, k), so a
      run's path does not depend on how many runs there are.
    betas: [K + 1] increasing inverse temperatures, 0 first and 1 last.
    num_runs: M >= 2 independent runs (the standard error needs two).
    base_bias: [D] visible biases of the base model; None: zeros (uniform).
  """
  w, b, c = params["w"], params["b"], params["c"]
  num_visible, num_hidden = w.shape
  base_bias = jnp.zeros((num_visible,)) if base_bias is None else base_bias
  betas = jnp.asarray(betas, jnp.float32)
  num_steps = betas.shape[0] - 1

  def run(key):
    v = jax.random.bernoulli(jax.random.fold_in(key, 0),
                             jax.nn.sigmoid(base_bias)).astype(jnp.float32)

    def step(carry, inputs):
      v, log_w = carry
      k, beta_prev, beta = inputs
      pre = c + v @ w                                            # [H]
      delta = beta - beta_prev
      log_w += delta * (v @ (b - base_bias))
      log_w += jnp.sum(_softplus_step(beta_prev * pre, delta * pre))
      k_h, k_v = jax.random.split(jax.random.fold_in(key, k))
      h = jax.random.bernoulli(k_h, jax.nn.sigmoid(beta * pre)).astype(jnp.float32)
      logits = (1.0 - beta) * base_bias + beta * (b + w @ h)
      v = jax.random.bernoulli(k_v, jax.nn.sigmoid(logits)).astype(jnp.float32)
      return (v, log_w), None

    steps = (jnp.arange(1, num_steps + 1), betas[:-1], betas[1:])
    (_, log_w), _ = jax.lax.scan(step, (v, jnp.zeros(())), steps)
    return log_w

  keys = jax.vmap(lambda r: jax.random.fold_in(rng, r))(jnp.arange(num_runs))
  log_w = jax.vmap(run)(keys)                                    # [M]
  log_mean = jax.nn.logsumexp(log_w) - jnp.log(float(num_runs))
  ratio = jnp.exp(log_w - log_mean)                              # w / mean(w)
  se = jnp.std(ratio, ddof=1) / jnp.sqrt(float(num_runs))
  return AISResult(base_log_partition(base_bias, num_hidden) + log_mean, se, log_w)


def _bit_rows(start: jax.Array, count: int, num_bits: int) -> jax.Array:
  """[count, num_bits] float32 binary codes of start, start+1, ... (MSB first)."""
  index = start + jnp.arange(count, dtype=jnp.int32)
  shifts = jnp.arange(num_bits - 1, -1, -1, dtype=jnp.int32)
  return ((index[:, None] >> shifts) & 1).astype(jnp.float32)


def exact_log_partition(params, chunk_bits: int = 12) -> jax.Array:
  """log Z by summing out the smaller layer exactly (<= 2^20 states).

  Enumerating h: log Z = logsumexp_h [c.h + sum_i softplus(b_i + (W h)_i)];
  enumerating v: logsumexp_v [-F(v)]. States go in chunks of 2^chunk_bits
  through a running logaddexp, so memory stays one chunk's.
  """
  w, b, c = params["w"], params["b"], params["c"]
  num_visible, num_hidden = w.shape
  bits = min(num_visible, num_hidden)
  if bits > MAX_EXACT_UNITS:
    raise ValueError(f"exact log Z enumerates 2^min(D, H) states; min(D, H) = {bits} "
                     f"exceeds {MAX_EXACT_UNITS}.")
  if num_hidden <= num_visible:
    log_term = lambda h: h @ c + jnp.sum(jax.nn.softplus(b + h @ w.T), axis=-1)
  else:
    log_term = lambda v: -free_energy(params, v)
  chunk = 2 ** min(bits, chunk_bits)

  def body(total, i):
    rows = _bit_rows(i * chunk, chunk, bits)
    return jnp.logaddexp(total, jax.nn.logsumexp(log_term(rows))), None

  total, _ = jax.lax.scan(body, jnp.full((), -jnp.inf), jnp.arange(2 ** bits // chunk))
  return total
