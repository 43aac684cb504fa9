"""The in-repo classifier, Frechet distance, classifier score, Hungarian accuracy."""

import itertools
import warnings

import jax
import joblib
import numpy as np
import pytest
import scipy.linalg

from gen_jax.data.arrays import digits_arrays
from gen_jax.eval import classifier as clf
from gen_jax.eval.infogan import matched_accuracy


def test_frechet_distance_of_1d_gaussians_is_closed_form():
  fd = clf.frechet_distance(np.array([1.0]), np.array([[4.0]]),
                            np.array([-1.0]), np.array([[9.0]]))
  assert fd == pytest.approx((1 - (-1)) ** 2 + (2 - 3) ** 2)


def test_frechet_distance_matches_scipy_sqrtm_and_handles_singular():
  rng = np.random.default_rng(0)
  a, b = rng.standard_normal((5, 5)), rng.standard_normal((5, 5))
  s1, s2 = a @ a.T, b @ b.T
  mu1, mu2 = rng.standard_normal(5), rng.standard_normal(5)
  ref = (np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2)
         - 2 * np.trace(np.real(scipy.linalg.sqrtm(s1 @ s2))))
  assert clf.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(ref, rel=1e-6)
  assert clf.frechet_distance(mu1, s1, mu1, s1) == pytest.approx(0.0, abs=1e-6)
  low_rank = np.outer(a[0], a[0])
  assert clf.frechet_distance(mu1, low_rank, mu1, low_rank) == pytest.approx(0.0, abs=1e-6)


def test_classifier_score_is_k_for_confident_balanced_and_1_for_constant():
  k = 10
  confident = 50.0 * np.eye(k)[np.arange(1000) % k]
  assert clf.classifier_score(confident) == pytest.approx(k, rel=1e-3)
  assert clf.classifier_score(np.tile(confident[:1], (1000, 1))) == pytest.approx(1.0)


def test_digits_classifier_is_accurate_and_deterministic():
  train, test = digits_arrays("float")
  a = clf.train_classifier(train["x"], train["label"], 10, seed=0, steps=400)
  b = clf.train_classifier(train["x"], train["label"], 10, seed=0, steps=400)
  assert a.name == "mlp256-128"
  assert (a.predict(test["x"]) == test["label"]).mean() > 0.93
  np.testing.assert_array_equal(a.logits_and_features(test["x"])[1],
                                b.logits_and_features(test["x"])[1])


def _cache_entries(root) -> list:
  return sorted(root.rglob("output.pkl"))


def _same_params(a, b) -> bool:
  return all(np.array_equal(u, v) for u, v in
             zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params)))


def _trained_into(tmp_path, monkeypatch):
  """(images, labels, classifier, its cache entry) in a cache at tmp_path."""
  monkeypatch.setenv(clf.CACHE_ENV, str(tmp_path))
  train, _ = digits_arrays("float")
  x, y = train["x"][:300], train["label"][:300]
  first = clf.train_classifier(x, y, 10, steps=20)
  (entry,) = _cache_entries(tmp_path)
  return x, y, first, entry


def test_a_trained_classifier_is_read_back_from_the_cache(tmp_path, monkeypatch):
  x, y, first, entry = _trained_into(tmp_path, monkeypatch)
  marked = jax.tree.map(lambda p: np.full_like(p, 7.0), joblib.load(entry))
  joblib.dump(marked, entry)                                  # what a read-back returns
  again = clf.train_classifier(x, y, 10, steps=20)
  assert all(np.all(np.asarray(p) == 7.0) for p in jax.tree.leaves(again.params))
  other = clf.train_classifier(x, (y + 1) % 10, 10, steps=20)  # other labels: a new entry
  assert len(_cache_entries(tmp_path)) == 2 and not _same_params(other, first)


def test_an_unreadable_cache_entry_is_retrained(tmp_path, monkeypatch):
  x, y, first, entry = _trained_into(tmp_path, monkeypatch)
  entry.write_bytes(b"not a pickle")
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")                           # joblib says it recomputes
    again = clf.train_classifier(x, y, 10, steps=20)
  assert _same_params(again, first)
  assert _same_params(clf.train_classifier(x, y, 10, steps=20), first)   # entry repaired


def test_an_empty_cache_setting_writes_nothing(tmp_path, monkeypatch):
  monkeypatch.setenv(clf.CACHE_ENV, "")
  monkeypatch.chdir(tmp_path)
  train, _ = digits_arrays("float")
  clf.train_classifier(train["x"][:300], train["label"][:300], 10, steps=20)
  assert clf.cache_dir() is None and not list(tmp_path.iterdir())


def test_an_unwritable_cache_warns_and_trains_without_it(tmp_path, monkeypatch):
  blocker = tmp_path / "a_file"
  blocker.write_text("")
  monkeypatch.setenv(clf.CACHE_ENV, str(blocker / "cache"))
  train, _ = digits_arrays("float")
  with pytest.warns(UserWarning, match="GEN_JAX_CACHE_DIR"):
    trained = clf.train_classifier(train["x"][:300], train["label"][:300], 10, steps=20)
  monkeypatch.setenv(clf.CACHE_ENV, "")
  assert _same_params(trained, clf.train_classifier(train["x"][:300], train["label"][:300],
                                                    10, steps=20))


def test_lenet_is_used_for_28x28():
  name, module = clf.classifier_for((28, 28, 1), 10)
  assert name == "lenet5" and isinstance(module, clf.LeNet)


def test_matched_accuracy_is_the_best_permutation():
  rng = np.random.default_rng(0)
  labels = rng.integers(0, 4, 200)
  predicted = np.where(rng.random(200) < 0.3, rng.integers(0, 4, 200), (labels + 1) % 4)
  brute = max(np.mean(np.array(perm)[predicted] == labels)
              for perm in itertools.permutations(range(4)))
  assert matched_accuracy(predicted, labels, 4, 4) == pytest.approx(brute)
  assert matched_accuracy((labels + 2) % 4, labels, 4, 4) == 1.0
