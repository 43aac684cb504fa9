"""GAN (MLP players) and DCGAN (conv players with batch norm).

Goodfellow et al. 2014; Radford et al. 2016. Two parameter groups,
`generator` and `discriminator`, trained as two phases of the one trainer:
`discriminator` (`model.d_steps` times), then `generator`. The generator
loss is `model.generator_loss`: "minimax" (E log(1 - D(G(z)))) or
"non_saturating" (-E log D(G(z))). D outputs logits; every loss is written
with log-sigmoids (`gen_jax.losses`), stable for any logit.

Images are mapped from the data encoding in [0, 1] to [-1, 1] for the
players (tanh output) and back in `sample` (binary data: thresholded at
1/2). 2-D points are used as they are (linear output). Batch-norm
statistics live in `state[player]` and each phase updates only its own
player's statistics.

Discriminator batch statistics: real and fake batches go through D's batch
norm apart, in two training-mode calls, as in the DCGAN reference
implementations (Radford et al.'s dcgan_code and the PyTorch DCGAN example
apply D to the real batch, then to the fake batch): each batch is normalised
by its own statistics, so D's output on a real image never depends on the
fakes beside it. D's running averages take the real batch's statistics, then
the fake batch's, in that order (as the PyTorch example's two calls do). In
the generator phase D sees the fake batch alone, also in training mode (its
own batch statistics, as in the reference), but its running averages are
left as they were: each phase updates only its own player's state. (The
PyTorch example also moves them in that call; the only reader of D's running
averages here is InfoGAN's `classify`, so sampling is unaffected.) G's
statistics for EMA weights are recomputed by `refresh_state`.

Packing (PacGAN, Lin et al. 2018; `model.pack` = m): D sees m samples at
once, concatenated along the last axis (2-D points: [B/m, 2m]; images:
channels, [B/m, H, W, m*C]), real with real and fake with fake, and makes
B/m decisions per batch; the batch size must be a multiple of m.
"""

import dataclasses

import jax.numpy as jnp

from gen_jax.errors import UserError
from gen_jax.models.base.adversarial import AdversarialOptions, AdversarialRecipe
from gen_jax.nn.dcgan import DCGANDiscriminator, DCGANGenerator, GeneratorMLP, MLPDiscriminator
from gen_jax.options import option


@dataclasses.dataclass(frozen=True)
class PackedOptions(AdversarialOptions):
  pack: int = option(1, minimum=1)   # samples per D decision (PacGAN); divides the batch


@dataclasses.dataclass(frozen=True)
class GANOptions(PackedOptions):
  g_hidden: tuple[int, ...] = option((128, 128), minimum=1)   # G's hidden widths
  d_hidden: tuple[int, ...] = option((128, 128), minimum=1)   # D's hidden widths
  g_batch_norm: bool = False                 # batch norm before G's hidden ReLUs
  d_maxout: int = option(0, minimum=0)       # > 0: D's units are maxouts of that many pieces


@dataclasses.dataclass(frozen=True)
class DCGANOptions(PackedOptions):
  features: int = option(32, minimum=1)   # D's first width; G mirrors it


class PackedRecipe(AdversarialRecipe):
  """An adversarial recipe whose D judges `model.pack` samples at once
  (Lin et al. 2018): m real or m fake samples concatenated along the last
  axis, one decision each; G's loss averages over the B/m fake decisions."""

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.pack = self.options.pack
    if self.pack > 1 and self.num_classes:
      raise UserError(f"--config.model.pack={self.pack} packs unlabelled samples; set "
                      "--config.model.pack=1 for a conditional model.")


class GAN(PackedRecipe):
  """MLP generator and discriminator (Goodfellow et al. 2014)."""
  Options = GANOptions
  model_name = "gan"

  def __init__(self, config, spec):
    super().__init__(config, spec)
    options = self.options
    self.generator, self.discriminator = self.conditioned(
        GeneratorMLP(options.g_hidden, spec.num_dims, batch_norm=options.g_batch_norm),
        MLPDiscriminator(options.d_hidden, maxout=options.d_maxout))

  def generate(self, params, state, latent, train, labels=None):
    out, new = super().generate(params, state, latent, train, labels)
    return (jnp.tanh(out) if self.spec.is_image else out), new


class DCGAN(PackedRecipe):
  """Transposed-conv G, strided-conv D, batch norm (Radford et al. 2016)."""
  Options = DCGANOptions
  model_name = "dcgan"

  def __init__(self, config, spec):
    super().__init__(config, spec)
    if not spec.is_image:
      raise UserError("model 'dcgan' needs image data; use model 'gan' for 2-D points.")
    features = self.options.features
    self.generator, self.discriminator = self.conditioned(
        DCGANGenerator(spec.event_shape, features), DCGANDiscriminator(features))
