"""What a resumed or mistaken run may not do: change the config silently,
lose a checkpoint, repeat metrics rows, or fail an hour in on a bad value."""

import json
import os

import chex
import jax
import pytest

from experiments.common import reading_config
from gen_jax.errors import UserError
from gen_jax.train import Experiment, train
from tests.helpers import read_metrics, timeless, tiny_config


def snapshot(workdir) -> dict[str, bytes]:
  """Every file of a workdir (TensorBoard events aside) and its bytes."""
  out = {}
  for root, _, files in os.walk(workdir):
    if "tensorboard" in root:
      continue
    for name in files:
      path = os.path.join(root, name)
      with open(path, "rb") as f:
        out[os.path.relpath(path, workdir)] = f.read()
  return out


def params(config, workdir):
  return jax.device_get(Experiment(config, str(workdir)).train_state.params)


def test_a_changed_config_is_refused_with_the_differing_keys(tmp_path):
  train(tiny_config(steps=3), str(tmp_path), progress=False)
  before = snapshot(tmp_path)
  changed = tiny_config(steps=6, **{"train.learning_rate": 0.002, "train.b2": 0.99})
  with pytest.raises(UserError) as err:
    train(changed, str(tmp_path), progress=False)
  message = str(err.value)
  assert "train.learning_rate: 0.001 -> 0.002" in message
  assert "train.b2: 0.999 -> 0.99" in message
  assert "--allow_config_change" in message and "num_steps" not in message
  assert snapshot(tmp_path) == before


def test_a_different_model_shape_is_named_as_a_config_change(tmp_path):
  train(tiny_config(steps=3), str(tmp_path), progress=False)
  with pytest.raises(UserError, match=r"model.name: \"fvsbn\" -> \"nade\""):
    train(tiny_config(model="nade", steps=6, **{"model.hidden": 8}), str(tmp_path),
          progress=False)


def test_an_allowed_change_resumes_and_keeps_the_old_config(tmp_path):
  train(tiny_config(steps=3), str(tmp_path), progress=False)
  changed = tiny_config(steps=6, **{"train.learning_rate": 0.002})
  train(changed, str(tmp_path), progress=False, allow_config_change=True)
  with open(tmp_path / "config.3.json", encoding="utf-8") as f:
    assert json.load(f)["train"]["learning_rate"] == 0.001
  with open(tmp_path / "config.json", encoding="utf-8") as f:
    assert json.load(f)["train"]["learning_rate"] == 0.002
  assert int(Experiment(changed, str(tmp_path)).train_state.step) == 6


def test_step_counts_and_eval_sizes_change_freely(tmp_path):
  train(tiny_config(steps=3), str(tmp_path), progress=False)
  longer = tiny_config(steps=6, **{"eval.batch_size": 32, "eval.num_examples": 64,
                                   "train.log_every_steps": 2})
  train(longer, str(tmp_path), progress=False)
  assert not any(name.startswith("config.") and name != "config.json"
                 for name in os.listdir(tmp_path))


def test_a_read_only_command_takes_the_importance_samples_it_is_given(tmp_path):
  vae = {"model.latent_dim": 2, "model.hidden": (8,), "model.importance_samples": 4}
  train(tiny_config("vae", steps=2, **vae), str(tmp_path), progress=False)
  given = tiny_config("vae", steps=2, **{**vae, "model.importance_samples": 5000,
                                         "model.importance_chunk": 100})
  read = reading_config(given, str(tmp_path))
  assert (read.model.importance_samples, read.model.importance_chunk) == (5000, 100)
  exp = Experiment(read, str(tmp_path), read_only=True)
  assert exp.recipe.options.importance_samples == 5000


def test_a_resumed_run_writes_each_metrics_row_once(tmp_path):
  config = tiny_config(steps=6)
  train(config, str(tmp_path / "full"), progress=False)
  # Interrupted after step 6 was logged but before its checkpoint landed:
  # the resumed run trains steps 4-6 again from the step-3 checkpoint.
  train(config, str(tmp_path / "cut"), progress=False)
  os.rename(tmp_path / "cut" / "checkpoints" / "6", tmp_path / "step6_aside")
  train(config, str(tmp_path / "cut"), progress=False)
  train(config, str(tmp_path / "cut"), progress=False)   # finished: writes nothing new
  rows = lambda d: [(e["step"], e["split"]) for e in read_metrics(d)]
  assert rows(tmp_path / "cut") == rows(tmp_path / "full")
  assert len(set(rows(tmp_path / "cut"))) == len(rows(tmp_path / "cut"))
  train_rows = lambda d: [e for e in read_metrics(d) if e["split"] == "train"]
  assert train_rows(tmp_path / "cut") == train_rows(tmp_path / "full")


