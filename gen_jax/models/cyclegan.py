"""CycleGAN: unpaired translation between two image domains (Zhu et al. 2017).

Two named sources, `a` and `b` (`data.sources`), of the same image shape and
encoding (float in [0, 1] or binary), mapped to [-1, 1] for the networks.
Four parameter groups: the generators g_ab (G: A -> B) and g_ba (F: B -> A)
and the PatchGAN discriminators d_a (real A vs F(b)) and d_b (real B vs
G(a)). Two phases per step, on the same batch:

  generators      LSGAN (D_B(G(a)) - 1)^2 + (D_A(F(b)) - 1)^2
                  + cycle_weight * (|F(G(a) + n) - a|_1 + |G(F(b) + n) - b|_1)
                  + identity_weight * cycle_weight * (|G(b) - b|_1 + |F(a) - a|_1)
                  [+ structure_weight * (S(a, G(a)) + S(b, F(b))), default 0:
                  not in the paper]
                  [+ label_weight * (CE(C_B(G(a)), y_a) + CE(C_A(F(b)), y_b)),
                  default 0: not in the paper]
  discriminators  0.5 (D(real) - 1)^2 + 0.5 D(pooled fake)^2, for D_A and D_B
                  [+ CE(C_A(a), y_a) + CE(C_B(b), y_b) with label_weight > 0]

(means over pixels and patches; the paper: cycle 10, identity 0.5, i.e. an
identity term weighted 5). n: Gaussian noise of std `model.cycle_noise`
(in [-1, 1] units; default 0, the paper's objective) added to the
translation before it is translated back (`cycle_noise`). S is
`structure_loss` (1 - the cosine of the luminance edge maps of s x s block
means, `model.structure_scale` s, default 1, or with
`model.structure_tolerance` r > 0 the share of edge mass farther than r
pixels from the other map's edges; StarGAN's option too): it asks a
translation to keep its input's edges in place. `model.label_weight` > 0
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

Sampling: `sample` translates what it is given, {"a": [N, H, W, C]} ->
{"ab": G(a)} and/or {"b": ...} -> {"ba": F(b)} (a source's batch dict with
"x" is accepted too); without inputs there is nothing to translate and it
returns {} (the trainer's sample grid is then empty). The pictures come from
`write_pictures`, which the trainer calls with eval images:
`translations_ab_step_N.png` (rows of a, G(a), F(G(a)) triples) and
`translations_ba_step_N.png` (b, F(b), G(F(b))).

Metrics: per example, "a/cycle_l1" and "b/cycle_l1" (mean |F(G(a)) - a| in
[0, 1] pixel units); per evaluation (`sample_metrics`, see
`gen_jax.eval.translation`): label preservation of G(a) and F(b) by a
classifier trained on the target domain, its ceiling on real target images,
and Frechet distances with their real-data floors (`model.metrics`:
"labels", "domain" or "none").
"""

import functools
from typing import Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax

from gen_jax.errors import UserError
from gen_jax.losses import lsgan_discriminator_loss, lsgan_generator_loss, structure_loss
from gen_jax.models.base import Phase, Recipe, config_int, config_weight, map_in_chunks
from gen_jax.models.image_translation import (cycle_noise, generator_downsamplings,
                                              structure_settings)
from gen_jax.nn.classifier import MLPClassifier
from gen_jax.nn.cyclegan import (PatchDiscriminator, ResnetGenerator,
                                 patch_output_size)
from gen_jax.optim import constant_then_linear_decay, make_optimizer
from gen_jax.pictures import save_triples

GROUPS = ("g_ab", "g_ba", "d_a", "d_b")
CLASSIFIER_GROUPS = ("c_a", "c_b")     # only with model.label_weight > 0
DIRECTIONS = {"ab": ("a", "b", "g_ab", "g_ba"),     # source, target, forward, back
              "ba": ("b", "a", "g_ba", "g_ab")}
