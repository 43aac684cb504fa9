"""Autoregressive samplers (lax.scan; cached variants beside the plain one)."""

from gen_jax.sampling.autoregressive import draw_noise, pick, sequential_sample
