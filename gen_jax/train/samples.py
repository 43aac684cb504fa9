"""Samples of a run: drawn with the trainer's keys, written as PNG grids
beside the recipe's own pictures."""

import os

import jax
import numpy as np

from gen_jax.models.base import PictureWriter
from gen_jax.multihost import to_host
from gen_jax.pictures import save_samples
from gen_jax.train.experiment import first_examples


def draw(exp, num: int, step: int | None = None, inputs=None,
         seed: int | None = None) -> np.ndarray:
  """`num` samples; `inputs` ({key: [num, ...]}) conditions them.

  The key is the one the trainer draws step `step`'s grid with (so the
  same call reproduces samples/step_<N>.png), or PRNGKey(seed) when given.
  """
  step = exp.step if step is None else step
  key = (jax.random.fold_in(exp.keys["sample"], step) if seed is None
         else jax.random.PRNGKey(seed))
  if inputs is not None:   # host arrays, the same on every process
    inputs = jax.tree.map(np.asarray, inputs)
  return to_host(exp.stage_fn("sample")(exp.variables(), key, num, inputs))


def inputs_from_eval(exp, num: int):
  """Side information of the first `num` eval examples (of several sources:
  the first's, whose spec `picture_spec` draws them with), for `draw`."""
  source = exp.eval_source
  if isinstance(source, dict):
    source = next(iter(source.values()))
  batch = first_examples(source, num)
  return {k: batch[k] for k in exp.recipe.sample_inputs if k in batch} or None


def picture_spec(spec):
  """The spec sample pictures are written with (of several sources: the first)."""
  return next(iter(spec.values())) if isinstance(spec, dict) else spec


def write_samples(exp, path: str | None = None, inputs=None,
                  seed: int | None = None) -> str:
  """The sample grid (default `samples/step_<N>.png`) and the recipe's
  pictures (`PictureWriter`). Every process computes them (a sampler may
  communicate); the PNG writers write on process 0 only. A recipe that
  maps images (`"x"` in `sample_inputs`) gets the first eval images."""
  step = exp.step
  path = path or os.path.join(exp.workdir, "samples", f"step_{step}.png")
  num = exp.config.sample.num
  if inputs is None and "x" in exp.recipe.sample_inputs:
    inputs = inputs_from_eval(exp, num)
  if inputs is not None:
    num = len(jax.tree.leaves(inputs)[0])
  save_samples(np.asarray(draw(exp, num, step, inputs, seed)), picture_spec(exp.spec), path)
  if isinstance(exp.recipe, PictureWriter):
    batch = first_examples(exp.eval_source, exp.config.sample.num)
    exp.recipe.write_pictures(exp.variables(),
                              jax.random.fold_in(exp.keys["sample"], step + 1),
                              batch, os.path.dirname(path), step)
  return path
