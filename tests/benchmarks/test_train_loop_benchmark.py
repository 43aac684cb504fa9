"""The train-loop benchmark runs end to end and its arithmetic holds."""

import math

import pytest

from benchmarks import train_loop
from experiments.configs import dcgan_digits
from tests.helpers import tiny_config


def test_measure_runs_the_loop_and_the_bare_step():
  row = train_loop.measure(tiny_config(), seconds=0.0, repeats=1, peak_flops=1e9,
                           min_steps=3)
  assert row["steps"] == 3
  assert row["bare_steps_per_s"] > 0 and math.isfinite(row["loop_steps_per_s"])
  assert row["overhead"] == pytest.approx(
      row["bare_steps_per_s"] / row["loop_steps_per_s"] - 1.0)
  assert row["loop_fraction_of_peak"] == pytest.approx(
      row["flops_per_step"] * row["loop_steps_per_s"] / 1e9)
  # FVSBN on 8x8 digits: a [B, 64] x [64, 64] masked matmul forward and two
  # backward, 2 FLOPs per multiply-add: at least 3 * 2 * 16 * 64 * 64.
  assert row["flops_per_step"] >= 3 * 2 * 16 * 64 * 64


def test_without_periodic_work_leaves_only_the_last_step():
  config = train_loop.without_periodic_work(tiny_config(), 7)
  assert config.train.num_steps == 7
  assert min(config.eval.every_steps, config.sample.every_steps,
             config.checkpoint.every_steps) > 7
  assert config.eval.num_examples == config.eval.batch_size
  gan = dcgan_digits.get_config()                  # evaluators are evaluation: none
  assert "sample_quality" in gan.evals and not train_loop.without_periodic_work(gan, 7).evals


def test_per_step_and_overhead():
  assert train_loop.per_step(2.0, 5.0, 100) == pytest.approx(0.03)
  assert train_loop.overhead(0.021, 0.020) == pytest.approx(0.05)
