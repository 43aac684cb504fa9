"""Shared base of the adversarial recipes (GAN, DCGAN, InfoGAN, ProGAN): two
players, G and D, trained as two phases of the one trainer, with optional
class conditioning, per-player batch-norm state and an EMA of G.

Images are mapped from the data encoding in [0, 1] to [-1, 1] for the
players and back in `sample` (`DataSpec.to_model` / `from_model`); 2-D
points are used as they are. See `gen_jax.models.gan` for the losses and
the discriminator's batch statistics.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import discriminator_loss, generator_loss
from gen_jax.models.base import (Phase, Recipe, batch_label, conditional_classes,
                                 sample_labels)
from gen_jax.nn.dcgan import (BN_MOMENTUM, CONDITIONINGS, LabelledGenerator, apply_player,
                              conditioned_discriminator, split_state)
from gen_jax.optim import make_optimizer

GENERATOR_LOSSES = ("minimax", "non_saturating")


class AdversarialRecipe(Recipe):
  """Shared two-player machinery; subclasses build `self.generator` and
  `self.discriminator` (D returns (logits [B], features [B, F]))."""

  def __init__(self, config, spec):
    super().__init__(config, spec)
    if spec.encoding == "categorical":
      raise UserError(f"model {config.name!r} generates continuous values; set "
                      "--config.data.encoding=float (or binary).")
    self.loss_kind = config.get("generator_loss", "non_saturating")
    if self.loss_kind not in GENERATOR_LOSSES:
      raise UserError(f"--config.model.generator_loss={self.loss_kind!r} is not one "
                      f"of {GENERATOR_LOSSES}.")
    d_steps = config.get("d_steps", 1)
    if not isinstance(d_steps, int) or d_steps < 1:
      raise UserError(f"--config.model.d_steps={d_steps!r} must be a positive integer.")
    self.noise_dim = config.get("noise_dim", 64)
    self.num_metric_samples = config.get("num_metric_samples", 2500)
    self.classifier_steps = config.get("classifier_steps", 2000)
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator",), d_steps),
                   Phase("generator", self._g_loss, self.generator_groups))
    self._metric_cache = {}
    self.num_classes = conditional_classes(config, spec, config.name)
    self.conditioning = config.get("conditioning", "projection")
    self.label_embed_dim = config.get("label_embed_dim", 32)
    if self.num_classes:
      if self.conditioning not in CONDITIONINGS:
        raise UserError(f"--config.model.conditioning={self.conditioning!r} is not one "
                        f"of {CONDITIONINGS}.")
      self.sample_inputs = ("label",)

  def conditioned(self, generator, discriminator):
    """The players, given the label when `model.conditional` (Mirza & Osindero
    2014): G reads a label embedding beside z; D projects (Miyato & Koyama
    2018) or reads one-hot label maps beside the image, by `model.conditioning`."""
    if not self.num_classes:
      return generator, discriminator
    return (LabelledGenerator(generator, self.num_classes, self.label_embed_dim),
            conditioned_discriminator(discriminator, self.num_classes, self.conditioning))

  def labels_of(self, batch):
    """[B] labels of a conditional model's batch (fakes take the real batch's
    labels, so D sees both at the data's class frequencies), else None."""
    return batch_label(batch, self.num_classes, self.config.get("name"))

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
    return jax.random.normal(rng, (num, self.noise_dim))

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
    """((logits [B], features [B, F]), new discriminator state).

    In training mode batch norm normalises `x` by its own batch statistics
    and the returned state has the running averages moved towards them.
    """
    return apply_player(self.discriminator, params["discriminator"],
                        state["discriminator"], x, *_given(labels), train=train)

  def init(self, rng, example_batch):
    g_key, d_key = jax.random.split(rng)
    latent = self.latent(g_key, 2)  # only its shapes matter
    labels = _given(sample_labels(None, 2, self.num_classes))
    g_params, g_state = split_state(self.generator.init(
        g_key, self.generator_input(latent), *labels, train=False))
    x = self.to_model(example_batch["x"][:1].repeat(2, 0))
    d_params, d_state = split_state(self.discriminator.init(d_key, x, *labels,
                                                            train=False))
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
    loss = generator_loss(fake_logits, self.loss_kind)
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

  def optimizers(self, train_config):
    """Adam per player; `model.{generator,discriminator}_learning_rate` override."""
    opts = {}
    for group in ("generator", "discriminator") + tuple(
        g for g in self.generator_groups if g != "generator"):
      lr = self.config.get(f"{group}_learning_rate", None) or None
      opts[group] = make_optimizer(train_config, learning_rate=lr)
    return opts

  def sample_metrics(self, variables, rng, train_source, eval_source):
    """Mode coverage (2-D mixtures, stacked digits) or classifier metrics."""
    from gen_jax.eval import gan_metrics  # pylint: disable=import-outside-toplevel
    num = self.num_metric_samples
    if not num:
      return {}
    sampler = functools.partial(self._chunked_sample, variables)
    metrics = gan_metrics.sample_metrics(self.spec, sampler, rng, num, train_source,
                                         eval_source, self._metric_cache,
                                         self.classifier_steps)
    if self.num_classes and self.spec.is_image:
      metrics.update(gan_metrics.conditional_metrics(
          self.spec, sampler, jax.random.fold_in(rng, 1), num, train_source,
          eval_source, self._metric_cache, self.classifier_steps))
    return metrics

  @functools.cached_property
  def _jit_sample(self):
    return jax.jit(self.sample, static_argnums=(2,))

  def _chunked_sample(self, variables, rng, num, chunk=500):
    """`num` samples in chunks; a conditional model's sample i has label i % K."""
    def inputs(start, size):
      if not self.num_classes:
        return None
      return {"label": (np.arange(start, start + size) % self.num_classes).astype(np.int32)}
    parts = [np.asarray(self._jit_sample(variables, jax.random.fold_in(rng, i), size,
                                         inputs(start, size)))
             for i, start in enumerate(range(0, num, chunk))
             for size in [min(chunk, num - start)]]
    return np.concatenate(parts)


def _given(labels) -> tuple:
  """The players' extra positional input: (labels,) or nothing."""
  return () if labels is None else (labels,)
