"""gen_jax's ConvTranspose against flax's: parameters, outputs and gradients."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.nn.conv_transpose import ConvTranspose, conv_transpose

# float32 sums in another order: errors relative to the largest entry.
RTOL = 1e-5


def assert_close(got, want):
  scale = float(jnp.max(jnp.abs(want)))
  np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * scale)


@pytest.mark.parametrize("size,kernel,stride,padding,bias", [
    ((7, 7), 4, 2, "SAME", False),      # the DCGAN generator's layers
    ((14, 14), 4, 2, "SAME", True),
    ((5, 6), 3, 2, "SAME", True),       # odd sizes, CycleGAN's kernel
    ((4, 3), 4, 2, "VALID", True),
    ((5, 5), 2, 3, "SAME", False),      # kernel smaller than the stride
    ((6, 5), 3, 1, ((1, 2), (0, 1)), True),
])
def test_matches_flax_conv_transpose(size, kernel, stride, padding, bias):
  x = jax.random.normal(jax.random.key(0), (3,) + size + (5,))
  layers = [cls(4, (kernel, kernel), strides=(stride, stride), padding=padding, use_bias=bias,
                bias_init=nn.initializers.normal(1.0))
            for cls in (nn.ConvTranspose, ConvTranspose)]
  flax_vars, vars_ = (layer.init(jax.random.key(1), x) for layer in layers)
  assert jax.tree.structure(vars_) == jax.tree.structure(flax_vars)
  jax.tree.map(np.testing.assert_array_equal, vars_, flax_vars)

  y_flax, y = (layer.apply(flax_vars, x) for layer in layers)
  assert y.shape == y_flax.shape
  assert_close(y, y_flax)

  cotangent = jax.random.normal(jax.random.key(2), y.shape)
  def grads(layer):
    return jax.grad(lambda v, x: jnp.sum(layer.apply(v, x) * cotangent), (0, 1))(flax_vars, x)
  jax.tree.map(assert_close, grads(layers[1]), grads(layers[0]))


def test_second_order_gradient_matches_lax():
  x = jax.random.normal(jax.random.key(0), (2, 3, 3, 2))
  k = jax.random.normal(jax.random.key(1), (4, 4, 2, 3))
  def penalty(conv):      # a gradient penalty: grad of a norm of a gradient
    dx = jax.grad(lambda x, k: jnp.sum(jnp.tanh(conv(x, k))))
    return jax.grad(lambda k: jnp.sum(dx(x, k) ** 2))(k)
  want = penalty(lambda x, k: jax.lax.conv_transpose(x, k, (2, 2), "SAME",
                                                     dimension_numbers=("NHWC", "HWIO", "NHWC")))
  assert_close(penalty(lambda x, k: conv_transpose(x, k, (2, 2), "SAME")), want)


def test_unbatched_input_and_unsupported_options():
  x = jnp.ones((4, 4, 2))
  layer = ConvTranspose(3, (4, 4), strides=(2, 2))
  assert layer.apply(layer.init(jax.random.key(0), x), x).shape == (8, 8, 3)
  with pytest.raises(ValueError, match="flax.linen.ConvTranspose"):
    ConvTranspose(3, (4, 4), strides=(2, 2), transpose_kernel=True).init(jax.random.key(0), x)
