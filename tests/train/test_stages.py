"""Recipe stages: one compiled step per stage, each stage's batch size and
shapes, every stage ending evaluated and saved, and exact resume mid-stage."""

import copy
import os

import chex
import jax
import jax.numpy as jnp
import optax
import pytest

from gen_jax.errors import UserError
from gen_jax.models import RECIPES
from gen_jax.models.base import LikelihoodRecipe, Phase, Stage
from gen_jax.train import Experiment, train
from gen_jax.train.samples import draw
from gen_jax.train.stages import StageSchedule
from tests.helpers import read_metrics, saved_state, tiny_config


class _Staged(LikelihoodRecipe):
  """Independent Bernoulli pixels whose stage 1 sees 2x2-pooled images (a
  different shape, so a different compiled step) and whose loss logs the
  batch size and the stage."""

  stage = 0
  stages = (Stage("full", 3, batch_size=16), Stage("pooled", 4, batch_size=32))

  def init_params(self, rng):
    return {"logits": jnp.zeros(self.spec.event_shape)}

  def at_stage(self, index):
    staged = copy.copy(self)
    staged.stage = index
    staged.phases = (Phase("nll", staged._nll_loss, ("model",)),)   # its own, not root's
    return staged

  def view(self, x):
    if self.stage == 0:
      return x
    b, h, w, c = x.shape
    return x.reshape(b, h // 2, 2, w // 2, 2, c).mean((2, 4))   # [B, H/2, W/2, C]

  def log_prob(self, variables, batch, rng=None):
    logits = self.view(variables["params"]["model"]["logits"][None])
    x = self.view(batch["x"])
    ll = x * jax.nn.log_sigmoid(logits) + (1 - x) * jax.nn.log_sigmoid(-logits)
    return ll.reshape(x.shape[0], -1).sum(-1)

  def _nll_loss(self, params, state, batch, rng, step):
    loss, (metrics, state) = super()._nll_loss(params, state, batch, rng, step)
    metrics = {**metrics, "batch_size": jnp.float32(batch["x"].shape[0]),
               "stage": jnp.float32(self.stage)}
    return loss, (metrics, state)

  def sample(self, variables, rng, num, inputs=None):
    logits = self.view(variables["params"]["model"]["logits"][None])
    return jax.random.bernoulli(rng, jax.nn.sigmoid(logits),
                                (num,) + logits.shape[1:]).astype(jnp.float32)


class _StagedReset(_Staged):
  """`_Staged` whose second stage starts with fresh optimizer states."""

  stages = (Stage("full", 3, batch_size=16),
            Stage("pooled", 4, batch_size=32, reset_optimizers=True))


@pytest.fixture(name="staged")
def _register(monkeypatch):
  monkeypatch.setitem(RECIPES, "staged", f"{__name__}:_Staged")
  monkeypatch.setitem(RECIPES, "staged_reset", f"{__name__}:_StagedReset")


def staged_config(steps=7, model="staged"):
  return tiny_config(model=model, steps=steps, **{
      "checkpoint.every_steps": 100, "eval.every_steps": 100,
      "sample.every_steps": 100})


def test_each_stage_gets_its_batch_size_its_step_and_ends_saved(tmp_path, staged):
  train(staged_config(), str(tmp_path), progress=False)
  rows = [e for e in read_metrics(tmp_path) if e["split"] == "train"]
  assert [(e["stage"], e["batch_size"]) for e in rows] == [(0, 16)] * 3 + [(1, 32)] * 4
  assert sorted(os.listdir(tmp_path / "checkpoints"), key=int) == ["3", "7"]
  assert [e["step"] for e in read_metrics(tmp_path) if e["split"] == "test"] == [3, 7]
  assert os.path.exists(tmp_path / "samples" / "step_3.png")
  assert draw(Experiment(staged_config(), str(tmp_path)), 2).shape == (2, 4, 4, 1)


def test_a_run_resumed_inside_a_stage_equals_an_uninterrupted_one(tmp_path, staged):
  train(staged_config(), str(tmp_path / "full"), progress=False)
  train(staged_config(steps=5), str(tmp_path / "cut"), progress=False)  # 2 steps into stage 1
  train(staged_config(), str(tmp_path / "cut"), progress=False)
  exp = Experiment(staged_config(), str(tmp_path / "full"))
  chex.assert_trees_all_equal(jax.device_get(exp.train_state.params),
                              saved_state(exp, tmp_path / "cut").params)
  losses = lambda d: [e["nll_loss"] for e in read_metrics(d) if e["split"] == "train"]
  assert losses(tmp_path / "full") == losses(tmp_path / "cut")


def adam_counts(state) -> set[int]:
  """The update counts held in a train state's optimizer states."""
  return {int(count) for _, count in
          optax.tree_utils.tree_get_all_with_path(state.opt_state, "count")}


def test_a_stage_that_resets_the_optimizers_counts_from_its_start_and_resumes_exactly(
    tmp_path, staged):
  train(staged_config(model="staged_reset"), str(tmp_path / "full"), progress=False)
  train(staged_config(), str(tmp_path / "carried"), progress=False)
  exp = Experiment(staged_config(model="staged_reset"), str(tmp_path / "full"))
  full = jax.device_get(exp.train_state)
  assert adam_counts(full) == {4}   # stage 1's 4 steps only
  assert adam_counts(saved_state(exp, tmp_path / "carried")) == {7}
  for cut in (3, 5):   # stopped at the stage boundary, and inside the stage
    workdir = str(tmp_path / f"cut{cut}")
    train(staged_config(steps=cut, model="staged_reset"), workdir, progress=False)
    train(staged_config(model="staged_reset"), workdir, progress=False)
    chex.assert_trees_all_equal(full, saved_state(exp, workdir))


def test_schedule_boundaries():
  schedule = StageSchedule((Stage("a", 3), Stage("b", 2), Stage("c", 4)), num_steps=12)
  assert [schedule.stage_of(k) for k in range(0, 13)] == [0] * 4 + [1] * 2 + [2] * 7
  assert [schedule.end(i) for i in range(3)] == [3, 5, 12]
  assert schedule.data_seed(0, 123) == 123 and schedule.data_seed(1, 123) != 123
  unstaged = StageSchedule((), num_steps=5)
  assert unstaged.stage_of(5) == 0 and unstaged.end(0) == 5
  assert [schedule.resets_optimizers(i) for i in range(3)] == [False] * 3
  assert StageSchedule((Stage("a", 3), Stage("b", 2, reset_optimizers=True)),
                       5).resets_optimizers(1)
  assert not unstaged.resets_optimizers(0)
  with pytest.raises(UserError, match="stage 'z' has 0 steps"):
    StageSchedule((Stage("z", 0),), 3)
