"""A run's setup: data, recipe, mesh, keys, evaluators and the train state
restored from the workdir when it holds a checkpoint."""

import functools
import time
import zlib

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from gen_jax import data as data_lib
from gen_jax.errors import UserError
from gen_jax.eval import make_evaluators
from gen_jax.models import make_recipe
from gen_jax.optim import make_optimizer
from gen_jax.train import config as config_lib
from gen_jax.train import workdir as workdir_lib
from gen_jax.train.checkpoint import Checkpointer
from gen_jax.train.stages import StageSchedule
from gen_jax.train.step import (create_train_state, ema_groups, fresh_optimizer_states,
                                make_eval_step)

STREAMS = ("init", "data", "train", "sample", "eval")


def stream_key(root: jax.Array, name: str) -> jax.Array:
  """A named, independent PRNG stream derived from the root key."""
  return jax.random.fold_in(root, zlib.crc32(name.encode()) & 0x7FFFFFFF)


def make_mesh(devices=None) -> Mesh:
  """A 1-D ("data",) mesh over `devices` (default: every device of every host)."""
  return Mesh(np.asarray(jax.devices() if devices is None else devices), ("data",))


def first_examples(source, num: int):
  """The first `num` examples of a split (or of each named source), numpy."""
  if isinstance(source, dict):
    return {k: first_examples(s, num) for k, s in source.items()}
  return source.get(np.arange(min(len(source), num)))


