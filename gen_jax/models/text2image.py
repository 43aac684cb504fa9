"""Text-to-image GAN: GAN-CLS and GAN-INT (Reed et al. 2016).

Players (`gen_jax.nn.text2image`): a text encoder (GRU over word
embeddings) whose sentence embedding, compressed to `compressed_dim` (128),
is concatenated to z in G and replicated over D's 4x4 map.

Phases of the one trainer:
  discriminator (groups discriminator, text_encoder): GAN-CLS, the
    matching-aware loss: (real image, its caption) is real; (real image, a
    mismatched caption: the batch's captions rolled by one) and (fake image,
    its caption) are fake, each weighted 1/2 (the paper's Algorithm 1).
    The text encoder is trained end to end by this loss; with
    `text_loss="joint_embedding"` the symmetric joint-embedding loss between
    real images' codes (a linear map of D's trunk) and their captions'
    embeddings is added (`joint_embedding_weight`; unit vectors, scores
    divided by a temperature 0.1).
  generator (group generator): non-saturating loss on (G(z, h), h), plus
    GAN-INT: `interpolation_weight` times the same loss on embeddings
    interpolated between two captions, beta h1 + (1 - beta) h2 with
    beta = `interpolation_beta` (0.5), for which there is no real image.

`text_encoder` (default "gru") picks the encoder: "gru" is learned (by
GAN-CLS, or with the joint embedding); "bag_of_words" is fixed, each word's
share of the caption (`gen_jax.nn.text2image.BagOfWords`), which takes the
encoder's training out of the game.

`discriminator` (default "matching", the paper's) picks D: "matching"
joins the compressed embedding to D's 4x4 map; "projection" is the
class-conditional GAN's projection D (Miyato & Koyama 2018) reading the
sentence embedding: the DCGAN discriminator's logit plus the inner product
of its features with a linear map of the embedding. `d_batch_norm`
(default True, as the paper) turns off D's batch norm.

`unconditional_weight` (default 0: the paper's objective) adds the
unconditional adversarial loss of StackGAN++ (Zhang et al. 2018), weighted:
D's image-only logit (part of every matching score) is also trained to
tell real images from fakes whatever the text (-log s(r(x)) - log(1 -
s(r(G(z, h))))), and G to fool it (non-saturating, on the same fakes as
its GAN-CLS term). Without it D can meet GAN-CLS by matching texts alone:
on attribute digits D rated fakes as real as real images while rejecting
mismatched captions.

Data: the spec's `captions` feature ([C, L] word ids, several captions per
image; one is drawn per example and step) with its `vocabulary`. `sample`
reads `inputs["caption"]` [num, L] or `inputs["captions"]` [num, C, L]
(the first of each); without inputs it draws from the captions of the last
training batch, kept in `state["captions"]` (they also re-estimate G's
batch-norm statistics for the EMA weights).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import generator_loss
from gen_jax.models.base import Phase, Recipe, config_choice, config_flag, config_weight
from gen_jax.nn.dcgan import (BN_MOMENTUM, D_NORMS, DCGANDiscriminator, DCGANGenerator,
                              apply_player, split_state)
from gen_jax.nn.text2image import (BagOfWords, MatchingDiscriminator,
                                   ProjectionTextDiscriminator, TextEncoder, TextGenerator)
from gen_jax.optim import make_optimizer

TEXT_LOSSES = ("end_to_end", "joint_embedding")
DISCRIMINATORS = ("matching", "projection")
TEXT_ENCODERS = ("gru", "bag_of_words")
CAPTION_BANK = 64
JOINT_TEMPERATURE = 0.1


def gan_cls_discriminator_loss(real_match, real_mismatch, fake_match):
  """GAN-CLS D loss on logits [B] each: -log D(x, h) - 1/2 [log(1 - D(x, h'))
  + log(1 - D(G(z, h), h))], averaged over the batch."""
  return -jnp.mean(jax.nn.log_sigmoid(real_match)
                   + 0.5 * (jax.nn.log_sigmoid(-real_mismatch)
                            + jax.nn.log_sigmoid(-fake_match)))


def interpolate(text, beta: float):
  """GAN-INT embeddings [B, E]: beta h_i + (1 - beta) h_{i-1} (the batch rolled)."""
  return beta * text + (1.0 - beta) * jnp.roll(text, 1, axis=0)


def joint_embedding_loss(image_code, text_code):
  """Symmetric cross-entropy of the [B, B] compatibility scores <v_i, t_j>:
  each image picks its caption among the batch's and each caption its image."""
  scores = image_code @ text_code.T                                   # [B, B]
  diagonal = jnp.arange(scores.shape[0])
  by_image = -jnp.mean(jax.nn.log_softmax(scores, 1)[diagonal, diagonal])
  by_text = -jnp.mean(jax.nn.log_softmax(scores, 0)[diagonal, diagonal])
  return 0.5 * (by_image + by_text)


def unit(v):
  """Rows scaled to unit length."""
  return v / (jnp.linalg.norm(v, axis=-1, keepdims=True) + 1e-6)


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
    self.caption_feature = caption_feature(spec)
    self.vocabulary = self.caption_feature.vocabulary
    self.caption_length = self.caption_feature.shape[-1]
    self.noise_dim = config.get("noise_dim", 64)
    self.loss_kind = config.get("generator_loss", "non_saturating")
    self.interpolation_weight = config_weight(config, "interpolation_weight", 1.0)
    self.beta = float(config.get("interpolation_beta", 0.5))
    self.text_loss = config_choice(config, "text_loss", "end_to_end", TEXT_LOSSES)
    self.joint_weight = config_weight(config, "joint_embedding_weight", 1.0)
    self.unconditional_weight = config_weight(config, "unconditional_weight", 0.0)
    self.num_metric_samples = config.get("num_metric_samples", 2000)
    self.classifier_steps = config.get("classifier_steps", 2000)
    features, compressed = config.get("features", 32), config.get("compressed_dim", 128)
    self.encoder = self.make_encoder(config)
    self.generator = TextGenerator(DCGANGenerator(spec.event_shape, features), compressed)
    self.discriminator = self.make_discriminator(config, features, compressed)
    d_steps = config.get("d_steps", 1)
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator", "text_encoder"),
                         d_steps),
                   Phase("generator", self._g_loss, ("generator",)))
    self._metric_cache = {}

  def make_encoder(self, config):
    """The text encoder of kind `model.text_encoder` (module doc)."""
    kind = config_choice(config, "text_encoder", "gru", TEXT_ENCODERS)
    if kind == "bag_of_words":
      return BagOfWords(len(self.vocabulary) + 1)
    return TextEncoder(len(self.vocabulary) + 1, config.get("word_dim", 64),
                       config.get("text_dim", 128))

  def make_discriminator(self, config, features, compressed):
    """D of kind `model.discriminator` (module doc)."""
    kind = config_choice(config, "discriminator", "matching", DISCRIMINATORS)
    text_dim = (len(self.vocabulary) if isinstance(self.encoder, BagOfWords)
                else config.get("text_dim", 128))
    code_dim = text_dim if self.text_loss == "joint_embedding" else 0
    batch_norm = config_flag(config, "d_batch_norm", True)
    if kind == "projection":
      norm = config_choice(config, "d_norm", "batch" if batch_norm else "none", D_NORMS)
      return ProjectionTextDiscriminator(DCGANDiscriminator(features, norm),
                                         compressed, code_dim)
    return MatchingDiscriminator(features, compressed, code_dim, batch_norm)

  # ----------------------------------------------------------- encodings

  def to_model(self, x):
    return self.spec.to_model(x)

  def from_model(self, y):
    return self.spec.from_model(y)

  # ---------------------------------------------------------------- nets

  def encode(self, params, captions):
    """Word ids [B, L] -> sentence embeddings [B, E]."""
    return self.encoder.apply({"params": params["text_encoder"]}, captions)

  def generate(self, params, state, z, text, train):
    """(images in [-1, 1] [B, *event], new generator state)."""
    return apply_player(self.generator, params["generator"], state["generator"],
                        z, text, train=train)

  def discriminate(self, params, state, x, texts, train):
    """((logits [T, B], features [B, F]), new discriminator state)."""
    return apply_player(self.discriminator, params["discriminator"],
                        state["discriminator"], x, texts, train=train)

  def init(self, rng, example_batch):
    k_text, k_g, k_d = jax.random.split(rng, 3)
    captions = jnp.asarray(example_batch["captions"])[:1, 0].repeat(2, 0)   # [2, L]
    t_params = self.encoder.init(k_text, captions).get("params", {})
    text = self.encoder.apply({"params": t_params}, captions)
    z = jnp.zeros((2, self.noise_dim))
    g_params, g_state = split_state(self.generator.init(k_g, z, text, train=False))
    x = self.to_model(jnp.asarray(example_batch["x"])[:1].repeat(2, 0))
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
    real = self.to_model(batch["x"])
    z = jax.random.normal(k_z, (real.shape[0], self.noise_dim))
    fake, _ = self.generate(params, state, z, jax.lax.stop_gradient(text), True)
    fake = jax.lax.stop_gradient(fake)
    texts = jnp.stack([text, jnp.roll(text, 1, axis=0)])                   # [2, B, E]
    (real_logits, feats, real_realism), d_state = self.discriminate(
        params, state, real, texts, True)
    (fake_logits, _, fake_realism), d_state = self.discriminate(
        params, {**state, "discriminator": d_state}, fake, text[None], True)
    loss = gan_cls_discriminator_loss(real_logits[0], real_logits[1], fake_logits[0])
    metrics = {"d_real": jnp.mean(jax.nn.sigmoid(real_logits[0])),
               "d_mismatch": jnp.mean(jax.nn.sigmoid(real_logits[1])),
               "d_fake": jnp.mean(jax.nn.sigmoid(fake_logits[0]))}
    if self.unconditional_weight:
      unconditional = -jnp.mean(jax.nn.log_sigmoid(real_realism)
                                + jax.nn.log_sigmoid(-fake_realism))
      loss = loss + self.unconditional_weight * unconditional
      metrics["d_unconditional"] = unconditional
    if self.text_loss == "joint_embedding":
      joint = joint_embedding_loss(unit(feats), unit(text) / JOINT_TEMPERATURE)
      loss = loss + self.joint_weight * joint
      metrics["joint_embedding"] = joint
    bank = jnp.resize(captions, (CAPTION_BANK, captions.shape[1]))
    return loss, (metrics, {**state, "discriminator": d_state, "captions": bank})

  def _g_loss(self, params, state, batch, rng, step):
    del step
    k_caption, k_z = jax.random.split(rng)
    captions = pick_captions(jnp.asarray(batch["captions"]), k_caption)
    text = self.encode(params, captions)                                   # [B, E]
    b = text.shape[0]
    texts = text
    if self.interpolation_weight:
      texts = jnp.concatenate([text, interpolate(text, self.beta)])        # [2B, E]
    z = jax.random.normal(k_z, (texts.shape[0], self.noise_dim))
    fake, g_state = self.generate(params, state, z, texts, True)
    (logits, _, realism), _ = self.discriminate(params, state, fake, texts[None], True)
    loss = generator_loss(logits[0, :b], self.loss_kind)
    metrics = {}
    if self.unconditional_weight:
      unconditional = generator_loss(realism[:b], self.loss_kind)
      loss = loss + self.unconditional_weight * unconditional
      metrics["g_unconditional"] = unconditional
    if self.interpolation_weight:
      interp = generator_loss(logits[0, b:], self.loss_kind)
      loss = loss + self.interpolation_weight * interp
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
    return self.from_model(out)

  def sample(self, variables, rng, num, inputs=None):
    captions = self.captions_of(inputs, variables["state"], num)
    text = self.encode(variables["params"], captions)
    z = jax.random.normal(rng, (num, self.noise_dim))
    return self.sample_from_text(variables, z, text)

  def refresh_state(self, variables, rng, num=512):
    """G's batch-norm statistics for `variables["params"]` (standing
    statistics, as `AdversarialRecipe.refresh_state`), over the kept
    captions and fresh z."""
    state = variables["state"]
    zeroed = jax.tree.map(jnp.zeros_like, state["generator"])
    text = self.encode(variables["params"], self.captions_of(None, state, num))
    z = jax.random.normal(rng, (num, self.noise_dim))
    _, new = self.generate(variables["params"], {**state, "generator": zeroed}, z, text, True)
    return {**state, "generator": jax.tree.map(lambda s: s / (1.0 - BN_MOMENTUM), new)}

  def optimizers(self, train_config):
    """Adam per group; `model.<group>_learning_rate` overrides."""
    return {g: make_optimizer(train_config,
                              learning_rate=self.config.get(f"{g}_learning_rate", None) or None)
            for g in ("generator", "discriminator", "text_encoder")}

  @functools.cached_property
  def _jit_sample(self):
    return jax.jit(self.sample, static_argnums=(2,))

  @functools.cached_property
  def _jit_from_text(self):
    return jax.jit(self.sample_from_text)

  @functools.cached_property
  def _jit_encode(self):
    return jax.jit(self.encode)

  def _chunked_sample(self, variables, rng, captions, chunk=500):
    """Images [N, *event] (numpy) for captions [N, L]."""
    parts = [np.asarray(self._jit_sample(variables, jax.random.fold_in(rng, i), len(part),
                                         {"caption": part}))
             for i, part in enumerate(np.split(captions, range(chunk, len(captions), chunk)))]
    return np.concatenate(parts)

  def sample_metrics(self, variables, rng, train_source, eval_source):
    """Caption accuracy (seen and held-out compositions) and Frechet distance."""
    from gen_jax.eval import captions as caption_eval  # pylint: disable=import-outside-toplevel
    if not self.num_metric_samples:
      return {}
    sampler = functools.partial(self._chunked_sample, variables)
    return caption_eval.caption_metrics(self.spec, sampler, rng, self.num_metric_samples,
                                        train_source, eval_source, self._metric_cache,
                                        self.classifier_steps)

  def write_pictures(self, variables, rng, batch, directory, step):
    """One caption across many z; the same z across captions; interpolation
    between two captions (rows: caption i to caption i+1, one z per row)."""
    from gen_jax.models import text_pictures  # pylint: disable=import-outside-toplevel
    captions = np.asarray(batch["captions"])[:, 0]
    text_pictures.write_all(self, variables, rng, captions, directory, step)
