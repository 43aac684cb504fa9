"""A plain multi-layer perceptron, shared by encoders, decoders and critics."""

from typing import Sequence

import flax.linen as nn
import jax

ACTIVATIONS = {"tanh": nn.tanh, "relu": nn.relu, "elu": nn.elu,
               "leaky_relu": lambda x: nn.leaky_relu(x, 0.2), "softplus": nn.softplus}


def activation(name: str):
  """The activation function called `name` (see `ACTIVATIONS`)."""
  from gen_jax.errors import UserError  # pylint: disable=import-outside-toplevel
  if name not in ACTIVATIONS:
    raise UserError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}.")
  return ACTIVATIONS[name]


class MLP(nn.Module):
  """x [B, ...] -> [B, out_dim]: flatten, hidden Dense+activation layers, Dense."""
  hidden: Sequence[int]
  out_dim: int
  act: str = "relu"

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    h = x.reshape(x.shape[0], -1)                       # [B, D]
    for i, width in enumerate(self.hidden):
      h = activation(self.act)(nn.Dense(width, name=f"hidden_{i}")(h))
    return nn.Dense(self.out_dim, name="out")(h)        # [B, out_dim]
