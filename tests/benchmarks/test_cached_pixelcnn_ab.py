"""benchmarks.cached_pixelcnn_ab on a tiny PixelCNN: the old and new samplers agree."""

import subprocess

import jax
import numpy as np
import pytest

from benchmarks import cached_pixelcnn_ab
from gen_jax.sampling import cached_pixelcnn


def test_revision_and_today_agree_and_are_timed(monkeypatch):
  monkeypatch.setattr(cached_pixelcnn_ab, "SHAPE", (3, 3, 1))
  try:                                   # the sampler before the row split
    before = cached_pixelcnn_ab.module_at("92d2c96")
  except (OSError, subprocess.CalledProcessError):
    pytest.skip("revision 92d2c96 is not in this checkout")
  modules = {"before": before, "now": cached_pixelcnn}
  runs = cached_pixelcnn_ab.samplers(modules, width=4, depth=1, batch=2)
  rng = jax.random.PRNGKey(0)
  np.testing.assert_array_equal(runs["before"](rng), runs["now"](rng))
  seconds = cached_pixelcnn_ab.alternate(runs, rounds=2)
  assert {k: len(v) for k, v in seconds.items()} == {"before": 2, "now": 2}
