"""The sampling benchmark's cases run, agree with each other, and are timed."""

import dataclasses
import types

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
  """On a fake clock that reads 10.0 then 12.5 s, 3 repeats: batch * 3 / 2.5
  exactly; the sampler runs 1 + 3 times (warm-up untimed, then 3 new keys)."""
  from benchmarks import harness  # pylint: disable=import-outside-toplevel
  ticks = iter([10.0, 12.5])
  monkeypatch.setattr(harness, "time", types.SimpleNamespace(perf_counter=lambda: next(ticks)))
  keys = []

  def run(rng):
    keys.append(rng)
    return case.run(rng)

  assert time_case(dataclasses.replace(case, run=run), repeats=3) == case.batch * 3 / 2.5
  assert len(keys) == 4 and len({tuple(np.asarray(k).ravel()) for k in keys}) == 4
  assert next(ticks, None) is None                 # both readings were taken


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


def test_every_sampling_line_carries_its_fraction_of_peak(monkeypatch):
  from benchmarks import sampling  # pylint: disable=import-outside-toplevel
  monkeypatch.setattr(sampling_nade, "SETTINGS", (((3, 3, 1), 8, None),))
  for case in sampling_nade.cases([2]):
    row = sampling.measure(case, repeats=2, peak_flops=1e9)
    assert row["samples_per_s"] >= row["samples_per_s_median"] > 0
    assert row["flops_per_item"] > 0 and 0 < row["fraction_of_peak"]
    assert row["compile_s"] > 0 and row["first_call_s"] > 0
    assert row["setting"] == "H=8" and row["peak_memory_bytes"] is None   # CPU: none
    for field in ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes"):
      assert row[field] > 0, (case.sampler, field)                       # CPU: given
  # The naive sampler redoes the prefix at every position: more FLOPs.
  scan, naive = (sampling.measure(c, 1, 1e9)["flops_per_item"]
                 for c in sorted(sampling_nade.cases([2]), key=lambda c: c.sampler != "scan"))
  assert naive > scan


def test_nade_bfloat16_cases_say_so(monkeypatch):
  monkeypatch.setattr(sampling_nade, "SETTINGS", (((2, 2, 1), 4, None),))
  monkeypatch.setenv("NADE_BENCH_DTYPE", "bfloat16")
  cases = sampling_nade.cases([2])
  assert {c.setting for c in cases} == {"H=4 bfloat16"}
  assert_samplers_agree(cases)
