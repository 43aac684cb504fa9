"""Shared base of the pixel models (PixelCNN, Gated PixelCNN, PixelRNN): the
recipe over discrete images in raster order, its input scaling, samplers
and log-likelihood.
"""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import discrete_log_prob
from gen_jax.models.base import LikelihoodOptions, LikelihoodRecipe, require_discrete
from gen_jax.nn.masked_conv import live_parameter_count
from gen_jax.options import option
from gen_jax.sampling import draw_noise, pick, sequential_sample


def to_input(x: jax.Array, num_levels: int) -> jax.Array:
  """Integer levels in [0, K) -> float network input in [-1, 1]."""
  return x.astype(jnp.float32) * (2.0 / (num_levels - 1)) - 1.0


@dataclasses.dataclass(frozen=True)
class PixelOptions(LikelihoodOptions):
  """Keys of every pixel model; each model's own options extend these."""
  sampler: str = option("cached", choices=("scan", "cached"))   # what `sample` runs


class PixelRecipe(LikelihoodRecipe):
  """Shared recipe of the convolutional / recurrent pixel models.

  Subclasses set `name` and `Options` and implement `make_net()`; samplers
  are named in `samplers()` and chosen by `model.sampler` (the trainer's
  sample grids). A model whose options have `conditional` models p(x | y).
  """
  name = "pixel"
  Options = PixelOptions

  def __init__(self, config, spec: DataSpec):
    super().__init__(config, spec)
    self.conditional = bool(getattr(self.options, "conditional", False))
    if not spec.is_image or len(spec.event_shape) != 3:
      raise UserError(f"model {self.name!r} needs images [H, W, C]; dataset "
                      f"{spec.name!r} has event shape {spec.event_shape}.")
    self.num_levels = require_discrete(spec, self.name)
    self.out_dim = 1 if self.num_levels == 2 else self.num_levels
    self.num_colors = spec.event_shape[-1]
    if self.conditional and not spec.num_classes:
      raise UserError(f"--config.model.conditional=True needs a labelled "
                      f"dataset; {spec.name!r} has no labels.")
    self.sample_inputs = ("label",) if self.conditional else ()
    self.net = self.make_net()

  def make_net(self) -> nn.Module:
    raise NotImplementedError

  def samplers(self) -> dict:
    return {"scan": self.sample_scan}

  def _label(self, label, num):
    """[num] int32 labels of a conditional model (None otherwise); `label` is
    an array, the `inputs` dict of `sample`, or None (cycle the classes)."""
    if not self.conditional:
      return None
    if isinstance(label, dict):
      label = label.get("label")
    if label is None:
      return jnp.arange(num, dtype=jnp.int32) % self.spec.num_classes
    return jnp.asarray(label, jnp.int32)

  def init_params(self, rng):
    x = jnp.zeros((1,) + self.spec.event_shape, jnp.float32)
    return self.net.init(rng, x, self._label(None, 1))["params"]

  def logits(self, variables, x, label=None):
    """x [B, H, W, C] levels -> [B, H, W, C] (binary) or [B, H, W, C, K]."""
    out = self.net.apply({"params": variables["params"]["model"]},
                         to_input(x, self.num_levels), self._label(label, x.shape[0]))
    out = out.reshape(out.shape[:3] + (self.num_colors, self.out_dim))
    return out[..., 0] if self.out_dim == 1 else out

  def log_prob(self, variables, batch, rng=None):
    x = batch["x"]
    if self.conditional and "label" not in batch:
      raise UserError(f"the conditional {self.name!r} needs batch['label']; "
                      "use a labelled dataset or --config.model.conditional=False.")
    log_p = discrete_log_prob(self.logits(variables, x, batch.get("label")),
                              x, self.num_levels)
    return log_p.reshape(x.shape[0], -1).sum(-1)

  def num_parameters(self, params):
    x = jnp.zeros((1,) + self.spec.event_shape, jnp.float32)
    return live_parameter_count(self.net, params["model"], x, self._label(None, 1))

  def noise(self, rng, num):
    """[D, num] or [D, num, K]: the randomness every sampler of this model uses."""
    return draw_noise(rng, num, self.spec.num_dims, self.num_levels)

  def flat_logits(self, variables, x_flat, label):
    """[B, D] levels -> [B, D] or [B, D, K] logits in raster order."""
    x = x_flat.reshape((x_flat.shape[0],) + self.spec.event_shape)
    out = self.logits(variables, x, label)
    return out.reshape((x_flat.shape[0], self.spec.num_dims) + out.shape[4:])

  def sample_scan(self, variables, rng, num, inputs=None):
    """The reference sampler: one lax.scan over positions, full recompute."""
    label = self._label(inputs, num)

    def conditional(x, i):
      return jax.lax.dynamic_index_in_dim(
          self.flat_logits(variables, x, label), i, axis=1, keepdims=False)

    x = sequential_sample(conditional, self.noise(rng, num))
    return self.decode(x)

  def decode(self, x_flat):
    dtype = jnp.int32 if self.spec.encoding == "categorical" else jnp.float32
    return x_flat.reshape((x_flat.shape[0],) + self.spec.event_shape).astype(dtype)

  def naive_sampler(self, variables, num, inputs=None):
    """rng -> samples by a host loop of jitted full forward passes.

    What one writes without scan or caches: the benchmark's baseline.
    """
    label = self._label(inputs, num)

    @jax.jit
    def step(x, i, noise_i):
      logits = jax.lax.dynamic_index_in_dim(
          self.flat_logits(variables, x, label), i, axis=1, keepdims=False)
      return x.at[:, i].set(pick(logits, noise_i))

    def run(rng):
      noise = self.noise(rng, num)
      x = jnp.zeros((num, self.spec.num_dims), jnp.int32)
      for i in range(self.spec.num_dims):
        x = step(x, i, noise[i])
      return self.decode(x)
    return run

  def sample(self, variables, rng, num, inputs=None):
    return self.samplers()[self.options.sampler](variables, rng, num, inputs)
