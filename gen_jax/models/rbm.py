"""Restricted Boltzmann machine: binary visible and hidden units, trained by
contrastive divergence (CD-k) or persistent CD, evaluated by AIS.

Model (see `gen_jax.sampling.ais` for the formulas): params {"w": [D, H],
"b": [D], "c": [H]} in the single group "model"; free energy
F(v) = -b.v - sum_j softplus(c_j + (v W)_j); p(v) = exp(-F(v)) / Z.

Training, phase `cd`: the loss is the surrogate
  mean_data F(v) - mean F(stop_gradient(v_neg)),
whose gradient is the CD estimate of the negative log-likelihood gradient,
E_data[dF/dtheta] - E_neg[dF/dtheta]. The negative samples v_neg are k
block-Gibbs sweeps (h | v, v | h; keys fold_in(rng, sweep)) in a `lax.scan`:
- CD-k (`persistent=False`): chains start at the batch.
- PCD (`persistent=True`, Tieleman 2008): `num_chains` chains live in
  `state["chains"]`, continue from where the last step left them and are
  returned as the new state, so they are checkpointed and a resumed run
  equals an uninterrupted one.
k may grow with the step: from `cd_k` at step 0 linearly to `cd_k_final` at
`cd_k_ramp_steps`. The scan always has max(cd_k, cd_k_final) iterations
(static shapes, one compile); a sweep past the current k is skipped by
`lax.cond`, so it costs nothing.

State: besides the chains, the running mean of the training pixels seen so
far (`data_mean`, `data_count`, updated by every training step from its
batch, hence also checkpointed). That is the base rate: AIS's base model
has visible biases logit(m), m = (count * data_mean + 1) / (count + 2) (one
pseudo-count per value; 0.5 before any training), the data's pixel means
after one epoch. The example batch `init` receives is a single row, too
little to fit it from.

Optimizer (`optimizers`): with train.optimizer="sgd", SGD with momentum
`momentum` before step `momentum_switch_step` and `final_momentum` from it
on (the paper's 0.5 then 0.9; train.b1 is not used); any other
train.optimizer is the trainer's own. Either way the learning rate is train.learning_rate, constant or,
with `learning_rate_decay_steps` > 0, decayed linearly to 0 at that step (a
model key, not train.num_steps, so that extending a run does not rewrite
the schedule of the steps already taken), and `weight_decay` adds an L2
penalty on W only (not on the biases) to the gradient.

Sampling: `num` chains (or `sample_chains` chains giving several samples
each, `sample_thinning` sweeps apart) start from the base-rate
distribution, run `sample_burn_in` sweeps and return binary visible
states. `write_pictures` adds one chain from its start, a frame every
`sample_thinning` sweeps (`gibbs_chain_step_<step>.png`), and, with PCD, the
persistent chains (`persistent_chains_step_<step>.png`).

Likelihood: `log_prob` = -F(x) - log Z. `prepare_eval` (once per
evaluation) puts log Z and its standard error in the state: by AIS
(`log_z="ais"`: `ais_steps` intermediate distributions spaced as in
Salakhutdinov & Murray 2008, `ais_runs` runs, base rate as above) or by
exact enumeration (`log_z="exact"`, min(D, H) <= 20). Without it, `log_prob`
enumerates when min(D, H) <= 20 and otherwise refuses. `eval_metrics`
reports nll_nats and bits_per_dim, plus `log_z` and `log_z_se` (the AIS
standard error over runs; the trainer's `log_z_stderr` beside it is the
spread over examples of a constant: 0 up to float rounding). The NLL's
`nll_nats_stderr` is over test examples; log Z's error is shared by all of
them, so the total is sqrt(nll_nats_stderr^2 + log_z_se^2), and AIS errs
towards a low log Z, i.e. an optimistic NLL (see `gen_jax.sampling.ais`).

Config (`model.`): hidden (500), init_scale (0.01, std of W), cd_k (1),
cd_k_final (cd_k), cd_k_ramp_steps (0), persistent (False), num_chains (64),
momentum (0.5), final_momentum (momentum), momentum_switch_step (0),
learning_rate_decay_steps (0: constant), weight_decay (0.0),
sample_burn_in (1000), sample_thinning (10), sample_chains (0: one chain
per sample), log_z ("ais" | "exact"), ais_steps (14,500), ais_runs (100).
"""

import functools
import math
import os

import jax
import jax.numpy as jnp
import numpy as np
import optax

from gen_jax.errors import UserError
from gen_jax.models.base import (Phase, Recipe, likelihood_metrics, require_discrete,
                                 unflatten)
