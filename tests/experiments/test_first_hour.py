"""A user's first hour, through the launchers: what exists is listed, help
names each launcher's flags, read-only commands change nothing in a
workdir, and every mistake is one line in the project's words."""

import hashlib
import os

import pytest

from tests.experiments.test_launchers import QUICKSTART, TINY, launch


def snapshot(workdir: str) -> dict[str, str]:
  """{relative path: sha256} of every file and folder under `workdir`."""
  found = {}
  for root, dirs, files in os.walk(workdir):
    for name in dirs:
      found[os.path.relpath(os.path.join(root, name), workdir) + "/"] = "dir"
    for name in files:
      path = os.path.join(root, name)
      with open(path, "rb") as f:
        found[os.path.relpath(path, workdir)] = hashlib.sha256(f.read()).hexdigest()
  return found


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
  workdir = str(tmp_path_factory.mktemp("first_hour") / "run")
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY)
  assert out.returncode == 0, out.stderr[-2000:]
  return workdir


def test_list_names_every_config_with_its_model_and_data():
  out = launch("experiments.list")
  assert out.returncode == 0, out.stderr
  rows = {line.split()[0]: line.split()[1:3] for line in out.stdout.splitlines()[1:]}
  assert rows["quickstart"] == ["fvsbn", "digits"]
  assert rows["cyclegan_mnist_digits"][0] == "cyclegan" and len(rows) > 40


def test_help_names_the_launchers_own_flags_and_show_config_its_keys():
  out = launch("experiments.train", "--help")
  assert out.returncode == 0
  for flag in ("--config:", "--workdir:", "--allow_config_change:", "--restore_earlier:"):
    assert flag in out.stdout, flag
  assert "--outliers" not in out.stdout   # another launcher's flag
  out = launch("experiments.train", QUICKSTART, "--show_config", "--config.seed=7")
  assert out.returncode == 0 and "seed: 7" in out.stdout and "learning_rate:" in out.stdout


def test_evaluate_reads_the_workdirs_config_and_changes_nothing_else(trained):
  before = snapshot(trained)
  out = launch("experiments.evaluate", f"--workdir={trained}")
  assert out.returncode == 0, out.stderr[-2000:]
  after = snapshot(trained)
  assert after.pop("eval.json") and after == {k: v for k, v in before.items()
                                              if k != "eval.json"}
  os.remove(os.path.join(trained, "eval.json"))
  # A --config that differs where it matters is named, and the workdir's used.
  out = launch("experiments.evaluate", QUICKSTART, f"--workdir={trained}",
               "--config.train.learning_rate=0.5")
  assert out.returncode == 0, out.stderr[-2000:]
  assert "differs from --config in: train.learning_rate" in out.stderr
  os.remove(os.path.join(trained, "eval.json"))
  assert snapshot(trained) == before


def test_sample_needs_only_the_workdir_and_adds_one_file_per_draw(trained):
  before = snapshot(trained)
  for seed in ("1", "2", "2"):
    out = launch("experiments.sample", f"--workdir={trained}", f"--seed={seed}")
    assert out.returncode == 0, out.stderr[-2000:]
  after = snapshot(trained)
  added = sorted(set(after) - set(before))
  assert added == ["samples/sample_step_4_seed1.png", "samples/sample_step_4_seed2.png"]
  assert {k: after[k] for k in before} == before   # nothing else changed
  for name in added:
    os.remove(os.path.join(trained, name))


@pytest.mark.parametrize("args, message", [
    (["--restore_earlier"], "--restore_earlier belongs to experiments.train"),
    (["--config=configs/quickstrt.py"], "no such config file"),
    ([QUICKSTART, "--config.eval.num_exampels=3"],
     "Did you mean --config.eval.num_examples?"),
    (["--config.eval.num_examples=3"], "needs --config=FILE"),
])
def test_a_read_only_mistake_is_one_line_and_changes_nothing(trained, args, message):
  before = snapshot(trained)
  out = launch("experiments.evaluate", f"--workdir={trained}", *args)
  assert out.returncode == 2 and message in out.stderr, out.stderr
  assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
  assert snapshot(trained) == before


def test_evaluate_on_an_empty_workdir_creates_nothing(tmp_path):
  out = launch("experiments.evaluate", QUICKSTART, f"--workdir={tmp_path}")
  assert out.returncode == 2 and "train first" in out.stderr
  assert os.listdir(tmp_path) == []


def test_verbose_adds_the_librarys_text_to_the_one_line(tmp_path):
  bad = tmp_path / "broken.py"
  bad.write_text("def get_config(:\n")
  quiet = launch("experiments.train", f"--config={bad}", f"--workdir={tmp_path}/w")
  loud = launch("experiments.train", f"--config={bad}", f"--workdir={tmp_path}/w", "--verbose")
  assert quiet.returncode == loud.returncode == 2
  assert "could not load the config file" in quiet.stderr and "SyntaxError" not in quiet.stderr
  assert "SyntaxError" in loud.stderr


def test_prepare_trains_the_metric_classifiers_once_ahead_of_a_run(tmp_path, monkeypatch):
  monkeypatch.setenv("GEN_JAX_CACHE_DIR", str(tmp_path / "cache"))
  args = ("--config=experiments/configs/cgan_digits.py", "--prepare",
          "--config.evals.sample_quality.classifier_steps=50",
          "--config.evals.conditioning.classifier_steps=50")
  first = launch("experiments.evaluate", *args)
  assert first.returncode == 0, first.stderr[-2000:]
  assert first.stderr.count("training metric classifier mlp256-128 of the label") == 1
  assert "ready: conditioning, sample_quality" in first.stdout
  again = launch("experiments.evaluate", *args)   # cached: nothing to train
  assert again.returncode == 0 and "training metric classifier" not in again.stderr
