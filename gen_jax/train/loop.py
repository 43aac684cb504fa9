"""The one generic trainer: any recipe, any device count, resumable.

`Experiment` builds everything a run needs from a config (data, recipe, mesh,
keys, train state restored from the workdir when it holds a checkpoint);
`train`, `evaluate` and `write_samples` use it.
"""

import functools
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
from gen_jax.models import ReadTracker, make_recipe
from gen_jax.train import config as config_lib
from gen_jax.train import workdir as workdir_lib
from gen_jax.train.checkpoint import Checkpointer
from gen_jax.train.stages import StageSchedule
from gen_jax.optim import make_optimizer
from gen_jax.train.step import (NO_NONFINITE, NONFINITE_KINDS, create_train_state,
                                ema_groups, fresh_optimizer_states, make_eval_step,
                                make_train_step, record_first_nonfinite)
from gen_jax.multihost import to_host
from gen_jax.pictures import save_samples
from gen_jax.train.writers import MetricWriter

STREAMS = ("init", "data", "train", "sample", "eval")
CHUNK_STEPS = 16   # at least this many steps' batches per copy to the device
INDEX_CHUNK_STEPS = 256   # or of their example indices (4 bytes per example)


def stream_key(root: jax.Array, name: str) -> jax.Array:
  """A named, independent PRNG stream derived from the root key."""
  return jax.random.fold_in(root, zlib.crc32(name.encode()) & 0x7FFFFFFF)


def make_mesh(devices=None) -> Mesh:
  """A 1-D ("data",) mesh over `devices` (default: every device of every host)."""
  return Mesh(np.asarray(jax.devices() if devices is None else devices), ("data",))


def _numpy_batch(source, num: int):
  """The first `num` examples of a split (or of each named source), numpy."""
  if isinstance(source, dict):
    return {k: _numpy_batch(s, num) for k, s in source.items()}
  return source.get(np.arange(min(len(source), num)))


def summarize(totals: dict[str, np.ndarray]) -> dict[str, float]:
  """{name: [sum, sum of squares, count]} -> mean, `<name>_stderr` and counts."""
  out = {}
  for name, (s, s2, n) in totals.items():
    mean = s / n
    var = max(s2 / n - mean * mean, 0.0) * n / max(n - 1.0, 1.0)
    out[name] = float(mean)
    out[f"{name}_stderr"] = float(np.sqrt(var / n))
  counts = {float(n) for _, _, n in totals.values()}
  if len(counts) == 1:
    out["num_examples"] = int(counts.pop())
  else:
    out.update({f"{k}_num_examples": int(n) for k, (_, _, n) in totals.items()})
  return out


