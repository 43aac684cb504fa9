"""The one generic trainer: any recipe, any device count, resumable.

`Experiment` builds everything a run needs from a config (data, recipe, mesh,
keys, train state restored from the workdir when it holds a checkpoint);
`train`, `evaluate` and `write_samples` use it.
"""

import json
import os
import zlib

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from tqdm import tqdm

from gen_jax import data as data_lib
from gen_jax.errors import UserError
from gen_jax.models import make_recipe
from gen_jax.train import config as config_lib
from gen_jax.train.checkpoint import Checkpointer
from gen_jax.train.optim import make_optimizer
from gen_jax.train.step import (TrainState, create_train_state, make_eval_step,
                                make_train_step)
from gen_jax.train.writers import MetricWriter, save_samples

STREAMS = ("init", "data", "train", "sample", "eval")


def stream_key(root: jax.Array, name: str) -> jax.Array:
  """A named, independent PRNG stream derived from the root key."""
  return jax.random.fold_in(root, zlib.crc32(name.encode()) & 0x7FFFFFFF)


def make_mesh(devices=None) -> Mesh:
  """A 1-D ("data",) mesh over `devices` (default: every device of every host)."""
  return Mesh(np.asarray(jax.devices() if devices is None else devices), ("data",))


class Experiment:
  """Data, recipe, shardings, keys and train state for one config + workdir."""

  def __init__(self, config, workdir: str, devices=None):
    config_lib.validate(config)
    self.config = config
    self.workdir = workdir
    self.train_source, self.eval_source, self.spec = data_lib.load(config.data)
    self.recipe = make_recipe(config.model, self.spec)
    self.mesh = make_mesh(devices)
    self.replicated = NamedSharding(self.mesh, P())
    self.batch_sharding = NamedSharding(self.mesh, P("data"))

    root = jax.random.PRNGKey(config.seed)
    self.keys = {name: stream_key(root, name) for name in STREAMS}
    self.optimizers = self.recipe.optimizers(config.train) or {}
    variables = self._init_variables()
    for group in variables["params"]:
      self.optimizers.setdefault(group, make_optimizer(config.train))
    ts = create_train_state(variables, self.optimizers, config.train.ema_decay > 0)
    self.train_state = jax.device_put(ts, self.replicated)
    self.data_position = 0
    self.checkpointer = Checkpointer(workdir, config.checkpoint.max_to_keep)
    self.resumed_from = self._restore()

    self._eval_step = jax.jit(make_eval_step(self.recipe))
    self._sample = jax.jit(self.recipe.sample, static_argnums=(2,))

  def _init_variables(self):
    example = self.train_source.get(np.arange(1))
    example = {k: jnp.asarray(v) for k, v in example.items()}
    return jax.jit(self.recipe.init)(self.keys["init"], example)

  @property
  def data_seed(self) -> int:
    return int(jax.random.randint(self.keys["data"], (), 0, 2 ** 31 - 1))

  def _restore(self) -> int | None:
    restored = self.checkpointer.restore(self.train_state)
    if restored is None:
      return None
    state, meta = restored
    self.train_state = jax.device_put(state, self.replicated)
    self.data_position = int(meta["data_position"])
    return int(meta["step"])

  @property
  def step(self) -> int:
    return int(jax.device_get(self.train_state.step))

  def save(self) -> None:
    self.checkpointer.save(self.step, self.train_state,
                           {"step": self.step, "data_position": self.data_position})

  def variables(self):
    return self.train_state.variables(use_ema=True)

  def evaluate(self, step: int | None = None) -> dict[str, float]:
    """Exact means of the recipe's per-example metrics over the eval split,
    plus the recipe's set-level `sample_metrics`."""
    step = self.step if step is None else step
    key = jax.random.fold_in(self.keys["eval"], step)
    totals, count = {}, 0.0
    batches = data_lib.eval_batches(self.eval_source, self.config.eval.batch_size,
                                    self.batch_sharding, self.config.eval.num_examples)
    variables = self.variables()
    for i, batch in enumerate(batches):
      sums, weight = self._eval_step(variables, batch, jax.random.fold_in(key, i))
      sums, weight = jax.device_get((sums, weight))
      for k, v in sums.items():
        totals[k] = totals.get(k, 0.0) + float(v)
      count += float(weight)
    result = {k: v / count for k, v in totals.items()}
    extra = self.recipe.sample_metrics(variables, jax.random.fold_in(key, 2 ** 31 - 1),
                                       self.train_source, self.eval_source)
    result.update({k: float(v) for k, v in extra.items()})
    return result

  def sample(self, num: int, step: int | None = None) -> np.ndarray:
    step = self.step if step is None else step
    key = jax.random.fold_in(self.keys["sample"], step)
    return np.asarray(jax.device_get(self._sample(self.variables(), key, num)))

  def write_samples(self, path: str | None = None) -> str:
    step = self.step
    path = path or os.path.join(self.workdir, "samples", f"step_{step}.png")
    if jax.process_index() == 0:
      save_samples(self.sample(self.config.sample.num, step), self.spec, path)
      batch = self.eval_source.get(np.arange(min(len(self.eval_source),
                                                 self.config.sample.num)))
      self.recipe.write_pictures(self.variables(),
                                 jax.random.fold_in(self.keys["sample"], step + 1),
                                 batch, os.path.dirname(path), step)
    return path


