"""Non-finite steps: found on the device, reported at the next log, eval or
checkpoint boundary with the step, phase and kind where they first happened,
and never saved."""

import os

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from gen_jax.errors import UserError
from gen_jax.models import RECIPES
from gen_jax.models.base import Phase, Recipe
from gen_jax.train import Experiment, train
from gen_jax.train import loop as loop_lib
from gen_jax.train.step import NO_NONFINITE, nonfinite_kind_of, record_first_nonfinite
from tests.helpers import tiny_config

BAD_STEP = 3   # the loop's (1-based) step at which phase "second" goes bad


@jax.custom_vjp
def _grad_times(x, scale):
  """x, whose gradient is multiplied by `scale`."""
  return x


_grad_times.defvjp(lambda x, scale: (x, scale),
                   lambda scale, g: (g * scale, jnp.zeros_like(scale)))


class _TwoPhases(Recipe):
  """Phase "first" trains `a`; phase "second" trains `b` and, at BAD_STEP,
  goes non-finite in the way KIND names: its loss, its gradient, or its
  parameters (through a step size that blows up)."""
  KIND = "loss"

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.phases = (Phase("first", self._first, ("a",)),
                   Phase("second", self._second, ("b",)))

  def init(self, rng, example_batch):
    return {"params": {"a": jnp.ones(()), "b": jnp.ones(())}, "state": {}}

  def _first(self, params, state, batch, rng, step):
    return params["a"] ** 2, ({}, state)

  def _second(self, params, state, batch, rng, step):
    bad = step == BAD_STEP - 1          # `step` counts the completed steps
    b = params["b"]
    if self.KIND == "loss":
      return b ** 2 + jnp.where(bad, jnp.nan, 0.0), ({}, state)
    if self.KIND == "gradients":
      return _grad_times(b, jnp.where(bad, jnp.inf, 1.0)) ** 2, ({}, state)
    return b ** 2, ({}, state)

  def optimizers(self, train_config):
    blows_up = self.KIND == "parameters"
    # optax counts updates from 0: update `count` is made at step count + 1.
    rate = lambda count: jnp.where(blows_up & (count == BAD_STEP - 1), -jnp.inf, -0.1)
    return {"a": optax.sgd(0.1), "b": optax.scale_by_schedule(rate)}

  def sample(self, variables, rng, num, inputs=None):
    return jnp.zeros((num,) + self.spec.event_shape)


class _LossGoesBad(_TwoPhases):
  KIND = "loss"


class _GradientsGoBad(_TwoPhases):
  KIND = "gradients"


class _ParametersGoBad(_TwoPhases):
  KIND = "parameters"


def sparse_boundaries(model, steps=8, **overrides):
  """Logs rarely and checkpoints every 2 steps: the first boundary after
  BAD_STEP is the checkpoint at step 4."""
  return tiny_config(model=model, steps=steps, **{
      "train.log_every_steps": 5, "checkpoint.every_steps": 2,
      "eval.every_steps": steps, "sample.every_steps": steps, **overrides})


@pytest.mark.parametrize("recipe,kind", [(_LossGoesBad, "loss"),
                                         (_GradientsGoBad, "gradients"),
                                         (_ParametersGoBad, "parameters")])
def test_first_non_finite_step_is_named_and_never_saved(tmp_path, monkeypatch, recipe, kind):
  monkeypatch.setitem(RECIPES, "two_phases", f"{__name__}:{recipe.__name__}")
  config = sparse_boundaries("two_phases")
  with pytest.raises(UserError, match=rf"non-finite {kind} at step {BAD_STEP} "
                                      r"in phase 'second'"):
    train(config, str(tmp_path), progress=False)
  # Found at the step-4 checkpoint boundary, before the save: step 2 is kept.
  assert sorted(os.listdir(tmp_path / "checkpoints")) == ["2"]
  kept = Experiment(config, str(tmp_path)).train_state
  assert int(kept.step) == 2
  assert all(np.isfinite(v) for v in jax.tree.leaves(jax.device_get(kept.params)))


def test_finiteness_crosses_to_the_host_at_boundaries_only(tmp_path, monkeypatch):
  checked = []
  check = loop_lib.raise_if_nonfinite

  def recording(record, recipe):
    checked.append(tuple(int(v) for v in record))
    check(record, recipe)

  monkeypatch.setattr(loop_lib, "raise_if_nonfinite", recording)
  train(tiny_config(steps=10, **{"train.log_every_steps": 5, "checkpoint.every_steps": 5,
                                 "eval.every_steps": 10, "sample.every_steps": 10}),
        str(tmp_path), progress=False)
  assert checked == [NO_NONFINITE, NO_NONFINITE]     # steps 5 and 10


def test_kind_is_the_first_non_finite_of_loss_gradients_parameters():
  finite, bad = {"w": jnp.ones(3)}, {"w": jnp.array([1.0, jnp.inf, 2.0])}
  assert int(nonfinite_kind_of(jnp.float32(1), finite, finite)) == -1
  assert int(nonfinite_kind_of(jnp.float32(jnp.nan), bad, bad)) == 0
  assert int(nonfinite_kind_of(jnp.float32(1), bad, bad)) == 1
  assert int(nonfinite_kind_of(jnp.float32(1), finite, bad)) == 2
  assert int(nonfinite_kind_of(jnp.float32(1), {}, {})) == -1


def test_record_keeps_the_first_non_finite_step():
  record = jnp.asarray(NO_NONFINITE, jnp.int32)
  ok = {"nonfinite_phase": jnp.int32(-1), "nonfinite_kind": jnp.int32(-1)}
  record = record_first_nonfinite(record, 1, ok)
  assert record.tolist() == list(NO_NONFINITE)
  record = record_first_nonfinite(record, 2, {"nonfinite_phase": jnp.int32(1),
                                              "nonfinite_kind": jnp.int32(2)})
  record = record_first_nonfinite(record, 3, {"nonfinite_phase": jnp.int32(0),
                                              "nonfinite_kind": jnp.int32(0)})
  assert record.tolist() == [2, 1, 2]
