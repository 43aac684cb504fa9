"""The generic trainer: determinism, resume, device counts, failures."""

import os
import shutil

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import tensorflow_datasets as tfds

from gen_jax import data as data_lib
from gen_jax.errors import UserError
from gen_jax.models import RECIPES, LikelihoodRecipe
from gen_jax.train import Experiment, train
from tests.helpers import read_metrics, timeless, tiny_config


def final_params(config, workdir):
  return jax.device_get(Experiment(config, workdir).train_state.params)


def assert_trees_equal(a, b):
  chex.assert_trees_all_equal(a, b)


def test_a_run_writes_metrics_checkpoint_and_samples(tmp_path):
  config = tiny_config()
  result = train(config, str(tmp_path), progress=False)
  assert np.isfinite(result["nll_nats"]) and result["bits_per_dim"] > 0
  events = read_metrics(tmp_path)
  assert events[0]["split"] == "info" and events[0]["num_parameters"] == 64 * 65 // 2
  assert [e["step"] for e in events if e["split"] == "train"] == list(range(1, 7))
  test = [e for e in events if e["split"] == "test"]
  assert test[-1]["step"] == 6 and test[-1]["nll_nats"] == pytest.approx(result["nll_nats"])
  assert os.path.exists(tmp_path / "samples" / "step_6.png")
  assert sorted(os.listdir(tmp_path / "checkpoints")) == ["3", "6"]
  assert os.listdir(tmp_path / "tensorboard")


def test_same_seed_gives_bit_identical_parameters(tmp_path):
  config = tiny_config()
  train(config, str(tmp_path / "a"), progress=False)
  train(config, str(tmp_path / "b"), progress=False)
  assert_trees_equal(final_params(config, str(tmp_path / "a")),
                     final_params(config, str(tmp_path / "b")))
  other = tiny_config(seed=1)
  train(other, str(tmp_path / "c"), progress=False)
  with pytest.raises(AssertionError):
    assert_trees_equal(final_params(config, str(tmp_path / "a")),
                       final_params(other, str(tmp_path / "c")))


def test_resumed_run_equals_uninterrupted_run(tmp_path):
  # EMA on, so every part of the train state must survive the restart.
  full = tiny_config(**{"train.ema_decay": 0.9})
  train(full, str(tmp_path / "full"), progress=False)
  first_half = tiny_config(steps=3, **{"train.ema_decay": 0.9})
  train(first_half, str(tmp_path / "resumed"), progress=False)
  train(full, str(tmp_path / "resumed"), progress=False)
  a = Experiment(full, str(tmp_path / "full")).train_state
  b = Experiment(full, str(tmp_path / "resumed")).train_state
  assert int(b.step) == 6
  assert_trees_equal(jax.device_get(a.params), jax.device_get(b.params))
  assert_trees_equal(jax.device_get(a.ema_params), jax.device_get(b.ema_params))
  assert_trees_equal(jax.device_get(a.opt_state), jax.device_get(b.opt_state))
  losses = lambda d: [e["nll_loss"] for e in read_metrics(d) if e["split"] == "train"]
  assert losses(tmp_path / "full") == losses(tmp_path / "resumed")


def test_one_device_and_eight_devices_give_the_same_loss_curve(tmp_path):
  assert jax.device_count() == 8
  config = tiny_config(steps=5)
  train(config, str(tmp_path / "one"), progress=False, devices=jax.devices()[:1])
  train(config, str(tmp_path / "eight"), progress=False)
  curve = lambda d: np.array([e["nll_loss"] for e in read_metrics(d)
                              if e["split"] == "train"])
  info = lambda d: read_metrics(d)[0]["num_devices"]
  assert (info(tmp_path / "one"), info(tmp_path / "eight")) == (1, 8)
  np.testing.assert_allclose(curve(tmp_path / "one"), curve(tmp_path / "eight"),
                             rtol=1e-5)


class _Exploding(LikelihoodRecipe):
  """A toy whose loss becomes -inf at its third step."""

  def init_params(self, rng):
    return {"w": jnp.zeros(()), "t": jnp.zeros(())}

  def log_prob(self, variables, batch, rng=None):
    p = variables["params"]["model"]
    return jnp.zeros(batch["x"].shape[0]) + p["w"] + jnp.log(2.0 - p["t"])

  def optimizers(self, train_config):
    # "t" climbs by exactly 1 per step: the loss at step s sees t = s - 1,
    # so log(2 - t) is finite for steps 1-2 and -inf at step 3.
    return {"model": _count_up()}

  def sample(self, variables, rng, num, inputs=None):
    return jnp.zeros((num,) + self.spec.event_shape)


def _count_up():
  import optax  # pylint: disable=import-outside-toplevel
  return optax.GradientTransformation(
      lambda p: optax.EmptyState(),
      lambda g, s, p=None: ({"w": jnp.zeros(()), "t": jnp.ones(())}, s))


def test_non_finite_loss_stops_with_step_and_phase_and_keeps_checkpoint(tmp_path, monkeypatch):
  monkeypatch.setitem(RECIPES, "exploding", f"{__name__}:_Exploding")
  config = tiny_config(model="exploding", steps=6, **{"checkpoint.every_steps": 2})
  with pytest.raises(UserError, match=r"non-finite loss at step 3 in phase 'nll'"):
    train(config, str(tmp_path), progress=False)
  assert sorted(os.listdir(tmp_path / "checkpoints")) == ["2"]
  assert int(Experiment(config, str(tmp_path)).train_state.step) == 2