class Experiment:
  """Data, recipe, shardings, keys and train state for one config + workdir."""

  def __init__(self, config, workdir: str, devices=None,
               allow_config_change: bool = False, restore_earlier: bool = False):
    config_lib.validate(config)
    self.config = config
    self.workdir = workdir
    self.data = data_lib.load_data(config.data)
    self.train_source, self.eval_source = self.data.train, self.data.eval
    self.spec = self.data.spec
    self.root_recipe = make_recipe(config.model, self.spec)
    self.schedule = StageSchedule(self.root_recipe.stages, config.train.num_steps)
    self._per_stage = {}   # stage -> (recipe, its jitted eval/sample functions)
    self.mesh = make_mesh(devices)
    self.replicated = NamedSharding(self.mesh, P())
    self.batch_sharding = NamedSharding(self.mesh, P("data"))
    check_batch_sizes(config, int(self.mesh.devices.size))

    root = jax.random.PRNGKey(config.seed)
    self.keys = {name: stream_key(root, name) for name in STREAMS}
    self.optimizers = self.root_recipe.optimizers(config.train) or {}
    check_model_keys(self.root_recipe)
    variables = self._init_variables()
    for group in variables["params"]:
      self.optimizers.setdefault(group, make_optimizer(config.train))
    groups = (ema_groups(self.root_recipe, variables["params"])
              if config.train.ema_decay > 0 else None)
    ts = create_train_state(variables, self.optimizers, groups)
    self.train_state = jax.device_put(ts, self.replicated)
    self.data_position = 0
    self.best = None      # {"step", "value"} of the best validation evaluation
    self.checkpointer = Checkpointer(workdir, config.checkpoint.max_to_keep)
    self.config_changes = []
    if self.checkpointer.latest_step() is not None:
      self.config_changes = workdir_lib.check_config_unchanged(
          config, workdir, allow_config_change)
    self.resumed_from = self._restore(restore_earlier)

  def stage_recipe(self, index: int):
    """The recipe of stage `index` with its jitted evaluation and sampling
    functions (compiled once per stage)."""
    if index not in self._per_stage:
      recipe = self.root_recipe.at_stage(index)
      self._per_stage[index] = (recipe, {
          "eval_step": jax.jit(make_eval_step(recipe)),
          "sample": jax.jit(recipe.sample, static_argnums=(2,)),
          "refresh_state": jax.jit(recipe.refresh_state),
          "prepare_eval": jax.jit(recipe.prepare_eval)})
    return self._per_stage[index][0]

  def _stage_fn(self, name: str):
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
    example = jax.tree.map(jnp.asarray, _numpy_batch(self.train_source, 1))
    return jax.jit(self.root_recipe.init)(self.keys["init"], example)

  @functools.cached_property
  def train_tables(self):
    """The training split on every device (`data_lib.device_tables`), when
    it is held in memory and within `data.on_device_mb`; else None."""
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
    return int(meta["step"])

  @property
  def step(self) -> int:
    return int(jax.device_get(self.train_state.step))

  def _meta(self) -> dict:
    meta = {"step": self.step, "best": self.best}
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
    return Checkpointer(self.workdir, 1, subdirectory="best_checkpoint")

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
      variables = {**variables, "state": self._stage_fn("refresh_state")(variables, key)}
    return variables

  def split_source(self, split: str):
    """"eval" (the reported split, `data.eval_split`) or "validation"."""
    if split == "validation":
      if self.data.validation is None:
        raise UserError("no validation split: set --config.data.validation_split.")
      return self.data.validation
    return self.eval_source

  def evaluate(self, step: int | None = None, split: str = "eval",
               progress: bool = False) -> dict[str, float]:
    """Exact means and standard errors of the recipe's per-example metrics
    over a split, the number of examples, and the recipe's `sample_metrics`.
    `progress` shows a bar over the batches (on a terminal, process 0)."""
    step = self.step if step is None else step
    key = jax.random.fold_in(self.keys["eval"], step)
    source = self.split_source(split)
    totals = {}
    batches = data_lib.eval_batches(source, self.config.eval.batch_size,
                                    self.batch_sharding, self.config.eval.num_examples)
    variables = self._stage_fn("prepare_eval")(self.variables(),
                                               jax.random.fold_in(key, 2 ** 31 - 3))
    total = data_lib.num_eval_batches(source, self.config.eval.batch_size,
                                      self.config.eval.num_examples)
    name = self.config.data.eval_split if split == "eval" else split
    eval_step = self._stage_fn("eval_step")
    for i, batch in enumerate(eval_progress(batches, total, name, progress)):
      sums = to_host(eval_step(variables, batch, jax.random.fold_in(key, i)))
      for k, v in sums.items():
        totals[k] = totals.get(k, np.zeros(3)) + np.asarray(v, np.float64)
    result = summarize(totals)
    extra = self.recipe.sample_metrics(variables, jax.random.fold_in(key, 2 ** 31 - 1),
                                       self.train_source, source)
    result.update({k: float(v) for k, v in extra.items()})
    return result

  def sample(self, num: int, step: int | None = None, inputs=None,
             seed: int | None = None) -> np.ndarray:
    """`num` samples; `inputs` ({key: [num, ...]}) conditions them.

    The key is the one the trainer draws step `step`'s grid with (so the
    same call reproduces samples/step_<N>.png), or PRNGKey(seed) when given.
    """
    step = self.step if step is None else step
    key = (jax.random.fold_in(self.keys["sample"], step) if seed is None
           else jax.random.PRNGKey(seed))
    if inputs is not None:   # host arrays, the same on every process
      inputs = jax.tree.map(np.asarray, inputs)
    return to_host(self._stage_fn("sample")(self.variables(), key, num, inputs))

  def sample_inputs_from_eval(self, num: int):
    """Side information of the first `num` eval examples, for `sample`."""
    batch = _numpy_batch(self.eval_source, num)
    return {k: batch[k] for k in self.recipe.sample_inputs if k in batch} or None

  def write_samples(self, path: str | None = None, inputs=None,
                    seed: int | None = None) -> str:
    """The sample grid (default `samples/step_<N>.png`) and the recipe's
    pictures. Every process computes them (a sampler may communicate); the
    PNG writers write on process 0 only."""
    step = self.step
    path = path or os.path.join(self.workdir, "samples", f"step_{step}.png")
    num = self.config.sample.num
    if inputs is not None:
      num = len(jax.tree.leaves(inputs)[0])
    samples = self.sample(num, step, inputs, seed)
    if isinstance(samples, dict):   # one grid per named output
      root, ext = os.path.splitext(path)
      for name, part in samples.items():
        save_samples(np.asarray(part), self.recipe.output_spec(name),
                     f"{root}_{name}{ext}")
    else:
      save_samples(np.asarray(samples), self.recipe.output_spec(), path)
    batch = _numpy_batch(self.eval_source, self.config.sample.num)
    self.recipe.write_pictures(self.variables(),
                               jax.random.fold_in(self.keys["sample"], step + 1),
                               batch, os.path.dirname(path), step)
    return path