from gen_jax.optim import make_optimizer
from gen_jax.sampling.ais import (MAX_EXACT_UNITS, ais_log_partition, annealing_schedule,
                                  exact_log_partition, free_energy, gibbs_sweep,
                                  hidden_probs, visible_probs)

CHAIN_FRAMES = 64
MOMENTUM_KEYS = ("momentum", "final_momentum", "momentum_switch_step")


def run_gibbs(params, v: jax.Array, rng: jax.Array, num_sweeps: int,
              active: jax.Array | int | None = None) -> jax.Array:
  """`num_sweeps` block-Gibbs sweeps from v [N, D] in a `lax.scan`.

  Sweep t uses fold_in(rng, t). With `active` (a traced count), sweeps
  t >= active are skipped (`lax.cond`), so a k that changes with the step
  needs no recompile.
  """
  def body(v, t):
    key = jax.random.fold_in(rng, t)
    if active is None:
      return gibbs_sweep(params, v, key), None
    return jax.lax.cond(t < active, lambda u: gibbs_sweep(params, u, key),
                        lambda u: u, v), None

  if num_sweeps == 0:
    return v
  v, _ = jax.lax.scan(body, v, jnp.arange(num_sweeps))
  return v


def gibbs_frames(params, v: jax.Array, rng: jax.Array, burn_in: int,
                 num_frames: int, thinning: int) -> jax.Array:
  """[num_frames, N, D] states after burn_in, burn_in + thinning, ... sweeps."""
  v = run_gibbs(params, v, jax.random.fold_in(rng, 0), burn_in)

  def body(v, j):
    v = run_gibbs(params, v, jax.random.fold_in(rng, j), thinning)
    return v, v

  _, rest = jax.lax.scan(body, v, jnp.arange(1, num_frames))
  return jnp.concatenate([v[None], rest], axis=0)