def test_corrupt_checkpoint_is_a_clear_error_and_is_left_untouched(tmp_path):
  config = tiny_config(steps=3)
  train(config, str(tmp_path), progress=False)
  state_dir = tmp_path / "checkpoints" / "3" / "state"
  for name in os.listdir(state_dir):
    path = state_dir / name
    if path.is_file():
      path.write_bytes(b"garbage")
    else:
      shutil.rmtree(path)
  before = sorted(os.listdir(state_dir))
  with pytest.raises(UserError, match="could not be read.*left untouched"):
    train(tiny_config(steps=6), str(tmp_path), progress=False)
  assert sorted(os.listdir(state_dir)) == before
  assert sorted(os.listdir(tmp_path / "checkpoints")) == ["3"]


@pytest.mark.parametrize("key,value,message", [
    ("train.num_steps", 0, "train.num_steps=0 must be a positive integer"),
    ("train.learning_rate", -1.0, "learning_rate=-1.0 must be positive"),
    ("train.optimizer", "adagrad", "optimizer='adagrad' is not one of"),
    ("train.steps_per_dispatch", 0, "steps_per_dispatch=0 must be a positive integer"),
    ("eval.selection_mode", "lowest", "selection_mode='lowest' is not one of"),
    ("data.on_device_mb", -1, "on_device_mb=-1 must be a number >= 0"),
    ("train.batch_size", 12, "batch_size=12 must be divisible by the number of devices"),
    ("data.encoding", "ternary", "data.encoding='ternary' is not one of"),
    ("data.name", "not_a_dataset_xyz", "unknown dataset 'not_a_dataset_xyz'"),
    ("model.name", "nade9000", "unknown model 'nade9000'"),
])
def test_bad_config_values_give_one_clear_message(tmp_path, key, value, message):
  with pytest.raises(UserError, match=message):
    train(tiny_config(**{key: value}), str(tmp_path), progress=False)


@pytest.mark.parametrize("data", [{}, {"data.name": "mnist", "data.image_size": 8}],
                         ids=["in_memory", "tfds"])
def test_batches_gathered_on_the_device_train_as_batches_copied_from_the_host(tmp_path,
                                                                              data):
  common = {"train.steps_per_dispatch": 2, "checkpoint.every_steps": 100, **data}
  results = {}
  for name, mb in (("device", 256), ("host", 0)):
    config = tiny_config(steps=5, **common, **{"data.on_device_mb": mb})
    with tfds.testing.mock_data(num_examples=64):
      results[name] = train(config, str(tmp_path / name), progress=False)
      exp = Experiment(config, str(tmp_path / name))
      assert (exp.train_tables is None) == (mb == 0)
    results[name + "_params"] = jax.device_get(exp.train_state.params)
  assert_trees_equal(results["device_params"], results["host_params"])
  assert timeless(results["device"]) == timeless(results["host"])
  losses = lambda d: [e["nll_loss"] for e in read_metrics(tmp_path / d) if e["split"] == "train"]
  assert losses("device") == losses("host") and len(losses("host")) == 5


def test_several_steps_per_dispatch_equal_one_and_resume_exactly(tmp_path, monkeypatch):
  # 16 steps, K=4, a log every 4 and a checkpoint every 6: steps 1-4, 9-12
  # and 13-16 run as one call each; 5-8 (a checkpoint at 6) one by one.
  taken = []
  take = data_lib.Prefetch.take
  monkeypatch.setattr(data_lib.Prefetch, "take",
                      lambda self, num: taken.append(num) or take(self, num))
  common = {"train.ema_decay": 0.9, "train.log_every_steps": 4,
            "checkpoint.every_steps": 6}
  one = tiny_config(steps=16, **common)
  four = tiny_config(steps=16, **{**common, "train.steps_per_dispatch": 4})
  train(one, str(tmp_path / "one"), progress=False)
  taken.clear()
  train(four, str(tmp_path / "four"), progress=False)
  assert taken == [4, 1, 1, 1, 1, 4, 4]
  a = Experiment(one, str(tmp_path / "one")).train_state
  b = Experiment(four, str(tmp_path / "four")).train_state
  chex.assert_trees_all_close(jax.device_get(a.params), jax.device_get(b.params),
                              rtol=1e-5, atol=1e-6)
  train(tiny_config(steps=6, **{**common, "train.steps_per_dispatch": 4}),
        str(tmp_path / "resumed"), progress=False)
  taken.clear()
  train(four, str(tmp_path / "resumed"), progress=False)
  assert taken == [1, 1, 4, 4]                        # steps 7, 8, then aligned blocks
  c = Experiment(four, str(tmp_path / "resumed")).train_state
  assert_trees_equal(jax.device_get(b.params), jax.device_get(c.params))
  assert_trees_equal(jax.device_get(b.ema_params), jax.device_get(c.ema_params))
  losses = lambda d: {e["step"]: e["nll_loss"] for e in read_metrics(d)
                      if e["split"] == "train"}
  assert sorted(losses(tmp_path / "four")) == [4, 8, 12, 16]
  assert losses(tmp_path / "four").items() <= losses(tmp_path / "resumed").items()
  np.testing.assert_allclose(list(losses(tmp_path / "four").values()),
                             list(losses(tmp_path / "one").values()), rtol=1e-5)
