"""Defaults every experiment config starts from, and their validation."""

import json

import ml_collections
from ml_collections import config_dict

from gen_jax.errors import UserError


def base_config() -> ml_collections.ConfigDict:
  """Keys shared by all experiments; configs override what they need."""
  c = ml_collections.ConfigDict()
  c.seed = 0
  # False: the launchers set XLA's deterministic ops (on a GPU, same seed and
  # device count give bit-identical runs; atomics-based ops may run slower).
  c.nondeterministic_ops = False

  c.model = ml_collections.ConfigDict()
  c.model.name = "fvsbn"

  c.data = ml_collections.ConfigDict()
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.data.data_dir = config_dict.placeholder(str)    # else TFDS_DATA_DIR / TFDS default
  c.data.train_split = "train"
  c.data.eval_split = "test"                        # reported once, at the end
  c.data.validation_split = config_dict.placeholder(str)  # watched; selects the checkpoint
  c.data.sources = ml_collections.ConfigDict()      # {name: data keys} for several sources
  c.data.image_size = config_dict.placeholder(int)  # resize images (TFDS: center-crop first)
  c.data.pad_to = config_dict.placeholder(int)      # zero-pad images to pad_to x pad_to
  # A training split of at most this size (MiB, all sources together; a
  # TFDS split is decoded once to get there) is copied to every device once;
  # steps gather their batches there (same values). 0: copy each chunk of
  # batches from the host.
  c.data.on_device_mb = 256

  c.train = ml_collections.ConfigDict()
  c.train.num_steps = 1000
  c.train.batch_size = 64
  c.train.optimizer = "adam"
  c.train.learning_rate = 1e-3
  c.train.b1 = 0.9
  c.train.b2 = 0.999
  c.train.weight_decay = 0.0
  c.train.grad_clip_norm = 0.0      # 0: no clipping
  c.train.ema_decay = 0.0           # 0: no EMA of parameters
  c.train.log_every_steps = 50
  # Steps run per call to the device (a lax.scan over K prefetched batches):
  # > 1 hides the host's per-step dispatch cost for small models. Results
  # equal K = 1 up to float rounding; logging/eval/checkpoint steps are kept.
  c.train.steps_per_dispatch = 1

  c.eval = ml_collections.ConfigDict()
  c.eval.every_steps = 500
  c.eval.batch_size = 256
  c.eval.num_examples = config_dict.placeholder(int)  # None: the whole split
  c.eval.selection_metric = "nll_nats"   # validation picks the checkpoint by it
  c.eval.selection_mode = "min"          # "min": lower is better; "max": higher

  c.checkpoint = ml_collections.ConfigDict()
  c.checkpoint.every_steps = 500
  c.checkpoint.max_to_keep = 3

  c.sample = ml_collections.ConfigDict()
  c.sample.num = 64
  c.sample.every_steps = 500

  # Evaluators run at every evaluation: {name: its settings}, e.g.
  # c.evals.sample_quality = ConfigDict(dict(num_examples=2500)); see
  # gen_jax.eval.EVALUATORS. --config.evals= runs none.
  c.evals = ml_collections.ConfigDict()
  return c


POSITIVE_INTS = ("train.num_steps", "train.batch_size", "train.log_every_steps",
                 "train.steps_per_dispatch",
                 "eval.every_steps", "eval.batch_size", "checkpoint.every_steps",
                 "checkpoint.max_to_keep", "sample.num", "sample.every_steps")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop")
SELECTION_MODES = ("min", "max")


def _get(config, dotted):
  value = config
  for part in dotted.split("."):
    value = value[part]
  return value


