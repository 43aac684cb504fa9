"""Shared base of the adversarial recipes (GAN, DCGAN, InfoGAN, ProGAN): two
players, G and D, trained as two phases of the one trainer, with optional
class conditioning, per-player batch-norm state and an EMA of G.

Images are mapped from the data encoding in [0, 1] to [-1, 1] for the
players and back in `sample` (`DataSpec.to_model` / `from_model`); 2-D
points are used as they are. See `gen_jax.models.gan` for the losses and
the discriminator's batch statistics. Each recipe reads its `model.` keys
into its `Options` (`AdversarialOptions` and a subclass of its own); how
its samples are measured is the evaluators' business (`sample_quality`,
`conditioning`, `codes`, `stage_quality` in `gen_jax.eval`).
"""

import dataclasses

import jax
import jax.numpy as jnp

from gen_jax.errors import UserError
from gen_jax.losses import discriminator_loss, generator_loss
from gen_jax.models.base import (Phase, Recipe, batch_label, label_classes,
                                 sample_labels)
from gen_jax.nn.dcgan import (BN_MOMENTUM, CONDITIONINGS, LabelledGenerator, apply_player,
                              conditioned_discriminator, pack, split_state)
from gen_jax.options import option, read_options

GENERATOR_LOSSES = ("minimax", "non_saturating")


@dataclasses.dataclass(frozen=True)
class AdversarialOptions:
  """`model.` options of every adversarial recipe."""
  generator_loss: str = option("non_saturating", choices=GENERATOR_LOSSES)
  d_steps: int = option(1, minimum=1)           # D updates per G update, fresh batches
  noise_dim: int = option(64, minimum=1)
  conditional: bool = False                     # G and D told the label
  conditioning: str = option("projection", choices=CONDITIONINGS)   # how D reads it
  label_embed_dim: int = option(32, minimum=1)  # G's label embedding


