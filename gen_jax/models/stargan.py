"""StarGAN: one generator translating images between many attribute domains
(Choi et al. 2018).

One source whose batch carries `x` (float in [0, 1] or binary images, mapped
to [-1, 1]) and the attributes named by `model.attributes`, each a scalar
class feature of the `DataSpec`: a feature of 2 classes is a binary
attribute (one code entry, its value; one logit, sigmoid cross-entropy), one
of K > 2 classes an exclusive group (a one-hot block of K entries; K logits,
softmax cross-entropy). A class index of -1 means none of the group's
classes (a CelebA face with grey hair): its code block is all zero and the
classification loss skips it. The code is tiled over the image as extra
input channels of the generator (`gen_jax.nn.stargan`).

Two groups, generator and discriminator (EMA: the generator), two phases:

  discriminator  (repeat n_critic, each repetition on a fresh batch, WGAN-GP)
                 -mean D_src(x) + mean D_src(G(x, c')) + lambda_gp GP
                 + lambda_cls L_cls(D_cls(x), c)
  generator      -mean D_src(G(x, c')) + lambda_cls L_cls(D_cls(G(x, c')), c')
                 + lambda_rec mean |x - G(G(x, c'), c)|
                 [+ lambda_id mean |x - G(x, c)|, `model.identity_weight`,
                 default 0: not in the paper's objective]
                 [+ lambda_s structure_loss(x, G(x, c')),
                 `model.structure_weight`, default 0: not in the paper;
                 `model.structure_scale` s: edges of s x s block means;
                 `model.structure_tolerance` r: edges r pixels off count
                 as in place]

structure_loss (`gen_jax.losses`): with tolerance 0, 1 - the cosine between the luminance edge maps of
the input and its translation (each centred); with tolerance r, the share
of each map's edge mass farther than r pixels from the other's edges. Both
ask a translation to keep the input's edges where they are while their
contrast and sign may change (a colour changed, a background inverted);
the tolerant form also lets a stroke thicken or thin by up to r pixels,
which the cosine counts as much as another digit. It penalises what the
cycle term cannot see: a translation that redraws the content as another
invertible image.

`model.critic="per_domain"` (not the paper's; CycleGAN has one critic per
domain): D_src has one head per domain (`domain_index`) on the shared
trunk; a real image is scored by its own domain's head, a translation by
its target's, the gradient penalty by the real image's.
`model.adversarial="lsgan"` (not the paper's; CycleGAN's game) replaces the
Wasserstein terms by least squares: the critic 1/2 mean (D_src(x) - 1)^2 +
1/2 mean D_src(G(x, c'))^2, the generator mean (D_src(G(x, c')) - 1)^2; the
gradient penalty stays, weighted by lambda_gp (0 skips it).

c: the batch's attributes, c': random targets, each attribute's class drawn
uniformly and independently (the paper's code permutes the batch's labels
instead; on data with uniform attributes the two agree in distribution).
L_cls: the sum over attributes of the batch mean of each one's loss. GP:
(||grad D_src(x_hat)|| - 1)^2 at random interpolates (Gulrajani et al. 2017).
The identity term (CycleGAN's; AttGAN's reconstruction) asks G to leave
an image asked for its own attributes unchanged, which on small images
keeps G from redrawing the content: the reconstruction term alone is met
by any invertible redrawing (at 16x16 the paper's objective translates
attributes but draws other digits).
The paper: lambda_gp 10, lambda_cls 1, lambda_rec 10, n_critic 5, Adam 1e-4
with betas (0.5, 0.999) (train.learning_rate, b1, b2), the rate linearly
decayed to zero from `model.decay_start_step` (default half of
train.num_steps). A trainer step is n_critic critic updates and one
generator update, so the paper's iteration (one critic batch) is 1 /
n_critic step; the critic's schedule counts its own updates.

Translation (the `Translator` protocol): `translation_groups` are the
attributes with their numbers of classes, in `model.attributes` order;
`translate(variables, images, target)` maps images to targets [N, G] int32
class indices. `sample(variables, rng, num, {"x": images, "target": t})`
is the same translation, t also an [N, A] float code; without a target each
image gets random attributes drawn from `rng`.
`write_pictures`: `translations_step_N.png`, one row per eval image: the
input, then its translation to every domain (each class of an exclusive
group, each binary attribute flipped), each beside its ground truth when the
data gives it.

Metrics: per example "cycle_l1" (|G(G(x, c'), c) - x| in [0, 1] units); per
evaluation, the `attribute_translation` evaluator
(`gen_jax.eval.attribute_translation`): attribute accuracy and preservation
of its `preserved` features by classifiers trained on real images, with
their ceilings, and L1 / PSNR against the exact translation where the data
gives it.
"""

