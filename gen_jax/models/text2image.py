"""Text-to-image GAN: GAN-CLS and GAN-INT (Reed et al. 2016).

Players (`gen_jax.nn.text2image`): a text encoder (GRU over word
embeddings) whose sentence embedding, compressed to `compressed_dim` (128),
is concatenated to z in G and replicated over D's 4x4 map.

Phases of the one trainer:
  discriminator (groups discriminator, text_encoder): GAN-CLS, the
    matching-aware loss: (real image, its caption) is real; (real image, a
    mismatched caption: the batch's captions rolled by one) and (fake image,
    its caption) are fake, each weighted 1/2 (the paper's Algorithm 1).
    The text encoder is trained end to end by this loss.
  generator (group generator): non-saturating loss on (G(z, h), h), plus
    GAN-INT: `interpolation_weight` times the same loss on embeddings
    interpolated between two captions, beta h1 + (1 - beta) h2 with the
    paper's beta = 1/2, for which there is no real image.

`text_encoder` (default "gru") picks the encoder: "gru" is learned (by
GAN-CLS); "bag_of_words" is fixed, each word's share of the caption
(`gen_jax.nn.text2image.BagOfWords`), which takes the encoder's training
out of the game.

`discriminator` (default "matching", the paper's) picks D: "matching"
joins the compressed embedding to D's 4x4 map; "projection" is the
class-conditional GAN's projection D (Miyato & Koyama 2018) reading the
sentence embedding: the DCGAN discriminator's logit plus the inner product
of its features with a linear map of the embedding. `d_batch_norm`
(default True, as the paper) turns off D's batch norm.

Tried and removed (measured on attribute digits, with the paper's matching
D; experiments/configs/text2image_mnist_captions.py has the figures): a
symmetric joint-embedding loss between real images' codes and their
captions' embeddings added to D's phase (caption accuracy 0.106 against
0.051 end to end, both blobs; with the projection D it drew blobs too);
StackGAN++'s unconditional adversarial term (Zhang et al. 2018) on D's
image-only logit (0.090); spectral norm in the projection D in place of
batch norm (with the joint embedding and D's rate doubled: blobs at step
500-700). Only the projection D with batch norm, end to end, drew digits.

Data: the spec's `captions` feature ([C, L] word ids, several captions per
image; one is drawn per example and step) with its `vocabulary`. `sample`
reads `inputs["caption"]` [num, L] or `inputs["captions"]` [num, C, L]
(the first of each); without inputs it draws from the captions of the last
training batch, kept in `state["captions"]` (they also re-estimate G's
batch-norm statistics for the EMA weights). Caption accuracy is measured by
the "captions" evaluator (`gen_jax.eval.captions`, `config.evals.captions`).

Options (`Text2ImageOptions`, `--config.model.<name>`): noise_dim (64),
features (32), compressed_dim (128), text_encoder ("gru"), word_dim (64),
text_dim (128), discriminator ("matching"), d_batch_norm (True),
interpolation_weight (1).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import generator_loss
from gen_jax.models.base import Phase, Recipe
from gen_jax.pictures.text import write_all
from gen_jax.nn.dcgan import (BN_MOMENTUM, DCGANDiscriminator, DCGANGenerator, apply_player,
                              split_state)
from gen_jax.nn.text2image import (BagOfWords, MatchingDiscriminator,
                                   ProjectionTextDiscriminator, TextEncoder, TextGenerator)
from gen_jax.optim import make_optimizer
from gen_jax.options import option, read_options

DISCRIMINATORS = ("matching", "projection")
TEXT_ENCODERS = ("gru", "bag_of_words")
CAPTION_BANK = 64
INTERPOLATION_BETA = 0.5     # GAN-INT's mixing weight (the paper's)


@dataclasses.dataclass(frozen=True)
class Text2ImageOptions:
  """The text-to-image GAN's `model.` options (module doc)."""
  noise_dim: int = option(64, minimum=1)
  features: int = option(32, minimum=1)          # G's last / D's first stage channels
  compressed_dim: int = option(128, minimum=1)   # the compressed text embedding
  text_encoder: str = option("gru", choices=TEXT_ENCODERS)
  word_dim: int = option(64, minimum=1)          # the GRU's word embeddings
  text_dim: int = option(128, minimum=1)         # the GRU's state
  discriminator: str = option("matching", choices=DISCRIMINATORS)
  d_batch_norm: bool = True
  interpolation_weight: float = option(1.0, minimum=0.0)


