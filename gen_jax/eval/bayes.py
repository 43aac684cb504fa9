"""Bayes-rule classification with a class-conditional density, and rejection.

Given log p(x | y) for every class ([N, K]) and a prior log p(y) ([K]):

  predict(x)  = argmax_y log p(x | y) + log p(y)
  log p(x)    = logsumexp_y log p(x | y) + log p(y)

An input is rejected when its score (max_y log p(x | y), or log p(x)) falls
below a threshold set on held-out in-distribution data for a target
false-rejection rate. Everything here is numpy on precomputed tables.
"""

import numpy as np
from scipy import special
from sklearn import metrics as skm

SCORES = ("max_class_log_lik", "log_marginal")


def log_prior(train_labels: np.ndarray, num_classes: int) -> np.ndarray:
  """[K] log p(y) from training label counts (add-one smoothed)."""
  counts = np.bincount(train_labels, minlength=num_classes).astype(np.float64) + 1.0
  return np.log(counts / counts.sum())


def posterior(class_log_lik: np.ndarray, prior: np.ndarray) -> np.ndarray:
  """[N, K] log p(y | x) by Bayes' rule."""
  joint = class_log_lik + prior[None]
  return joint - special.logsumexp(joint, axis=1, keepdims=True)


def scores(class_log_lik: np.ndarray, prior: np.ndarray) -> dict[str, np.ndarray]:
  """In-distribution scores [N] (higher: more typical) for each rejection rule."""
  return {"max_class_log_lik": class_log_lik.max(1),
          "log_marginal": special.logsumexp(class_log_lik + prior[None], axis=1)}


def accuracy_with_stderr(correct: np.ndarray) -> tuple[float, float]:
  """Mean of a 0/1 array and its binomial standard error."""
  n = len(correct)
  p = float(np.mean(correct)) if n else float("nan")
  return p, float(np.sqrt(p * (1 - p) / max(n, 1)))


def threshold_for(held_out_scores: np.ndarray, false_rejection: float) -> float:
  """The score below which `false_rejection` of held-out inputs fall."""
  return float(np.quantile(held_out_scores, false_rejection))


def rejection_report(score: np.ndarray, correct: np.ndarray, threshold: float) -> dict:
  """Coverage and accuracy on the accepted in-distribution test inputs."""
  accepted = score >= threshold
  acc, se = accuracy_with_stderr(correct[accepted])
  return {"coverage": float(accepted.mean()), "accepted_accuracy": acc,
          "accepted_accuracy_stderr": se}


def rejection_auroc(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
  """AUROC of rejecting outliers (positives) by a low score."""
  y = np.concatenate([np.zeros(len(in_scores)), np.ones(len(out_scores))])
  return float(skm.roc_auc_score(y, -np.concatenate([in_scores, out_scores])))


def accuracy_coverage_curve(score: np.ndarray, correct: np.ndarray,
                            num: int = 50) -> tuple[np.ndarray, np.ndarray]:
  """(coverage [num], accuracy on the accepted [num]) as the threshold rises."""
  order = np.argsort(-score)                     # most typical first
  hits = np.cumsum(correct[order])
  kept = np.linspace(1, len(score), num).round().astype(int)
  return kept / len(score), hits[kept - 1] / kept
