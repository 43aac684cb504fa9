"""Evaluation during and after training: the recipe's per-example metrics
over a split, then every evaluator of `config.evals`; validation watching
and the one final test."""

import functools
import weakref

import jax
import numpy as np
from tqdm import tqdm

from gen_jax import data as data_lib
from gen_jax.errors import UserError
from gen_jax.eval import EvalData
from gen_jax.multihost import to_host
from gen_jax.train.experiment import first_examples
from gen_jax.train.step import make_eval_step


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


def split_means(exp, source, key: jax.Array, label: str, progress: bool,
                eval_step, variables) -> dict[str, float]:
  """Exact means and standard errors over `source` of a jitted
  eval_step(variables, batch, rng) -> {name: (sum, sum of squares, count)};
  batch i gets fold_in(key, i)."""
  totals = {}
  config = exp.config.eval
  batches = data_lib.eval_batches(source, config.batch_size, exp.batch_sharding,
                                  config.num_examples)
  total = data_lib.num_eval_batches(source, config.batch_size, config.num_examples)
  for i, batch in enumerate(eval_progress(batches, total, label, progress)):
    sums = to_host(eval_step(variables, batch, jax.random.fold_in(key, i)))
    for k, v in sums.items():
      totals[k] = totals.get(k, np.zeros(3)) + np.asarray(v, np.float64)
  return summarize(totals)


@functools.lru_cache(maxsize=None)
def jitted_eval_step(metrics_fn):
  """make_eval_step(metrics_fn), jitted once per function."""
  return jax.jit(make_eval_step(metrics_fn))


def evaluate(exp, step: int | None = None, split: str = "eval",
             progress: bool = False) -> dict[str, float]:
  """The recipe's per-example metrics over a split (means, standard errors,
  the number of examples), then each configured evaluator's metrics.
  `progress` shows a bar over the batches (on a terminal, process 0)."""
  step = exp.step if step is None else step
  key = jax.random.fold_in(exp.keys["eval"], step)
  source = exp.split_source(split)
  label = exp.config.data.eval_split if split == "eval" else split
  variables = exp.variables()
  means = functools.partial(split_means, exp, source, key, label, progress)
  result = {}
  if has_example_metrics(exp.recipe, variables, first_examples(source, 1), key):
    result = means(exp.stage_fn("eval_step"), variables)
  data = EvalData(train=exp.train_source, split=source,
                  means=lambda fn, v: means(jitted_eval_step(fn), v))
  for evaluator in exp.evaluators.values():
    result.update({k: v if isinstance(v, int) else float(v) for k, v in
                   evaluator(exp.recipe, variables, key, data).items()})   # counts stay ints
  return result


def has_example_metrics(recipe, variables, batch, key: jax.Array) -> bool:
  """Whether `recipe.eval_metrics` returns any metric (traced on one
  example, once per recipe): a model without any skips the pass over the
  split."""
  if recipe not in _HAS_METRICS:
    shapes = jax.eval_shape(recipe.eval_metrics, variables, batch, key)
    _HAS_METRICS[recipe] = bool(shapes)
  return _HAS_METRICS[recipe]


_HAS_METRICS = weakref.WeakKeyDictionary()   # recipe -> has per-example metrics


def eval_progress(batches, total: int, split: str, enabled: bool):
  """`batches` behind a transient tqdm bar of `total` batches; shown only
  when `enabled`, on process 0 and on a terminal."""
  show = enabled and jax.process_index() == 0
  return tqdm(batches, total=total, desc=f"eval {split}", leave=False,
              dynamic_ncols=True, disable=None if show else True)


def is_better(value, best, mode: str = "min") -> bool:
  """Whether a validation `value` beats the `best` record so far ("min":
  lower is better, "max": higher); a missing value or record always counts."""
  if best is None or best.get("value") is None or value is None:
    return True
  return value < best["value"] if mode == "min" else value > best["value"]


def watch_validation(exp, writer, step: int,
                     progress: bool = False) -> dict[str, float]:
  """Evaluates validation, writes it, and keeps the best checkpoint."""
  result = evaluate(exp, step, split="validation", progress=progress)
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


def final_test(exp, writer, progress: bool = False) -> dict[str, float]:
  """The reported figure: the eval split, once, for the selected checkpoint
  (the best validation step when `data.validation_split` is set), with the
  workdir's total training time (`train_seconds`, resumed runs included)."""
  last = exp.step
  seconds = exp.train_seconds
  selected = last
  if exp.data.validation is not None and exp.best is not None and exp.restore_best():
    selected = exp.best["step"]
  result = evaluate(exp, selected, progress=progress)
  result["selected_step"] = selected
  result["train_seconds"] = round(seconds, 1)
  writer.write(last, exp.config.data.eval_split, result)
  return result