class RBM(Recipe):
  """Binary RBM; CD-k / PCD training, block-Gibbs sampling, AIS likelihood."""
  explicit = True

  def __init__(self, config, spec):
    super().__init__(config, spec)
    require_discrete(spec, "rbm", binary_only=True)
    self.num_visible = spec.num_dims
    self.hidden = int(config.get("hidden", 500))
    self.init_scale = float(config.get("init_scale", 0.01))
    self.cd_k = int(config.get("cd_k", 1))
    self.cd_k_final = int(config.get("cd_k_final", None) or self.cd_k)
    self.cd_k_ramp_steps = int(config.get("cd_k_ramp_steps", 0))
    self.persistent = bool(config.get("persistent", False))
    self.num_chains = int(config.get("num_chains", 64))
    self.momentum = float(config.get("momentum", 0.5))
    final = config.get("final_momentum", None)
    self.final_momentum = self.momentum if final is None else float(final)
    self.momentum_switch_step = int(config.get("momentum_switch_step", 0))
    self.learning_rate_decay_steps = int(config.get("learning_rate_decay_steps", 0))
    self.weight_decay = float(config.get("weight_decay", 0.0))
    self.burn_in = int(config.get("sample_burn_in", 1000))
    self.thinning = int(config.get("sample_thinning", 10))
    self.sample_chains = int(config.get("sample_chains", 0))
    self.log_z_method = str(config.get("log_z", "ais"))
    self.ais_steps = int(config.get("ais_steps", 14_500))
    self.ais_runs = int(config.get("ais_runs", 100))
    self._momentum_set = [k for k in MOMENTUM_KEYS if k in config]
    self._check()
    self.phases = (Phase("cd", self._cd_loss, ("model",)),)

  def _check(self):
    positive = {"hidden": self.hidden, "cd_k": self.cd_k, "cd_k_final": self.cd_k_final,
                "num_chains": self.num_chains, "sample_thinning": self.thinning,
                "ais_steps": self.ais_steps}
    for key, value in positive.items():
      if value < 1:
        raise UserError(f"--config.model.{key}={value} must be >= 1.")
    for key, value in {"cd_k_ramp_steps": self.cd_k_ramp_steps,
                       "sample_burn_in": self.burn_in,
                       "sample_chains": self.sample_chains,
                       "momentum_switch_step": self.momentum_switch_step,
                       "learning_rate_decay_steps":
                           self.learning_rate_decay_steps}.items():
      if value < 0:
        raise UserError(f"--config.model.{key}={value} must be >= 0.")
    if self.ais_runs < 2:
      raise UserError(f"--config.model.ais_runs={self.ais_runs} must be >= 2 "
                      "(the standard error is over runs).")
    if self.log_z_method not in ("ais", "exact"):
      raise UserError(f"--config.model.log_z={self.log_z_method!r} must be 'ais' or "
                      "'exact'.")
    if self.log_z_method == "exact" and not self.enumerable:
      raise UserError(
          f"--config.model.log_z='exact' enumerates 2^min(D, H) states; min("
          f"{self.num_visible}, {self.hidden}) > {MAX_EXACT_UNITS}. Use log_z='ais'.")

  @property
  def enumerable(self) -> bool:
    return min(self.num_visible, self.hidden) <= MAX_EXACT_UNITS

  @property
  def max_k(self) -> int:
    return max(self.cd_k, self.cd_k_final)

  def k_at(self, step) -> jax.Array:
    """CD's k at `step` (int32): cd_k, growing linearly to cd_k_final."""
    if self.cd_k_ramp_steps == 0:
      return jnp.int32(self.cd_k_final)
    done = jnp.minimum(jnp.asarray(step, jnp.int32), self.cd_k_ramp_steps)
    grown = (self.cd_k_final - self.cd_k) * done // self.cd_k_ramp_steps
    return jnp.int32(self.cd_k) + grown

  # ------------------------------------------------------------ variables

  def init(self, rng, example_batch):
    del example_batch
    k_w, k_chains = jax.random.split(rng)
    d, h = self.num_visible, self.hidden
    params = {"w": self.init_scale * jax.random.normal(k_w, (d, h)),
              "b": jnp.zeros((d,)), "c": jnp.zeros((h,))}
    state = {"data_mean": jnp.zeros((d,)), "data_count": jnp.zeros(())}
    if self.persistent:
      state["chains"] = jax.random.bernoulli(
          k_chains, 0.5, (self.num_chains, d)).astype(jnp.float32)
    return {"params": {"model": params}, "state": state}

  def _flat(self, x) -> jax.Array:
    return jnp.asarray(x).reshape(x.shape[0], -1).astype(jnp.float32)

  @staticmethod
  def base_rate(state) -> jax.Array:
    """[D] smoothed training pixel means (0.5 before any training step)."""
    n = state["data_count"]
    return (n * state["data_mean"] + 1.0) / (n + 2.0)

  def base_bias(self, state) -> jax.Array:
    m = self.base_rate(state)
    return jnp.log(m) - jnp.log1p(-m)

  # -------------------------------------------------------------- training

  def negative_samples(self, params, state, v, rng, step) -> jax.Array:
    """The CD-k / PCD negative samples (no gradient flows through them)."""
    params = jax.lax.stop_gradient(params)
    start = state["chains"] if self.persistent else v
    if self.cd_k == self.cd_k_final or self.cd_k_ramp_steps == 0:
      return run_gibbs(params, start, rng, self.cd_k_final)
    return run_gibbs(params, start, rng, self.max_k, active=self.k_at(step))

  def _cd_loss(self, params, state, batch, rng, step):
    p = params["model"]
    v = self._flat(batch["x"])
    negative = jax.lax.stop_gradient(self.negative_samples(p, state, v, rng, step))
    f_data = free_energy(p, v)
    loss = jnp.mean(f_data) - jnp.mean(free_energy(p, negative))
    count = state["data_count"] + v.shape[0]
    new_state = {**state, "data_count": count,
                 "data_mean": state["data_mean"] + (jnp.mean(v, 0) - state["data_mean"])
                              * (v.shape[0] / count)}
    if self.persistent:
      new_state["chains"] = negative
    sg = jax.lax.stop_gradient(p)
    recon = visible_probs(sg, hidden_probs(sg, v))
    metrics = {"free_energy": jnp.mean(jax.lax.stop_gradient(f_data)),
               "reconstruction_error": jnp.mean(jnp.sum((v - recon) ** 2, -1)),
               "cd_k": self.k_at(step).astype(jnp.float32)}
    return loss, (metrics, new_state)

  def optimizers(self, train_config):
    """{"model": transform}: see the module doc (momentum schedule with SGD)."""
    lr = train_config.learning_rate
    if self.learning_rate_decay_steps:
      lr = optax.linear_schedule(lr, 0.0, self.learning_rate_decay_steps)
    if train_config.optimizer == "sgd":
      def momentum(count):  # count: updates so far, = the trainer's step
        return jnp.where(count < self.momentum_switch_step, self.momentum,
                         self.final_momentum)

      tx = optax.inject_hyperparams(optax.sgd)(learning_rate=lr, momentum=momentum)
      if train_config.grad_clip_norm > 0:
        tx = optax.chain(optax.clip_by_global_norm(train_config.grad_clip_norm), tx)
    else:
      if self._momentum_set:
        raise UserError(
            f"--config.model.{', --config.model.'.join(self._momentum_set)} set the "
            "SGD momentum schedule, but --config.train.optimizer="
            f"{train_config.optimizer!r}; set --config.train.optimizer=sgd or "
            "remove them.")
      tx = make_optimizer(train_config, learning_rate=lr)
    if self.weight_decay:
      mask = {"w": True, "b": False, "c": False}
      tx = optax.chain(optax.add_decayed_weights(self.weight_decay, mask), tx)
    return {"model": tx}

  # -------------------------------------------------------------- sampling

  def _start(self, state, rng, num) -> jax.Array:
    m = self.base_rate(state)
    return jax.random.bernoulli(rng, m, (num, self.num_visible)).astype(jnp.float32)

  def sample(self, variables, rng, num, inputs=None):
    """`num` binary samples after `sample_burn_in` sweeps (module doc)."""
    del inputs
    p, state = variables["params"]["model"], variables["state"]
    chains = min(self.sample_chains, num) if self.sample_chains else num
    per_chain = math.ceil(num / chains)
    k_start, k_run = jax.random.split(rng)
    frames = gibbs_frames(p, self._start(state, k_start, chains), k_run, self.burn_in,
                          per_chain, self.thinning)          # [per_chain, chains, D]
    samples = jnp.swapaxes(frames, 0, 1).reshape(-1, self.num_visible)[:num]
    return unflatten(samples, self.spec)

  def chain_frames(self, variables, rng, num_frames=CHAIN_FRAMES) -> jax.Array:
    """One chain from the base rate: [num_frames, *event], every `thinning` sweeps."""
    p, state = variables["params"]["model"], variables["state"]
    k_start, k_run = jax.random.split(rng)
    frames = gibbs_frames(p, self._start(state, k_start, 1), k_run, 0, num_frames,
                          self.thinning)
    return unflatten(frames[:, 0], self.spec)

  @functools.cached_property
  def _jit_chain_frames(self):
    return jax.jit(self.chain_frames, static_argnums=2)

  def write_pictures(self, variables, rng, batch, directory, step):
    # pylint: disable-next=import-outside-toplevel
    from gen_jax.pictures import image_grid, save_png, to_uint8_images
    if not self.spec.is_image:
      return

    def save(images, kind):
      grid = image_grid(to_uint8_images(np.asarray(images), self.spec), columns=8)
      save_png(grid, os.path.join(directory, f"{kind}_step_{step}.png"),
               scale=max(1, 512 // max(grid.shape[:2])))

    save(self._jit_chain_frames(variables, rng), "gibbs_chain")
    if self.persistent:
      chains = variables["state"]["chains"][:CHAIN_FRAMES]
      save(unflatten(chains, self.spec), "persistent_chains")

  # ------------------------------------------------------------ likelihood

  def log_partition(self, variables, rng) -> tuple[jax.Array, jax.Array]:
    """(log Z, standard error) by the configured method."""
    p = variables["params"]["model"]
    if self.log_z_method == "exact":
      return exact_log_partition(p), jnp.zeros(())
    result = ais_log_partition(p, rng, annealing_schedule(self.ais_steps), self.ais_runs,
                               self.base_bias(variables["state"]))
    return result.log_z, result.log_z_se

  def prepare_eval(self, variables, rng):
    log_z, se = self.log_partition(variables, rng)
    return {**variables, "state": {**variables["state"], "log_z": log_z, "log_z_se": se}}

  def log_prob(self, variables, batch, rng=None):
    """-F(x) - log Z [B]; log Z from `prepare_eval`, else exact (small models)."""
    p = variables["params"]["model"]
    state = variables.get("state") or {}
    if "log_z" in state:
      log_z = state["log_z"]
    elif self.enumerable:
      log_z = exact_log_partition(p)
    else:
      raise UserError(
          f"the RBM's log Z is intractable (D={self.num_visible}, H={self.hidden}, "
          f"both > {MAX_EXACT_UNITS}): pass variables from `prepare_eval`, which "
          "estimates it by AIS.")
    return -free_energy(p, self._flat(batch["x"])) - log_z

  def eval_metrics(self, variables, batch, rng):
    metrics = likelihood_metrics(-self.log_prob(variables, batch, rng), self.spec)
    state = variables["state"]
    if "log_z" in state:
      num = batch["x"].shape[0]
      metrics["log_z"] = jnp.full((num,), state["log_z"])
      metrics["log_z_se"] = jnp.full((num,), state["log_z_se"])
    return metrics
