"""The recipe contract as the trainer drives it: named sources, fresh batches
per repetition, step-aware losses, per-group EMA, model-key checks, splits,
validation selection and standard errors."""

import json
import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from gen_jax import data as data_lib
from gen_jax.errors import UserError
from gen_jax.models import RECIPES, Phase, Recipe, make_recipe, recipe_class
from gen_jax.train import Experiment, make_mesh, train
from gen_jax.train import evaluation as evaluation_lib
from gen_jax.train.evaluation import evaluate
from tests.helpers import read_metrics, tiny_config


class _Recorder(Recipe):
  """A toy that records what the trainer hands its loss, in its state.

  One group `w`; phase `watch` repeats 3 times. State: the sum of `x` of the
  batch each repetition saw, the step each call saw, and a call counter.
  With named sources it reads batch["a"] and batch["b"].
  """
  REPEAT = 3

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.phases = (Phase("watch", self._loss, ("w",), repeat=self.REPEAT),)

  def _x(self, batch):
    if isinstance(self.spec, dict):
      return jnp.sum(batch["a"]["x"]) + 1000.0 * jnp.sum(batch["b"]["x"])
    return jnp.sum(batch["x"])

  def init(self, rng, example_batch):
    return {"params": {"w": jnp.zeros(())},
            "state": {"sums": jnp.zeros(self.REPEAT), "calls": jnp.zeros((), jnp.int32),
                      "steps": jnp.zeros(self.REPEAT, jnp.int32)}}

  def _loss(self, params, state, batch, rng, step):
    r = state["calls"] % self.REPEAT
    new = {"sums": state["sums"].at[r].set(self._x(batch)),
           "steps": state["steps"].at[r].set(step),
           "calls": state["calls"] + 1}
    return params["w"] ** 2, ({}, new)

  def sample(self, variables, rng, num, inputs=None):
    spec = self.spec["a"] if isinstance(self.spec, dict) else self.spec
    return jnp.zeros((num,) + spec.event_shape)


@pytest.fixture
def recorder(monkeypatch):
  monkeypatch.setitem(RECIPES, "recorder", f"{__name__}:_Recorder")


def two_sources(config):
  config.data.sources = ml_collections.ConfigDict({
      "a": {"name": "digits", "encoding": "binary"},
      "b": {"name": "digits", "encoding": "float", "train_split": "train[:500]"}})
  return config


def test_repeated_phase_sees_fresh_batches_and_the_step(tmp_path, recorder):
  config = tiny_config(model="recorder", steps=2)
  train(config, str(tmp_path), progress=False)
  exp = Experiment(config, str(tmp_path))
  assert exp.data_position == 6                      # 2 steps x 3 repetitions
  state = jax.device_get(exp.train_state.state)
  # The same stream, replayed: step 2 consumed batches 3, 4, 5.
  stream = data_lib.TrainStream(exp.train_source, 16, exp.data_seed,
                                exp.batch_sharding, count=3)
  next(stream)
  second = np.asarray(next(stream)["x"])             # [3, 16, 8, 8, 1]
  np.testing.assert_allclose(state["sums"], second.sum(axis=(1, 2, 3, 4)))
  assert len(set(state["sums"].tolist())) == 3       # three different batches
  np.testing.assert_array_equal(state["steps"], [1, 1, 1])   # steps completed before


def test_named_sources_are_keyed_shuffled_apart_and_resume(tmp_path, recorder):
  config = two_sources(tiny_config(model="recorder", steps=4))
  exp = Experiment(config, str(tmp_path / "probe"))
  assert set(exp.spec) == {"a", "b"}
  assert exp.spec["b"].encoding == "float" and len(exp.train_source["b"]) == 500
  stream = data_lib.TrainStream(exp.train_source, 16, 0, exp.batch_sharding, count=1)
  batch = next(stream)
  assert set(batch) == {"a", "b"} and batch["a"]["x"].shape == (1, 16, 8, 8, 1)
  # Each source has its own order: b's labels are not a's.
  assert not np.array_equal(batch["a"]["label"], batch["b"]["label"])

  train(config, str(tmp_path / "full"), progress=False)
  half = two_sources(tiny_config(model="recorder", steps=2))
  train(half, str(tmp_path / "resumed"), progress=False)
  train(config, str(tmp_path / "resumed"), progress=False)
  full = Experiment(config, str(tmp_path / "full"))
  resumed = Experiment(config, str(tmp_path / "resumed"))
  assert full.data_position == resumed.data_position == {"a": 12, "b": 12}
  jax.tree.map(np.testing.assert_array_equal, jax.device_get(full.train_state.state),
               jax.device_get(resumed.train_state.state))


