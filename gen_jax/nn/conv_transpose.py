"""Transposed convolution whose kernel gradient is a sum of matrix products.

`conv_transpose` computes what `lax.conv_transpose` computes (the same XLA
convolution forward, the same input gradient); only the kernel gradient is
written differently. Autodiff makes that gradient a convolution of the
(zero-dilated) input with the output gradient over a window as large as the
whole output, which XLA's CPU backend runs slowly: for the
DCGAN's 7x7x256 -> 14x14x128 layer at batch 64 it took 2 to 3.5 s on a 2-core
x86 CPU, some 40 times its forward. Here it is, per kernel tap t, one matrix
product of the input with the output gradient read at stride s from offset t:
dK[t] = sum over batch and input pixels i of x[i]^T dy[s*i + pad - t], the
same sums in another order. On a GPU the convolution form is fast already and
this form is expected to be a little slower (k*k small matmuls); not measured.
Forward-mode differentiation (jax.jvp) is not defined (a custom VJP).

`ConvTranspose` is flax's `nn.ConvTranspose` with this kernel gradient: the
same parameters (names, shapes, initialisation), so configs and checkpoints do
not change.
"""

import functools
import itertools
from typing import Sequence

import flax.linen as nn
from flax.linen.linear import canonicalize_padding
import jax
from jax import lax
import jax.numpy as jnp
import numpy as np


def transpose_padding(kernel_size: Sequence[int], strides: Sequence[int], padding):
  """(low, high) padding of the dilated input per spatial axis, as
  `lax.conv_transpose` reads `padding` ("SAME", "VALID" or explicit pairs)."""
  if not isinstance(padding, str):
    return tuple((int(lo), int(hi)) for lo, hi in padding)
  pads = []
  for k, s in zip(kernel_size, strides):
    if padding == "SAME":
      total = k + s - 2
      low = k - 1 if s > k - 1 else int(np.ceil(total / 2))
    elif padding == "VALID":
      total, low = k + s - 2 + max(k - s, 0), k - 1
    else:
      raise ValueError(f"padding must be 'SAME', 'VALID' or (low, high) pairs, got {padding!r}")
    pads.append((low, total - low))
  return tuple(pads)


def _channels_last(nd: int) -> lax.ConvDimensionNumbers:
  """x [N, *spatial, C], kernel [*k, C, F], y [N, *spatial, F]."""
  space = tuple(range(1, nd + 1))
  return lax.ConvDimensionNumbers(lhs_spec=(0, nd + 1) + space,
                                  rhs_spec=(nd + 1, nd) + tuple(range(nd)),
                                  out_spec=(0, nd + 1) + space)


def _forward(x, kernel, strides, pads, precision):
  nd = x.ndim - 2
  return lax.conv_general_dilated(x, kernel, (1,) * nd, pads, lhs_dilation=strides,
                                  dimension_numbers=_channels_last(nd), precision=precision)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def _conv_transpose(x, kernel, strides, pads, precision):
  return _forward(x, kernel, strides, pads, precision)


def _conv_transpose_fwd(x, kernel, strides, pads, precision):
  return _forward(x, kernel, strides, pads, precision), (x, kernel)


def _conv_transpose_bwd(strides, pads, precision, residuals, dy):
  x, kernel = residuals
  nd = x.ndim - 2
  dx, = jax.linear_transpose(lambda v: _forward(v, kernel, strides, pads, precision), x)(dy)
  # y[o] = sum_t x[i] kernel[t] over o + t = s*i + low, so
  # dK[t] = sum_i x[i] dy[s*i + low - t]; pad dy so every such index exists.
  ksize, spatial = kernel.shape[:nd], x.shape[1:-1]
  widths = [(0, 0, 0)]
  for k, s, n, m, (low, _) in zip(ksize, strides, spatial, dy.shape[1:-1], pads):
    before = k - 1 - low                               # dy index q sits at q + before
    widths.append((before, s * (n - 1) + k - m - before, 0))
  dy = lax.pad(dy, jnp.zeros((), dy.dtype), widths + [(0, 0, 0)])
  contract = tuple(range(nd + 1))                      # batch and spatial axes
  taps = []
  for t in itertools.product(*map(range, ksize)):
    start = (0,) + tuple(k - 1 - ti for k, ti in zip(ksize, t)) + (0,)
    ends = tuple(b + s * (n - 1) + 1 for b, s, n in zip(start[1:], strides, spatial))
    limit = (dy.shape[0],) + ends + (dy.shape[-1],)
    window = lax.slice(dy, start, limit, (1,) + tuple(strides) + (1,))   # [N, *spatial, F]
    taps.append(lax.dot_general(x, window, ((contract, contract), ((), ())),
                                precision=precision))  # [C, F]
  dkernel = jnp.stack(taps).reshape(kernel.shape).astype(kernel.dtype)
  return dx, dkernel


_conv_transpose.defvjp(_conv_transpose_fwd, _conv_transpose_bwd)


def conv_transpose(x: jax.Array, kernel: jax.Array, strides: Sequence[int], padding="SAME",
                   precision=None) -> jax.Array:
  """lax.conv_transpose(x, kernel, strides, padding) with transpose_kernel=False,
  for channels-last x [N, *spatial, C] and kernel [*k, C, F]; [N, *spatial', F]."""
  nd = x.ndim - 2
  strides = tuple(int(s) for s in strides)
  pads = transpose_padding(kernel.shape[:nd], strides, padding)
  return _conv_transpose(x, kernel, strides, pads, precision)


class ConvTranspose(nn.ConvTranspose):
  """`nn.ConvTranspose` (same attributes and parameters) computed by
  `conv_transpose`. Not supported (ValueError): kernel dilation,
  transpose_kernel, CIRCULAR padding, preferred_element_type."""

  @nn.compact
  def __call__(self, inputs: jax.Array) -> jax.Array:
    ksize = ((self.kernel_size,) if isinstance(self.kernel_size, int)
             else tuple(self.kernel_size))
    broadcast = lambda v: (1,) * len(ksize) if v is None else (
        (v,) * len(ksize) if isinstance(v, int) else tuple(v))
    padding = canonicalize_padding(self.padding, len(ksize))
    if (set(broadcast(self.kernel_dilation)) != {1} or self.transpose_kernel
        or padding == "CIRCULAR" or self.preferred_element_type is not None):
      raise ValueError("gen_jax ConvTranspose: use flax.linen.ConvTranspose for kernel "
                       "dilation, transpose_kernel, CIRCULAR padding or preferred_element_type")
    batch_shape = inputs.shape[:inputs.ndim - len(ksize) - 1]
    inputs = inputs.reshape((-1,) + inputs.shape[len(batch_shape):])   # [N, *spatial, C]
    kernel_shape = ksize + (inputs.shape[-1], self.features)
    if self.mask is not None and self.mask.shape != kernel_shape:
      raise ValueError(f"Mask needs to have the same shape as weights. Shapes are: "
                       f"{self.mask.shape}, {kernel_shape}")
    kernel = self.param("kernel", self.kernel_init, kernel_shape, self.param_dtype)
    if self.mask is not None:
      kernel *= self.mask
    bias = (self.param("bias", self.bias_init, (self.features,), self.param_dtype)
            if self.use_bias else None)
    inputs, kernel, bias = self.promote_dtype(inputs, kernel, bias, dtype=self.dtype)
    y = conv_transpose(inputs, kernel, broadcast(self.strides), padding, self.precision)
    if bias is not None:
      y += bias
    return y.reshape(batch_shape + y.shape[1:])
