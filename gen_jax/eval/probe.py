"""Linear probes: how linearly separable the labels are in a representation.

A multinomial logistic regression (scikit-learn) is fit on frozen features of
the training split and scored on the test split; the same probe on raw pixels
is the baseline every representation is compared with.
"""

from typing import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gen_jax.errors import UserError


def probe_accuracy(train_features: np.ndarray, train_labels: np.ndarray,
                   test_features: np.ndarray, test_labels: np.ndarray,
                   c: float = 1.0, max_iter: int = 2000) -> float:
  """Test accuracy of a standardized logistic regression on [N, F] features.

  Args:
    train_features, test_features: [N, ...] arrays, flattened to [N, F].
    train_labels, test_labels: [N] integer labels.
    c: inverse L2 regularization strength (scikit-learn's C).
    max_iter: solver iterations (lbfgs).
  """
  flat = lambda a: np.asarray(a, np.float64).reshape(len(a), -1)
  clf = make_pipeline(StandardScaler(),
                      LogisticRegression(C=c, max_iter=max_iter))
  clf.fit(flat(train_features), np.asarray(train_labels))
  return float(clf.score(flat(test_features), np.asarray(test_labels)))


def source_arrays(source, num: int | None = None) -> dict[str, np.ndarray]:
  """The first `num` (default: all) examples of a data source as numpy arrays."""
  n = len(source) if num is None else min(num, len(source))
  return source.get(np.arange(n))


def encode_all(features_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
               batch_size: int = 500) -> np.ndarray:
  """features_fn over x in batches -> [N, F] numpy."""
  parts = [np.asarray(features_fn(x[i:i + batch_size]))
           for i in range(0, len(x), batch_size)]
  return np.concatenate(parts, 0)


def probe_table(train: dict, test: dict,
                representations: dict[str, Callable[[np.ndarray], np.ndarray]],
                c: float = 1.0) -> list[tuple[str, int, float]]:
  """[(name, feature dim, test accuracy)] for raw pixels and each representation.

  Args:
    train, test: {"x": [N, *E], "label": [N]} numpy arrays.
    representations: name -> function mapping x [B, *E] to features [B, F].
  """
  if "label" not in train or "label" not in test:
    raise UserError("the linear probe needs labeled data (e.g. data.name=digits "
                    "or mnist); this dataset has no labels.")
  rows = [("raw pixels", int(np.prod(train["x"].shape[1:])),
           probe_accuracy(train["x"], train["label"], test["x"], test["label"], c))]
  for name, fn in representations.items():
    f_train, f_test = encode_all(fn, train["x"]), encode_all(fn, test["x"])
    rows.append((name, f_train.shape[1],
                 probe_accuracy(f_train, train["label"], f_test, test["label"], c)))
  return rows


def format_table(rows) -> str:
  """A plain-text table of probe results."""
  lines = [f"{'features':<40} {'dim':>5} {'test accuracy':>14}",
           "-" * 61]
  lines += [f"{name:<40} {dim:>5} {acc:>14.4f}" for name, dim, acc in rows]
  return "\n".join(lines)