def test_named_source_eval_weights_each_source_by_its_own_rows():
  config = two_sources(tiny_config())
  config.data.sources.b.eval_split = "test[:100]"
  loaded = data_lib.load_data(config.data)
  sharding = jax.sharding.NamedSharding(make_mesh(), jax.sharding.PartitionSpec("data"))
  batches = list(data_lib.eval_batches(loaded.eval, 64, sharding))
  assert len(batches) == 5                                  # 300 rows of a
  weight = lambda key: sum(float(np.sum(b[key]["weight"] if key else b["weight"]))
                           for b in batches)
  assert (weight("a"), weight("b"), weight(None)) == (300.0, 100.0, 100.0)


def test_ema_is_kept_for_the_generator_only_with_refreshed_batch_norm(tmp_path):
  config = tiny_config(model="dcgan", steps=2, **{
      "data.encoding": "float", "train.ema_decay": 0.5, "model.features": 4})
  train(config, str(tmp_path), progress=False)
  exp = Experiment(config, str(tmp_path))
  assert set(exp.train_state.ema_params) == {"generator"}
  variables = exp.variables()
  params = variables["params"]
  np.testing.assert_array_equal(
      jax.tree.leaves(params["generator"])[0],
      jax.tree.leaves(exp.train_state.ema_params["generator"])[0])
  # Standing statistics: eval mode with the refreshed state reproduces the
  # training-mode (batch statistics) output on the very latents they came from.
  key = jax.random.fold_in(exp.keys["eval"], 2 ** 31 - 2)
  latent = exp.recipe.latent(key, 1024)
  train_mode, _ = exp.recipe.generate(params, exp.train_state.state, latent, train=True)
  eval_mode, _ = exp.recipe.generate(params, variables["state"], latent, train=False)
  np.testing.assert_allclose(eval_mode, train_mode, atol=2e-4)
  raw_mode, _ = exp.recipe.generate(params, exp.train_state.state, latent, train=False)
  assert np.abs(raw_mode - train_mode).max() > 10 * 2e-4


def test_a_model_key_the_model_does_not_read_is_refused(tmp_path):
  config = tiny_config(model="nade", **{"model.hidden": 8})
  config.model.hiden = 16
  with pytest.raises(UserError, match=r"does not read --config.model.hiden\. Did you mean "
                     r"--config.model.hidden\? It reads: .*hidden"):
    train(config, str(tmp_path), progress=False)
  assert not os.path.exists(tmp_path / "checkpoints")


def test_a_recipe_reads_its_keys_into_its_typed_options():
  spec = data_lib.load(ml_collections.ConfigDict({"name": "digits", "encoding": "binary"}))[2]
  recipe = make_recipe(ml_collections.ConfigDict({"name": "nade", "hidden": 8}), spec)
  assert recipe.options.hidden == 8


def test_eval_split_is_honoured_and_unknown_splits_are_clear(tmp_path):
  on_train = train(tiny_config(**{"data.eval_split": "train"}), str(tmp_path / "a"),
                   progress=False)
  on_test = train(tiny_config(), str(tmp_path / "b"), progress=False)
  assert on_train["nll_nats"] != on_test["nll_nats"]
  assert read_metrics(tmp_path / "a")[-1]["split"] == "train"
  exp = Experiment(tiny_config(**{"data.eval_split": "train"}), str(tmp_path / "a"))
  x = exp.train_source.get(np.arange(128))
  nll = -exp.recipe.log_prob(exp.variables(), x)
  assert on_train["nll_nats"] == pytest.approx(float(jnp.mean(nll)), rel=1e-5)
  with pytest.raises(UserError, match="has no split 'validation'; it has test, train"):
    train(tiny_config(**{"data.eval_split": "validation"}), str(tmp_path / "c"),
          progress=False)


