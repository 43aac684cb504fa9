"""The sampling benchmark's cases run, agree with each other, and are timed."""

import jax
import numpy as np

from benchmarks import sampling_nade, sampling_pixel
from benchmarks.harness import time_case


def assert_samplers_agree(cases):
  rng = jax.random.PRNGKey(3)
  by_key = {}
  for case in cases:
    by_key.setdefault((case.model, case.image_shape, case.batch), []).append(case)
  for group in by_key.values():
    reference = np.asarray(group[0].run(rng))
    for case in group[1:]:
      np.testing.assert_array_equal(np.asarray(case.run(rng)), reference,
                                    err_msg=f"{case.model} {case.sampler}")


def test_nade_cases_agree_and_are_timed(monkeypatch):
  monkeypatch.setattr(sampling_nade, "SETTINGS", (((3, 3, 1), 8, None),))
  cases = sampling_nade.cases([2])
  assert sorted(c.sampler for c in cases) == ["naive", "scan"]
  assert_samplers_agree(cases)
  assert time_case(cases[0], repeats=1) > 0


def test_pixel_cases_agree_and_are_timed(monkeypatch):
  for key, value in {"PIXEL_BENCH_SHAPES": "3x3x1", "PIXEL_BENCH_WIDTH": "4",
                     "PIXEL_BENCH_DEPTH": "1", "PIXEL_BENCH_NAIVE_MAX": "1"}.items():
    monkeypatch.setenv(key, value)
  monkeypatch.setattr(sampling_pixel, "MODELS", ("pixelcnn",))
  cases = sampling_pixel.cases([1])
  assert sorted(c.sampler for c in cases) == ["cached", "naive", "scan"]
  assert_samplers_agree(cases)
  assert time_case(cases[-1], repeats=1) > 0