def _check_finite(nonfinite_phase, recipe, step: int) -> None:
  bad = int(nonfinite_phase)
  if bad >= 0:
    phase = recipe.phases[bad].name
    raise UserError(
        f"non-finite loss at step {step} in phase {phase!r}; training stopped "
        "and the last good checkpoint was left intact. Lower "
        "--config.train.learning_rate or set --config.train.grad_clip_norm.")


def train(config, workdir: str, progress: bool = True,
          devices=None) -> dict[str, float]:
  """Trains `config` in `workdir` (resuming if it holds a checkpoint).

  Returns the final evaluation metrics, which are also written to
  metrics.jsonl with split `config.data.eval_split` ("test" by default).
  """
  os.makedirs(workdir, exist_ok=True)
  exp = Experiment(config, workdir, devices)
  if jax.process_index() == 0:
    with open(os.path.join(workdir, "config.json"), "w", encoding="utf-8") as f:
      f.write(config.to_json_best_effort(indent=2))
  writer = MetricWriter(workdir)
  num_params = exp.recipe.num_parameters(exp.train_state.params)
  start = exp.step
  if start == 0:
    writer.write(0, "info", {"num_parameters": num_params,
                             "num_devices": int(exp.mesh.devices.size)})
  batches = data_lib.TrainBatches(exp.train_source, config.train.batch_size,
                                  exp.data_seed, exp.batch_sharding,
                                  position=exp.data_position)
  step_fn = make_train_step(exp.recipe, exp.optimizers, config.train.ema_decay)
  traces = []

  def traced_step(*args):  # counts traces: more than one means a recompile
    traces.append(1)
    return step_fn(*args)

  train_step = jax.jit(
      traced_step,
      in_shardings=(exp.replicated, exp.batch_sharding, exp.replicated),
      out_shardings=(exp.replicated, exp.replicated), donate_argnums=(0,))

  final = {}
  bar = tqdm(total=config.train.num_steps, initial=start, disable=not progress,
             dynamic_ncols=True, desc="train")
  try:
    for step in range(start + 1, config.train.num_steps + 1):
      batch = next(batches)
      exp.train_state, metrics = train_step(exp.train_state, batch, exp.keys["train"])
      exp.data_position = batches.position
      # One int32 crosses to the host per step; the metrics only when logged.
      _check_finite(jax.device_get(metrics["nonfinite_phase"]), exp.recipe, step)
      if len(traces) > 1:
        raise RuntimeError(f"the train step was traced {len(traces)} times by step "
                           f"{step}: something in the batch or state changes "
                           "shape or dtype between steps.")
      bar.update(1)
      if step % config.train.log_every_steps == 0 or step == config.train.num_steps:
        values = jax.device_get({k: v for k, v in metrics.items()
                                 if k != "nonfinite_phase"})
        writer.write(step, "train", values)
        bar.set_postfix({k: f"{float(v):.4g}" for k, v in values.items()
                         if k.endswith("_loss")})
      last = step == config.train.num_steps
      if step % config.eval.every_steps == 0 or last:
        final = exp.evaluate(step)
        writer.write(step, config.data.eval_split, final)
      if step % config.sample.every_steps == 0 or last:
        exp.write_samples()
      if step % config.checkpoint.every_steps == 0 or last:
        exp.save()
    if start >= config.train.num_steps:
      final = exp.evaluate()
      writer.write(exp.step, config.data.eval_split, final)
  finally:
    bar.close()
    exp.checkpointer.close()
    writer.close()
  return final
