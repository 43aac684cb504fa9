"""experiments.classify end to end on a small trained class-conditional NADE."""

import json
import os

from tests.experiments.test_launchers import QUICKSTART, TINY, launch

CONFIG = "--config=experiments/configs/conditional_nade_digits.py"
SHORT = ["--config.train.num_steps=1500", "--config.eval.every_steps=500",
         "--config.checkpoint.every_steps=500", "--config.sample.every_steps=1500",
         "--config.train.steps_per_dispatch=50"]


def test_classify_writes_accuracy_rejection_and_pictures(tmp_path):
  workdir = str(tmp_path / "run")
  out = launch("experiments.train", CONFIG, f"--workdir={workdir}", *SHORT, optimize=True)
  assert out.returncode == 0, out.stderr[-2000:]
  out = launch("experiments.classify", f"--workdir={workdir}", "--outliers=noise,inverted",
               "--baseline_steps=100")
  assert out.returncode == 0, out.stderr[-2000:]
  with open(os.path.join(workdir, "classify.json"), encoding="utf-8") as f:
    result = json.load(f)
  assert result["num_test"] == 300 and result["held_out_split"] == "validation"
  assert result["checkpoint"] == "best"
  # 1,500 steps of a conditional NADE classify far above chance (0.1).
  assert result["accuracy"] > 0.8
  for rule in ("max_class_log_lik", "log_marginal"):
    r = result["rules"][rule]
    assert set(r["auroc"]) == {"noise", "inverted"}
    assert r["auroc"]["noise"] > 0.9                    # noise is improbable under every label
    assert 0.85 <= r["coverage"] <= 1.0
  for name in ("classify_coverage.png", "classify_histograms.png"):
    assert os.path.exists(os.path.join(workdir, name))


def test_classify_refuses_models_that_are_not_class_conditional(tmp_path):
  workdir = str(tmp_path / "run")
  assert launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *TINY).returncode == 0
  out = launch("experiments.classify", f"--workdir={workdir}")
  assert out.returncode == 2 and "is not a class-conditional" in out.stderr
  out = launch("experiments.classify", f"--workdir={tmp_path / 'missing'}")
  assert out.returncode == 2 and "does not exist" in out.stderr
  assert not os.path.exists(tmp_path / "missing")
