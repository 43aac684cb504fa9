"""Shared base of the latent-variable models (VAE, AAE): the decoder
likelihoods p(x | z) and the encoder / decoder networks.
"""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import bernoulli_log_prob, categorical_log_prob, gaussian_log_prob
from gen_jax.nn import MLP, ConvDecoder, ConvEncoder
from gen_jax.nn.mlp import ACTIVATIONS
from gen_jax.options import option

MIN_LOG_SCALE = -4.6   # Gaussian decoders: scale >= 0.01 (data in [0, 1]).


@dataclasses.dataclass(frozen=True)
class LatentOptions:
  """The `model.` keys of the encoder / decoder networks (VAE, AAE); each
  model's options extend these."""
  latent_dim: int = option(2, minimum=1)
  encoder: str = option("mlp", choices=("mlp", "conv"))
  hidden: tuple[int, ...] = option((200, 200), minimum=1)   # MLP widths, encoder order
  channels: tuple[int, ...] = option((32, 64), minimum=1)   # conv channels, encoder order
  activation: str = option("relu", choices=tuple(ACTIVATIONS))


# ------------------------------------------------------------- likelihoods


class Likelihood:
  """p(x | decoder output): 'bernoulli', 'categorical' or 'gaussian'.

  Decoder outputs have shape [..., *event_shape, P] with P = 1 (Bernoulli
  logit), K (categorical logits) or 2 (Gaussian mean, raw log-scale).
  """

  def __init__(self, spec: DataSpec, dynamic_binarization: bool = False):
    self.spec = spec
    self.dynamic_binarization = dynamic_binarization
    if dynamic_binarization:
      if spec.encoding != "float" or not spec.is_image:
        raise UserError("model.dynamic_binarization needs grayscale images as "
                        "floats in [0, 1]: set --config.data.encoding=float "
                        f"(data {spec.name!r} has encoding {spec.encoding!r}).")
      self.kind, self.params_per_dim = "bernoulli", 1
    elif spec.encoding == "binary":
      self.kind, self.params_per_dim = "bernoulli", 1
    elif spec.encoding == "categorical":
      self.kind, self.params_per_dim = "categorical", spec.num_levels
    else:
      self.kind, self.params_per_dim = "gaussian", 2

  @property
  def event_axes(self) -> tuple[int, ...]:
    return tuple(range(-len(self.spec.event_shape), 0))

  def network_input(self, x: jax.Array) -> jax.Array:
    """Data-encoded x -> float32 network input (levels scaled to [0, 1])."""
    x = x.astype(jnp.float32)
    if self.spec.encoding == "categorical":
      x = x / (self.spec.num_levels - 1)
    return x

  def binarize(self, rng: jax.Array, x: jax.Array) -> jax.Array:
    """The modelled target: x, or a Bernoulli(x) draw under dynamic binarization."""
    if self.dynamic_binarization:
      return jax.random.bernoulli(rng, x).astype(jnp.float32)
    return x

  def log_prob(self, out: jax.Array, x: jax.Array) -> jax.Array:
    """out [..., *E, P], x [*E] with leading axes broadcastable to out's -> [...]."""
    x = jnp.broadcast_to(x, out.shape[:-1])
    if self.kind == "bernoulli":
      lp = bernoulli_log_prob(out[..., 0], x)
    elif self.kind == "categorical":
      lp = categorical_log_prob(out, x)
    else:
      lp = gaussian_log_prob(x, out[..., 0], self.log_scale(out))
    return lp.sum(self.event_axes)

  def log_scale(self, out):
    return MIN_LOG_SCALE + jax.nn.softplus(out[..., 1] - MIN_LOG_SCALE)

  def sample(self, rng: jax.Array, out: jax.Array) -> jax.Array:
    """A draw of x in the data encoding."""
    if self.kind == "bernoulli":
      return jax.random.bernoulli(rng, jax.nn.sigmoid(out[..., 0])).astype(jnp.float32)
    if self.kind == "categorical":
      return jax.random.categorical(rng, out).astype(jnp.int32)
    noise = jax.random.normal(rng, out.shape[:-1])
    return out[..., 0] + jnp.exp(self.log_scale(out)) * noise

  def mean(self, out: jax.Array) -> jax.Array:
    """E[x | z] in data units (probabilities, expected levels, means)."""
    if self.kind == "bernoulli":
      return jax.nn.sigmoid(out[..., 0])
    if self.kind == "categorical":
      return jnp.sum(jax.nn.softmax(out, -1) * jnp.arange(out.shape[-1]), -1)
    return out[..., 0]


# ------------------------------------------------------------------ networks


class Encoder(nn.Module):
  """x [B, *E] (, onehot [B, K]) -> [B, out_dim] through an MLP or a conv stack.

  A label one-hot is concatenated to the flattened input (MLP) or tiled as
  extra input channels (conv).
  """
  arch: str
  hidden: tuple[int, ...]
  channels: tuple[int, ...]
  out_dim: int
  act: str

  @nn.compact
  def __call__(self, x, onehot=None):
    if self.arch == "conv":
      if onehot is not None:
        tiled = jnp.broadcast_to(onehot[:, None, None, :], x.shape[:3] + onehot.shape[-1:])
        x = jnp.concatenate([x, tiled], -1)
      return ConvEncoder(self.channels, self.out_dim, self.act, name="conv")(x)
    if onehot is not None:
      x = jnp.concatenate([x.reshape(x.shape[0], -1), onehot], -1)
    return MLP(self.hidden, self.out_dim, self.act, name="mlp")(x)


class Decoder(nn.Module):
  """z [B, L] -> [B, *event_shape, P] decoder outputs (see `Likelihood`)."""
  arch: str
  hidden: tuple[int, ...]
  channels: tuple[int, ...]
  event_shape: tuple[int, ...]
  params_per_dim: int
  act: str

  @nn.compact
  def __call__(self, z):
    p, shape = self.params_per_dim, self.event_shape
    if self.arch == "conv":
      chans = (self.channels[-1],) + tuple(reversed(self.channels))
      out = ConvDecoder(shape[:2], chans, shape[2] * p, self.act, name="conv")(z)
    else:
      out = MLP(tuple(reversed(self.hidden)), int(np.prod(shape)) * p, self.act,
                name="mlp")(z)
    return out.reshape((z.shape[0],) + tuple(shape) + (p,))


def build_networks(options: LatentOptions, spec: DataSpec, likelihood: Likelihood,
                   enc_out: int):
  """(encoder, decoder) modules from the model's options; the decoder mirrors
  the encoder."""
  arch = options.encoder
  if arch == "conv" and len(spec.event_shape) != 3:
    raise UserError("model.encoder='conv' needs image data [H, W, C]; use "
                    "--config.model.encoder=mlp for this dataset.")
  hidden, channels, act = options.hidden, options.channels, options.activation
  enc = Encoder(arch, hidden, channels, enc_out, act)
  dec = Decoder(arch, hidden, channels, tuple(spec.event_shape),
                likelihood.params_per_dim, act)
  return enc, dec