def validate(config) -> None:
  """Raises `UserError` naming the first bad value and what to set instead."""
  for key in POSITIVE_INTS:
    value = _get(config, key)
    if not isinstance(value, int) or value <= 0:
      raise UserError(f"--config.{key}={value!r} must be a positive integer.")
  if not config.train.learning_rate > 0:
    raise UserError(f"--config.train.learning_rate={config.train.learning_rate!r} "
                    "must be positive.")
  if config.train.optimizer not in OPTIMIZERS:
    raise UserError(f"--config.train.optimizer={config.train.optimizer!r} is not "
                    f"one of {OPTIMIZERS}.")
  if not 0.0 <= config.train.ema_decay < 1.0:
    raise UserError(f"--config.train.ema_decay={config.train.ema_decay!r} must be "
                    "in [0, 1).")
  if config.train.grad_clip_norm < 0:
    raise UserError("--config.train.grad_clip_norm must be >= 0 (0 disables it).")
  if config.eval.selection_mode not in SELECTION_MODES:
    raise UserError(f"--config.eval.selection_mode={config.eval.selection_mode!r} is "
                    f"not one of {SELECTION_MODES} (lower or higher is better).")
  on_device = config.data.get("on_device_mb", 0)
  if not isinstance(on_device, (int, float)) or on_device < 0:
    raise UserError(f"--config.data.on_device_mb={on_device!r} must be a number >= 0 "
                    "(0 copies every batch from the host).")
  if not isinstance(config.seed, int):
    raise UserError(f"--config.seed={config.seed!r} must be an integer.")


# Keys that may differ between a workdir's saved config and a resuming run:
# they change how long, how often and how much is evaluated, never the state.
# The read-only commands (experiments.evaluate, ...) take them from --config.
# model.importance_*: the size of the VAE's importance-sampled estimate.
FREELY_CHANGED = ("train.num_steps", "train.log_every_steps", "train.steps_per_dispatch",
                  "eval.every_steps",
                  "checkpoint.every_steps", "sample.every_steps",
                  "eval.num_examples", "eval.batch_size", "sample.num",
                  "checkpoint.max_to_keep", "nondeterministic_ops", "data.on_device_mb",
                  "model.importance_samples", "model.importance_chunk")
FREELY_CHANGED_SECTIONS = ("evals",)   # what is measured, never the state


def is_freely_changed(key: str) -> bool:
  """Whether a dotted key may differ on resume (it never changes the state)."""
  return key in FREELY_CHANGED or key.split(".")[0] in FREELY_CHANGED_SECTIONS


def flatten(tree: dict, prefix: str = "") -> dict:
  """{"a": {"b": 1}} -> {"a.b": 1}."""
  flat = {}
  for key, value in tree.items():
    name = f"{prefix}{key}"
    if isinstance(value, dict) and value:
      flat.update(flatten(value, f"{name}."))
    else:
      flat[name] = value
  return flat


def as_plain_dict(config) -> dict:
  """A config as the plain JSON-compatible dict that config.json holds."""
  return json.loads(config.to_json_best_effort())


def _merged(defaults: dict, saved: dict) -> dict:
  """`saved` over `defaults`, section by section."""
  out = dict(defaults)
  for key, value in saved.items():
    if isinstance(value, dict) and isinstance(out.get(key), dict):
      value = _merged(out[key], value)
    out[key] = value
  return out


def saved_with_defaults(saved: dict) -> ml_collections.ConfigDict:
  """A workdir's saved config with the keys it predates (the code grew a key
  after it was written) at their `base_config` defaults."""
  return ml_collections.ConfigDict(_merged(as_plain_dict(base_config()), saved))


def config_changes(saved: dict, current: dict) -> list[tuple[str, object, object]]:
  """(key, saved value, current value) for every key that differs, except
  the freely changed ones and keys the saved config predates at their
  default value (the code grew a key, the user did not change one)."""
  old, new = flatten(saved), flatten(current)
  defaults = flatten(as_plain_dict(base_config()))
  missing = object()
  changes = []
  for key in sorted(set(old) | set(new)):
    if is_freely_changed(key):
      continue
    before, after = old.get(key, missing), new.get(key, missing)
    if before is missing and after == defaults.get(key, missing):
      continue
    if before != after:
      changes.append((key, None if before is missing else before,
                      None if after is missing else after))
  return changes
