"""Sliced Wasserstein distance between two image sets, as Karras et al. 2018
(Progressive GAN, Sec. 5 and their Appendix D) measure it.

Each image set is decomposed into a Laplacian pyramid (from the image size
down to 16x16, or to the image itself when smaller); from every level,
`descriptors_per_image` 7x7 neighbourhoods are drawn at random positions, each
descriptor normalised by the per-channel mean and standard deviation of all
descriptors of that level (real and fake apart, as in the paper), and the two
sets of descriptors are compared by the sliced Wasserstein distance: the mean,
over random unit directions, of the 1-D Wasserstein-1 distance between the
projections. The paper reports SWD x 1e3 per level and their average.
"""

import numpy as np

NEIGHBOURHOOD = 7


def gaussian_blur_downsample(x: np.ndarray) -> np.ndarray:
  """[N, H, W, C] -> [N, H/2, W/2, C]: 5-tap binomial blur, then every other pixel."""
  taps = np.array([1, 4, 6, 4, 1], np.float64) / 16.0
  padded = np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
  rows = sum(t * padded[:, i:i + x.shape[1], :, :] for i, t in enumerate(taps))
  both = sum(t * rows[:, :, i:i + x.shape[2], :] for i, t in enumerate(taps))
  return both[:, ::2, ::2, :]


def upsample_nearest(x: np.ndarray) -> np.ndarray:
  return np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)


def laplacian_pyramid(x: np.ndarray, min_size: int = 16) -> list[np.ndarray]:
  """Band-pass levels from full size down to `min_size`, the last one the
  low-pass residual: [[N, H, W, C], [N, H/2, W/2, C], ...]."""
  levels, current = [], np.asarray(x, np.float64)
  while current.shape[1] > min_size and current.shape[1] % 2 == 0:
    smaller = gaussian_blur_downsample(current)
    levels.append(current - upsample_nearest(smaller))
    current = smaller
  levels.append(current)
  return levels


def descriptors(level: np.ndarray, per_image: int, rng: np.random.Generator) -> np.ndarray:
  """[N * per_image, 7 * 7 * C] neighbourhoods at random positions, each set
  normalised per channel (zero mean, unit standard deviation)."""
  n, h, w, c = level.shape
  size = min(NEIGHBOURHOOD, h, w)
  ys = rng.integers(0, h - size + 1, (n, per_image))
  xs = rng.integers(0, w - size + 1, (n, per_image))
  offsets = np.arange(size)
  rows = ys[..., None, None] + offsets[:, None]                    # [N, P, s, 1]
  cols = xs[..., None, None] + offsets[None, :]                    # [N, P, 1, s]
  patches = level[np.arange(n)[:, None, None, None], rows, cols]   # [N, P, s, s, C]
  patches = patches.reshape(-1, size, size, c)
  mean = patches.mean(axis=(0, 1, 2))
  std = patches.std(axis=(0, 1, 2)) + 1e-8
  return ((patches - mean) / std).reshape(len(patches), -1)


def sliced_wasserstein(a: np.ndarray, b: np.ndarray, num_directions: int,
                       rng: np.random.Generator) -> float:
  """Mean over random unit directions of W1 between the projections of two
  equally sized point sets [M, D] (sorting gives the optimal 1-D coupling)."""
  directions = rng.standard_normal((a.shape[1], num_directions))
  directions /= np.linalg.norm(directions, axis=0, keepdims=True)
  pa, pb = np.sort(a @ directions, axis=0), np.sort(b @ directions, axis=0)
  return float(np.mean(np.abs(pa - pb)))


def sliced_wasserstein_distance(real: np.ndarray, fake: np.ndarray, seed: int = 0,
                                descriptors_per_image: int = 64,
                                num_directions: int = 512, repeats: int = 4,
                                min_size: int = 16) -> dict[str, float]:
  """SWD x 1e3 per pyramid level (`swd_<size>`) and their average (`swd`)
  between image sets [N, H, W, C] of equal size N."""
  if len(real) != len(fake):
    raise ValueError(f"SWD compares equally many images, got {len(real)} and {len(fake)}")
  rng = np.random.default_rng(seed)
  out = {}
  for r_level, f_level in zip(laplacian_pyramid(real, min_size),
                              laplacian_pyramid(fake, min_size)):
    d_real = descriptors(r_level, descriptors_per_image, rng)
    d_fake = descriptors(f_level, descriptors_per_image, rng)
    value = np.mean([sliced_wasserstein(d_real, d_fake, num_directions, rng)
                     for _ in range(repeats)])
    out[f"swd_{r_level.shape[1]}"] = 1e3 * float(value)
  out["swd"] = float(np.mean(list(out.values())))
  return out