class Experiment:
  """Data, recipe, shardings, keys and train state for one config + workdir.

  `read_only`: for commands that only read the workdir (sample, evaluate,
  the analysis launchers): its config is the caller's business, nothing in
  it is created, moved or deleted, and an unreadable latest checkpoint gives
  way to the newest earlier one that reads, with a warning.
  """

  def __init__(self, config, workdir: str, devices=None,
               allow_config_change: bool = False, restore_earlier: bool = False,
               read_only: bool = False):
    config_lib.validate(config)
    self.config = config
    self.workdir = workdir
    self.data = data_lib.load_data(config.data)
    self.train_source, self.eval_source = self.data.train, self.data.eval
    self.spec = self.data.spec
    self.root_recipe = make_recipe(config.model, self.spec)
    self.evaluators = make_evaluators(config.get("evals"), self.spec)
    self.schedule = StageSchedule(self.root_recipe.stages, config.train.num_steps)
    self._per_stage = {}   # stage -> (recipe, its jitted eval/sample functions)
    self.mesh = make_mesh(devices)
    self.replicated = NamedSharding(self.mesh, P())
    self.batch_sharding = NamedSharding(self.mesh, P("data"))
    check_batch_sizes(config, int(self.mesh.devices.size))

    root = jax.random.PRNGKey(config.seed)
    self.keys = {name: stream_key(root, name) for name in STREAMS}
    self.optimizers = self.root_recipe.optimizers(config.train) or {}
    variables = self._init_variables()
    for group in variables["params"]:
      self.optimizers.setdefault(group, make_optimizer(config.train))
    groups = (ema_groups(self.root_recipe, variables["params"])
              if config.train.ema_decay > 0 else None)
    ts = create_train_state(variables, self.optimizers, groups)
    self.train_state = jax.device_put(ts, self.replicated)
    self.data_position = 0
    self.best = None      # {"step", "value"} of the best validation evaluation
    self.seconds_before = 0.0   # training time of earlier runs in this workdir
    self.started = time.monotonic()
    self.read_only = read_only
    self.checkpointer = Checkpointer(workdir, config.checkpoint.max_to_keep,
                                     read_only=read_only)
    self.config_changes = []
    if self.checkpointer.latest_step() is not None and not read_only:
      self.config_changes = workdir_lib.check_config_unchanged(
          config, workdir, allow_config_change)
    self.resumed_from = self._restore(restore_earlier)

  def stage_recipe(self, index: int):
    """The recipe of stage `index` with its jitted evaluation and sampling
    functions (compiled once per stage)."""
    if index not in self._per_stage:
      recipe = self.root_recipe.at_stage(index)
      self._per_stage[index] = (recipe, {
          "eval_step": jax.jit(make_eval_step(recipe.eval_metrics)),
          "sample": jax.jit(recipe.sample, static_argnums=(2,)),
          "refresh_state": jax.jit(recipe.refresh_state)})
    return self._per_stage[index][0]

  def stage_fn(self, name: str):
    """A jitted function of the current step's stage."""
    index = self.schedule.stage_of(self.step)
    self.stage_recipe(index)
    return self._per_stage[index][1][name]

  @property
  def recipe(self):
    """The recipe of the stage the latest step belongs to (the only one for
    a recipe without stages)."""
    return self.stage_recipe(self.schedule.stage_of(self.step))

  def _init_variables(self):
    example = jax.tree.map(jnp.asarray, first_examples(self.train_source, 1))
    return jax.jit(self.root_recipe.init)(self.keys["init"], example)

  @functools.cached_property
  def train_tables(self):
    """The training split on every device (`data_lib.device_tables`), when
    it fits `data.on_device_mb`; else None."""
    return data_lib.device_tables(self.train_source, self.batch_sharding,
                                  int(self.config.data.get("on_device_mb", 0) * 2 ** 20))

  @property
  def data_seed(self) -> int:
    return int(jax.random.randint(self.keys["data"], (), 0, 2 ** 31 - 1))

  def _restore(self, restore_earlier: bool = False) -> int | None:
    restored = self.checkpointer.restore(self.train_state, restore_earlier)
    if restored is None:
      return None
    state, meta = restored
    self.train_state = jax.device_put(state, self.replicated)
    self.data_position = meta.get("data_positions", meta.get("data_position", 0))
    self.best = meta.get("best")
    self.seconds_before = float(meta.get("train_seconds", 0.0))
    return int(meta["step"])

  @property
  def step(self) -> int:
    return int(jax.device_get(self.train_state.step))

  @property
  def train_seconds(self) -> float:
    """Wall time spent training this workdir, over every resumed run (the
    time between a run's last checkpoint and its interruption is lost)."""
    return self.seconds_before + time.monotonic() - self.started

  def _meta(self) -> dict:
    meta = {"step": self.step, "best": self.best,
            "train_seconds": round(self.train_seconds, 1)}
    key = "data_positions" if isinstance(self.data_position, dict) else "data_position"
    meta[key] = self.data_position
    return meta

  def save(self) -> None:
    self.checkpointer.save(self.step, self.train_state, self._meta())

  def reset_optimizers(self) -> None:
    """Every group's optimizer state afresh (a stage that resets them)."""
    fresh = jax.jit(functools.partial(fresh_optimizer_states, optimizers=self.optimizers),
                    out_shardings=self.replicated)(self.train_state.params)
    self.train_state = self.train_state.replace(opt_state=fresh)

  def best_checkpointer(self) -> Checkpointer:
    return Checkpointer(self.workdir, 1, subdirectory="best_checkpoint",
                        read_only=self.read_only)

  def save_best(self, value: float | None) -> None:
    """Keeps this step's state as the validation-selected checkpoint."""
    self.best = {"step": self.step, "value": value}
    best = self.best_checkpointer()
    try:
      best.save(self.step, self.train_state, self._meta(), replace=True)
    finally:
      best.close()

  def restore_best(self) -> bool:
    """Loads the validation-selected state in place; False if there is none."""
    best = self.best_checkpointer()
    try:
      restored = best.restore(self.train_state)
    finally:
      best.close()
    if restored is None:
      return False
    self.train_state = jax.device_put(restored[0], self.replicated)
    return True

  def variables(self):
    """The weights every evaluation and sample uses: EMA groups where kept,
    with the model state refreshed for them (`Recipe.refresh_state`)."""
    variables = self.train_state.variables(use_ema=True)
    if self.train_state.ema_params is not None:
      key = jax.random.fold_in(self.keys["eval"], 2 ** 31 - 2)
      variables = {**variables, "state": self.stage_fn("refresh_state")(variables, key)}
    return variables

  def split_source(self, split: str):
    """"eval" (the reported split, `data.eval_split`) or "validation"."""
    if split == "validation":
      if self.data.validation is None:
        raise UserError("no validation split: set --config.data.validation_split.")
      return self.data.validation
    return self.eval_source


def check_batch_sizes(config, num_devices: int) -> None:
  """Batch sizes that split evenly over the devices, checked before step 1
  (not at the first evaluation, an hour in)."""
  for key in ("train.batch_size", "eval.batch_size"):
    section, name = key.split(".")
    value = config[section][name]
    if value % num_devices:
      raise UserError(f"{key}={value} must be divisible by the number of devices "
                      f"({num_devices}); set --config.{key} to a multiple of it.")