METRICS = ("labels", "domain", "none")


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
  sample_inputs = ("a", "b")

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.spec_a, self.spec_b = domain_specs(spec)
    self.event_shape = self.spec_a.event_shape
    self.cycle_weight = config_weight(config, "cycle_weight", 10.0)
    self.identity_weight = config_weight(config, "identity_weight", 0.5)
    self.cycle_noise = config_weight(config, "cycle_noise", 0.0)
    (self.structure_weight, self.structure_scale,
     self.structure_tolerance) = structure_settings(config, self.event_shape)
    self.label_weight = config_weight(config, "label_weight", 0.0)
    self.pool_size = config_int(config, "pool_size", 50, minimum=0)
    self.decay_start_step = config.get("decay_start_step", None)
    if self.decay_start_step is not None:
      config_int(config, "decay_start_step", 0, minimum=0)
    self.metrics = config.get("metrics", "labels")
    if self.metrics not in METRICS:
      raise UserError(f"--config.model.metrics={self.metrics!r} is not one of {METRICS}.")
    num_classes = (self._check_shared_labels()
                   if self.metrics == "labels" or self.label_weight else None)
    self.label_classifier = MLPClassifier(num_classes) if self.label_weight else None
    self.groups = GROUPS + (CLASSIFIER_GROUPS if self.label_weight else ())
    self.classifier_steps = config_int(config, "classifier_steps", 2000)
    self.metric_examples = config.get("metric_examples", None)
    if self.metric_examples is not None:
      config_int(config, "metric_examples", 1)
    d_layers = config_int(config, "d_layers", 3)
    self.generator = ResnetGenerator(self.event_shape[-1],
                                     config_int(config, "g_features", 64),
                                     config_int(config, "num_blocks", 9, minimum=0),
                                     generator_downsamplings(config, "cyclegan",
                                                             self.event_shape))
    self.discriminator = PatchDiscriminator(config_int(config, "d_features", 64),
                                            d_layers)
    if patch_output_size(min(self.event_shape[:2]), d_layers) < 1:
      raise UserError(f"--config.model.d_layers={d_layers} halves {self.event_shape[0]}"
                      "-pixel images to nothing; lower it (the paper's 3 is for 256 px).")
    self.phases = (Phase("generators", self._generators_loss, ("g_ab", "g_ba")),
                   Phase("discriminators", self._discriminators_loss,
                         tuple(g for g in self.groups if not g.startswith("g"))))
    self._metric_cache = {}

  def _check_shared_labels(self):
    classes = [s.feature("label") and s.feature("label").num_classes
               for s in (self.spec_a, self.spec_b)]
    if not classes[0] or classes[0] != classes[1]:
      raise UserError(
          "--config.model.metrics='labels' (label preservation) and "
          "--config.model.label_weight > 0 need both domains labelled with the "
          f"same classes (e.g. digits 0-9); got {classes[0]} and {classes[1]} "
          "classes. Use --config.model.metrics=domain (an A-vs-B classifier) or "
          "none, and --config.model.label_weight=0.")
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

  def translate(self, params, group: str, x: jax.Array) -> jax.Array:
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
    if self.pool_size:
      state = {"pool_a": empty_pool(self.pool_size, self.event_shape),
               "pool_b": empty_pool(self.pool_size, self.event_shape)}
    return {"params": params, "state": state}

  # -------------------------------------------------------------- phases

  def _reals(self, batch):
    return self.to_model(batch["a"]["x"]), self.to_model(batch["b"]["x"])

  def _generators_loss(self, params, state, batch, rng, step):
    del step
    real_a, real_b = self._reals(batch)
    fake_b = self.translate(params, "g_ab", real_a)
    fake_a = self.translate(params, "g_ba", real_b)
    key_a, key_b = jax.random.split(rng) if self.cycle_noise else (None, None)
    terms = {"g_adv_ab": lsgan_generator_loss(self.discriminate(params, "d_b", fake_b)),
             "g_adv_ba": lsgan_generator_loss(self.discriminate(params, "d_a", fake_a)),
             "cycle_a": l1(self.translate(params, "g_ba",
                                          cycle_noise(fake_b, key_a, self.cycle_noise)), real_a),
             "cycle_b": l1(self.translate(params, "g_ab",
                                          cycle_noise(fake_a, key_b, self.cycle_noise)), real_b)}
    loss = terms["g_adv_ab"] + terms["g_adv_ba"] + self.cycle_weight * (
        terms["cycle_a"] + terms["cycle_b"])
    if self.identity_weight:
      terms["identity_a"] = l1(self.translate(params, "g_ba", real_a), real_a)
      terms["identity_b"] = l1(self.translate(params, "g_ab", real_b), real_b)
      loss += self.identity_weight * self.cycle_weight * (
          terms["identity_a"] + terms["identity_b"])
    if self.structure_weight:
      terms["structure_ab"] = structure_loss(real_a, fake_b, self.structure_scale,
                                            self.structure_tolerance)
      terms["structure_ba"] = structure_loss(real_b, fake_a, self.structure_scale,
                                            self.structure_tolerance)
      loss += self.structure_weight * (terms["structure_ab"] + terms["structure_ba"])
    if self.label_weight:
      terms["label_ab"] = self.label_loss(params, "c_b", fake_b, batch["a"]["label"])
      terms["label_ba"] = self.label_loss(params, "c_a", fake_a, batch["b"]["label"])
      loss += self.label_weight * (terms["label_ab"] + terms["label_ba"])
    return loss, (terms, state)

  def _discriminators_loss(self, params, state, batch, rng, step):
    del step
    real_a, real_b = self._reals(batch)
    fake_b = jax.lax.stop_gradient(self.translate(params, "g_ab", real_a))
    fake_a = jax.lax.stop_gradient(self.translate(params, "g_ba", real_b))
    new_state = dict(state)
    if self.pool_size:
      key_a, key_b = jax.random.split(rng)
      new_state["pool_a"], fake_a = pool_query(state["pool_a"], fake_a, key_a)
      new_state["pool_b"], fake_b = pool_query(state["pool_b"], fake_b, key_b)
    d_a = lsgan_discriminator_loss(self.discriminate(params, "d_a", real_a),
                                   self.discriminate(params, "d_a", fake_a))
    d_b = lsgan_discriminator_loss(self.discriminate(params, "d_b", real_b),
                                   self.discriminate(params, "d_b", fake_b))
    terms = {"d_a": d_a, "d_b": d_b}
    if self.label_weight:
      terms["c_a"] = self.label_loss(params, "c_a", real_a, batch["a"]["label"])
      terms["c_b"] = self.label_loss(params, "c_b", real_b, batch["b"]["label"])
    return sum(terms.values()), (terms, new_state)

  def optimizers(self, train_config):
    """The configured optimizer per group, constant then linearly decayed."""
    start = self.decay_start_step
    if start is None:
      start = train_config.num_steps // 2
    lr = constant_then_linear_decay(train_config.learning_rate, start,
                                    train_config.num_steps)
    return {g: make_optimizer(train_config, learning_rate=lr) for g in self.groups}

  # ------------------------------------------------------------- outputs

  def sample(self, variables, rng, num, inputs=None):
    """{"ab": G(inputs["a"]), "ba": F(inputs["b"])} for the sources given,
    in the data encoding; {} without inputs (see the module docstring)."""
    del rng, num
    out = {}
    for name, (source, _, forward, _) in DIRECTIONS.items():
      if inputs is not None and inputs.get(source) is not None:
        x = self.to_model(as_images(inputs[source]))
        out[name] = self.from_model(self.translate(variables["params"], forward, x))
    return out

  def output_spec(self, name=None):
    """"ab" outputs are domain-b images, "ba" domain-a images."""
    if name in DIRECTIONS:
      return self.spec[DIRECTIONS[name][1]]
    return super().output_spec(name)

  def cycle(self, params, direction: str, x: jax.Array):
    """(translation, reconstruction) of [B, H, W, C] in [0, 1], data encoding
    and [0, 1] floats respectively."""
    _, _, forward, back = DIRECTIONS[direction]
    fake = self.translate(params, forward, self.to_model(x))
    rec = self.translate(params, back, fake)
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

  @functools.cached_property
  def _jit_translate(self):
    return jax.jit(lambda params, x, direction: self.sample(
        {"params": params}, None, 0, {DIRECTIONS[direction][0]: x})[direction],
                   static_argnums=(2,))

  def translate_images(self, variables, direction: str, images: np.ndarray,
                       chunk: int = 256) -> np.ndarray:
    """Host side: numpy [N, H, W, C] in the data encoding -> translations."""
    return map_in_chunks(
        lambda x: self._jit_translate(variables["params"], jnp.asarray(x, jnp.float32),
                                      direction),
        images, chunk=chunk, empty_shape=self.event_shape)

  def sample_metrics(self, variables, rng, train_source, eval_source):
    """Label preservation / domain accuracy and Frechet distances (host side)."""
    del rng
    if self.metrics == "none":
      return {}
    from gen_jax.eval import translation  # pylint: disable=import-outside-toplevel
    translate = functools.partial(self.translate_images, variables)
    return translation.translation_metrics(
        translate, self.spec, train_source, eval_source, self._metric_cache,
        kind=self.metrics, classifier_steps=self.classifier_steps,
        max_examples=self.metric_examples)

  @functools.cached_property
  def _jit_cycle(self):
    return jax.jit(self.cycle, static_argnums=(1,))

  def write_pictures(self, variables, rng, batch, directory, step):
    """translations_{ab,ba}_step_N.png: x, its translation, its reconstruction."""
    del rng
    for direction, (source, *_) in DIRECTIONS.items():
      x = np.asarray(batch[source]["x"][:32], np.float32)
      fake, rec = jax.device_get(self._jit_cycle(variables["params"], direction, x))
      save_triples(x, np.asarray(fake), np.asarray(rec), self.spec[source],
                   f"{directory}/translations_{direction}_step_{step}.png")
