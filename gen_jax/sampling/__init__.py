"""Autoregressive samplers (lax.scan; cached variants beside the plain one) and
annealed importance sampling of RBM partition functions (`ais`)."""

from gen_jax.sampling.autoregressive import draw_noise, pick, sequential_sample
from gen_jax.sampling.cached_pixelcnn import cached_gated_sample, cached_pixelcnn_sample
from gen_jax.sampling.cached_pixelrnn import cached_pixelrnn_sample