def gan_cls_discriminator_loss(real_match, real_mismatch, fake_match):
  """GAN-CLS D loss on logits [B] each: -log D(x, h) - 1/2 [log(1 - D(x, h'))
  + log(1 - D(G(z, h), h))], averaged over the batch."""
  return -jnp.mean(jax.nn.log_sigmoid(real_match)
                   + 0.5 * (jax.nn.log_sigmoid(-real_mismatch)
                            + jax.nn.log_sigmoid(-fake_match)))


def interpolate(text, beta: float):
  """GAN-INT embeddings [B, E]: beta h_i + (1 - beta) h_{i-1} (the batch rolled)."""
  return beta * text + (1.0 - beta) * jnp.roll(text, 1, axis=0)


def pick_captions(captions, rng):
  """[B, C, L] -> [B, L]: one of each example's captions, drawn uniformly
  among the non-empty ones."""
  present = jnp.any(captions != 0, -1)                                # [B, C]
  logits = jnp.where(present, 0.0, -jnp.inf)
  choice = jax.random.categorical(rng, logits, -1)                    # [B]
  return jnp.take_along_axis(captions, choice[:, None, None], 1)[:, 0]


def caption_feature(spec):
  """The spec's `captions` feature, or a clear error."""
  feature = spec.feature("captions")
  if feature is None or not feature.vocabulary or len(feature.shape) != 2:
    raise UserError(f"model 'text2image' needs captioned data (a 'captions' feature "
                    f"with a vocabulary); dataset {spec.name!r} has none. Use "
                    "data.name=attribute_digits or caption_folder.")
  return feature


