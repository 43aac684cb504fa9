"""NADE, order-agnostic (deep) NADE and RNADE.

- `NADE` (Larochelle & Murray 2011): tied input weights, so the hidden
  pre-activation of position i is a running sum,
  a_i = c + sum_{j<i} W_j x_j,  h_i = sigmoid(a_i),
  and one pass costs O(DH): a `lax.scan` over positions carrying a_i. Its
  gradient (`running_sum_scan`, shared with RNADE and the class-conditional
  NADE) walks the positions in reverse, rebuilding a_i by subtraction, so
  training keeps O(BH) state instead of autodiff's [D, B, H] residuals.
  Bernoulli conditionals for binary data; K-way softmax conditionals (one-hot
  inputs, W_j one row per level) for categorical data.
- `OrderAgnosticNADE` (Uria, Murray & Larochelle 2014; Uria et al. 2016):
  a deep MLP fed (x * m, m) for a mask m of observed dimensions, trained over
  random orderings with the unbiased estimator
  -log p(x) ~ D / (D - d) * sum_{i not in m} -log p(x_i | x_m), |m| = d.
  `log_prob` is exact for each of `model.num_orderings` fixed orderings (one
  network pass per dimension) and ensembles them:
  log p(x) = logmeanexp_k log p(x | o_k), itself a normalized mixture.
  Its training loss is one masked MLP pass, not a scan over positions, so
  it keeps autodiff's gradient.
- `RNADE` (Uria, Murray & Larochelle 2013): the NADE running sum over real
  inputs, each conditional a mixture of Gaussians (logits, means, log-scales
  with a soft floor). On float image data it models uniformly dequantized
  pixels y = (level + u) / L, u ~ U[0, 1)^D, L levels, and reports the
  discrete log-likelihood bound log P(level) >= log p(y) - D log L (Jensen);
  the `- D log L` term is the change of variables from [0, 1) bins of width
  1/L back to unit-width integer bins. Without a key, `log_prob` is the
  exact log-probability of the discretized RNADE (bin masses of each
  mixture given bin-centre inputs), which is what `sample` draws.
"""

import dataclasses
import functools

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import (discrete_log_prob, gaussian_mixture_log_mass,
                            gaussian_mixture_log_prob)
from gen_jax.models.base import (COMPUTE_DTYPES, LikelihoodOptions, LikelihoodRecipe,
                                 batch_label, flat_levels, label_classes,
                                 likelihood_metrics, require_discrete, sample_labels,
                                 unflatten)
from gen_jax.options import option
from gen_jax.sampling import draw_noise, pick, sequential_sample

_init = nn.initializers.normal(0.01)


def contribution(x_i, w_i):
  """What input i adds to the running sum: x_i [B], w_i [in_levels, H] -> [B, H].

  One level (real/binary inputs): x_i * W_i; K levels: the row W_i[x_i].
  """
  if w_i.shape[0] == 1:
    return x_i.astype(jnp.float32)[:, None] * w_i[0]
  return w_i[x_i]


def activate(activation, a, rho_i):
  """Hidden units from a pre-activation a [B, H]: sigmoid(a) or relu(rho_i a)."""
  if activation == "sigmoid":
    return jax.nn.sigmoid(a)
  return jax.nn.relu(rho_i * a)


def plain_scan(out_fn, a0, x, w, rho, head_params):
  """The running-sum scan: (a_D [B, H], outputs [D, B, ...]).

  Position i emits out_fn(a_i, rho_i, params_i), then adds contribution
  (x_i, W_i): a_{i+1} = a_i + W_i x_i. `jax.grad` of it (autodiff) keeps
  every a_i as a residual, [D, B, H]; `running_sum_scan` is the same
  forward with an O(BH) backward.

  Args:
    out_fn: (a [B, H], rho_i [], params_i) -> outputs pytree of position i.
    a0: [B, H] initial pre-activation.
    x: [B, D] inputs (int levels or reals).
    w: [D, in_levels, H] tied input weights.
    rho: [D] per-position activation scales (ignored by sigmoid).
    head_params: pytree with leading axis D.
  """
  def step(a, inputs):
    x_i, w_i, rho_i, params_i = inputs
    return a + contribution(x_i, w_i), out_fn(a, rho_i, params_i)

  return jax.lax.scan(step, a0, (x.T, w, rho, head_params))


@functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
def running_sum_scan(out_fn, a0, x, w, rho, head_params):
  """`plain_scan`'s outputs [D, B, ...], with a backward that stores nothing
  per position (Larochelle & Murray 2011, O(DH) gradient).

  The forward saves a_D [B, H] beside its (parameter- and input-sized)
  arguments; the backward walks the positions in reverse and rebuilds each
  pre-activation by subtraction, a_i = a_{i+1} - W_i x_i, carrying
  dL/da_{i+1} [B, H]. Temporary memory is O(BH), not autodiff's O(DBH).

  Rounding: the rebuilt a_i differ from the forward's by the float32
  rounding of the running sum (a_i stays float32 whatever `dtype` the head
  computes in). `rebuild_drift` measures it at a_0, against the true a_0
  (c plus the label term): for H=500, D=784, B=512, Bernoulli(0.13) inputs,
  c ~ N(0, 1), its max abs value was 1.2e-6 with W ~ N(0, 0.01^2) (the
  init), 1.8e-6 with N(0, 0.1^2) and 4.3e-6 with N(0, 0.3^2) (|a_D| up to
  15): a few ulps of |a|, so no guard is applied. Gradients match
  autodiff's to rtol 1e-5 (tests/models/test_nade.py).
  """
  return plain_scan(out_fn, a0, x, w, rho, head_params)[1]


def _running_sum_fwd(out_fn, a0, x, w, rho, head_params):
  a_last, outs = plain_scan(out_fn, a0, x, w, rho, head_params)
  return outs, (a_last, x, w, rho, head_params)


def _contribution_vjp(x_i, w_i, g):
  """Cotangents (x_i, w_i) of `contribution` for g [B, H]; float0 for int x_i.

  With one level, dL/dW_i = x_i^T g is written as a dot: autodiff's
  broadcast-multiply-reduce cost about 10% more CPU time per NADE step.
  """
  if w_i.shape[0] > 1:                                  # int levels: a row gather
    _, pull = jax.vjp(lambda w_: contribution(x_i, w_), w_i)
    return np.zeros(x_i.shape, jax.dtypes.float0), pull(g)[0]
  g_w = jnp.dot(x_i.astype(jnp.float32), g)[None]     # [1, H]
  if jnp.issubdtype(x_i.dtype, jnp.integer):
    return np.zeros(x_i.shape, jax.dtypes.float0), g_w
  return g @ w_i[0], g_w                               # [B], [1, H]


def reverse_pass(out_fn, a_last, x, w, rho, head_params, g_outs):
  """Reverse scan from a_D: (rebuilt a_0, dL/da_0, per-position cotangents).

  g_outs: cotangents of the outputs [D, B, ...]. Returns
  (a_0 [B, H], g_a0 [B, H], (g_x [D, B], g_w, g_rho [D], g_params)).
  """
  def step(carry, inputs):
    a_next, g_next = carry                        # a_{i+1}, dL/da_{i+1}: [B, H]
    x_i, w_i, rho_i, params_i, g_out_i = inputs
    a = a_next - contribution(x_i, w_i)           # a_i rebuilt
    _, pull = jax.vjp(out_fn, a, rho_i, params_i)
    g_a, g_rho, g_params = pull(g_out_i)
    g_x, g_w = _contribution_vjp(x_i, w_i, g_next)
    return (a, g_a + g_next), (g_x, g_w, g_rho, g_params)

  init = (a_last, jnp.zeros_like(a_last))
  (a0, g_a0), grads = jax.lax.scan(step, init, (x.T, w, rho, head_params, g_outs),
                                   reverse=True)
  return a0, g_a0, grads


def _running_sum_bwd(out_fn, res, g_outs):
  a_last, x, w, rho, head_params = res
  _, g_a0, (g_x, g_w, g_rho, g_params) = reverse_pass(out_fn, a_last, x, w, rho,
                                                       head_params, g_outs)
  return g_a0, g_x.T, g_w, g_rho, g_params


