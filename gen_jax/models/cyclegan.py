"""CycleGAN: unpaired translation between two image domains (Zhu et al. 2017).

Two named sources, `a` and `b` (`data.sources`), of the same image shape and
encoding (float in [0, 1] or binary), mapped to [-1, 1] for the networks.
Four parameter groups: the generators g_ab (G: A -> B) and g_ba (F: B -> A)
and the PatchGAN discriminators d_a (real A vs F(b)) and d_b (real B vs
G(a)). Two phases per step, on the same batch:

  generators      LSGAN (D_B(G(a)) - 1)^2 + (D_A(F(b)) - 1)^2
                  + cycle_weight * (|F(G(a)) - a|_1 + |G(F(b)) - b|_1)
                  + identity_weight * cycle_weight * (|G(b) - b|_1 + |F(a) - a|_1)
                  [+ label_weight * (CE(C_B(G(a)), y_a) + CE(C_A(F(b)), y_b)),
                  default 0: not in the paper]
  discriminators  0.5 (D(real) - 1)^2 + 0.5 D(pooled fake)^2, for D_A and D_B
                  [+ CE(C_A(a), y_a) + CE(C_B(b), y_b) with label_weight > 0]

(means over pixels and patches; the paper: cycle 10, identity 0.5, i.e. an
identity term weighted 5). `model.label_weight` > 0
uses both domains' class labels (unpaired still: no image has a partner):
two more groups, c_a and c_b, are classifiers (`label_classifier`) trained
on their domain's real images in the discriminators phase, and a translation
must be classified as its input's label by the target domain's classifier,
a class-consistency term in the spirit of CyCADA's semantic loss (Hoffman et
al. 2018, which uses source labels only). The discriminators phase
translates the batch again with the generators just updated, and shows D a
fake drawn through an image pool of `pool_size` past fakes (50), kept in
`state` (so checkpointed): while the pool fills, each fake goes in and is
shown; afterwards, with probability 1/2 a fake replaces a uniformly chosen
pooled one, which is shown instead, else the fake itself is shown. Every random choice comes
from the phase's PRNG key, so resumed runs are exact.

Learning rate: `train.learning_rate` (2e-4, Adam beta1 0.5 in the configs)
until `model.decay_start_step` updates (default half of train.num_steps),
then linearly to zero at train.num_steps (an optax schedule; its count is
in the checkpointed optimizer state).

Translation (the `Translator` protocol): one group, ("domain", 2);
`translate(variables, images, target)` maps the rows whose target is 1 to
domain b with G and those whose target is 0 to domain a with F (a batch
whose rows agree runs one generator). `sample(variables, rng, num,
{"x": images, "target": [N, 1]})` is that translation (no target: every row
to b). The pictures come from `write_pictures`, which the trainer calls
with eval images: `translations_ab_step_N.png` (rows of a, G(a), F(G(a))
triples) and `translations_ba_step_N.png` (b, F(b), G(F(b))).

Metrics: per example, "a/cycle_l1" and "b/cycle_l1" (mean |F(G(a)) - a| in
[0, 1] pixel units); per evaluation, the `translation` evaluator
(`gen_jax.eval.translation`): label preservation (or domain accuracy) of
G(a) and F(b) by a classifier trained on real images, its ceiling, and
Frechet distances with their real-data floors.
"""

import dataclasses
from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax

from gen_jax.errors import UserError
from gen_jax.losses import lsgan_discriminator_loss, lsgan_generator_loss
from gen_jax.models.base import Phase, Recipe
from gen_jax.nn.translation import (TranslationOptions, check_image_sides, jitted,
                                              sample_images)
from gen_jax.nn.classifier import MLPClassifier
from gen_jax.nn.cyclegan import (PatchDiscriminator, ResnetGenerator,
                                 patch_output_size)
from gen_jax.optim import constant_then_linear_decay, make_optimizer
from gen_jax.options import option, read_options
from gen_jax.pictures import save_triples

GROUPS = ("g_ab", "g_ba", "d_a", "d_b")
CLASSIFIER_GROUPS = ("c_a", "c_b")     # only with model.label_weight > 0
DIRECTIONS = {"ab": ("a", "b", "g_ab", "g_ba"),     # source, target, forward, back
              "ba": ("b", "a", "g_ba", "g_ab")}


@dataclasses.dataclass(frozen=True)
class CycleGANOptions(TranslationOptions):
  """CycleGAN's `model.` keys (the paper's values by default)."""
  num_blocks: int = option(9, minimum=0)
  d_layers: int = option(3, minimum=1)
  cycle_weight: float = option(10.0, minimum=0.0)
  identity_weight: float = option(0.5, minimum=0.0)   # times cycle_weight
  label_weight: float = option(0.0, minimum=0.0)      # not in the paper
  pool_size: int = option(50, minimum=0)


