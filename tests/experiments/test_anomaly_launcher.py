"""experiments.anomaly end to end on a tiny FVSBN, and its clear errors."""

import json
import os

import jax
import ml_collections
import numpy as np
import pytest
from scipy.special import logsumexp

from experiments import anomaly as launcher
from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.eval.anomaly import METRICS
from tests.experiments.test_launchers import QUICKSTART, launch

SHORT = ["--config.train.num_steps=20", "--config.train.log_every_steps=10",
         "--config.eval.every_steps=20", "--config.checkpoint.every_steps=20",
         "--config.sample.every_steps=20", "--config.sample.num=16"]


def test_anomaly_scores_every_outlier_set_with_a_trained_background(tmp_path):
  workdir, background = str(tmp_path / "run"), str(tmp_path / "background")
  out = launch("experiments.train", QUICKSTART, f"--workdir={workdir}", *SHORT)
  assert out.returncode == 0, out.stderr[-2000:]
  out = launch("experiments.anomaly", f"--workdir={workdir}", f"--background={background}",
               "--train_background", "--num_examples=100", "--typicality_batch=5,1")
  assert out.returncode == 0, out.stderr[-2000:]
  assert "| noise | 100 |" in out.stdout
  with open(os.path.join(workdir, "anomaly.json"), encoding="utf-8") as f:
    result = json.load(f)
  sets = {"letters", "noise", "constant", "inverted", "mnist"}
  assert set(result["num_outliers"]) == sets and result["num_test"] == 100
  assert set(result["metrics"]) == {"nll", "bits_per_dim", "likelihood_ratio", "complexity",
                                    "complexity_webp", "complexity_g4", "complexity_best",
                                    "typicality_m1", "typicality_m5"}
  assert set(result["compressors"]) == {"png", "webp", "g4", "best"}   # binary digits
  for by_set in result["metrics"].values():
    assert set(by_set) == sets
    for m in by_set.values():
      assert set(m) == set(METRICS) and all(0.0 <= v <= 1.0 for v in m.values())
  assert result["metrics"]["nll"] == result["metrics"]["bits_per_dim"]   # same ranking
  assert result["typicality_num_batches"] == {"1": {k: 100 for k in sets | {"test"}},
                                               "5": {k: 20 for k in sets | {"test"}}}
  assert result["background"]["perturb_rate"] == 0.2 and result["background"]["step"] == 20
  with open(os.path.join(background, "config.json"), encoding="utf-8") as f:
    assert json.load(f)["model"]["perturb_rate"] == 0.2
  # Even 20 steps of FVSBN put uniform noise far below the digits.
  assert result["metrics"]["nll"]["noise"]["auroc"] > 0.9
  assert result["mean_nll_nats"]["noise"] > result["mean_nll_nats"]["test"]
  assert os.path.getsize(os.path.join(workdir, "anomaly_roc.png")) > 0

  # One-class split: class 3 in-distribution, the other classes the outliers.
  out = launch("experiments.anomaly", f"--workdir={workdir}", "--normal_classes=3",
               "--outliers=noise", "--typicality_batch=5")
  assert out.returncode == 0, out.stderr[-2000:]
  with open(os.path.join(workdir, "anomaly.json"), encoding="utf-8") as f:
    result = json.load(f)
  assert set(result["num_outliers"]) == {"noise", "other_classes"}
  assert result["num_test"] + result["num_outliers"]["other_classes"] == 300
  assert result["num_outliers"]["noise"] == result["num_test"] < 60
  assert "not a one-class model" in result["one_class_note"]
  assert "likelihood_ratio" not in result["metrics"]


