"""Outlier sets: shapes, encodings and levels of the in-distribution data."""

import numpy as np
import pytest

from gen_jax import data as data_lib
from gen_jax.data import outliers
from gen_jax.errors import UserError
from tests.data.test_data import data_config


@pytest.mark.parametrize("name,encoding", [("digits", "binary"), ("digits", "categorical"),
                                           ("mnist_small", "float")])
def test_every_set_is_in_the_data_encoding_and_shape(name, encoding):
  _, test, spec = data_lib.load(data_config(name, encoding))
  batch = test.get(np.arange(40))
  sets = outliers.outlier_sets(spec, batch, num=40)
  assert set(sets) == set(outliers.available(spec))
  assert ("mnist" in sets) == (name != "mnist_small") and ("digits" in sets) == (name != "digits")
  for key, x in sets.items():
    assert x.shape == (40,) + spec.event_shape and x.dtype == batch["x"].dtype, key
    top = spec.num_levels - 1 if encoding == "categorical" else 1
    assert x.min() >= 0 and x.max() <= top, key
  np.testing.assert_array_equal(outliers.outlier_sets(spec, batch, ["noise"], 40)["noise"],
                                sets["noise"])                       # deterministic


def test_sets_have_their_defining_property():
  _, test, spec = data_lib.load(data_config("digits", "categorical"))
  batch = test.get(np.arange(30))
  sets = outliers.outlier_sets(spec, batch, num=30)
  np.testing.assert_array_equal(sets["inverted"], 16 - batch["x"])
  const = sets["constant"].reshape(30, -1)
  assert np.all(const == const[:, :1]) and const[0, 0] == 0 and const[-1, 0] == 16
  letters = sets["letters"].reshape(30, -1)
  assert np.all(letters.max(1) > 8) and np.all(np.median(letters, 1) < 8)  # strokes on black
  assert len({bytes(r) for r in letters.astype(np.uint8)}) == 30           # distinct glyphs


def test_unknown_sets_are_a_clear_error():
  _, test, spec = data_lib.load(data_config())
  with pytest.raises(UserError, match="unknown outlier sets \\['faces'\\]"):
    outliers.outlier_sets(spec, test.get(np.arange(4)), ["faces"])


def test_one_class_split_partitions_the_test_batch_by_label():
  _, test, spec = data_lib.load(data_config())
  batch = test.get(np.arange(300))
  normal, other = outliers.one_class_split(batch, [3], spec.num_classes)
  assert np.all(normal["label"] == 3) and not np.any(other["label"] == 3)
  assert len(normal["x"]) + len(other["x"]) == 300 and len(normal["x"]) == np.sum(batch["label"] == 3)
  np.testing.assert_array_equal(normal["x"], batch["x"][batch["label"] == 3])
  two, _ = outliers.one_class_split(batch, ["1", "7"], spec.num_classes)
  assert set(np.unique(two["label"])) == {1, 7}
  for bad in ([10], list(range(10)), []):
    with pytest.raises(UserError, match="must name some but not all"):
      outliers.one_class_split(batch, bad, spec.num_classes)
  with pytest.raises(UserError, match="need labelled data"):
    outliers.one_class_split({"x": batch["x"]}, [3], None)