def check_batch_sizes(config, num_devices: int) -> None:
  """Batch sizes that split evenly over the devices, checked before step 1
  (not at the first evaluation, an hour in)."""
  for key in ("train.batch_size", "eval.batch_size"):
    section, name = key.split(".")
    value = config[section][name]
    if value % num_devices:
      raise UserError(f"{key}={value} must be divisible by the number of devices "
                      f"({num_devices}); set --config.{key} to a multiple of it.")


def eval_progress(batches, total: int, split: str, enabled: bool):
  """`batches` behind a transient tqdm bar of `total` batches; shown only
  when `enabled`, on process 0 and on a terminal."""
  show = enabled and jax.process_index() == 0
  return tqdm(batches, total=total, desc=f"eval {split}", leave=False,
              dynamic_ncols=True, disable=None if show else True)


def check_model_keys(recipe) -> None:
  """Every `model.` key must have been read by the recipe (typos end here)."""
  config = recipe.config
  if not isinstance(config, ReadTracker):
    return
  unread = config.unread()
  if unread:
    raise UserError(
        f"model {config.get('name')!r} does not read --config.model."
        f"{', --config.model.'.join(unread)}; it reads: "
        f"{', '.join(sorted(config.read))}. Fix the spelling or remove the key.")


def raise_if_nonfinite(record, recipe) -> None:
  """Stops training if the (step, phase, kind) record holds a non-finite step."""
  step, phase, kind = (int(v) for v in record)
  if step >= 0:
    raise UserError(
        f"non-finite {NONFINITE_KINDS[kind]} at step {step} in phase "
        f"{recipe.phases[phase].name!r}; training stopped and the last good "
        "checkpoint was left intact. Lower --config.train.learning_rate or set "
        "--config.train.grad_clip_norm.")


def due_at(step: int, last_step: int, every: dict[str, int]) -> dict[str, bool]:
  """Which periodic work is due after `step`: each kind every `every[kind]`
  steps, and all of them at the last step."""
  return {kind: step % n == 0 or step == last_step for kind, n in every.items()}


def is_better(value, best, mode: str = "min") -> bool:
  """Whether a validation `value` beats the `best` record so far ("min":
  lower is better, "max": higher); a missing value or record always counts."""
  if best is None or best.get("value") is None or value is None:
    return True
  return value < best["value"] if mode == "min" else value > best["value"]


def watch_validation(exp: Experiment, writer, step: int,
                     progress: bool = False) -> dict[str, float]:
  """Evaluates validation, writes it, and keeps the best checkpoint."""
  result = exp.evaluate(step, split="validation", progress=progress)
  writer.write(step, "validation", result)
  metric = exp.config.eval.selection_metric
  final_stage = exp.schedule.stage_of(step) == len(exp.schedule) - 1
  if metric not in result and final_stage and set(result) - {"num_examples"}:
    # (A staged model writes each stage's metrics under its own names, and a
    # model with its sample metrics switched off writes none: no verdict.)
    raise UserError(
        f"--config.eval.selection_metric={metric!r} is not a validation metric of "
        f"this model; it writes: {', '.join(sorted(result))}. Checkpoints saved so "
        "far are kept; rerun with one of these.")
  value = result.get(metric)
  if is_better(value, exp.best, exp.config.eval.selection_mode):
    exp.save_best(value)
  return result


def final_test(exp: Experiment, writer, progress: bool = False) -> dict[str, float]:
  """The reported figure: the eval split, once, for the selected checkpoint
  (the best validation step when `data.validation_split` is set)."""
  last = exp.step
  selected = last
  if exp.data.validation is not None and exp.best is not None and exp.restore_best():
    selected = exp.best["step"]
  result = exp.evaluate(selected, progress=progress)
  result["selected_step"] = selected
  writer.write(last, exp.config.data.eval_split, result)
  return result


