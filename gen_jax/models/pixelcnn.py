"""PixelCNN and Gated PixelCNN over discrete images.

Both model p(x) = prod_i p(x_i | x_<i) in raster order over (H, W, C),
channels fastest, with Bernoulli outputs for binary images and a K-way
softmax per channel for K-level images.

References:
  van den Oord, Kalchbrenner, Kavukcuoglu. Pixel Recurrent Neural Networks,
  ICML 2016 (PixelCNN: 7x7 mask-A conv, residual mask-B 3x3 convs, 1x1
  output convs).
  van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves, Kavukcuoglu.
  Conditional Image Generation with PixelCNN Decoders, NeurIPS 2016 (Gated
  PixelCNN: vertical and horizontal stacks, tanh * sigmoid gates, class
  conditioning).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import discrete_log_prob
from gen_jax.models.base import LikelihoodRecipe, require_discrete
from gen_jax.nn.masked_conv import MaskedConv2D, live_parameter_count
from gen_jax.sampling import draw_noise, pick, sequential_sample


def to_input(x: jax.Array, num_levels: int) -> jax.Array:
  """Integer levels in [0, K) -> float network input in [-1, 1]."""
  return x.astype(jnp.float32) * (2.0 / (num_levels - 1)) - 1.0


def gate(a: jax.Array) -> jax.Array:
  """[..., 2F] -> [..., F]: tanh(first half) * sigmoid(second half)."""
  u, g = jnp.split(a, 2, axis=-1)
  return jnp.tanh(u) * jax.nn.sigmoid(g)


def output_head(h, num_colors: int, out_dim: int, features: int):
  """ReLU, 1x1 mask-B conv, ReLU, 1x1 mask-B conv -> [B, H, W, C * out_dim]."""
  h = MaskedConv2D(features, (1, 1), "B", num_colors, name="out_hidden")(nn.relu(h))
  return MaskedConv2D(num_colors * out_dim, (1, 1), "B", num_colors,
                      name="out")(nn.relu(h))


class PixelCNNNet(nn.Module):
  """x [B, H, W, C] in [-1, 1] (, label [B]) -> logits [B, H, W, C * out_dim].

  A `first_kernel` mask-A conv, `num_blocks` residual blocks
  h + conv3x3_B(relu(h)), and the 1x1 output head. `num_classes` > 0 adds a
  learned per-layer bias V_l^T onehot(y) to the input conv and every block
  (the conditional biases of van den Oord et al. 2016b); it depends on the
  label only, so causality is untouched.
  """
  num_colors: int
  out_dim: int
  features: int = 128
  num_blocks: int = 14
  first_kernel: int = 7
  kernel: int = 3
  out_features: int = 128
  num_classes: int = 0

  def label_bias(self, onehot, name):
    """[B, K] -> [B, 1, 1, F], or 0 for an unconditional net."""
    if onehot is None:
      return 0.0
    return nn.Dense(self.features, use_bias=False, name=name)(onehot)[:, None, None, :]

  @nn.compact
  def __call__(self, x, label=None):
    c, k = self.num_colors, self.first_kernel
    onehot = jax.nn.one_hot(label, self.num_classes) if self.num_classes else None
    h = MaskedConv2D(self.features, (k, k), "A", c, name="conv_in")(x)
    h = h + self.label_bias(onehot, "cond_in")
    for i in range(self.num_blocks):
      h = h + MaskedConv2D(self.features, (self.kernel, self.kernel), "B", c,
                           name=f"block_{i}")(nn.relu(h))
      h = h + self.label_bias(onehot, f"cond_{i}")
    return output_head(h, c, self.out_dim, self.out_features)


def shift_down(x: jax.Array) -> jax.Array:
  """[B, H, W, F] moved down one row (zeros on top): row r holds row r - 1."""
  return jnp.pad(x, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]


class GatedPixelCNNNet(nn.Module):
  """Vertical + horizontal stacks with gated units; no blind spot.

  The vertical stack at row r sees rows <= r and reaches the horizontal
  stack only shifted down one row; the horizontal stack sees the current
  row to the left (and the earlier channels of the current pixel).
  `num_classes` > 0 adds a per-layer class embedding to both stacks.
  """
  num_colors: int
  out_dim: int
  features: int = 128
  num_layers: int = 15
  kernel: int = 7
  out_features: int = 128
  num_classes: int = 0

  @nn.compact
  def __call__(self, x, label=None):
    c, k, f = self.num_colors, self.kernel, self.features
    v = h = x
    for i in range(self.num_layers):
      first = i == 0
      v_pre = MaskedConv2D(2 * f, (k, k), "V", c, out_chunks=2, name=f"v_{i}")(v)
      h_pre = MaskedConv2D(2 * f, (1, k), "A" if first else "B", c,
                           out_chunks=2, name=f"h_{i}")(h)
      h_pre = h_pre + nn.Dense(2 * f, name=f"v_to_h_{i}")(shift_down(v_pre))
      if self.num_classes:
        onehot = jax.nn.one_hot(label, self.num_classes)[:, None, None, :]
        v_pre = v_pre + nn.Dense(2 * f, use_bias=False, name=f"cond_v_{i}")(onehot)
        h_pre = h_pre + nn.Dense(2 * f, use_bias=False, name=f"cond_h_{i}")(onehot)
      v = gate(v_pre)
      h_new = MaskedConv2D(f, (1, 1), "B", c, name=f"h_out_{i}")(gate(h_pre))
      h = h_new if first else h + h_new
    return output_head(h, c, self.out_dim, self.out_features)


class PixelRecipe(LikelihoodRecipe):
  """Shared recipe of the convolutional / recurrent pixel models.

  Subclasses set `name` and implement `make_net()`; samplers are named in
  `samplers()` and chosen by `config.sampler` (the trainer's sample grids).
  """
  name = "pixel"
  conditional = False

  def __init__(self, config, spec: DataSpec):
    super().__init__(config, spec)
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
    self.default_sampler = config.get("sampler", "cached")
    if self.default_sampler not in self.samplers():
      raise UserError(f"--config.model.sampler={self.default_sampler!r} is not "
                      f"one of {sorted(self.samplers())}.")

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
    return self.samplers()[self.default_sampler](variables, rng, num, inputs)


class PixelCNN(PixelRecipe):
  """PixelCNN (van den Oord et al. 2016a); config: features, num_blocks, ...;
  `conditional` adds the label's conditional biases (p(x | y))."""
  name = "pixelcnn"

  def __init__(self, config, spec):
    self.conditional = bool(config.get("conditional", False))
    super().__init__(config, spec)

  def make_net(self):
    c = self.config
    return PixelCNNNet(self.num_colors, self.out_dim,
                       features=c.get("features", 128),
                       num_blocks=c.get("num_blocks", 14),
                       first_kernel=c.get("first_kernel", 7),
                       kernel=c.get("kernel", 3),
                       out_features=c.get("out_features", 128),
                       num_classes=self.spec.num_classes if self.conditional else 0)

  def samplers(self):
    return {"scan": self.sample_scan, "cached": self.sample_cached}

  def sample_cached(self, variables, rng, num, inputs=None):
    from gen_jax.sampling.cached_pixelcnn import cached_pixelcnn_sample  # pylint: disable=import-outside-toplevel
    x, _ = cached_pixelcnn_sample(self.net, variables["params"]["model"],
                               self.noise(rng, num), self.spec.event_shape,
                               self.num_levels, self._label(inputs, num))
    return self.decode(x)


class GatedPixelCNN(PixelRecipe):
  """Gated PixelCNN (van den Oord et al. 2016b); `conditional` uses labels."""
  name = "gated_pixelcnn"

  def __init__(self, config, spec):
    self.conditional = bool(config.get("conditional", False))
    super().__init__(config, spec)

  def make_net(self):
    c = self.config
    return GatedPixelCNNNet(self.num_colors, self.out_dim,
                            features=c.get("features", 128),
                            num_layers=c.get("num_layers", 15),
                            kernel=c.get("kernel", 7),
                            out_features=c.get("out_features", 128),
                            num_classes=self.spec.num_classes if self.conditional else 0)

  def samplers(self):
    return {"scan": self.sample_scan, "cached": self.sample_cached}

  def sample_cached(self, variables, rng, num, inputs=None):
    from gen_jax.sampling.cached_pixelcnn import cached_gated_sample  # pylint: disable=import-outside-toplevel
    x, _ = cached_gated_sample(self.net, variables["params"]["model"],
                            self.noise(rng, num), self.spec.event_shape,
                            self.num_levels, self._label(inputs, num))
    return self.decode(x)

