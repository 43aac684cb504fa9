"""PacGAN mode metrics and stacked mode counting."""

import itertools

import numpy as np
import pytest

from gen_jax.data.arrays import digits_arrays, mixture_arrays, mixture_modes, stacked_arrays
from gen_jax.eval import modes


@pytest.mark.parametrize("name,num", [("ring8", 8), ("grid25", 25)])
def test_real_samples_cover_every_mode_at_high_quality(name, num):
  centres, std = mixture_modes(name)
  real = mixture_arrays(name, modes.PACGAN_NUM_SAMPLES, seed=3)["x"]
  m = modes.mixture_mode_metrics(real, centres, std)
  assert m["num_modes"] == num
  assert m["high_quality"] > 0.99      # 3 std in 2-D keeps ~98.9% of a Gaussian
  assert m["reverse_kl"] < 0.02


def test_one_gaussian_is_one_mode_with_kl_log_m():
  centres, std = mixture_modes("ring8")
  rng = np.random.default_rng(0)
  one = centres[3] + std * rng.standard_normal((2500, 2))
  m = modes.mixture_mode_metrics(one, centres, std)
  assert m["num_modes"] == 1 and m["high_quality"] > 0.98
  assert m["reverse_kl"] == pytest.approx(np.log(8))


def test_far_samples_are_low_quality_and_capture_nothing():
  centres, std = mixture_modes("ring8")
  m = modes.mixture_mode_metrics(np.zeros((100, 2)), centres, std)   # the ring's centre
  assert m == {"num_modes": 0.0, "high_quality": 0.0, "reverse_kl": float("inf")}


def test_reverse_kl_matches_a_direct_sum():
  counts = np.array([5, 0, 3, 2])
  q = counts / counts.sum()
  direct = sum(p * np.log(p / 0.25) for p in q if p > 0)
  assert modes.reverse_kl_to_uniform(counts) == pytest.approx(direct)
  assert modes.discrete_mode_metrics(np.array([0, 2, 2, 3]), 4)["num_modes"] == 3


def test_stacked_labels_channels_and_mode_ids_agree():
  train, _ = digits_arrays("float")
  stacked = stacked_arrays(train, 500, seed=0)
  assert stacked["x"].shape == (500, 8, 8, 3)
  singles = modes.split_channels(stacked["x"])                 # [1500, 8, 8, 1]
  # Recover each channel's digit by exact image lookup in the source split.
  lookup = {img.tobytes(): lab for img, lab in zip(train["x"], train["label"])}
  per_channel = np.array([lookup[img.tobytes()] for img in singles]).reshape(500, 3)
  np.testing.assert_array_equal(modes.stacked_mode_ids(per_channel), stacked["label"])
  assert len(np.unique(stacked["label"])) > 300   # of 1000 modes in 500 draws
  all_ids = modes.stacked_mode_ids(np.array(list(itertools.product(range(10), repeat=3))))
  np.testing.assert_array_equal(all_ids, np.arange(1000))
