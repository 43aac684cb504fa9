"""Pictures of latent-variable models: reconstructions, traversals, manifolds,
and scatters of encodings (coloured by label, over prior samples).

Every function takes numpy arrays and a `decode_mean(z [N, L]) -> [N, *E]`
callable returning E[x | z] in data units, and writes PNGs named
`<kind>_step_<step>.png` under `directory`.
"""

import os

import numpy as np
from scipy import stats

from gen_jax.data.spec import DataSpec
from gen_jax.multihost import writer_only
from gen_jax.pictures import image_grid, save_png, to_uint8_images


def _save_grid(images, spec, path, columns):
  grid = image_grid(to_uint8_images(images, spec), columns)
  save_png(grid, path, scale=max(1, 512 // max(grid.shape[:2])))


def reconstructions(x, codes, decode_mean, spec, path, pairs_per_row=8):
  """Inputs and their reconstructions side by side: x_0, r_0, x_1, r_1, ..."""
  recon = decode_mean(codes)
  both = np.stack([x.astype(np.float32), recon.astype(np.float32)], 1)
  _save_grid(both.reshape((-1,) + x.shape[1:]), spec, path, 2 * pairs_per_row)


def traversal(base, decode_mean, spec, path, max_dims=10, steps=9, span=3.0):
  """Row d varies latent d over [-span, span], the rest held at `base` [L]."""
  dims = min(len(base), max_dims)
  values = np.linspace(-span, span, steps, dtype=np.float32)
  z = np.tile(base.astype(np.float32), (dims, steps, 1))              # [d, s, L]
  for d in range(dims):
    z[d, :, d] = values
  _save_grid(decode_mean(z.reshape(dims * steps, -1)), spec, path, steps)


def manifold(decode_mean, spec, path, n=15, grid_range=None):
  """2-D latents: decodings on a grid of standard-normal quantiles, or of
  evenly spaced values in `grid_range` = (low, high) on both axes."""
  if grid_range is None:
    q = stats.norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
  else:
    q = np.linspace(grid_range[0], grid_range[1], n, dtype=np.float32)
  gy, gx = np.meshgrid(q[::-1], q, indexing="ij")
  z = np.stack([gx.ravel(), gy.ravel()], -1)
  _save_grid(decode_mean(z), spec, path, n)


@writer_only
def scatter(codes, path, labels=None, prior_samples=None, title=None):
  """First two latent coordinates of the encodings, over prior samples if given."""
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  fig, ax = plt.subplots(figsize=(5, 5))
  if prior_samples is not None:
    ax.scatter(prior_samples[:, 0], prior_samples[:, 1], s=2, c="lightgray",
               label="prior samples")
  points = ax.scatter(codes[:, 0], codes[:, 1], s=8,
                      c=None if labels is None else labels, cmap="tab10")
  if labels is not None:
    fig.colorbar(points, ax=ax, label="label")
  if title:
    ax.set_title(title)
  ax.set_aspect("equal")
  fig.savefig(path, dpi=100, bbox_inches="tight")
  plt.close(fig)


def write_all(directory, step, spec: DataSpec, x, codes, decode_mean,
              labels=None, prior_samples=None, means=None, scatter_always=False,
              manifold_range=None):
  """Every picture that fits the data and latent size."""
  name = lambda kind: os.path.join(directory, f"{kind}_step_{step}.png")
  latent_dim = codes.shape[-1]
  if spec.is_image:
    reconstructions(x, codes, decode_mean, spec, name("reconstructions"))
    traversal(codes[0], decode_mean, spec, name("traversal"))
    if means is not None:
      _save_grid(means, spec, name("sample_means"), None)
    if latent_dim == 2:
      manifold(decode_mean, spec, name("manifold"), grid_range=manifold_range)
  if latent_dim == 2 or (scatter_always and latent_dim > 2):
    scatter(codes, name("latent"), labels, prior_samples,
            None if latent_dim == 2 else "first two latent coordinates")
