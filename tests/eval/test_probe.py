"""Linear probe: separable features score 1, noise scores chance, table rows."""

import numpy as np
import pytest

from gen_jax.errors import UserError
from gen_jax.eval.probe import format_table, probe_accuracy, probe_table


def blobs(n, seed, informative=True):
  rng = np.random.default_rng(seed)
  labels = rng.integers(0, 3, n)
  centres = np.array([[0.0, 5.0], [0.0, -5.0], [5.0, 0.0]])  # x0 splits 2 of 3
  x = rng.normal(0, 0.5, (n, 2)) + (centres[labels] if informative else 0.0)
  return x.astype(np.float32), labels.astype(np.int32)


def test_separable_features_score_one_and_noise_scores_chance():
  x_tr, y_tr = blobs(300, 0)
  x_te, y_te = blobs(300, 1)
  assert probe_accuracy(x_tr, y_tr, x_te, y_te) == 1.0
  n_tr, _ = blobs(300, 0, informative=False)
  n_te, _ = blobs(300, 1, informative=False)
  assert abs(probe_accuracy(n_tr, y_tr, n_te, y_te) - 1 / 3) < 0.1


def test_table_compares_raw_pixels_with_each_representation():
  x_tr, y_tr = blobs(200, 0)
  x_te, y_te = blobs(200, 1)
  images = lambda x: np.repeat(x[:, None, None, :], 2, axis=1)            # [N, 2, 1, 2]
  train = {"x": images(x_tr), "label": y_tr}
  test = {"x": images(x_te), "label": y_te}
  first = lambda x: x.reshape(len(x), -1)[:, :1]        # keeps one coordinate
  noise = lambda x: np.random.default_rng(len(x)).normal(size=(len(x), 3))
  rows = probe_table(train, test, {"first": first, "noise": noise})
  names, dims, accs = zip(*rows)
  assert names == ("raw pixels", "first", "noise") and dims == (4, 1, 3)
  assert accs[0] == 1.0 and 0.5 < accs[1] < 1.0 and accs[2] < 0.5
  text = format_table(rows)
  assert "raw pixels" in text and "1.0000" in text


def test_unlabeled_data_is_a_clear_error():
  with pytest.raises(UserError, match="labeled data"):
    probe_table({"x": np.zeros((4, 2))}, {"x": np.zeros((4, 2))}, {})
