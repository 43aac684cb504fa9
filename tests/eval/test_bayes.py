"""The Bayes classifier's arithmetic against exact, hand-checkable cases."""

import numpy as np
import pytest
from sklearn.naive_bayes import BernoulliNB

from gen_jax.eval import bayes


def test_bayes_rule_agrees_with_sklearn_naive_bayes_on_its_own_densities():
  rng = np.random.default_rng(0)
  x = (rng.random((400, 6)) < 0.5).astype(float)
  y = rng.integers(0, 3, 400)
  x[y == 1, :2] = 1.0
  x[y == 2, 2:4] = 0.0
  nb = BernoulliNB(alpha=1.0).fit(x, y)
  # log p(x | y) under the same independent Bernoulli model NB fitted.
  log_p1 = nb.feature_log_prob_                                   # [K, D] log P(x_d = 1 | y)
  log_p0 = np.log1p(-np.exp(log_p1))
  table = x @ log_p1.T + (1 - x) @ log_p0.T                       # [N, K]
  posterior = bayes.posterior(table, nb.class_log_prior_)
  np.testing.assert_allclose(np.exp(posterior), nb.predict_proba(x), rtol=1e-6)
  np.testing.assert_array_equal(posterior.argmax(1), nb.predict(x))


def test_log_prior_counts_labels_with_add_one_smoothing():
  np.testing.assert_allclose(np.exp(bayes.log_prior(np.array([0, 0, 1]), 3)),
                             [3 / 6, 2 / 6, 1 / 6])


def test_scores_are_the_max_and_the_marginal():
  table = np.log(np.array([[0.2, 0.6], [0.1, 0.1]]))
  prior = np.log(np.array([0.5, 0.5]))
  s = bayes.scores(table, prior)
  np.testing.assert_allclose(s["max_class_log_lik"], np.log([0.6, 0.1]))
  np.testing.assert_allclose(s["log_marginal"], np.log([0.4, 0.1]))


def test_threshold_rejects_the_target_share_of_held_out_inputs():
  held = np.arange(1000, dtype=float)
  t = bayes.threshold_for(held, 0.05)
  assert np.mean(held < t) == pytest.approx(0.05, abs=0.002)
  report = bayes.rejection_report(np.array([0., 1., 2., 3.]), np.array([0, 1, 1, 0]), 1.5)
  assert report["coverage"] == 0.5 and report["accepted_accuracy"] == 0.5


def test_rejection_auroc_is_one_for_separated_and_zero_for_reversed_scores():
  inside, outside = np.array([5., 6., 7.]), np.array([1., 2.])
  assert bayes.rejection_auroc(inside, outside) == 1.0
  assert bayes.rejection_auroc(outside, inside) == 0.0


def test_accuracy_coverage_curve_ends_at_the_overall_accuracy():
  score = np.array([4., 3., 2., 1.])
  correct = np.array([1, 1, 0, 0])
  cov, acc = bayes.accuracy_coverage_curve(score, correct, num=4)
  np.testing.assert_allclose(cov, [0.25, 0.5, 0.75, 1.0])
  np.testing.assert_allclose(acc, [1.0, 1.0, 2 / 3, 0.5])
  assert bayes.accuracy_with_stderr(correct) == (0.5, 0.25)
