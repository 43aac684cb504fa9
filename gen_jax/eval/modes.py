"""Mode-collapse metrics: PacGAN's protocol on 2-D mixtures, stacked modes.

Lin et al. 2018 (PacGAN), Sec. 5.1 / Table 1, following Srivastava et al.
2017 (VEEGAN): draw 2,500 samples; a sample is *high quality* when it lies
within 3 standard deviations of its nearest mode; a mode is *captured* when
it is the nearest mode of at least one high-quality sample; the reverse KL
is KL(q || uniform) where q is the histogram of the nearest modes of the
high-quality samples. Stacked MNIST (Metz et al. 2017): each of the 3
channels is a digit, a classifier labels each channel, 1000 modes.
"""

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import rel_entr

PACGAN_NUM_SAMPLES = 2500


def reverse_kl_to_uniform(counts: np.ndarray) -> float:
  """KL(q || uniform) for the histogram `counts` [M] (inf when empty)."""
  counts = np.asarray(counts, np.float64)
  total = counts.sum()
  if total == 0:
    return float("inf")
  q = counts / total
  return float(rel_entr(q, np.full_like(q, 1.0 / len(q))).sum())


def mixture_mode_metrics(samples: np.ndarray, modes: np.ndarray,
                         std: float) -> dict[str, float]:
  """PacGAN metrics of 2-D samples [N, 2] against mode centres [M, 2].

  Returns num_modes (captured), high_quality (fraction in [0, 1]) and
  reverse_kl.
  """
  dist = cdist(np.asarray(samples, np.float64), np.asarray(modes, np.float64))  # [N, M]
  nearest = dist.argmin(1)
  good = dist[np.arange(len(dist)), nearest] < 3.0 * std
  counts = np.bincount(nearest[good], minlength=len(modes))
  return {"num_modes": float((counts > 0).sum()),
          "high_quality": float(good.mean()),
          "reverse_kl": reverse_kl_to_uniform(counts)}


def discrete_mode_metrics(mode_ids: np.ndarray, num_modes: int) -> dict[str, float]:
  """Captured modes and KL(q || uniform) for integer mode labels [N]."""
  counts = np.bincount(np.asarray(mode_ids, np.int64), minlength=num_modes)
  return {"num_modes": float((counts > 0).sum()),
          "reverse_kl": reverse_kl_to_uniform(counts)}


def stacked_mode_ids(channel_labels: np.ndarray, num_classes: int = 10) -> np.ndarray:
  """[N, C] per-channel labels -> [N] mode ids (channel 0 most significant)."""
  channel_labels = np.asarray(channel_labels, np.int64)
  weights = num_classes ** np.arange(channel_labels.shape[1] - 1, -1, -1)
  return channel_labels @ weights


def split_channels(images: np.ndarray) -> np.ndarray:
  """[N, H, W, C] -> [N * C, H, W, 1], example-major (n, c) order."""
  n, h, w, c = images.shape
  return np.moveaxis(images, -1, 1).reshape(n * c, h, w, 1)
