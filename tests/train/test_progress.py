"""Evaluation shows a progress bar of known length, only when asked."""

import pytest
from tqdm import tqdm

from gen_jax.train import evaluation as evaluation_lib
from gen_jax.train import train
from tests.helpers import tiny_config


@pytest.mark.parametrize("progress", [True, False])
def test_evaluation_has_a_bar_of_known_length(tmp_path, monkeypatch, progress):
  bars = []

  def recording_tqdm(*args, **kwargs):
    bars.append(kwargs)
    return tqdm(*args, **kwargs)

  monkeypatch.setattr(evaluation_lib, "tqdm", recording_tqdm)
  train(tiny_config(steps=2), str(tmp_path), progress=progress)
  evals = [b for b in bars if b.get("desc", "").startswith("eval")]
  assert [b["desc"] for b in evals] == ["eval test"]    # the final test, once
  assert evals[0]["total"] == 2                         # 128 examples, 64 a batch
  # Shown on a terminal (tqdm decides with disable=None), never without progress.
  assert evals[0]["disable"] is (None if progress else True)
