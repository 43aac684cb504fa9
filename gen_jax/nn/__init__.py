"""Shared layers."""

from gen_jax.nn.masked import MaskedDense, autoregressive_mask