class StageRunner:
  """The batches and the compiled train steps of one stage.

  A stage's batches come from their own stream (seeded per stage, at the
  stage's batch size); a run resumed inside the stage continues that stream
  at the checkpoint's data position, so a resume mid-stage (mid-fade) is
  exact. A stage that resets the optimizers does so when it starts, not
  when a run resumes inside it. `train_step` runs one step; with
  `train.steps_per_dispatch` K > 1, `train_steps` runs K steps in one call
  (a `lax.scan` over K rows of the prefetched chunk), so that small models
  do not wait on the host between steps. A training split held on the device
  (`Experiment.train_tables`) is prefetched as example indices and gathered
  inside the step. The recompile guard counts the traces of each.
  """

  def __init__(self, exp: Experiment, stage: int, resumed: int | None):
    config = exp.config
    self.stage = stage
    self.recipe = exp.stage_recipe(stage)
    self.steps_per_dispatch = k = config.train.steps_per_dispatch
    inside = resumed is not None and resumed > exp.schedule.start(stage)
    first = resumed if inside else exp.schedule.start(stage)   # steps done before
    if exp.schedule.resets_optimizers(stage) and not inside:
      exp.reset_optimizers()
    self.tables = exp.train_tables
    least = CHUNK_STEPS if self.tables is None else INDEX_CHUNK_STEPS
    self.batches = data_lib.Prefetch(data_lib.TrainStream(
        exp.train_source, exp.schedule.batch_size(stage, config.train.batch_size),
        exp.schedule.data_seed(stage, exp.data_seed), exp.batch_sharding,
        count=self.recipe.batches_per_step,
        positions=exp.data_position if inside else 0),
        chunk=k * -(-least // k), offset=first, indices=self.tables is not None)
    step_fn = make_train_step(self.recipe, exp.optimizers, config.train.ema_decay)
    self.traces = {"train_step": 0, "train_steps": 0}

    def one_step(ts, batches, train_key, record):
      """The step and the [3] (step, phase, kind) record of the first
      non-finite step, carried on the device."""
      ts, metrics = step_fn(ts, batches, train_key)
      record = record_first_nonfinite(record, ts.step, metrics)
      logged = {k: v for k, v in metrics.items() if not k.startswith("nonfinite_")}
      return ts, logged, record

    def traced_step(ts, tables, chunk, index, train_key, record):
      """The step on row `index` of a prefetched chunk."""
      self.traces["train_step"] += 1
      batches = data_lib.gather_rows(tables, data_lib.take_step(chunk, index))
      return one_step(ts, batches, train_key, record)

    def traced_steps(ts, tables, chunk, index, train_key, record):
      """K steps on rows index..index+K-1; the last step's metrics."""
      self.traces["train_steps"] += 1

      def body(carry, rows):
        ts, record = carry
        ts, logged, record = one_step(ts, data_lib.gather_rows(tables, rows),
                                      train_key, record)
        return (ts, record), logged

      (ts, record), logged = jax.lax.scan(
          body, (ts, record), data_lib.take_steps(chunk, index, k))
      return ts, jax.tree.map(lambda v: v[-1], logged), record

    shardings = dict(
        in_shardings=(exp.replicated, exp.replicated, self.batches.sharding)
        + (exp.replicated,) * 3,
        out_shardings=(exp.replicated,) * 3, donate_argnums=(0,))
    self.train_step = jax.jit(traced_step, **shardings)
    self.train_steps = jax.jit(traced_steps, **shardings)

  def run(self, exp: Experiment, step: int, last: int, record):
    """Runs from step `step` up to `last` (at most K steps in one call where
    they fill an aligned block of K); returns the last step run, its
    metrics and the record."""
    k = self.steps_per_dispatch
    num = k if k > 1 and (step - 1) % k == 0 and step + k - 1 <= last else 1
    chunk, index = self.batches.take(num)
    fn = self.train_steps if num > 1 else self.train_step
    exp.train_state, metrics, record = fn(exp.train_state, self.tables, chunk, index,
                                          exp.keys["train"], record)
    self.batches.fill()   # the next chunk is gathered while these steps run
    exp.data_position = self.batches.positions
    end = step + num - 1
    self.check_traces(end)
    return end, metrics, record

  def check_traces(self, step: int) -> None:
    for name, count in self.traces.items():
      if count > 1:
        raise RuntimeError(f"the {name} of stage {self.stage} was traced {count} "
                           f"times by step {step}: something in the batch or state "
                           "changes shape or dtype between steps.")


def next_boundary(step: int, last_step: int, every: dict[str, int]) -> int:
  """The first step >= `step` after which periodic work is due (or the last)."""
  return min([last_step] + [-(-step // n) * n for n in every.values()])


def train(config, workdir: str, progress: bool = True, devices=None,
          allow_config_change: bool = False,
          restore_earlier: bool = False) -> dict[str, float]:
  """Trains `config` in `workdir` (resuming if it holds a checkpoint).

  With `data.validation_split` set, validation is evaluated every
  `eval.every_steps` and the best step (by `eval.selection_metric`, lowest or
  highest as `eval.selection_mode` says) is
  kept in `<workdir>/best_checkpoint`; without it, the eval split is
  evaluated periodically for monitoring. Either way the eval split
  (`data.eval_split`, "test" by default) is reported once at the end, for the
  selected checkpoint, with standard errors and the number of examples;
  that is the return value and the last row of metrics.jsonl.

  Resuming with a config that differs from the workdir's `config.json`
  (outside `config.FREELY_CHANGED`) is refused unless `allow_config_change`;
  an unreadable latest checkpoint is refused unless `restore_earlier`, which
  sets it aside and resumes from the newest step that reads.
  """
  workdir_lib.ensure_writable(workdir)
  exp = Experiment(config, workdir, devices, allow_config_change, restore_earlier)
  workdir_lib.write_config(config, workdir, exp.step, bool(exp.config_changes))
  writer = MetricWriter(workdir, resumed_from=exp.step)
  num_params = exp.recipe.num_parameters(exp.train_state.params)
  start = exp.step
  if start == 0:
    writer.write(0, "info", {"num_parameters": num_params,
                             "num_devices": int(exp.mesh.devices.size)})
  record = jax.device_put(jnp.asarray(NO_NONFINITE, jnp.int32), exp.replicated)
  watching = exp.data.validation is not None
  num_steps = config.train.num_steps
  every = {"log": config.train.log_every_steps, "eval": config.eval.every_steps,
           "sample": config.sample.every_steps, "save": config.checkpoint.every_steps}
  bar = tqdm(total=config.train.num_steps, initial=start, dynamic_ncols=True,
             desc="train", disable=not progress or jax.process_index() != 0)
  runner, stage_end = None, 0
  step = start
  pending = None   # a log step's (step, metrics, record, recipe), read one dispatch later

  def write_log(step, metrics, record=None, recipe=None):
    if record is not None:   # a deferred log step checks its own record
      raise_if_nonfinite(jax.device_get(record), recipe)
    values = jax.device_get(metrics)
    writer.write(step, "train", values)
    bar.set_postfix({k: f"{float(v):.4g}" for k, v in values.items()
                     if k.endswith("_loss")})

  try:
    while step < num_steps:
      if step + 1 > stage_end:   # a new stage: its batches and its compiled steps
        stage = exp.schedule.stage_of(step + 1)
        stage_end = exp.schedule.end(stage)
        runner = StageRunner(exp, stage, resumed=start if step == start else None)
      before = step
      step, metrics, record = runner.run(
          exp, step + 1, min(stage_end, next_boundary(step + 1, num_steps, every)), record)
      bar.update(step - before)
      if pending is not None:   # read while the steps just dispatched run
        write_log(*pending)
        pending = None
      last = step == num_steps
      due = due_at(step, num_steps, every)
      if step == stage_end:   # every stage ends evaluated, sampled and saved
        due = dict.fromkeys(due, True)
      if not any(due.values()):
        continue   # no host synchronisation between boundaries
      if due["log"] and not (due["eval"] or due["sample"] or due["save"]):
        pending = (step, metrics, record, runner.recipe)
        continue   # a log step alone does not stall the device
      raise_if_nonfinite(jax.device_get(record), runner.recipe)   # before any save
      if due["log"]:
        write_log(step, metrics)
      if due["eval"]:
        if watching:
          watch_validation(exp, writer, step, progress)
        elif not last:
          writer.write(step, config.data.eval_split, exp.evaluate(step, progress=progress))
      if due["sample"]:
        exp.write_samples()
      if due["save"]:
        exp.save()
    final = final_test(exp, writer, progress)
  finally:
    bar.close()
    exp.checkpointer.close()
    writer.close()
  return final