import dataclasses
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from gen_jax import pictures
from gen_jax.errors import UserError
from gen_jax.losses import (gradient_penalty, lsgan_discriminator_loss, lsgan_generator_loss,
                            structure_loss)
from gen_jax.models.base import Phase, Recipe
from gen_jax.nn.translation import (TranslationOptions, check_image_sides,
                                              class_features, jitted, sample_images,
                                              truth_renderer)
from gen_jax.nn.stargan import Discriminator, Generator, output_size
from gen_jax.optim import constant_then_linear_decay, make_optimizer
from gen_jax.options import option, read_options

GROUPS = ("generator", "discriminator")


# ---------------------------------------------------------- attribute layout


@dataclasses.dataclass(frozen=True)
class Attribute:
  """One translated attribute: a scalar class feature of the data.

  2 classes: binary (code width 1, the value; one sigmoid logit); K > 2: an
  exclusive group (a one-hot block of K; K softmax logits).
  """
  name: str
  num_classes: int

  @property
  def binary(self) -> bool:
    return self.num_classes == 2

  @property
  def width(self) -> int:
    return 1 if self.binary else self.num_classes


def attribute_layout(spec, names) -> tuple[Attribute, ...]:
  """The attributes `names` as the spec describes them, or a UserError."""
  known = class_features(spec)
  if isinstance(names, str):
    names = (names,)
  names = tuple(names or ())
  unknown = [n for n in names if n not in known]
  if not names or unknown:
    raise UserError(
        f"--config.model.attributes={list(names)!r}: "
        + (f"{unknown} not among" if unknown else "name the attributes to translate, from")
        + f" dataset {spec.name!r}'s class features: {', '.join(known) or 'none'}.")
  if len(set(names)) != len(names):
    raise UserError(f"--config.model.attributes={list(names)!r} names one twice.")
  return tuple(Attribute(n, spec.feature(n).num_classes) for n in names)


def code_width(layout: Sequence[Attribute]) -> int:
  """A: the length of the attribute code."""
  return sum(a.width for a in layout)


def encode(layout: Sequence[Attribute], indices: jax.Array) -> jax.Array:
  """[B, G] class indices (-1: none) -> the code [B, A] float32."""
  parts = []
  for g, a in enumerate(layout):
    idx = indices[:, g]
    if a.binary:
      parts.append((idx == 1).astype(jnp.float32)[:, None])
    else:
      parts.append(jax.nn.one_hot(idx, a.num_classes, dtype=jnp.float32))
  return jnp.concatenate(parts, axis=-1)


def domain_index(layout: Sequence[Attribute], indices: jax.Array) -> jax.Array:
  """[B, G] class indices -> [B] int32, the domain's number: mixed radix
  over the attributes, each with its K classes and none (-1) as a K+1-th."""
  index = jnp.zeros(indices.shape[:1], jnp.int32)
  for g, a in enumerate(layout):
    idx = indices[:, g]
    index = index * (a.num_classes + 1) + jnp.where(idx < 0, a.num_classes, idx)
  return index


def num_domains(layout: Sequence[Attribute]) -> int:
  """How many values `domain_index` takes."""
  return int(np.prod([a.num_classes + 1 for a in layout]))


def batch_indices(layout: Sequence[Attribute], batch) -> jax.Array:
  """[B, G] int32: the batch's own class of each attribute."""
  return jnp.stack([jnp.asarray(batch[a.name], jnp.int32) for a in layout], axis=-1)


def random_indices(layout: Sequence[Attribute], rng: jax.Array, num: int) -> jax.Array:
  """[num, G] int32: each attribute's class uniform and independent."""
  keys = jax.random.split(rng, len(layout))
  return jnp.stack([jax.random.randint(k, (num,), 0, a.num_classes)
                    for k, a in zip(keys, layout)], axis=-1)