class AdversarialRecipe(Recipe):
  """Shared two-player machinery; subclasses build `self.generator` and
  `self.discriminator` (D returns (logits [B], features [B, F])) and name
  their options dataclass `Options` (a subclass of `AdversarialOptions`)."""
  Options = AdversarialOptions
  model_name = ""   # the registry name (set by each subclass), for messages
  pack = 1          # samples per D decision (PacGAN); GAN and DCGAN read `model.pack`

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.options = read_options(self.Options, config, "model")
    if spec.encoding == "categorical":
      raise UserError(f"model {self.model_name!r} generates continuous values; set "
                      "--config.data.encoding=float (or binary).")
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator",),
                         self.options.d_steps),
                   Phase("generator", self._g_loss, self.generator_groups))
    self.num_classes = label_classes(self.options.conditional, spec, self.model_name)
    if self.num_classes:
      self.sample_inputs = ("label",)

  def conditioned(self, generator, discriminator):
    """The players, given the label when `model.conditional` (Mirza & Osindero
    2014): G reads a label embedding beside z; D projects (Miyato & Koyama
    2018) or reads one-hot label maps beside the image, by `model.conditioning`."""
    if not self.num_classes:
      return generator, discriminator
    return (LabelledGenerator(generator, self.num_classes, self.options.label_embed_dim),
            conditioned_discriminator(discriminator, self.num_classes,
                                      self.options.conditioning))

  def labels_of(self, batch):
    """[B] labels of a conditional model's batch (fakes take the real batch's
    labels, so D sees both at the data's class frequencies), else None."""
    return batch_label(batch, self.num_classes, self.model_name)

  generator_groups = ("generator",)

  @property
  def ema_groups(self):
    """An EMA of the generator side only: D's average is never used."""
    return self.generator_groups

  # ----------------------------------------------------------- encodings

  def to_model(self, x):  # data encoding -> the players' space
    return self.spec.to_model(x)

  def from_model(self, y):  # players' space -> data encoding
    return self.spec.from_model(y)

  # -------------------------------------------------------------- latent

  def latent(self, rng, num):
    """Generator inputs for `num` samples: z [num, noise_dim] ~ N(0, I)."""
    return jax.random.normal(rng, (num, self.options.noise_dim))

  def generator_input(self, latent):
    return latent

  # ---------------------------------------------------------------- nets

  def generate(self, params, state, latent, train, labels=None):
    """(samples in the players' space [B, *event], new generator state);
    `labels` [B] condition a conditional generator."""
    out, new = apply_player(self.generator, params["generator"], state["generator"],
                            self.generator_input(latent), *_given(labels), train=train)
    return out.reshape((out.shape[0],) + self.spec.event_shape), new

  def discriminate(self, params, state, x, train, labels=None):
    """((logits [B/m], features [B/m, F]), new discriminator state) for
    x [B, *event], m = `self.pack`: D makes one decision per m consecutive
    samples, concatenated along the last axis (`gen_jax.nn.dcgan.pack`).

    In training mode batch norm normalises `x` by its own batch statistics
    and the returned state has the running averages moved towards them.
    """
    return apply_player(self.discriminator, params["discriminator"],
                        state["discriminator"], pack(x, self.pack), *_given(labels),
                        train=train)

  def init(self, rng, example_batch):
    g_key, d_key = jax.random.split(rng)
    latent = self.latent(g_key, 2)  # only its shapes matter
    labels = _given(sample_labels(None, 2, self.num_classes))
    g_params, g_state = split_state(self.generator.init(
        g_key, self.generator_input(latent), *labels, train=False))
    x = self.to_model(example_batch["x"][:1].repeat(2 * self.pack, 0))   # 2 decisions
    d_params, d_state = split_state(self.discriminator.init(d_key, pack(x, self.pack),
                                                            *labels, train=False))
    return {"params": {"generator": g_params, "discriminator": d_params},
            "state": {"generator": g_state, "discriminator": d_state}}

  # -------------------------------------------------------------- phases

  def _d_loss(self, params, state, batch, rng, step):
    """BCE of D on real vs fake; real and fake through D in separate calls.

    Each batch is normalised by its own statistics (real logits do not depend
    on the fakes); D's running averages are updated by the real call, then by
    the fake call. G runs in training mode; its state update is dropped.
    """
    real = self.to_model(batch["x"])
    labels = self.labels_of(batch)
    latent = self.latent(rng, real.shape[0])
    fake, _ = self.generate(params, state, latent, True, labels)  # G's stats kept
    fake = jax.lax.stop_gradient(fake)
    (real_logits, _), d_state = self.discriminate(params, state, real, True, labels)
    (fake_logits, feats), d_state = self.discriminate(
        params, {**state, "discriminator": d_state}, fake, True, labels)
    loss = discriminator_loss(real_logits, fake_logits)
    extra, extra_metrics = self.discriminator_extra(params, feats, latent)
    metrics = {"d_real": jnp.mean(jax.nn.sigmoid(real_logits)),
               "d_fake": jnp.mean(jax.nn.sigmoid(fake_logits)), **extra_metrics}
    return loss + extra, (metrics, {**state, "discriminator": d_state})

  def _g_loss(self, params, state, batch, rng, step):
    """G's loss on a fresh fake batch, which D sees alone in training mode.

    D's running averages are not updated here (only G's state is returned
    changed); `batch` only sets the batch size.
    """
    labels = self.labels_of(batch)
    latent = self.latent(rng, batch["x"].shape[0])
    fake, g_state = self.generate(params, state, latent, True, labels)
    (fake_logits, feats), _ = self.discriminate(params, state, fake, True,
                                                labels)  # D's stats kept
    loss = generator_loss(fake_logits, self.options.generator_loss)
    extra, extra_metrics = self.generator_extra(params, feats, latent)
    return loss + extra, (extra_metrics, {**state, "generator": g_state})

  def discriminator_extra(self, params, feats, latent):
    """Extra loss terms of the discriminator phase (InfoGAN's MI bound)."""
    return 0.0, {}

  def generator_extra(self, params, feats, latent):
    return 0.0, {}

  # ------------------------------------------------------------- outputs

  def sample(self, variables, rng, num, inputs=None):
    """[num, *event_shape] in the data encoding; batch norm uses running stats.

    A conditional model draws `inputs["label"]`, or the classes in turn."""
    labels = sample_labels(inputs, num, self.num_classes)
    out, _ = self.generate(variables["params"], variables["state"],
                           self.latent(rng, num), False, labels)
    return self.from_model(out)

  def refresh_state(self, variables, rng, num=1024):
    """G's batch-norm statistics recomputed for `variables["params"]`.

    The trainer calls this with the generator's EMA weights, whose running
    statistics were never accumulated: one training-mode pass over `num`
    latents from running averages zeroed leaves (1 - momentum) times the batch
    statistics, which are divided out ("standing statistics"). D's state is
    left as is (sampling never uses D).
    """
    state = variables["state"]
    if not jax.tree.leaves(state["generator"]):
      return state
    zeroed = jax.tree.map(jnp.zeros_like, state["generator"])
    _, new = self.generate(variables["params"], {**state, "generator": zeroed},
                           self.latent(rng, num), True,
                           sample_labels(None, num, self.num_classes))
    return {**state, "generator": jax.tree.map(lambda s: s / (1.0 - BN_MOMENTUM), new)}


def _given(labels) -> tuple:
  """The players' extra positional input: (labels,) or nothing."""
  return () if labels is None else (labels,)