def test_validation_selects_the_checkpoint_and_test_is_reported_once(tmp_path):
  # Highest-is-best here, so the pick differs from the last (best) step.
  config = tiny_config(steps=8, **{
      "data.train_split": "train[200:]", "data.validation_split": "train[:200]",
      "eval.every_steps": 2, "train.learning_rate": 0.3, "eval.selection_mode": "max"})
  result = train(config, str(tmp_path), progress=False)
  events = read_metrics(tmp_path)
  validation = [e for e in events if e["split"] == "validation"]
  test = [e for e in events if e["split"] == "test"]
  assert [e["step"] for e in validation] == [2, 4, 6, 8] and len(test) == 1
  best = max(validation, key=lambda e: e["nll_nats"])
  assert best["step"] != min(validation, key=lambda e: e["nll_nats"])["step"]
  assert result["selected_step"] == best["step"] == test[0]["selected_step"]
  # The reported figure is the selected checkpoint's, on the test split.
  exp = Experiment(config, str(tmp_path))
  assert exp.restore_best() and exp.step == best["step"]
  again = evaluate(exp)
  assert again["nll_nats"] == pytest.approx(result["nll_nats"], rel=1e-6)
  assert evaluate(exp, split="validation")["nll_nats"] == pytest.approx(best["nll_nats"], rel=1e-6)


def test_selection_keeps_the_lowest_or_the_highest_value():
  best = {"step": 2, "value": 5.0}
  assert evaluation_lib.is_better(4.0, best, "min") and not evaluation_lib.is_better(6.0, best, "min")
  assert evaluation_lib.is_better(6.0, best, "max") and not evaluation_lib.is_better(4.0, best, "max")
  assert not evaluation_lib.is_better(5.0, best, "max")            # ties keep the earlier step
  assert evaluation_lib.is_better(1.0, None, "max") and evaluation_lib.is_better(None, best, "min")


def test_a_selection_metric_the_model_does_not_write_is_one_message(tmp_path):
  config = tiny_config(steps=2, **{
      "data.train_split": "train[200:]", "data.validation_split": "train[:200]",
      "eval.every_steps": 2, "eval.selection_metric": "nll_natz"})
  with pytest.raises(UserError, match=r"selection_metric='nll_natz' is not a validation "
                                      r"metric.*it writes: .*nll_nats"):
    train(config, str(tmp_path), progress=False)


def test_figures_carry_standard_errors_and_counts(tmp_path):
  config = tiny_config(**{"eval.num_examples": 100})
  result = train(config, str(tmp_path), progress=False)
  exp = Experiment(config, str(tmp_path))
  x = exp.eval_source.get(np.arange(100))
  nll = np.asarray(-exp.recipe.log_prob(exp.variables(), x), np.float64)
  assert result["num_examples"] == 100
  assert result["nll_nats"] == pytest.approx(nll.mean(), rel=1e-5)
  assert result["nll_nats_stderr"] == pytest.approx(nll.std(ddof=1) / 10.0, rel=1e-3)


def test_config_json_records_the_sources(tmp_path, recorder):
  config = two_sources(tiny_config(model="recorder", steps=1))
  train(config, str(tmp_path), progress=False)
  with open(tmp_path / "config.json", encoding="utf-8") as f:
    saved = json.load(f)
  assert saved["data"]["sources"]["b"]["encoding"] == "float"


def test_the_recipe_contract_has_ten_members_and_every_model_samples_arrays():
  members = sorted(n for n in dir(Recipe) if not n.startswith("_"))
  assert members == sorted(["at_stage", "ema_groups", "eval_metrics", "init", "optimizers",
                            "phases", "refresh_state", "sample", "sample_inputs",
                            "stages"]), members
  for name in RECIPES:   # the old hooks are gone from every model, not just the base
    cls = recipe_class(name)
    for dead in ("sample_metrics", "prepare_eval", "output_spec", "translate_images",
                 "explicit", "batches_per_step"):
      assert not hasattr(cls, dead), (name, dead)
