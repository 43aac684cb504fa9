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
  ema_params: dict[str, Any] | None

  def variables(self, use_ema: bool = True) -> dict[str, Any]:
    params = self.ema_params if (use_ema and self.ema_params is not None) else self.params
    return {"params": params, "state": self.state}


def create_train_state(variables, optimizers, ema: bool) -> TrainState:
  params = variables["params"]
  missing = set(params) - set(optimizers)
  if missing:
    raise ValueError(f"no optimizer for parameter groups {sorted(missing)}")
  return TrainState(
      step=jnp.zeros((), jnp.int32), params=params,
      state=variables.get("state", {}),
      opt_state={g: optimizers[g].init(p) for g, p in params.items()},
      ema_params=jax.tree.map(jnp.copy, params) if ema else None)


def make_train_step(recipe: Recipe, optimizers: dict[str, optax.GradientTransformation],
                    ema_decay: float):
  """Returns step(ts, batch, train_key) -> (ts, metrics).

  Each phase differentiates its loss w.r.t. its own groups only and updates
  them with their own optimizer states; other groups are held fixed. The
  PRNG key of phase p, repetition r at step t is
  fold_in(fold_in(fold_in(train_key, t), p), r). `metrics["nonfinite_phase"]`
  is the index of the first phase whose loss was not finite, or -1.
  """

  def train_step(ts: TrainState, batch, train_key):
    step_key = jax.random.fold_in(train_key, ts.step)
    params, state = dict(ts.params), ts.state
    opt_state = dict(ts.opt_state)
    metrics, nonfinite = {}, jnp.int32(-1)
    for p_index, phase in enumerate(recipe.phases):
      phase_key = jax.random.fold_in(step_key, p_index)
      for r in range(phase.repeat):
        rng = jax.random.fold_in(phase_key, r)
        frozen = dict(params)

        def loss_of(trainable, frozen=frozen, state=state, rng=rng, phase=phase):
          return phase.loss_fn({**frozen, **trainable}, state, batch, rng)

        trainable = {g: params[g] for g in phase.groups}
        (loss, (phase_metrics, state)), grads = jax.value_and_grad(
            loss_of, has_aux=True)(trainable)
        for g in phase.groups:
          updates, opt_state[g] = optimizers[g].update(grads[g], opt_state[g], params[g])
          params[g] = optax.apply_updates(params[g], updates)
        bad = ~jnp.isfinite(loss)
        nonfinite = jnp.where((nonfinite < 0) & bad, p_index, nonfinite)
      metrics[f"{phase.name}_loss"] = loss
      metrics.update(phase_metrics)
    ema = ts.ema_params
    if ema is not None:
      ema = optax.incremental_update(params, ema, step_size=1.0 - ema_decay)
    metrics["nonfinite_phase"] = nonfinite
    new_ts = ts.replace(step=ts.step + 1, params=params, state=state,
                        opt_state=opt_state, ema_params=ema)
    return new_ts, metrics

  return train_step


def make_eval_step(recipe: Recipe):
  """Returns eval(variables, batch, rng) -> ({name: weighted sum}, weight sum)."""

  def eval_step(variables, batch, rng):
    per_example = recipe.eval_metrics(variables, batch, rng)
    w = batch["weight"]
    sums = {k: jnp.sum(v * w) for k, v in per_example.items()}
    return sums, jnp.sum(w)

  return eval_step