running_sum_scan.defvjp(_running_sum_fwd, _running_sum_bwd)


def rebuild_drift(a0, x, w):
  """max |rebuilt a_0 - a_0| after the forward sum and the reverse rebuild."""
  def forward(a, inputs):
    return a + contribution(*inputs), None

  def backward(a, inputs):
    return a - contribution(*inputs), None

  a_last, _ = jax.lax.scan(forward, a0, (x.T, w))
  rebuilt, _ = jax.lax.scan(backward, a_last, (x.T, w), reverse=True)
  return jnp.max(jnp.abs(rebuilt - a0))


# Bytes of one [rows, H] float32 array in a CPU batch tile: the reverse pass
# touches about four such arrays per position, so a tile stays in a core's
# L2 cache (512 KiB on the CPUs measured).
CPU_TILE_BYTES = 128 * 1024


def cpu_batch_tile(batch: int, hidden: int) -> int:
  """Rows of the batch tiles the running-sum scan runs one after another.

  On CPU, the divisor of `batch` nearest below CPU_TILE_BYTES / (4 * hidden)
  rows (but not below half of it); else, and on accelerators, the whole
  batch. For H=500 at batch 512 (tiles of 64 rows) this cut the CPU time
  of a NADE train step by about 18% (docs/performance.md).
  """
  most = CPU_TILE_BYTES // (4 * hidden)
  if jax.default_backend() != "cpu" or batch <= most:
    return batch
  for rows in range(most, most // 2 - 1, -1):
    if batch % rows == 0:
      return rows
  return batch


def tiled_running_sum_scan(out_fn, a0, x, w, rho, head_params):
  """`running_sum_scan` over batch tiles of `cpu_batch_tile` rows, one tile
  after another: the same outputs [D, B, ...], a smaller working set."""
  batch, hidden = a0.shape
  rows = cpu_batch_tile(batch, hidden)
  if rows == batch:
    return running_sum_scan(out_fn, a0, x, w, rho, head_params)
  tiles = lambda v: v.reshape((batch // rows, rows) + v.shape[1:])
  outs = jax.lax.map(lambda t: running_sum_scan(out_fn, t[0], t[1], w, rho, head_params),
                     (tiles(a0), tiles(x)))                   # [n, D, rows, ...]
  return jax.tree.map(lambda o: jnp.moveaxis(o, 0, 1).reshape(
      (o.shape[1], batch) + o.shape[3:]), outs)


def _position_outputs(activation, head, a, rho_i, params_i):
  """head(hidden units of a [B, H], params_i): one position's outputs."""
  return head(activate(activation, a, rho_i), params_i)


class NADECore(nn.Module):
  """Tied-weight autoregressive hidden units over D inputs.

  Attributes:
    num_dims: D.
    hidden: H.
    in_levels: 1 for real/binary inputs (contribution x_j * W_j), K for
      categorical inputs (contribution W_j[x_j], a row per level).
    activation: 'sigmoid' (NADE) or 'relu' (RNADE; scaled per position).
    num_classes: K > 0 adds a learned label embedding [K, H] to the hidden
      bias, a0 = c + E[y] (class-conditional NADE); 0: unconditional.
  """
  num_dims: int
  hidden: int
  in_levels: int = 1
  activation: str = "sigmoid"
  num_classes: int = 0

  def setup(self):
    self.w = self.param("w", _init, (self.num_dims, self.in_levels, self.hidden))
    self.c = self.param("c", nn.initializers.zeros, (self.hidden,))
    if self.activation == "relu":
      self.rho = self.param("rho", nn.initializers.ones, (self.num_dims,))
    if self.num_classes:
      self.label_bias = self.param("label_bias", _init, (self.num_classes, self.hidden))

  def initial(self, num, label=None):
    """The running pre-activation before any input, [num, H]: c (+ E[label])."""
    a0 = jnp.broadcast_to(self.c, (num, self.hidden))
    if self.num_classes:
      a0 = a0 + self.label_bias[label]
    return a0

  def contribution(self, x_i, i):
    """What input i adds to the running sum: x_i [B] -> [B, H]."""
    return contribution(x_i, self.w[i])

  def act(self, a, i):
    """Hidden units of position i from its pre-activation a [B, H]."""
    rho_i = self.rho[i] if self.activation == "relu" else None
    return activate(self.activation, a, rho_i)

  def scan(self, x, head, head_params, label=None):
    """One O(DH) pass: head(h_i [B, H], params_i) for every position i.

    A `lax.scan` over positions carries the running pre-activation
    a_i = c + sum_{j<i} W_j x_j [B, H], so h_i depends on x_<i only.
    Per-position weights (W_i, head_params[i]) are scanned over rather than
    indexed inside the body. The gradient is `running_sum_scan`'s: a reverse
    scan that rebuilds a_i by subtraction, O(DH) time and O(BH) memory.
    (On CPU this is several times faster than an exclusive `cumsum` over
    [B, D, H].) The label term enters a_0 outside it, by autodiff.

    Args:
      x: [B, D] inputs (levels or reals).
      head: (h [B, H], params_i) -> outputs pytree of position i.
      head_params: pytree with leading axis D.
      label: [B] int32 class labels (conditional cores only).

    Returns:
      The outputs stacked with positions second: [B, D, ...].
    """
    rho = self.rho if self.activation == "relu" else jnp.zeros((self.num_dims,))
    out_fn = functools.partial(_position_outputs, self.activation, head)
    a0 = self.initial(x.shape[0], label)
    outs = tiled_running_sum_scan(out_fn, a0, x, self.w, rho, head_params)
    return jax.tree.map(lambda o: jnp.moveaxis(o, 0, 1), outs)


class NADENet(nn.Module):
  """Discrete NADE: x [B, D] (, label [B]) -> logits [B, D] (binary) or [B, D, K].

  `dtype`: what the output layer computes in (hidden units and V cast to it,
  float32 accumulation and logits). Parameters, the running pre-activation
  and the log-likelihood stay float32 whatever it is.
  """
  num_dims: int
  hidden: int
  num_levels: int
  num_classes: int = 0
  dtype: str = "float32"

  def setup(self):
    in_levels = 1 if self.num_levels == 2 else self.num_levels
    out = 1 if self.num_levels == 2 else self.num_levels
    self.core = NADECore(self.num_dims, self.hidden, in_levels,
                         num_classes=self.num_classes)
    self.v = self.param("v", _init, (self.num_dims, self.hidden, out))
    self.b = self.param("b", nn.initializers.zeros, (self.num_dims, out))

  def _squeeze(self, logits):
    return logits[..., 0] if self.num_levels == 2 else logits

  def head(self, h, params_i):
    """Logits of one position from its hidden units h [B, H]."""
    v_i, b_i = params_i
    dtype = jnp.dtype(self.dtype)
    logits = jnp.matmul(h.astype(dtype), v_i.astype(dtype),
                        preferred_element_type=jnp.float32)
    return self._squeeze(logits + b_i)

  def __call__(self, x, label=None):
    return self.core.scan(x, self.head, (self.v, self.b), label)   # [B, D(, K)]

  def conditional(self, a, i):
    """Logits of position i from its running pre-activation a [B, H]."""
    return self.head(self.core.act(a, i), (self.v[i], self.b[i]))

  def sample(self, noise, label=None):
    """noise from `draw_noise` ([D, B] or [D, B, K]) -> [B, D] int32."""
    num = noise.shape[1]

    def step(a, inputs):                     # a: running pre-activation [B, H]
      i, noise_i = inputs
      value = pick(self.conditional(a, i), noise_i)
      return a + self.core.contribution(value, i), value

    a0 = self.core.initial(num, label)
    _, values = jax.lax.scan(step, a0, (jnp.arange(self.num_dims), noise))
    return values.T


@dataclasses.dataclass(frozen=True)
class NADEOptions(LikelihoodOptions):
  hidden: int = option(500, minimum=1)                       # H
  conditional: bool = False                                  # p(x | y)
  dtype: str = option("float32", choices=COMPUTE_DTYPES)    # the output layer's


class NADE(LikelihoodRecipe):
  """NADE with tied weights for binary or K-level categorical data.

  Config (`NADEOptions`): `hidden` (H, default 500); `conditional` (False):
  p(x | y) with a label embedding added to the hidden bias, reading `label`
  from the batch and from `sample`'s inputs (classes cycled when none are
  given); `dtype` ('float32', or 'bfloat16': the output layer in bfloat16,
  see NADENet).
  """
  Options = NADEOptions

  def __init__(self, config, spec):
    super().__init__(config, spec)
    o = self.options
    self.num_levels = require_discrete(spec, "nade")
    self.num_classes = label_classes(o.conditional, spec, "nade")
    self.sample_inputs = ("label",) if self.num_classes else ()
    self.net = NADENet(spec.num_dims, o.hidden, self.num_levels, self.num_classes,
                       o.dtype)

  def init_params(self, rng):
    d = self.spec.num_dims
    label = jnp.zeros((1,), jnp.int32) if self.num_classes else None
    return self.net.init(rng, jnp.zeros((1, d), jnp.int32), label)["params"]

  def logits(self, variables, x, label=None):
    """x [B, D] levels (, label [B]) -> conditional logits [B, D] or [B, D, K]."""
    return self.net.apply({"params": variables["params"]["model"]}, x, label)

  def log_prob(self, variables, batch, rng=None):
    x = flat_levels(batch["x"], self.spec)                      # [B, D]
    label = batch_label(batch, self.num_classes, "nade")
    return discrete_log_prob(self.logits(variables, x, label), x,
                             self.num_levels).sum(-1)

  def sample(self, variables, rng, num, inputs=None):
    noise = draw_noise(rng, num, self.spec.num_dims, self.num_levels)
    x = self.net.apply({"params": variables["params"]["model"]}, noise,
                       sample_labels(inputs, num, self.num_classes),
                       method=NADENet.sample)
    return unflatten(x, self.spec)

  def naive_sample(self, variables, rng, num, inputs=None):
    """The same samples as `sample`, recomputing every conditional of the
    whole prefix at each position: O(D^2 H) per sample (benchmark baseline)."""
    noise = draw_noise(rng, num, self.spec.num_dims, self.num_levels)
    label = sample_labels(inputs, num, self.num_classes)
    logits_at = lambda x, i: jnp.take(self.logits(variables, x, label), i, axis=1)
    return unflatten(sequential_sample(logits_at, noise), self.spec)


# ------------------------------------------------------ order-agnostic NADE


class DeepNADENet(nn.Module):
  """(x [B, D] levels, mask [B, D] in {0,1}) -> logits [B, D] or [B, D, K].

  Inputs are x * mask (one-hot * mask for K levels) concatenated with the
  mask, so the network knows which zeros are observed.
  """
  num_dims: int
  hidden: int
  num_layers: int
  num_levels: int

  @nn.compact
  def __call__(self, x, mask):
    mask = mask.astype(jnp.float32)
    if self.num_levels == 2:
      inputs = x.astype(jnp.float32) * mask
    else:
      inputs = (jax.nn.one_hot(x, self.num_levels) * mask[..., None])
      inputs = inputs.reshape(x.shape[0], -1)
    h = jnp.concatenate([inputs, mask], axis=-1)
    for layer in range(self.num_layers):
      h = nn.relu(nn.Dense(self.hidden, name=f"hidden_{layer}")(h))
    out = 1 if self.num_levels == 2 else self.num_levels
    logits = nn.Dense(self.num_dims * out, name="out")(h)
    logits = logits.reshape(x.shape[0], self.num_dims, out)
    return logits[..., 0] if self.num_levels == 2 else logits


def random_orderings(rng: jax.Array, num: int, num_dims: int) -> jax.Array:
  """[num, D] orderings: the first is raster order, the others random."""
  perms = jax.vmap(lambda k: jax.random.permutation(k, num_dims))(
      jax.random.split(rng, num))
  return perms.at[0].set(jnp.arange(num_dims))


@dataclasses.dataclass(frozen=True)
class OrderAgnosticNADEOptions(LikelihoodOptions):
  hidden: int = option(500, minimum=1)
  num_layers: int = option(2, minimum=1)
  num_orderings: int = option(1, minimum=1)   # ensemble size at evaluation
  ordering_seed: int = 0                      # which random orderings it uses


class OrderAgnosticNADE(LikelihoodRecipe):
  """Deep NADE trained over all orderings, evaluated as an ensemble.

  Config (`OrderAgnosticNADEOptions`): `hidden` (500), `num_layers` (2),
  `num_orderings` (ensemble size at evaluation, 1 = raster order only),
  `ordering_seed` (which random orderings the ensemble uses; ordering 0 is
  always raster order).
  """
  Options = OrderAgnosticNADEOptions

  def __init__(self, config, spec):
    super().__init__(config, spec)
    o = self.options
    self.num_levels = require_discrete(spec, "eonade")
    self.num_orderings = o.num_orderings
    self.ordering_seed = o.ordering_seed
    self.net = DeepNADENet(spec.num_dims, o.hidden, o.num_layers, self.num_levels)

  def init_params(self, rng):
    z = jnp.zeros((1, self.spec.num_dims), jnp.int32)
    return self.net.init(rng, z, z)["params"]

  def masked_logits(self, variables, x, mask):
    return self.net.apply({"params": variables["params"]["model"]}, x, mask)

  def ordered_conditionals(self, variables, x, ordering):
    """Logits [B, D] (or [B, D, K]) where entry o_d is computed from x_{o_<d}.

    One network pass per position (lax.scan over d), exact for `ordering`.
    """
    ordering = jnp.asarray(ordering)
    rank = jnp.argsort(ordering)                                # [D]

    def step(carry, d):
      mask = jnp.broadcast_to(rank < d, x.shape)                # [B, D]
      logits = self.masked_logits(variables, x, mask)
      return carry, jnp.take(logits, ordering[d], axis=1)       # [B] or [B, K]

    _, per_step = jax.lax.scan(step, None, jnp.arange(self.spec.num_dims))
    per_step = jnp.moveaxis(per_step, 0, 1)                     # [B, D(, K)] by d
    return jnp.take(per_step, rank, axis=1)                     # back to positions

  def orderings(self):
    return random_orderings(jax.random.PRNGKey(self.ordering_seed),
                            self.num_orderings, self.spec.num_dims)

  def log_prob_for_ordering(self, variables, x, ordering):
    """Exact log p(x | ordering) [B] for x [B, D] levels."""
    logits = self.ordered_conditionals(variables, x, ordering)
    return discrete_log_prob(logits, x, self.num_levels).sum(-1)

  def log_prob(self, variables, batch, rng=None):
    x = flat_levels(batch["x"], self.spec)
    per_order = jax.lax.map(
        lambda o: self.log_prob_for_ordering(variables, x, o), self.orderings())
    return jax.nn.logsumexp(per_order, axis=0) - jnp.log(self.num_orderings)

  def _nll_loss(self, params, state, batch, rng, step):
    """Unbiased estimate of the ordering-averaged NLL from one random mask."""
    batch, rng = self.training_batch(batch, rng)
    x = flat_levels(batch["x"], self.spec)
    b, d = x.shape
    k_order, k_size = jax.random.split(rng)
    rank = jnp.argsort(jax.random.uniform(k_order, (b, d)), axis=1)   # random order
    num_observed = jax.random.randint(k_size, (b, 1), 0, d)           # [B, 1]
    mask = rank < num_observed                                        # [B, D]
    logits = self.masked_logits({"params": params}, x, mask)
    log_p = discrete_log_prob(logits, x, self.num_levels)             # [B, D]
    missing = jnp.sum(jnp.where(mask, 0.0, log_p), axis=1)
    nll = -missing * d / (d - num_observed[:, 0])
    metrics = {k: jnp.mean(v) for k, v in likelihood_metrics(nll, self.spec).items()}
    return jnp.mean(nll), (metrics, state)

  def sample(self, variables, rng, num, inputs=None):
    """Samples of the ensemble `log_prob` scores: the uniform mixture over its
    orderings. Each sample draws its ordering uniformly, then is sampled
    ancestrally in that ordering (one lax.scan over the D steps)."""
    d = self.spec.num_dims
    k_order, k_noise = jax.random.split(rng)
    choice = jax.random.randint(k_order, (num,), 0, self.num_orderings)
    ordering = self.orderings()[choice]                         # [num, D]
    rank = jnp.argsort(ordering, axis=1)                        # [num, D]
    noise = draw_noise(k_noise, num, d, self.num_levels)        # [D, num(, K)]
    rows = jnp.arange(num)

    def step(x, inputs):
      t, noise_t = inputs
      position = ordering[:, t]                                 # [num]
      logits = self.masked_logits(variables, x, rank < t)       # [num, D(, K)]
      value = pick(logits[rows, position], noise_t)
      return x.at[rows, position].set(value), None

    x, _ = jax.lax.scan(step, jnp.zeros((num, d), jnp.int32), (jnp.arange(d), noise))
    return unflatten(x, self.spec)


# ------------------------------------------------------------------ RNADE


class RNADENet(nn.Module):
  """x [B, D] real -> per-position mixture (logits, means, log_scales) [B, D, C]."""
  num_dims: int
  hidden: int
  num_components: int
  min_log_scale: float

  def setup(self):
    d, h, c = self.num_dims, self.hidden, self.num_components
    self.core = NADECore(d, h, 1, activation="relu")
    self.v = self.param("v", _init, (d, h, 3, c))
    self.b = self.param("b", self._bias_init, (d, 3, c))

  def _bias_init(self, rng, shape):
    # Spread the initial means so components start apart.
    means = jax.random.normal(rng, shape[:1] + shape[2:])
    return jnp.zeros(shape).at[:, 1].set(means)

  def _heads(self, out):  # [..., 3, C] -> three [..., C]
    logits, means, raw = out[..., 0, :], out[..., 1, :], out[..., 2, :]
    log_scales = self.min_log_scale + jax.nn.softplus(raw - self.min_log_scale)
    return logits, means, log_scales

  def head(self, h, params_i):
    """(logits, means, log_scales) of one position, each [B, C], from h [B, H]."""
    v_i, b_i = params_i
    return self._heads(jnp.einsum("bh,hpc->bpc", h, v_i) + b_i)

  def __call__(self, x):
    return self.core.scan(x, self.head, (self.v, self.b))           # 3 x [B, D, C]

  def sample(self, gumbel, normal, levels=None):
    """gumbel [D, B, C], normal [D, B] -> [B, D] real samples.

    With `levels` L, each value is snapped to the centre of its bin,
    (clip(floor(L y), 0, L - 1) + 1/2) / L, before later positions read it:
    the discretized model whose exact probability `RNADE.log_prob` gives
    without a key.
    """
    num = normal.shape[1]

    def step(a, inputs):
      i, g_i, n_i = inputs
      logits, means, log_scales = self.head(self.core.act(a, i),
                                            (self.v[i], self.b[i]))
      k = pick(logits, g_i)[:, None]                                 # [B, 1]
      mean = jnp.take_along_axis(means, k, 1)[:, 0]
      scale = jnp.exp(jnp.take_along_axis(log_scales, k, 1)[:, 0])
      value = mean + scale * n_i
      if levels is not None:
        value = (jnp.clip(jnp.floor(value * levels), 0, levels - 1) + 0.5) / levels
      return a + self.core.contribution(value, i), value

    a0 = jnp.broadcast_to(self.core.c, (num, self.hidden))
    _, values = jax.lax.scan(step, a0, (jnp.arange(self.num_dims), gumbel, normal))
    return values.T


@dataclasses.dataclass(frozen=True)
class RNADEOptions(LikelihoodOptions):
  hidden: int = option(100, minimum=1)                     # H
  num_components: int = option(10, minimum=1)              # C
  min_log_scale: float = -7.0
  dequantize_levels: int | None = option(None, minimum=2)  # None: the data's


class RNADE(LikelihoodRecipe):
  """Real-valued NADE with mixture-of-Gaussian conditionals (float data).

  Config (`RNADEOptions`): `hidden` (H, 100), `num_components` (C, 10),
  `min_log_scale` (soft floor of every log-scale, -7), `dequantize_levels`
  (L for float images: pixels are levels / (L - 1); default
  `spec.max_value + 1`, the raw pixel levels: 17 for the 8x8 digits, 256 for
  8-bit images; ignored for non-image data, which is modeled as is).
  """
  Options = RNADEOptions

  def __init__(self, config, spec):
    super().__init__(config, spec)
    o = self.options
    if spec.encoding != "float":
      raise UserError(f"model 'rnade' needs real-valued data but data.encoding is "
                      f"{spec.encoding!r}; set --config.data.encoding=float.")
    self.levels = None
    if spec.is_image:
      self.levels = o.dequantize_levels or (spec.max_value or 255) + 1
    self.net = RNADENet(spec.num_dims, o.hidden, o.num_components, o.min_log_scale)

  def init_params(self, rng):
    return self.net.init(rng, jnp.zeros((1, self.spec.num_dims)))["params"]

  def mixtures(self, variables, y):
    """y [B, D] real -> (logits, means, log_scales), each [B, D, C]."""
    return self.net.apply({"params": variables["params"]["model"]}, y)

  def density(self, variables, y):
    """log p(y) [B] of real vectors y [B, D] in nats."""
    return gaussian_mixture_log_prob(y, *self.mixtures(variables, y)).sum(-1)

  def dequantize(self, x, rng):
    """Float images x = level / (L - 1) -> y = (level + u) / L in [0, 1).

    u ~ U[0, 1) from `rng`, or 1/2 (bin centres) when rng is None.
    """
    levels = jnp.round(x * (self.levels - 1))
    u = 0.5 if rng is None else jax.random.uniform(rng, x.shape)
    return (levels + u) / self.levels

  def log_prob(self, variables, batch, rng=None):
    """log p(x) [B] in nats.

    Non-image data: the density. Images with `rng` (training, and the
    trainer's evaluation): the dequantized bound log p(y) - D log L on the
    discrete log-likelihood, y = (level + u) / L. Images without `rng`: the
    exact log-probability of the discretized RNADE, whose conditional of
    position i is the mixture's mass on the bin of level_i,
    [level/L, (level+1)/L) (the first and last bins extend to -inf / +inf, so
    the bins cover the line), given the earlier positions at their bin
    centres; a normalized distribution over levels, and the one `sample`
    draws from.
    """
    x = batch["x"].reshape(batch["x"].shape[0], -1).astype(jnp.float32)
    if self.levels is None:
      return self.density(variables, x)
    if rng is not None:
      y = self.dequantize(x, rng)
      return self.density(variables, y) - self.spec.num_dims * jnp.log(self.levels)
    return self.discrete_log_prob(variables, x)

  def discrete_log_prob(self, variables, x):
    """Exact log P(levels) [B] of the discretized RNADE (see `log_prob`)."""
    levels = jnp.round(x * (self.levels - 1))                    # [B, D]
    centres = (levels + 0.5) / self.levels
    mixture = self.mixtures(variables, centres)                  # 3 x [B, D, C]
    lower = jnp.where(levels > 0, levels / self.levels, -jnp.inf)
    upper = jnp.where(levels < self.levels - 1, (levels + 1) / self.levels, jnp.inf)
    return gaussian_mixture_log_mass(lower, upper, *mixture).sum(-1)

  def sample(self, variables, rng, num, inputs=None):
    d, c = self.spec.num_dims, self.net.num_components
    k_mix, k_normal = jax.random.split(rng)
    gumbel = jax.random.gumbel(k_mix, (d, num, c))               # [D, num, C], any C
    normal = jax.random.normal(k_normal, (d, num))
    y = self.net.apply({"params": variables["params"]["model"]}, gumbel, normal,
                       self.levels, method=RNADENet.sample)
    if self.levels is not None:   # back to the data encoding: level / (L - 1)
      y = jnp.clip(jnp.floor(y * self.levels), 0, self.levels - 1) / (self.levels - 1)
    return y.reshape((num,) + self.spec.event_shape)
