"""Shared layers."""

from gen_jax.nn.masked import MaskedDense, autoregressive_mask
from gen_jax.nn.mlp import MLP, activation
from gen_jax.nn.conv import ConvDecoder, ConvEncoder
from gen_jax.nn.masked_conv import MaskedConv2D, conv_mask, feature_colors
from gen_jax.nn.pixelrnn import DiagonalBiLSTM, RowLSTM, skew, unskew
from gen_jax.nn.dcgan import DCGANDiscriminator, DCGANGenerator
