"""Evaluators are found by name, read their own settings, and run in the trainer."""

import json
import os

import ml_collections
import pytest

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.eval import EVALUATORS, evaluator_class, make_evaluators
from gen_jax.train import base_config, train

POINTS = DataSpec(name="ring8", event_shape=(2,), encoding="float", num_levels=None,
                  num_classes=8, is_image=False, mode_centres=((1.0, 0.0),), mode_std=0.1)


def test_every_registered_evaluator_imports():
  for name in EVALUATORS:
    assert callable(evaluator_class(name))


def test_an_unknown_evaluator_or_setting_is_one_message():
  with pytest.raises(UserError, match="Did you mean 'sample_quality'"):
    make_evaluators({"sample_qualty": {}}, POINTS)
  with pytest.raises(UserError, match=r"--config.evals.sample_quality.num_exmples\. "
                                      r"Did you mean --config.evals.sample_quality.num_examples"):
    make_evaluators({"sample_quality": ml_collections.ConfigDict({"num_exmples": 5})}, POINTS)


def test_the_trainer_runs_the_configured_evaluators_at_every_evaluation(tmp_path):
  config = base_config()
  config.model.name = "gan"
  config.model.g_hidden = (16,)
  config.model.d_hidden = (16,)
  config.data.name = "ring8"
  config.data.encoding = "float"
  config.train.num_steps = 4
  config.train.batch_size = 32
  config.eval.every_steps = 2
  config.eval.num_examples = 64
  config.evals.sample_quality = ml_collections.ConfigDict(dict(num_examples=300))
  result = train(config, str(tmp_path), progress=False)
  assert 0 <= result["num_modes"] <= 8 and 0 <= result["high_quality"] <= 1
  with open(os.path.join(tmp_path, "metrics.jsonl"), encoding="utf-8") as f:
    rows = [json.loads(line) for line in f]
  evaluated = [r["step"] for r in rows if r["split"] == "test" and "num_modes" in r]
  assert evaluated == [2, 4]
  # The same run without evaluators writes no sample metric.
  config.evals = ml_collections.ConfigDict()
  bare = train(config, str(tmp_path / "bare"), progress=False)
  assert "num_modes" not in bare
