"""The absl launchers end to end, as a user runs them."""

import filecmp
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUICKSTART = "--config=experiments/configs/quickstart.py"
TINY = ["--config.train.num_steps=4", "--config.train.log_every_steps=2",
        "--config.eval.every_steps=4", "--config.checkpoint.every_steps=2",
        "--config.sample.every_steps=4", "--config.sample.num=16"]


def launch(module, *args, optimize=False):
  """Runs a launcher (one device); `optimize` compiles fully, for long runs
  where that pays for itself (tests/conftest.py turns optimizations off)."""
  env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
  if optimize:
    env.pop("JAX_DISABLE_MOST_OPTIMIZATIONS", None)
  return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=300, check=False)


def test_train_evaluate_sample_round_trip(tmp_path):
  workdir = str(tmp_path / "run")
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY)
  assert out.returncode == 0, out.stderr[-2000:]
  assert json.loads(out.stdout[out.stdout.index("{"):])["nll_nats"] > 0
  for name in ("metrics.jsonl", "config.json", "samples/step_4.png", "checkpoints/4"):
    assert os.path.exists(os.path.join(workdir, name)), name
  out = launch("experiments.evaluate", QUICKSTART, f"--workdir={workdir}", *TINY)
  assert out.returncode == 0, out.stderr[-2000:]
  with open(os.path.join(workdir, "eval.json"), encoding="utf-8") as f:
    result = json.load(f)
  assert result["step"] == 4 and result["num_parameters"] == 2080
  grid = str(tmp_path / "grid.png")
  out = launch("experiments.sample", QUICKSTART, f"--workdir={workdir}",
               f"--output={grid}", *TINY)
  assert out.returncode == 0 and os.path.exists(grid), out.stderr[-2000:]
  assert filecmp.cmp(grid, os.path.join(workdir, "samples", "step_4.png"), shallow=False)
  seeded = str(tmp_path / "seeded.png")
  out = launch("experiments.sample", QUICKSTART, f"--workdir={workdir}",
               f"--output={seeded}", "--seed=1", *TINY)
  assert out.returncode == 0, out.stderr[-2000:]
  assert not filecmp.cmp(grid, seeded, shallow=False)
  # A changed config is refused, names the key and leaves config.json alone.
  with open(os.path.join(workdir, "config.json"), encoding="utf-8") as f:
    saved = f.read()
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY,
               "--config.train.learning_rate=0.01")
  assert out.returncode == 2 and "train.learning_rate: 0.003 -> 0.01" in out.stderr
  assert "Traceback" not in out.stderr
  with open(os.path.join(workdir, "config.json"), encoding="utf-8") as f:
    assert f.read() == saved


def test_evaluate_on_a_missing_workdir_is_a_clear_error_and_creates_nothing(tmp_path):
  workdir = tmp_path / "never_trained"
  out = launch("experiments.evaluate", QUICKSTART, f"--workdir={workdir}")
  assert out.returncode == 2 and "does not exist; train first" in out.stderr
  assert "Traceback" not in out.stderr and not workdir.exists()


def test_an_unreadable_checkpoint_is_one_message_then_restore_earlier_resumes(tmp_path):
  from tests.train.test_resume_guards import corrupt_data_files  # pylint: disable=import-outside-toplevel
  workdir = str(tmp_path / "run")
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY)
  assert out.returncode == 0, out.stderr[-2000:]
  corrupt_data_files(workdir, 4)
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY)
  assert out.returncode == 2 and "error: the checkpoint of step 4" in out.stderr
  assert "Traceback" not in out.stderr and "Exception ignored" not in out.stderr
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY,
               "--restore_earlier")
  assert out.returncode == 0, out.stderr[-2000:]
  assert os.listdir(os.path.join(workdir, "unreadable_checkpoints")) == ["4"]


@pytest.mark.parametrize("args,message", [
    (["--config.model.name=nade9000"], "error: unknown model 'nade9000'"),
    (["--config.data.name=mnist", "--config.data.data_dir=/nonexistent/tfds"],
     "error: TFDS dataset 'mnist' (split 'train'): data_dir /nonexistent/tfds does not exist"),
    (["--config.train.batch_size=0"], "error: --config.train.batch_size=0 must be a positive integer"),
    (["--config.model.no_such_key=3"], "error: --config.model.no_such_key is not a key of"),
    (["--config.train.learning_rat=3"], "Did you mean --config.train.learning_rate?"),
    (["--config.train.num_steps=abc"], "error: flag --config.train.num_steps=abc"),
])
def test_user_mistakes_end_in_one_clear_message(tmp_path, args, message):
  out = launch("experiments.train", QUICKSTART, f"--workdir={tmp_path}", *args)
  assert out.returncode == 2
  assert message in out.stderr
  assert "Traceback" not in out.stderr


def test_missing_config_file_is_a_clear_error(tmp_path):
  out = launch("experiments.train", "--config=experiments/configs/nope.py",
               f"--workdir={tmp_path}")
  assert out.returncode == 2 and "no such config file" in out.stderr
  assert "experiments.list" in out.stderr
  assert "Traceback" not in out.stderr


def test_evaluate_without_a_checkpoint_says_to_train_first(tmp_path):
  out = launch("experiments.evaluate", QUICKSTART, f"--workdir={tmp_path}")
  assert out.returncode == 2 and "train first" in out.stderr
  assert "Traceback" not in out.stderr


def test_sample_draws_the_asked_labels_from_a_conditional_model(tmp_path):
  config = "--config=experiments/configs/gated_pixelcnn_digits.py"
  small = ["--config.model.features=4", "--config.model.num_layers=2",
           "--config.model.out_features=8", *TINY]
  workdir = str(tmp_path / "run")
  out = launch("experiments.train", config, f"--workdir={workdir}", *small)
  assert out.returncode == 0, out.stderr[-2000:]
  grid = str(tmp_path / "labels.png")
  out = launch("experiments.sample", config, f"--workdir={workdir}",
               f"--output={grid}", "--labels=3,3,7", *small)
  assert out.returncode == 0 and os.path.exists(grid), out.stderr[-2000:]
  out = launch("experiments.sample", config, f"--workdir={workdir}",
               f"--output={grid}", "--labels=3,12", *small)
  assert out.returncode == 2 and "--labels must lie in [0, 10)" in out.stderr


def test_sample_labels_on_an_unconditional_model_is_a_clear_error(tmp_path):
  workdir = str(tmp_path / "run")
  assert launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY).returncode == 0
  out = launch("experiments.sample", QUICKSTART, f"--workdir={workdir}", "--labels=1", *TINY)
  assert out.returncode == 2 and "does not sample from labels" in out.stderr
  out = launch("experiments.evaluate", QUICKSTART, f"--workdir={workdir}",
               "--checkpoint=best", *TINY)
  assert out.returncode == 2 and "no validation-selected checkpoint" in out.stderr


def test_analysis_tools_refuse_multihost(tmp_path):
  out = launch("experiments.probe", f"--workdirs={tmp_path}", "--multihost")
  assert out.returncode == 2 and "runs on one host" in out.stderr
  assert "Traceback" not in out.stderr
