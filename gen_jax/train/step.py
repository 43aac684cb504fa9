"""The compiled training step: every phase of a recipe, in order."""

from typing import Any

import flax.struct
import jax
import jax.numpy as jnp
import optax

from gen_jax.models.base import Recipe


@flax.struct.dataclass
class TrainState:
  step: jax.Array                 # int32 scalar: completed steps
  params: dict[str, Any]          # {group: pytree}
  state: Any                      # non-trained model state
  opt_state: dict[str, Any]       # {group: optax state}
  ema_params: dict[str, Any] | None   # {group: pytree} for the recipe's EMA groups

  def variables(self, use_ema: bool = True) -> dict[str, Any]:
    """{"params", "state"}; with `use_ema`, EMA groups replace their raw ones.

    The state is the raw weights'; `Experiment.variables` refreshes it for the
    EMA weights through `Recipe.refresh_state`.
    """
    params = self.params
    if use_ema and self.ema_params is not None:
      params = {**params, **self.ema_params}
    return {"params": params, "state": self.state}


def ema_groups(recipe: Recipe, params: dict[str, Any]) -> tuple[str, ...]:
  groups = tuple(params) if recipe.ema_groups is None else tuple(recipe.ema_groups)
  unknown = set(groups) - set(params)
  if unknown:
    raise ValueError(f"ema_groups {sorted(unknown)} are not parameter groups "
                     f"({sorted(params)})")
  return groups


def create_train_state(variables, optimizers, ema_groups: tuple[str, ...] | None
                       ) -> TrainState:
  """A fresh state; `ema_groups` None (or empty) keeps no EMA."""
  params = variables["params"]
  missing = set(params) - set(optimizers)
  if missing:
    raise ValueError(f"no optimizer for parameter groups {sorted(missing)}")
  ema = ({g: jax.tree.map(jnp.copy, params[g]) for g in ema_groups}
         if ema_groups else None)
  return TrainState(
      step=jnp.zeros((), jnp.int32), params=params,
      state=variables.get("state", {}),
      opt_state=fresh_optimizer_states(params, optimizers), ema_params=ema)


def fresh_optimizer_states(params, optimizers) -> dict:
  """Every group's optimizer state as at the first step."""
  return {g: optimizers[g].init(p) for g, p in params.items()}


def batch_at(batches, r: int):
  """The r-th batch of a step's stack (every leaf has a leading [R] axis)."""
  return jax.tree.map(lambda a: a[r], batches)


NONFINITE_KINDS = ("loss", "gradients", "parameters")
NO_NONFINITE = (-1, -1, -1)   # a first-non-finite record: (step, phase, kind)


def all_finite(tree) -> jax.Array:
  """bool scalar: every element of every leaf is finite (one fused pass)."""
  leaves = jax.tree.leaves(tree)
  if not leaves:
    return jnp.bool_(True)
  return jnp.all(jnp.stack([jnp.all(jnp.isfinite(leaf)) for leaf in leaves]))


def nonfinite_kind_of(loss, grads, new_params) -> jax.Array:
  """int32 scalar: the first of NONFINITE_KINDS that is not finite, or -1."""
  bad = jnp.stack([~jnp.isfinite(loss), ~all_finite(grads), ~all_finite(new_params)])
  return jnp.where(jnp.any(bad), jnp.argmax(bad), -1).astype(jnp.int32)


def record_first_nonfinite(record: jax.Array, step: jax.Array, metrics) -> jax.Array:
  """The [3] int32 record (step, phase, kind) of the first non-finite step:
  `record` if it already holds one (step >= 0), else this step's if bad."""
  phase = metrics["nonfinite_phase"]
  now = jnp.stack([jnp.asarray(step, jnp.int32), phase, metrics["nonfinite_kind"]])
  return jnp.where((record[0] < 0) & (phase >= 0), now, record)


def make_train_step(recipe: Recipe, optimizers: dict[str, optax.GradientTransformation],
                    ema_decay: float):
  """Returns step(ts, batches, train_key) -> (ts, metrics).

  `batches` stacks `recipe.batches_per_step` batches on a leading axis;
  repetition r of a phase reads batch r, so repeated phases see fresh data.
  Each phase differentiates its loss w.r.t. its own groups only and updates
  them with their own optimizer states; other groups are held fixed. The
  PRNG key of phase p, repetition r at step t is
  fold_in(fold_in(fold_in(train_key, t), p), r). `metrics["nonfinite_phase"]`
  is the index of the first phase whose loss, gradients or updated
  parameters were not finite (or -1), `metrics["nonfinite_kind"]` which of
  them (an index into NONFINITE_KINDS, or -1).
  """

  def train_step(ts: TrainState, batches, train_key):
    step_key = jax.random.fold_in(train_key, ts.step)
    params, state = dict(ts.params), ts.state
    opt_state = dict(ts.opt_state)
    metrics, nonfinite, nonfinite_kind = {}, jnp.int32(-1), jnp.int32(-1)
    for p_index, phase in enumerate(recipe.phases):
      phase_key = jax.random.fold_in(step_key, p_index)
      for r in range(phase.repeat):
        rng = jax.random.fold_in(phase_key, r)
        frozen = dict(params)

        def loss_of(trainable, frozen=frozen, state=state, rng=rng, phase=phase,
                    batch=batch_at(batches, r)):
          return phase.loss_fn({**frozen, **trainable}, state, batch, rng, ts.step)

        trainable = {g: params[g] for g in phase.groups}
        (loss, (phase_metrics, state)), grads = jax.value_and_grad(
            loss_of, has_aux=True)(trainable)
        for g in phase.groups:
          updates, opt_state[g] = optimizers[g].update(grads[g], opt_state[g], params[g])
          params[g] = optax.apply_updates(params[g], updates)
        kind = nonfinite_kind_of(loss, grads, {g: params[g] for g in phase.groups})
        first = (nonfinite < 0) & (kind >= 0)
        nonfinite = jnp.where(first, p_index, nonfinite)
        nonfinite_kind = jnp.where(first, kind, nonfinite_kind)
      metrics[f"{phase.name}_loss"] = loss
      metrics.update(phase_metrics)
    ema = ts.ema_params
    if ema is not None:
      ema = optax.incremental_update({g: params[g] for g in ema}, ema,
                                     step_size=1.0 - ema_decay)
    metrics["nonfinite_phase"] = nonfinite
    metrics["nonfinite_kind"] = nonfinite_kind
    new_ts = ts.replace(step=ts.step + 1, params=params, state=state,
                        opt_state=opt_state, ema_params=ema)
    return new_ts, metrics

  return train_step


def metric_weight(name: str, batch) -> jax.Array:
  """The weight row of a per-example metric: "<source>/..." uses that source's."""
  source = name.split("/", 1)[0]
  if "/" in name and isinstance(batch.get(source), dict):
    return batch[source]["weight"]
  return batch["weight"]


def make_eval_step(metrics_fn):
  """eval(variables, batch, rng) -> {name: (sum, sum of squares, weight)} of
  metrics_fn(variables, batch, rng) -> {name: [B]} (`Recipe.eval_metrics`).

  The host adds these over a split for exact means and standard errors.
  """

  def eval_step(variables, batch, rng):
    out = {}
    for name, values in metrics_fn(variables, batch, rng).items():
      w = metric_weight(name, batch)
      out[name] = (jnp.sum(values * w), jnp.sum(values * values * w), jnp.sum(w))
    return out

  return eval_step