# ------------------------------------------------------------------ losses


def l1(x: jax.Array, y: jax.Array) -> jax.Array:
  """Mean absolute difference over every element."""
  return jnp.mean(jnp.abs(x - y))


# -------------------------------------------------------------- image pool


def empty_pool(size: int, event_shape) -> dict:
  """{"images": [size, *event] zeros, "count": int32 images stored so far}."""
  return {"images": jnp.zeros((size,) + tuple(event_shape), jnp.float32),
          "count": jnp.zeros((), jnp.int32)}


def pool_decisions(key: jax.Array, index: int | jax.Array, size: int):
  """(swap coin, slot) for the `index`-th image of a query: swap with
  probability 1/2 into a uniform slot of the `size` pooled images."""
  k_coin, k_slot = jax.random.split(jax.random.fold_in(key, index))
  return jax.random.bernoulli(k_coin, 0.5), jax.random.randint(k_slot, (), 0, size)


def pool_query(pool: dict, fakes: jax.Array, key: jax.Array) -> tuple[dict, jax.Array]:
  """(new pool, images to show D [B, *event]), one fake at a time in order.

  While fewer than `size` are stored, a fake is stored and shown. Then, with
  probability 1/2, it replaces a uniformly chosen stored one, which is shown;
  else the fake itself is shown and the pool is unchanged.
  """
  size = pool["images"].shape[0]

  def one(carry, inp):
    images, count = carry
    index, fake = inp
    coin, slot = pool_decisions(key, index, size)
    filling = count < size
    slot = jnp.where(filling, count, slot)
    swap = ~filling & coin
    shown = jnp.where(swap, images[slot], fake)
    images = jnp.where(filling | swap, images.at[slot].set(fake), images)
    return (images, jnp.minimum(count + 1, size)), shown

  (images, count), shown = jax.lax.scan(
      one, (pool["images"], pool["count"]), (jnp.arange(fakes.shape[0]), fakes))
  return {"images": images, "count": count}, shown


# ----------------------------------------------------------------- domains


def domain_specs(spec):
  """(spec of a, spec of b), or a UserError saying what to set."""
  if not isinstance(spec, Mapping) or set(spec) != {"a", "b"}:
    got = sorted(spec) if isinstance(spec, Mapping) else "one source"
    raise UserError(
        "model 'cyclegan' translates between two named sources: set "
        "config.data.sources = {'a': {...}, 'b': {...}} (see "
        f"experiments/configs/cyclegan_mnist_digits.py); got {got}.")
  a, b = spec["a"], spec["b"]
  for name, s in (("a", a), ("b", b)):
    if not s.is_image:
      raise UserError(f"data.sources.{name} ({s.name!r}) is not an image dataset; "
                      "cyclegan translates images.")
    if s.encoding == "categorical":
      raise UserError(f"data.sources.{name}.encoding='categorical': cyclegan needs "
                      "images in [0, 1]; set it to 'float' (or 'binary').")
  if a.encoding != b.encoding:
    raise UserError(
        f"domains of different encodings: a ({a.name!r}) is {a.encoding!r}, b "
        f"({b.name!r}) is {b.encoding!r}; set data.sources.a.encoding and "
        "data.sources.b.encoding to the same value (float or binary).")
  if a.event_shape != b.event_shape:
    raise UserError(
        f"domains of different sizes: a ({a.name!r}) is {a.event_shape}, b "
        f"({b.name!r}) is {b.event_shape} (height, width, channels); give both "
        "the same size and channels, e.g. --config.data.sources.b.image_size="
        f"{a.event_shape[0]}.")
  return a, b


def as_images(x):
  """A source's batch dict ({"x": ...}) or an image array -> the array."""
  return x["x"] if isinstance(x, Mapping) else x