class Text2Image(Recipe):
  """GAN-CLS / GAN-INT text-to-image DCGAN (module doc)."""
  sample_inputs = ("captions",)
  ema_groups = ("generator", "text_encoder")

  def __init__(self, config, spec):
    super().__init__(config, spec)
    if not spec.is_image or spec.encoding == "categorical":
      raise UserError("model 'text2image' draws images with float (or binary) "
                      "pixels; set --config.data.encoding=float.")
    self.options = options = read_options(Text2ImageOptions, config, "model")
    self.caption_feature = caption_feature(spec)
    self.vocabulary = self.caption_feature.vocabulary
    self.caption_length = self.caption_feature.shape[-1]
    self.encoder = self.make_encoder()
    self.generator = TextGenerator(DCGANGenerator(spec.event_shape, options.features),
                                   options.compressed_dim)
    self.discriminator = self.make_discriminator()
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator", "text_encoder")),
                   Phase("generator", self._g_loss, ("generator",)))

  def make_encoder(self):
    """The text encoder of kind `model.text_encoder` (module doc)."""
    if self.options.text_encoder == "bag_of_words":
      return BagOfWords(len(self.vocabulary) + 1)
    return TextEncoder(len(self.vocabulary) + 1, self.options.word_dim, self.options.text_dim)

  def make_discriminator(self):
    """D of kind `model.discriminator` (module doc)."""
    options = self.options
    if options.discriminator == "projection":
      norm = "batch" if options.d_batch_norm else "none"
      return ProjectionTextDiscriminator(DCGANDiscriminator(options.features, norm),
                                         options.compressed_dim)
    return MatchingDiscriminator(options.features, options.compressed_dim,
                                 options.d_batch_norm)

  # ---------------------------------------------------------------- nets

  def encode(self, params, captions):
    """Word ids [B, L] -> sentence embeddings [B, E]."""
    return self.encoder.apply({"params": params["text_encoder"]}, captions)

  def generate(self, params, state, z, text, train):
    """(images in [-1, 1] [B, *event], new generator state)."""
    return apply_player(self.generator, params["generator"], state["generator"],
                        z, text, train=train)

  def discriminate(self, params, state, x, texts, train):
    """((logits [T, B], features [B, F], realism [B]), new discriminator state)."""
    return apply_player(self.discriminator, params["discriminator"],
                        state["discriminator"], x, texts, train=train)

  def init(self, rng, example_batch):
    k_text, k_g, k_d = jax.random.split(rng, 3)
    captions = jnp.asarray(example_batch["captions"])[:1, 0].repeat(2, 0)   # [2, L]
    t_params = self.encoder.init(k_text, captions).get("params", {})
    text = self.encoder.apply({"params": t_params}, captions)
    z = jnp.zeros((2, self.options.noise_dim))
    g_params, g_state = split_state(self.generator.init(k_g, z, text, train=False))
    x = self.spec.to_model(jnp.asarray(example_batch["x"])[:1].repeat(2, 0))
    d_params, d_state = split_state(self.discriminator.init(k_d, x, text[None], train=False))
    bank = jnp.tile(captions[:1], (CAPTION_BANK, 1))
    return {"params": {"generator": g_params, "discriminator": d_params,
                       "text_encoder": t_params},
            "state": {"generator": g_state, "discriminator": d_state, "captions": bank}}

  # -------------------------------------------------------------- phases

  def _d_loss(self, params, state, batch, rng, step):
    del step
    k_caption, k_z = jax.random.split(rng)
    captions = pick_captions(jnp.asarray(batch["captions"]), k_caption)    # [B, L]
    text = self.encode(params, captions)                                   # [B, E]
    real = self.spec.to_model(batch["x"])
    z = jax.random.normal(k_z, (real.shape[0], self.options.noise_dim))
    fake, _ = self.generate(params, state, z, jax.lax.stop_gradient(text), True)
    fake = jax.lax.stop_gradient(fake)
    texts = jnp.stack([text, jnp.roll(text, 1, axis=0)])                   # [2, B, E]
    (real_logits, _, _), d_state = self.discriminate(params, state, real, texts, True)
    (fake_logits, _, _), d_state = self.discriminate(
        params, {**state, "discriminator": d_state}, fake, text[None], True)
    loss = gan_cls_discriminator_loss(real_logits[0], real_logits[1], fake_logits[0])
    metrics = {"d_real": jnp.mean(jax.nn.sigmoid(real_logits[0])),
               "d_mismatch": jnp.mean(jax.nn.sigmoid(real_logits[1])),
               "d_fake": jnp.mean(jax.nn.sigmoid(fake_logits[0]))}
    bank = jnp.resize(captions, (CAPTION_BANK, captions.shape[1]))
    return loss, (metrics, {**state, "discriminator": d_state, "captions": bank})

  def _g_loss(self, params, state, batch, rng, step):
    del step
    k_caption, k_z = jax.random.split(rng)
    captions = pick_captions(jnp.asarray(batch["captions"]), k_caption)
    text = self.encode(params, captions)                                   # [B, E]
    b = text.shape[0]
    weight = self.options.interpolation_weight
    texts = text
    if weight:
      texts = jnp.concatenate([text, interpolate(text, INTERPOLATION_BETA)])   # [2B, E]
    z = jax.random.normal(k_z, (texts.shape[0], self.options.noise_dim))
    fake, g_state = self.generate(params, state, z, texts, True)
    (logits, _, _), _ = self.discriminate(params, state, fake, texts[None], True)
    loss = generator_loss(logits[0, :b])
    metrics = {}
    if weight:
      interp = generator_loss(logits[0, b:])
      loss = loss + weight * interp
      metrics["g_interpolation"] = interp
    return loss, (metrics, {**state, "generator": g_state})

  # ------------------------------------------------------------- outputs

  def captions_of(self, inputs, state, num):
    """[num, L] word ids: inputs["caption"], the first of inputs["captions"],
    or the captions of the last training batch in turn."""
    if inputs is not None and inputs.get("caption") is not None:
      return jnp.asarray(inputs["caption"], jnp.int32)
    if inputs is not None and inputs.get("captions") is not None:
      return jnp.asarray(inputs["captions"], jnp.int32)[:, 0]
    bank = state["captions"]
    return bank[jnp.arange(num) % bank.shape[0]]

  def sample_from_text(self, variables, z, text):
    """Images in the data encoding for z [N, Z] and embeddings [N, E]."""
    out, _ = self.generate(variables["params"], variables["state"], z, text, False)
    return self.spec.from_model(out)

  def sample(self, variables, rng, num, inputs=None):
    captions = self.captions_of(inputs, variables["state"], num)
    text = self.encode(variables["params"], captions)
    z = jax.random.normal(rng, (num, self.options.noise_dim))
    return self.sample_from_text(variables, z, text)

  def refresh_state(self, variables, rng, num=512):
    """G's batch-norm statistics for `variables["params"]` (standing
    statistics, as `AdversarialRecipe.refresh_state`), over the kept
    captions and fresh z."""
    state = variables["state"]
    zeroed = jax.tree.map(jnp.zeros_like, state["generator"])
    text = self.encode(variables["params"], self.captions_of(None, state, num))
    z = jax.random.normal(rng, (num, self.options.noise_dim))
    _, new = self.generate(variables["params"], {**state, "generator": zeroed}, z, text, True)
    return {**state, "generator": jax.tree.map(lambda s: s / (1.0 - BN_MOMENTUM), new)}

  def optimizers(self, train_config):
    """Adam per group, all alike."""
    return {g: make_optimizer(train_config)
            for g in ("generator", "discriminator", "text_encoder")}

  def write_pictures(self, variables, rng, batch, directory, step):
    """One caption across many z; the same z across captions; interpolation
    between two captions (rows: caption i to caption i+1, one z per row)
    (`gen_jax.pictures.text`)."""
    captions = np.asarray(batch["captions"])[:, 0]
    write_all(self, variables, rng, captions, directory, step)