def classification_loss(layout: Sequence[Attribute], logits: jax.Array,
                        indices: jax.Array) -> tuple[jax.Array, dict]:
  """(sum over attributes of each one's batch-mean loss, {name: that loss}).

  logits [B, A] in code layout; indices [B, G] (rows with -1 are skipped):
  binary attributes sigmoid cross-entropy, exclusive groups softmax.
  """
  terms, offset = {}, 0
  for g, a in enumerate(layout):
    z = logits[:, offset:offset + a.width]
    offset += a.width
    idx = indices[:, g]
    valid = (idx >= 0).astype(jnp.float32)
    if a.binary:
      loss = optax.sigmoid_binary_cross_entropy(z[:, 0], (idx == 1).astype(jnp.float32))
    else:
      loss = optax.softmax_cross_entropy_with_integer_labels(z, jnp.maximum(idx, 0))
    terms[a.name] = jnp.sum(loss * valid) / jnp.maximum(jnp.sum(valid), 1.0)
  return sum(terms.values()), terms


def domain_targets(layout: Sequence[Attribute], source: np.ndarray) -> np.ndarray:
  """[D, G] the picture's domains for one image of classes `source` [G]:
  each class of each exclusive group, each binary attribute flipped (the
  other attributes kept)."""
  out = []
  for g, a in enumerate(layout):
    values = range(a.num_classes) if not a.binary else [1 - max(int(source[g]), 0)]
    for k in values:
      target = np.array(source, np.int32)
      target[g] = k
      out.append(target)
  return np.stack(out)


# --------------------------------------------------------------------- recipe


def check_spec(spec):
  """The one image source StarGAN reads, or a UserError saying what to set."""
  if isinstance(spec, Mapping):
    raise UserError("model 'stargan' reads one source with attributes; drop "
                    "config.data.sources and set config.data.name.")
  if not spec.is_image or len(spec.event_shape) != 3:
    raise UserError(f"dataset {spec.name!r} is not an image dataset; stargan translates images.")
  if spec.encoding == "categorical":
    raise UserError("data.encoding='categorical': stargan needs images in [0, 1]; "
                    "set --config.data.encoding=float (or binary).")
  return spec


@dataclasses.dataclass(frozen=True)
class StarGANOptions(TranslationOptions):
  """StarGAN's `model.` keys (the paper's values by default)."""
  attributes: tuple[str, ...] = ()        # the class features translated, in code order
  num_blocks: int = option(6, minimum=0)
  d_layers: int = option(6, minimum=1)
  adversarial: str = option("wgan_gp", choices=("wgan_gp", "lsgan"))
  critic: str = option("shared", choices=("shared", "per_domain"))
  gp_weight: float = option(10.0, minimum=0.0)
  cls_weight: float = option(1.0, minimum=0.0)
  rec_weight: float = option(10.0, minimum=0.0)
  identity_weight: float = option(0.0, minimum=0.0)   # not in the paper
  structure_weight: float = option(0.0, minimum=0.0)  # not in the paper
  structure_scale: int = option(1, minimum=1)
  structure_tolerance: int = option(0, minimum=0)
  n_critic: int = option(5, minimum=1)
  code_norm: bool = False                              # not in the paper


def check_structure_scale(scale: int, event_shape) -> None:
  """A UserError when s x s blocks leave under 2x2 of them to compare edges on."""
  if min(event_shape[:2]) // scale < 2:
    raise UserError(f"--config.model.structure_scale={scale} leaves fewer "
                    f"than 2x2 blocks of the {event_shape[0]}x{event_shape[1]} "
                    "images to compare edges on; lower it.")