class CycleGAN(Recipe):
  """G: A -> B, F: B -> A, D_A, D_B; LSGAN + cycle + identity; image pools."""
  sample_inputs = ("x", "target")
  translation_groups = (("domain", 2),)    # 0: domain a, 1: domain b

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.spec_a, self.spec_b = domain_specs(spec)
    self.event_shape = self.spec_a.event_shape
    self.options = o = read_options(CycleGANOptions, config, "model")
    check_image_sides("cyclegan", self.event_shape)
    num_classes = self._check_shared_labels() if o.label_weight else None
    self.label_classifier = MLPClassifier(num_classes) if o.label_weight else None
    self.groups = GROUPS + (CLASSIFIER_GROUPS if o.label_weight else ())
    self.generator = ResnetGenerator(self.event_shape[-1], o.g_features, o.num_blocks)
    self.discriminator = PatchDiscriminator(o.d_features, o.d_layers)
    if patch_output_size(min(self.event_shape[:2]), o.d_layers) < 1:
      raise UserError(f"--config.model.d_layers={o.d_layers} halves {self.event_shape[0]}"
                      "-pixel images to nothing; lower it (the paper's 3 is for 256 px).")
    self.phases = (Phase("generators", self._generators_loss, ("g_ab", "g_ba")),
                   Phase("discriminators", self._discriminators_loss,
                         tuple(g for g in self.groups if not g.startswith("g"))))

  def _check_shared_labels(self):
    classes = [s.feature("label") and s.feature("label").num_classes
               for s in (self.spec_a, self.spec_b)]
    if not classes[0] or classes[0] != classes[1]:
      raise UserError(
          "--config.model.label_weight > 0 needs both domains labelled with the "
          f"same classes (e.g. digits 0-9); got {classes[0]} and {classes[1]} "
          "classes. Set --config.model.label_weight=0.")
    return classes[0]

  # ------------------------------------------------------------ encodings

  def to_model(self, x: jax.Array) -> jax.Array:
    """Images in [0, 1] (float or binary) -> [-1, 1] (both domains share the
    encoding)."""
    return self.spec_a.to_model(x)

  def from_model(self, y: jax.Array) -> jax.Array:
    """[-1, 1] -> the data encoding (binary: thresholded at 1/2)."""
    return self.spec_a.from_model(y)

  # ---------------------------------------------------------------- nets

  def generate(self, params, group: str, x: jax.Array) -> jax.Array:
    """[B, H, W, C] in [-1, 1] through generator `group` (g_ab or g_ba)."""
    return self.generator.apply({"params": params[group]}, x)

  def discriminate(self, params, group: str, x: jax.Array) -> jax.Array:
    """[B, H, W, C] -> patch outputs [B, h, w] of discriminator `group`."""
    return self.discriminator.apply({"params": params[group]}, x)

  def classify(self, params, group: str, x: jax.Array) -> jax.Array:
    """[B, H, W, C] in [-1, 1] -> class logits [B, K] of classifier `group`
    (c_a or c_b)."""
    return self.label_classifier.apply({"params": params[group]}, (x + 1.0) / 2.0)[0]

  def label_loss(self, params, group: str, x: jax.Array, labels: jax.Array) -> jax.Array:
    """Mean cross-entropy of classifier `group` on x [B, H, W, C] in [-1, 1]
    against labels [B]."""
    return optax.softmax_cross_entropy_with_integer_labels(
        self.classify(params, group, x), labels).mean()

  def init(self, rng, example_batch):
    x = self.to_model(as_images(example_batch["a"])[:1])
    keys = dict(zip(self.groups, jax.random.split(rng, len(self.groups))))
    nets = {"g": (self.generator, x), "d": (self.discriminator, x),
            "c": (self.label_classifier, (x + 1.0) / 2.0)}   # by the group's first letter
    params = {g: nets[g[0]][0].init(keys[g], nets[g[0]][1])["params"] for g in self.groups}
    state = {}
    if self.options.pool_size:
      state = {"pool_a": empty_pool(self.options.pool_size, self.event_shape),
               "pool_b": empty_pool(self.options.pool_size, self.event_shape)}
    return {"params": params, "state": state}

  # -------------------------------------------------------------- phases

  def _reals(self, batch):
    return self.to_model(batch["a"]["x"]), self.to_model(batch["b"]["x"])

  def _generators_loss(self, params, state, batch, rng, step):
    del rng, step
    o = self.options
    real_a, real_b = self._reals(batch)
    fake_b = self.generate(params, "g_ab", real_a)
    fake_a = self.generate(params, "g_ba", real_b)
    terms = {"g_adv_ab": lsgan_generator_loss(self.discriminate(params, "d_b", fake_b)),
             "g_adv_ba": lsgan_generator_loss(self.discriminate(params, "d_a", fake_a)),
             "cycle_a": l1(self.generate(params, "g_ba", fake_b), real_a),
             "cycle_b": l1(self.generate(params, "g_ab", fake_a), real_b)}
    loss = terms["g_adv_ab"] + terms["g_adv_ba"] + o.cycle_weight * (
        terms["cycle_a"] + terms["cycle_b"])
    if o.identity_weight:
      terms["identity_a"] = l1(self.generate(params, "g_ba", real_a), real_a)
      terms["identity_b"] = l1(self.generate(params, "g_ab", real_b), real_b)
      loss += o.identity_weight * o.cycle_weight * (
          terms["identity_a"] + terms["identity_b"])
    if o.label_weight:
      terms["label_ab"] = self.label_loss(params, "c_b", fake_b, batch["a"]["label"])
      terms["label_ba"] = self.label_loss(params, "c_a", fake_a, batch["b"]["label"])
      loss += o.label_weight * (terms["label_ab"] + terms["label_ba"])
    return loss, (terms, state)

  def _discriminators_loss(self, params, state, batch, rng, step):
    del step
    real_a, real_b = self._reals(batch)
    fake_b = jax.lax.stop_gradient(self.generate(params, "g_ab", real_a))
    fake_a = jax.lax.stop_gradient(self.generate(params, "g_ba", real_b))
    new_state = dict(state)
    if self.options.pool_size:
      key_a, key_b = jax.random.split(rng)
      new_state["pool_a"], fake_a = pool_query(state["pool_a"], fake_a, key_a)
      new_state["pool_b"], fake_b = pool_query(state["pool_b"], fake_b, key_b)
    d_a = lsgan_discriminator_loss(self.discriminate(params, "d_a", real_a),
                                   self.discriminate(params, "d_a", fake_a))
    d_b = lsgan_discriminator_loss(self.discriminate(params, "d_b", real_b),
                                   self.discriminate(params, "d_b", fake_b))
    terms = {"d_a": d_a, "d_b": d_b}
    if self.options.label_weight:
      terms["c_a"] = self.label_loss(params, "c_a", real_a, batch["a"]["label"])
      terms["c_b"] = self.label_loss(params, "c_b", real_b, batch["b"]["label"])
    return sum(terms.values()), (terms, new_state)

  def optimizers(self, train_config):
    """The configured optimizer per group, constant then linearly decayed."""
    start = self.options.decay_start_step
    if start is None:
      start = train_config.num_steps // 2
    lr = constant_then_linear_decay(train_config.learning_rate, start,
                                    train_config.num_steps)
    return {g: make_optimizer(train_config, learning_rate=lr) for g in self.groups}

  # ------------------------------------------------------------- outputs

  def translate(self, variables, images, target):
    """images [N, H, W, C] (data encoding) -> [N, H, W, C]: row i to domain b
    by G where target[i, 0] is 1, to domain a by F where it is 0."""
    params, x = variables["params"], self.to_model(images)
    to_b = jnp.asarray(target)[:, 0] == 1                                # [N]
    through = lambda group: lambda: self.from_model(self.generate(params, group, x))
    mixed = lambda: jnp.where(to_b[:, None, None, None], through("g_ab")(),
                              through("g_ba")())
    return jax.lax.cond(jnp.all(to_b), through("g_ab"),
                        lambda: jax.lax.cond(jnp.any(to_b), mixed, through("g_ba")))

  def sample(self, variables, rng, num, inputs=None):
    """inputs["x"] translated per row to inputs["target"] [N, 1] (default:
    every row to domain b), in the data encoding: [N, H, W, C]."""
    del rng, num
    x = sample_images(inputs, "cyclegan")
    target = inputs.get("target")
    if target is None:
      target = jnp.ones((x.shape[0], 1), jnp.int32)
    return self.translate(variables, x, target)

  def cycle(self, params, direction: str, x: jax.Array):
    """(translation, reconstruction) of [B, H, W, C] in [0, 1], data encoding
    and [0, 1] floats respectively."""
    _, _, forward, back = DIRECTIONS[direction]
    fake = self.generate(params, forward, self.to_model(x))
    rec = self.generate(params, back, fake)
    return self.from_model(fake), (rec + 1.0) / 2.0

  def eval_metrics(self, variables, batch, rng):
    """"a/cycle_l1", "b/cycle_l1": [B] mean |F(G(a)) - a| in [0, 1] units."""
    del rng
    out = {}
    for direction, (source, *_) in DIRECTIONS.items():
      x = jnp.asarray(batch[source]["x"], jnp.float32)
      _, rec = self.cycle(variables["params"], direction, x)
      out[f"{source}/cycle_l1"] = jnp.mean(jnp.abs(rec - x), axis=(1, 2, 3))
    return out

  def write_pictures(self, variables, rng, batch, directory, step):
    """translations_{ab,ba}_step_N.png: x, its translation, its reconstruction."""
    del rng
    cycle = jitted(self.cycle, 1)
    for direction, (source, *_) in DIRECTIONS.items():
      x = np.asarray(batch[source]["x"][:32], np.float32)
      fake, rec = jax.device_get(cycle(variables["params"], direction, x))
      save_triples(x, np.asarray(fake), np.asarray(rec), self.spec[source],
                   f"{directory}/translations_{direction}_step_{step}.png")
