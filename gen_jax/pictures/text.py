"""Pictures of a text-to-image model, written beside the sample grid:

  caption_z_step_<N>.png       one caption across many z (row: a caption)
  same_z_step_<N>.png          the same z across captions (column: a z; each
                               row a caption, so a column shows one z's style)
  interpolation_step_<N>.png   caption i to caption i+1 in embedding space,
                               one z per row
  captions_step_<N>.txt        the captions of the rows, in order
"""

import functools
import os

import jax
import numpy as np

from gen_jax.data.captions import detokenize
from gen_jax.multihost import writer_only
from gen_jax.pictures import image_grid, save_png, to_uint8_images


def _grid(images, spec, path, columns):
  grid = image_grid(to_uint8_images(np.asarray(images), spec), columns)
  save_png(grid, path, scale=max(1, 512 // max(grid.shape[:2])))


@writer_only
def _write_text(lines, path):
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(lines) + "\n")


@functools.lru_cache(maxsize=None)
def jitted(fn):
  """`fn` (a recipe's bound method) jitted, once per recipe and method."""
  return jax.jit(fn)


def write_all(recipe, variables, rng, captions, directory, step,
              rows: int = 8, columns: int = 8):
  """The three pictures for the first `rows` captions [N, L] of a batch,
  through the recipe's `encode` and `sample_from_text`."""
  captions = np.asarray(captions)[:rows]
  rows = len(captions)
  k_many, k_same, k_interp = jax.random.split(rng, 3)
  from_text = jitted(recipe.sample_from_text)
  text = np.asarray(jitted(recipe.encode)(variables["params"], captions))   # [R, E]
  z_dim = recipe.options.noise_dim
  # One caption across many z: row r repeats caption r with fresh z.
  z = jax.random.normal(k_many, (rows * columns, z_dim))
  many = from_text(variables, z, np.repeat(text, columns, 0))
  _grid(many, recipe.spec, os.path.join(directory, f"caption_z_step_{step}.png"), columns)
  # The same z across captions: column c keeps z_c for every caption.
  z = np.tile(np.asarray(jax.random.normal(k_same, (columns, z_dim))), (rows, 1))
  same = from_text(variables, z, np.repeat(text, columns, 0))
  _grid(same, recipe.spec, os.path.join(directory, f"same_z_step_{step}.png"), columns)
  # Interpolation: row r goes from caption r to caption r+1 with one z.
  alphas = np.linspace(0.0, 1.0, columns, dtype=np.float32)[None, :, None]
  mixed = (1 - alphas) * text[:, None] + alphas * np.roll(text, -1, 0)[:, None]
  z = np.repeat(np.asarray(jax.random.normal(k_interp, (rows, z_dim))), columns, 0)
  interp = from_text(variables, z, mixed.reshape(rows * columns, -1))
  _grid(interp, recipe.spec, os.path.join(directory, f"interpolation_step_{step}.png"),
        columns)
  _write_text([detokenize(c, recipe.vocabulary) for c in captions],
              os.path.join(directory, f"captions_step_{step}.txt"))