class StarGAN(Recipe):
  """G(x, c), D(x) -> (D_src, D_cls); WGAN-GP + classification + reconstruction."""
  sample_inputs = ("x", "target")
  ema_groups = ("generator",)

  def __init__(self, config, spec):
    super().__init__(config, check_spec(spec))
    self.options = o = read_options(StarGANOptions, config, "model")
    self.layout = attribute_layout(spec, o.attributes)
    self.translation_groups = tuple((a.name, a.num_classes) for a in self.layout)
    self.event_shape = spec.event_shape
    check_structure_scale(o.structure_scale, self.event_shape)
    if output_size(min(self.event_shape[:2]), o.d_layers) < 1:
      raise UserError(f"--config.model.d_layers={o.d_layers} halves {self.event_shape[0]}"
                      "-pixel images to nothing; lower it (the paper's 6 is for 128 px).")
    check_image_sides("stargan", self.event_shape)
    self.generator = Generator(self.event_shape[-1], features=o.g_features,
                               num_blocks=o.num_blocks, code_norm=o.code_norm)
    self.discriminator = Discriminator(
        code_width(self.layout), o.d_features, o.d_layers,
        num_domains(self.layout) if o.critic == "per_domain" else None)
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator",), o.n_critic),
                   Phase("generator", self._g_loss, ("generator",)))

  # ---------------------------------------------------------------- nets

  def to_model(self, x: jax.Array) -> jax.Array:
    """Images in [0, 1] (float or binary) -> [-1, 1]."""
    return self.spec.to_model(x)

  def from_model(self, y: jax.Array) -> jax.Array:
    """[-1, 1] -> the data encoding (binary: thresholded at 1/2)."""
    return self.spec.from_model(y)

  def generate(self, params, x: jax.Array, code: jax.Array) -> jax.Array:
    """x [B, H, W, C] in [-1, 1], code [B, A] -> G(x, code) in [-1, 1]."""
    return self.generator.apply({"params": params["generator"]}, x, code)

  def discriminate(self, params, x: jax.Array, indices: jax.Array | None = None
                   ) -> tuple[jax.Array, jax.Array]:
    """x [B, H, W, C] and its attributes [B, G] -> (patch scores [B, h, w],
    attribute logits [B, A]); a per-domain critic scores each image by
    its own domain's head, the shared critic ignores `indices`."""
    src, cls = self.discriminator.apply({"params": params["discriminator"]}, x)
    if self.options.critic == "per_domain":
      domain = domain_index(self.layout, indices)                       # [B]
      src = jnp.take_along_axis(src, domain[:, None, None, None], axis=-1)[..., 0]
    return src, cls

  def init(self, rng, example_batch):
    x = self.to_model(example_batch["x"][:1])
    code = jnp.zeros((1, code_width(self.layout)))
    k_g, k_d = jax.random.split(rng)
    return {"params": {"generator": self.generator.init(k_g, x, code)["params"],
                       "discriminator": self.discriminator.init(k_d, x)["params"]},
            "state": {}}

  # -------------------------------------------------------------- phases

  def _d_loss(self, params, state, batch, rng, step):
    del step
    o = self.options
    x = self.to_model(batch["x"])
    k_target, k_mix = jax.random.split(rng)
    target = random_indices(self.layout, k_target, x.shape[0])
    fake = jax.lax.stop_gradient(self.generate(params, x, encode(self.layout, target)))
    source = batch_indices(self.layout, batch)
    real_src, real_cls = self.discriminate(params, x, source)
    fake_src, _ = self.discriminate(params, fake, target)
    penalty = (gradient_penalty(lambda z: self.discriminate(params, z, source)[0], x, fake,
                                k_mix) if o.gp_weight else jnp.zeros(()))
    cls, _ = classification_loss(self.layout, real_cls, source)
    if o.adversarial == "lsgan":
      adversarial = lsgan_discriminator_loss(real_src, fake_src)
      metrics = {"d_adv": adversarial}
    else:
      wasserstein = jnp.mean(real_src) - jnp.mean(fake_src)
      adversarial = -wasserstein
      metrics = {"wasserstein": wasserstein}
    loss = adversarial + o.gp_weight * penalty + o.cls_weight * cls
    metrics.update(gradient_penalty=penalty, d_cls=cls)
    return loss, (metrics, state)

  def _g_loss(self, params, state, batch, rng, step):
    del step
    o = self.options
    x = self.to_model(batch["x"])
    source = batch_indices(self.layout, batch)
    target = random_indices(self.layout, rng, x.shape[0])
    fake = self.generate(params, x, encode(self.layout, target))
    fake_src, fake_cls = self.discriminate(params, fake, target)
    rec = self.generate(params, fake, encode(self.layout, source))
    terms = {"g_adv": (lsgan_generator_loss(fake_src) if o.adversarial == "lsgan"
                       else -jnp.mean(fake_src)),
             "g_cls": classification_loss(self.layout, fake_cls, target)[0],
             "g_rec": jnp.mean(jnp.abs(x - rec))}
    loss = terms["g_adv"] + o.cls_weight * terms["g_cls"] + o.rec_weight * terms["g_rec"]
    if o.structure_weight:
      terms["g_structure"] = structure_loss(x, fake, o.structure_scale,
                                             o.structure_tolerance)
      loss += o.structure_weight * terms["g_structure"]
    if o.identity_weight:
      own = self.generate(params, x, encode(self.layout, source))
      terms["g_identity"] = jnp.mean(jnp.abs(x - own))
      loss += o.identity_weight * terms["g_identity"]
    return loss, (terms, state)

  def optimizers(self, train_config):
    """The configured optimizer per group, constant then linearly decayed; the
    critic's schedule counts its n_critic updates per step."""
    start = self.options.decay_start_step
    if start is None:
      start = train_config.num_steps // 2
    per_step = {"generator": 1, "discriminator": self.options.n_critic}
    return {g: make_optimizer(train_config, learning_rate=constant_then_linear_decay(
        train_config.learning_rate, start * k, train_config.num_steps * k))
            for g, k in per_step.items()}

  # ------------------------------------------------------------- outputs

  def translate(self, variables, images, target):
    """images [N, H, W, C] (data encoding) to target [N, G] class indices
    (`translation_groups`, -1: none of a group's classes) -> [N, H, W, C]."""
    code = encode(self.layout, jnp.asarray(target, jnp.int32))
    return self.from_model(self.generate(variables["params"], self.to_model(images), code))

  def target_code(self, target, rng, num: int) -> jax.Array:
    """The code [num, A] of `target` ([num, G] int indices or [num, A] floats;
    None: random classes from `rng`)."""
    if target is None:
      return encode(self.layout, random_indices(self.layout, rng, num))
    target = jnp.asarray(target)
    if jnp.issubdtype(target.dtype, jnp.integer):
      return encode(self.layout, target.reshape(num, len(self.layout)))
    return target.astype(jnp.float32).reshape(num, code_width(self.layout))

  def sample(self, variables, rng, num, inputs=None):
    """inputs["x"] translated to inputs["target"] (see the module doc), in the
    data encoding: [N, H, W, C]."""
    del num
    x = self.to_model(sample_images(inputs, "stargan"))
    code = self.target_code(inputs.get("target"), rng, x.shape[0])
    return self.from_model(self.generate(variables["params"], x, code))

  def eval_metrics(self, variables, batch, rng):
    """"cycle_l1": [B] mean |G(G(x, c'), c) - x| in [0, 1] units, c' random."""
    params = variables["params"]
    x = self.to_model(batch["x"])
    target = random_indices(self.layout, rng, x.shape[0])
    fake = self.generate(params, x, encode(self.layout, target))
    rec = self.generate(params, fake, encode(self.layout, batch_indices(self.layout, batch)))
    return {"cycle_l1": jnp.mean(jnp.abs(rec - x), axis=(1, 2, 3)) / 2.0}

  def picture_rows(self, variables, batch, rows: int = 8) -> np.ndarray:
    """[rows, 1 + D or 1 + 2D, H, W, C]: each image, then per domain its
    translation (and the exact one, where the data gives it)."""
    x = np.asarray(batch["x"][:rows], np.float32)
    source = np.asarray(batch_indices(self.layout, {a.name: batch[a.name][:rows]
                                                    for a in self.layout}))
    targets = np.stack([domain_targets(self.layout, s) for s in source])     # [N, D, G]
    n, d = targets.shape[:2]
    fakes = np.asarray(jitted(self.translate)(variables, np.repeat(x, d, 0),
                                              targets.reshape(n * d, -1)))
    columns = [fakes.reshape((n, d) + x.shape[1:])]
    render = truth_renderer(self.spec, [a.name for a in self.layout])
    if render is not None:
      picked = {k: np.repeat(np.asarray(batch[k][:rows]), d, 0) for k in batch}
      truth = render(picked, {a.name: targets[..., g].reshape(-1)
                              for g, a in enumerate(self.layout)})
      columns.append(truth.reshape((n, d) + x.shape[1:]))
    pairs = np.stack(columns, 2).reshape((n, -1) + x.shape[1:])              # interleaved
    return np.concatenate([x[:, None], pairs], 1)

  def write_pictures(self, variables, rng, batch, directory, step):
    """translations_step_N.png (see the module doc)."""
    del rng
    grid_rows = self.picture_rows(variables, batch)
    n, columns = grid_rows.shape[:2]
    grid = pictures.image_grid(pictures.to_uint8_images(
        grid_rows.reshape((n * columns,) + self.event_shape), self.spec), columns=columns)
    pictures.save_png(grid, f"{directory}/translations_step_{step}.png",
                      scale=max(1, 1024 // max(grid.shape[:2])))