def test_anomaly_mistakes_end_in_one_clear_message(tmp_path):
  missing = tmp_path / "missing"
  out = launch("experiments.anomaly", f"--workdir={missing}")
  assert out.returncode == 2 and "does not exist" in out.stderr
  assert "Traceback" not in out.stderr and not missing.exists()

  untrained = tmp_path / "untrained"
  untrained.mkdir()
  config = {"model": {"name": "fvsbn"}, "data": {"name": "digits"}}
  (untrained / "config.json").write_text(json.dumps(config))
  out = launch("experiments.anomaly", f"--workdir={untrained}")
  assert out.returncode == 2 and "no checkpoint in" in out.stderr
  assert "Traceback" not in out.stderr and os.listdir(untrained) == ["config.json"]

  gan = tmp_path / "gan"
  gan.mkdir()
  (gan / "config.json").write_text(json.dumps({"model": {"name": "gan"}}))
  out = launch("experiments.anomaly", f"--workdir={gan}", "--typicality_batch=0")
  assert out.returncode == 2 and "--typicality_batch=0 must be positive" in out.stderr
  out = launch("experiments.anomaly", f"--workdir={gan}")
  assert out.returncode == 2 and "has no tractable log p(x)" in out.stderr
  assert "Traceback" not in out.stderr


def test_checkpoint_detection_and_flag_checks(tmp_path):
  assert not launcher.has_checkpoint(str(tmp_path))
  (tmp_path / "checkpoints" / "tmp").mkdir(parents=True)
  assert not launcher.has_checkpoint(str(tmp_path))
  (tmp_path / "checkpoints" / "20").mkdir()
  assert launcher.has_checkpoint(str(tmp_path))
  assert launcher.parse_classes(["7", "3", "3"]) == [3, 7]
  digits = DataSpec("digits", (8, 8, 1), "binary", 2, num_classes=10, max_value=16)
  assert launcher.check_outlier_names(None, digits, None) == [
      "letters", "noise", "constant", "inverted", "mnist"]
  assert launcher.check_outlier_names(["noise", "other_classes"], digits, [3]) == ["noise"]
  with pytest.raises(UserError, match=r"unknown outlier sets \['digits'\]"):
    launcher.check_outlier_names(["digits"], digits, None)    # the data itself
  with pytest.raises(UserError, match="give --normal_classes"):
    launcher.check_outlier_names(["other_classes"], digits, None)
  with pytest.raises(UserError, match="must be class indices"):
    launcher.parse_classes(["three"])


class _Toy:
  """A stand-in recipe with log p(x | y=k) = -(k + 1) (1 + sum x)."""

  def __init__(self, conditional):
    self.sample_inputs = ("label",) if conditional else ()
    self.spec = DataSpec("toy", (2, 2, 1), "binary", 2, num_classes=3, max_value=1)

  def log_prob(self, variables, batch, rng=None):
    del variables, rng
    total = 1.0 + batch["x"].reshape(batch["x"].shape[0], -1).sum(1)
    return -total * (batch["label"] + 1.0 if "label" in batch else 1.0)


def _toy_experiment(conditional):
  exp = type("Exp", (), {})()
  exp.recipe, exp.step = _Toy(conditional), 0
  exp.keys = {"eval": jax.random.PRNGKey(0)}
  exp.config = ml_collections.ConfigDict({"eval": {"batch_size": 2}})
  exp.variables = lambda: {"params": {}}
  return exp


def test_scores_are_minus_log_p_x_given_the_normal_classes_for_conditional_models():
  x = np.zeros((3, 2, 2, 1), np.float32)
  x[1, 0, 0, 0], x[2] = 1.0, 1.0                  # sums 0, 1, 4 (3 rows: one padded batch)
  total = np.array([1.0, 2.0, 5.0])
  plain = launcher.nll_function(_toy_experiment(False), None, None)(x)
  np.testing.assert_allclose(plain, total, rtol=1e-6)
  prior = np.log(np.array([0.5, 0.3, 0.2]))
  log_lik = -total[:, None] * np.arange(1.0, 4.0)[None]                    # [3, K]
  chosen = [0, 2]
  want = -logsumexp(log_lik[:, chosen] + prior[chosen] - logsumexp(prior[chosen]), axis=1)
  got = launcher.nll_function(_toy_experiment(True), chosen, prior)(x)
  np.testing.assert_allclose(got, want, rtol=1e-5)
  marginal = launcher.nll_function(_toy_experiment(True), None, prior)(x)
  np.testing.assert_allclose(marginal, -logsumexp(log_lik + prior, axis=1), rtol=1e-5)
