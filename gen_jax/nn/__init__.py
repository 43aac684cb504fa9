"""Shared layers."""

from gen_jax.nn.masked import MaskedDense, autoregressive_mask
from gen_jax.nn.mlp import MLP, activation
from gen_jax.nn.conv import ConvDecoder, ConvEncoder
