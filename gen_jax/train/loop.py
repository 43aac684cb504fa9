"""The one generic trainer: any recipe, any device count, resumable.

`train` runs a config in a workdir: the stages' compiled steps
(`StageRunner`), and at their boundaries logging, evaluation
(`gen_jax.train.evaluation`), samples (`gen_jax.train.samples`) and
checkpoints.
"""

import jax
import jax.numpy as jnp
from tqdm import tqdm

from gen_jax import data as data_lib
from gen_jax.errors import UserError
from gen_jax.models.base import batches_per_step, num_parameters
from gen_jax.train import workdir as workdir_lib
from gen_jax.train.evaluation import evaluate, final_test, watch_validation
from gen_jax.train.experiment import Experiment
from gen_jax.train.samples import write_samples
from gen_jax.train.step import (NO_NONFINITE, NONFINITE_KINDS, make_train_step,
                                record_first_nonfinite)
from gen_jax.train.writers import MetricWriter

CHUNK_STEPS = 16   # at least this many steps' batches per copy to the device
INDEX_CHUNK_STEPS = 256   # or of their example indices (4 bytes per example)


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
        count=batches_per_step(self.recipe),
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


def periodic_work(config) -> dict[str, int]:
  """Every how many steps each kind of periodic work is due."""
  return {"log": config.train.log_every_steps, "eval": config.eval.every_steps,
          "sample": config.sample.every_steps, "save": config.checkpoint.every_steps}


def announce(exp: Experiment, writer: MetricWriter) -> None:
  """The run's first metrics row, or a line saying where it resumes."""
  if exp.step == 0:
    writer.write(0, "info", {"num_parameters": num_parameters(exp.recipe, exp.train_state.params),
                             "num_devices": int(exp.mesh.devices.size)})
  elif jax.process_index() == 0:
    tqdm.write(f"resuming from step {exp.step} of workdir {exp.workdir}")


def boundary_work(exp: Experiment, writer: MetricWriter, step: int, due: dict,
                  progress: bool) -> None:
  """Evaluation, samples and a checkpoint after `step`, as `due` says."""
  config = exp.config
  if due["eval"]:
    if exp.data.validation is not None:
      watch_validation(exp, writer, step, progress)
    elif step != config.train.num_steps:   # the last step's is the final test
      writer.write(step, config.data.eval_split, evaluate(exp, step, progress=progress))
  if due["sample"]:
    write_samples(exp)
  if due["save"]:
    exp.save()


def run_steps(exp: Experiment, writer: MetricWriter, bar, progress: bool) -> None:
  """Steps up to `train.num_steps`, one stage at a time, with the periodic
  work at its boundaries. Between boundaries nothing waits on the device; a
  log row alone is read one dispatch later."""
  num_steps, every = exp.config.train.num_steps, periodic_work(exp.config)
  record = jax.device_put(jnp.asarray(NO_NONFINITE, jnp.int32), exp.replicated)
  runner, stage_end, start = None, 0, exp.step
  step, pending = start, None   # pending: a log step's (step, metrics, record, recipe)

  def write_log(step, metrics, record=None, recipe=None):
    if record is not None:   # a deferred log step checks its own record
      raise_if_nonfinite(jax.device_get(record), recipe)
    values = jax.device_get(metrics)
    writer.write(step, "train", values)
    bar.set_postfix({k: f"{float(v):.4g}" for k, v in values.items() if k.endswith("_loss")})

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
    due = due_at(step, num_steps, every)
    if step == stage_end:   # every stage ends evaluated, sampled and saved
      due = dict.fromkeys(due, True)
    if not any(due.values()):
      continue
    if due["log"] and not (due["eval"] or due["sample"] or due["save"]):
      pending = (step, metrics, record, runner.recipe)
      continue
    raise_if_nonfinite(jax.device_get(record), runner.recipe)   # before any save
    if due["log"]:
      write_log(step, metrics)
    boundary_work(exp, writer, step, due, progress)


def train(config, workdir: str, progress: bool = True, devices=None,
          allow_config_change: bool = False,
          restore_earlier: bool = False) -> dict[str, float]:
  """Trains `config` in `workdir` (resuming if it holds a checkpoint).

  With `data.validation_split` set, validation is evaluated every
  `eval.every_steps` and the best step (by `eval.selection_metric`, lowest or
  highest as `eval.selection_mode` says) is kept in
  `<workdir>/best_checkpoint`; without it, the eval split is evaluated
  periodically for monitoring. Either way the eval split (`data.eval_split`,
  "test" by default) is reported once at the end, for the selected
  checkpoint, with standard errors and the number of examples; that is the
  return value and the last row of metrics.jsonl.

  Resuming with a config that differs from the workdir's `config.json`
  (outside `config.FREELY_CHANGED`) is refused unless `allow_config_change`;
  an unreadable latest checkpoint is refused unless `restore_earlier`, which
  sets it aside and resumes from the newest step that reads.
  """
  workdir_lib.ensure_writable(workdir)
  exp = Experiment(config, workdir, devices, allow_config_change, restore_earlier)
  workdir_lib.write_config(config, workdir, exp.step, bool(exp.config_changes))
  writer = MetricWriter(workdir, resumed_from=exp.step)
  show = progress and jax.process_index() == 0
  bar = tqdm(total=config.train.num_steps, initial=exp.step, dynamic_ncols=True,
             desc="train", disable=not show)
  try:
    announce(exp, writer)
    run_steps(exp, writer, bar, progress)
    return final_test(exp, writer, progress)
  finally:
    bar.close()
    exp.checkpointer.close()
    writer.close()
