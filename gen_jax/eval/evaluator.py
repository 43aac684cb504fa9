"""Evaluators: how a model is measured, named in `config.evals`.

  c.evals.sample_quality = ml_collections.ConfigDict(dict(num_examples=2500))

Each key of `config.evals` names an evaluator (`gen_jax.eval.EVALUATORS`);
its block holds that evaluator's settings, read into its `Options`
dataclass. The trainer runs every configured evaluator at each evaluation
(validation and test), after the recipe's per-example `eval_metrics`;
`experiments.evaluate` does the same on a workdir, and `--prepare` trains
their classifiers ahead of a run. `--config.evals=` runs none.

An evaluator asks the recipe only for `sample` or one protocol of
`gen_jax.models.base` (`Density`, `Translator`, `Completer`, ...), never for
its private parts, and never branches on a model's name. Whatever it must
train (a metric classifier) it trains in `prepare`, once per data, settings
and seed, cached on disk (`gen_jax.eval.classifier`), saying what it trains.
"""

import dataclasses
import functools
from typing import Any, Callable

import jax
import numpy as np

from gen_jax.options import read_options


@dataclasses.dataclass(frozen=True)
class NoOptions:
  """An evaluator without settings."""


@dataclasses.dataclass(frozen=True)
class EvalData:
  """What an evaluation sees.

  train: the training split (classifiers, reference statistics);
  split: the split under evaluation (validation, or the reported eval split);
  means(fn, variables): exact means and standard errors over `split` of
    fn(variables, batch, rng) -> {name: [B]}, batched and sharded as the
    trainer's own per-example metrics (same batches, same keys).
  """
  train: Any
  split: Any
  means: Callable[..., dict[str, float]]


class Evaluator:
  """Base class: settings in `Options`, work in `prepare` and `__call__`."""
  Options: type = NoOptions

  def __init__(self, options, spec):
    self.options = options
    self.spec = spec
    self.cache: dict = {}   # per-run memo: classifiers, reference statistics

  @classmethod
  def from_config(cls, name: str, config, spec) -> "Evaluator":
    """The evaluator with `config.evals.<name>` read into its `Options`."""
    return cls(read_options(cls.Options, config, f"evals.{name}", f"evaluator {name!r}"),
               spec)

  def prepare(self, recipe, train, split) -> None:
    """Trains (or loads from the cache) what the metrics need, once per run:
    `train` the training split, `split` the first split evaluated."""
    del recipe, train, split

  def __call__(self, recipe, variables, key: jax.Array, data: EvalData) -> dict[str, float]:
    """{metric: value} for `recipe` with `variables`. `key` is the
    evaluation's key; an evaluator folds in its own constant before use."""
    raise NotImplementedError


SAMPLE_KEY = 2 ** 31 - 1   # the constant sample-based evaluators fold into `key`


@functools.lru_cache(maxsize=None)
def jitted_sample(recipe):
  """`recipe.sample` jitted (num static), once per recipe."""
  return jax.jit(recipe.sample, static_argnums=(2,))


def sample_in_chunks(recipe, variables, rng: jax.Array, num: int,
                     inputs: Callable[[int, int], Any] | None = None,
                     chunk: int = 500) -> np.ndarray:
  """`num` samples (numpy), drawn `chunk` at a time: chunk i with
  fold_in(rng, i) and inputs(start, size) (None: the recipe's default)."""
  sample = jitted_sample(recipe)
  parts = [np.asarray(sample(variables, jax.random.fold_in(rng, i), size,
                             None if inputs is None else inputs(start, size)))
           for i, start in enumerate(range(0, num, chunk))
           for size in [min(chunk, num - start)]]
  return np.concatenate(parts)


def cycled_labels(num_classes: int):
  """inputs(start, size) for `sample_in_chunks`: sample i has label i % K."""
  def inputs(start, size):
    return {"label": (np.arange(start, start + size) % num_classes).astype(np.int32)}
  return inputs


def whole(source) -> dict:
  """Every example of a source, numpy."""
  return source.get(np.arange(len(source)))