def corrupt_data_files(workdir, step: int) -> None:
  """Truncates the array data files of a step, as a crashed copy would."""
  state = os.path.join(workdir, "checkpoints", str(step), "state")
  for root, _, files in os.walk(state):
    for name in files if os.path.basename(root) == "d" else ():
      path = os.path.join(root, name)
      with open(path, "rb") as f:
        data = f.read()
      with open(path, "wb") as f:
        f.write(data[:len(data) // 3])


def test_a_truncated_checkpoint_names_step_and_file_and_is_kept(tmp_path):
  config = tiny_config(steps=6)
  train(config, str(tmp_path), progress=False)
  corrupt_data_files(tmp_path, 6)
  before = snapshot(tmp_path)
  with pytest.raises(UserError) as err:
    train(tiny_config(steps=9), str(tmp_path), progress=False)
  message = str(err.value)
  assert "checkpoint of step 6" in message and "could not be read" in message
  assert "--verbose" in message   # the library's text, which names the file:
  assert os.path.join(str(tmp_path), "checkpoints", "6", "state") in err.value.detail
  assert "--restore_earlier" in message and "(3 here)" in message
  assert snapshot(tmp_path) == before


def test_restore_earlier_sets_the_bad_step_aside_and_resumes_exactly(tmp_path):
  config = tiny_config(steps=6)
  train(config, str(tmp_path / "good"), progress=False)
  train(config, str(tmp_path / "bad"), progress=False)
  corrupt_data_files(tmp_path / "bad", 6)
  kept = snapshot(tmp_path / "bad" / "checkpoints" / "6")
  with pytest.warns(UserWarning, match="checkpoint step 6 could not be read"):
    train(config, str(tmp_path / "bad"), progress=False, restore_earlier=True)
  assert snapshot(tmp_path / "bad" / "unreadable_checkpoints" / "6") == kept
  chex.assert_trees_all_equal(params(config, tmp_path / "good"),
                              params(config, tmp_path / "bad"))
  assert ([timeless(e) for e in read_metrics(tmp_path / "good")]
          == [timeless(e) for e in read_metrics(tmp_path / "bad")])


def test_a_file_as_workdir_is_a_clear_error(tmp_path):
  path = tmp_path / "workdir"
  path.write_text("not a directory")
  with pytest.raises(UserError, match="is a file, not a directory"):
    train(tiny_config(), str(path), progress=False)
  assert path.read_text() == "not a directory"


@pytest.mark.parametrize("key,value,message", [
    ("eval.batch_size", 12, "eval.batch_size=12 must be divisible by the number "
                            "of devices \\(8\\)"),
    ("data.validation_split", "tset", "dataset 'digits' has no split 'tset'"),
    ("data.eval_split", "test[5:2]", "split 'test\\[5:2\\]' of dataset 'digits' is empty"),
])
def test_values_that_would_fail_later_are_refused_before_step_one(tmp_path, key, value,
                                                                   message):
  with pytest.raises(UserError, match=message):
    train(tiny_config(**{key: value}), str(tmp_path), progress=False)
  assert not os.path.exists(tmp_path / "checkpoints" / "3")
  assert not os.path.exists(tmp_path / "metrics.jsonl")


def test_a_config_json_written_before_a_key_existed_reads_with_its_default(tmp_path):
  from experiments import common  # pylint: disable=import-outside-toplevel
  saved = json.loads(tiny_config(**{"train.learning_rate": 0.01}).to_json_best_effort())
  del saved["train"]["steps_per_dispatch"], saved["eval"]["selection_mode"]
  (tmp_path / "config.json").write_text(json.dumps(saved))
  config = common.load_config(str(tmp_path))
  assert config.train.steps_per_dispatch == 1 and config.eval.selection_mode == "min"
  assert config.train.learning_rate == 0.01 and config.train.num_steps == 6
  assert config.model.name == "fvsbn" and set(config.model) == {"name"}


def test_training_time_adds_up_over_resumed_runs(tmp_path, monkeypatch):
  clock = {"now": 0, "tick": 100}                # every reading: +tick seconds

  def monotonic():
    clock["now"] += clock["tick"]
    return clock["now"]

  monkeypatch.setattr("gen_jax.train.experiment.time.monotonic", monotonic)
  first = train(tiny_config(steps=3), str(tmp_path), progress=False)
  clock["tick"] = 0                              # the resumed run takes no time
  second = train(tiny_config(steps=6), str(tmp_path), progress=False)
  # The resumed run's total is the time stored with the step-3 checkpoint: more
  # than nothing (a clock restarted at zero would give 0), at most the first run's.
  assert first["train_seconds"] >= 100
  assert 100 <= second["train_seconds"] <= first["train_seconds"]
  [test_row] = [e for e in read_metrics(tmp_path) if e["split"] == "test" and e["step"] == 6]
  assert test_row["train_seconds"] == second["train_seconds"]
