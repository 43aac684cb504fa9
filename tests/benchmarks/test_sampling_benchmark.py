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


def assert_rate_is_samples_over_seconds(case, monkeypatch):
  """On a fake clock that reads 10.0 then 12.5 s: batch * 3 / 2.5 exactly,
  and the warm-up call is not timed (the clock is read only twice)."""
  from benchmarks import harness  # pylint: disable=import-outside-toplevel
  ticks = iter([10.0, 12.5])
  monkeypatch.setattr(harness.time, "perf_counter", lambda: next(ticks))
  assert time_case(case, repeats=3) == case.batch * 3 / 2.5


def test_nade_cases_agree_and_are_timed(monkeypatch):
  monkeypatch.setattr(sampling_nade, "SETTINGS", (((3, 3, 1), 8, None),))
  cases = sampling_nade.cases([2])
  assert sorted(c.sampler for c in cases) == ["naive", "scan"]
  assert_samplers_agree(cases)
  assert_rate_is_samples_over_seconds(cases[0], monkeypatch)


def test_pixel_cases_agree_and_are_timed(monkeypatch):
  for key, value in {"PIXEL_BENCH_SHAPES": "3x3x1", "PIXEL_BENCH_WIDTH": "4",
                     "PIXEL_BENCH_DEPTH": "1", "PIXEL_BENCH_NAIVE_MAX": "1"}.items():
    monkeypatch.setenv(key, value)
  monkeypatch.setattr(sampling_pixel, "MODELS", ("pixelcnn",))
  cases = sampling_pixel.cases([1])
  assert sorted(c.sampler for c in cases) == ["cached", "naive", "scan"]
  assert_samplers_agree(cases)
  assert_rate_is_samples_over_seconds(cases[-1], monkeypatch)
