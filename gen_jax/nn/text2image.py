"""Text-conditioned DCGAN players (Reed et al. 2016, "Generative Adversarial
Text to Image Synthesis").

- `TextEncoder`: word ids -> a sentence embedding (a GRU over learned word
  embeddings; the paper's char-CNN-RNN is the larger alternative).
- `BagOfWords`: a fixed encoder, each vocabulary word's share of the caption.
- `TextGenerator`: the embedding compressed by a dense layer and LeakyReLU
  (the paper: 1024 -> 128 dims), concatenated to z, then the DCGAN generator.
- `MatchingDiscriminator`: strided convs down to a 4x4 map (or the smallest
  even map above it), the compressed embedding replicated over that map and
  concatenated depthwise, a 1x1 conv and LeakyReLU, then the logit; plus a
  linear logit of the image trunk alone (an unconditional realism path, as
  in a projection discriminator: without it D learned to judge the text
  match and ignore realism here). One image batch is scored against several
  text batches in one call: the image trunk runs once.
- `ProjectionTextDiscriminator`: a DCGAN discriminator's logit plus the
  inner product of its trunk features with a linear map of the compressed
  embedding: the projection discriminator of Miyato & Koyama 2018 (the
  class-conditional GAN's D here) with a sentence in place of a label.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nn.dcgan import batch_norm_layer


class TextEncoder(nn.Module):
  """word ids [B, L] (0 pads, at the end) -> embedding [B, hidden]: the GRU's
  state after the last word."""
  vocab_size: int           # ids in [0, vocab_size)
  embed_dim: int = 64
  hidden: int = 128

  @nn.compact
  def __call__(self, ids):
    lengths = jnp.sum(ids != 0, -1)                                   # [B]
    words = nn.Embed(self.vocab_size, self.embed_dim)(ids)            # [B, L, W]
    carry, _ = nn.RNN(nn.GRUCell(self.hidden), return_carry=True)(
        words, seq_lengths=lengths)
    return carry                                                      # [B, hidden]


class BagOfWords(nn.Module):
  """word ids [B, L] (0 pads) -> [B, vocab_size - 1]: the fraction of the
  caption's words that are each vocabulary word (a fixed encoder with no
  parameters; Reed et al. 2016 compare such encoders with learned ones)."""
  vocab_size: int           # ids in [0, vocab_size)

  @nn.compact
  def __call__(self, ids):
    counts = jax.nn.one_hot(ids, self.vocab_size)[..., 1:].sum(-2)      # [B, V-1]
    return counts / jnp.maximum(counts.sum(-1, keepdims=True), 1.0)


def compress(text, dim: int, name: str):
  """The paper's text projection: dense to `dim`, LeakyReLU(0.2)."""
  return nn.leaky_relu(nn.Dense(dim, name=name)(text), 0.2)


class TextGenerator(nn.Module):
  """(z [B, Z], text [B, E]) -> base([z, compress(text)])."""
  base: nn.Module
  compressed: int = 128

  @nn.compact
  def __call__(self, z, text, train: bool = True):
    code = compress(text, self.compressed, "compress")                # [B, P]
    return self.base(jnp.concatenate([z, code], -1), train=train)


def trunk_stages(size: int) -> int:
  """Stride-2 stages that bring `size` down to 4 (or to an odd size > 4)."""
  stages = 0
  while size > 4 and size % 2 == 0:
    size, stages = size // 2, stages + 1
  return stages


class MatchingDiscriminator(nn.Module):
  """(images [B, H, W, C], texts [T, B, E]) -> (logits [T, B], trunk
  features [B, F], realism [B]): the score of each image with each of its T
  texts, and the image-only logit that is part of each score. With
  `code_dim` > 0 the features are a linear image code [B, code_dim] (for
  the joint embedding loss) instead of the flat trunk."""
  features: int = 32
  compressed: int = 128
  code_dim: int = 0
  batch_norm: bool = True   # in the trunk after the first conv (DCGAN)

  @nn.compact
  def __call__(self, x, texts, train: bool = True):
    for i in range(trunk_stages(x.shape[1])):         # [B, s, s, .] -> [B, s/2, s/2, ch]
      x = nn.Conv(self.features * 2 ** i, (4, 4), strides=(2, 2), padding="SAME",
                  use_bias=i == 0)(x)
      if i > 0 and self.batch_norm:
        x = batch_norm_layer(train)(x)
      x = nn.leaky_relu(x, 0.2)
    b, s, _, ch = x.shape
    code = compress(texts, self.compressed, "compress")               # [T, B, P]
    t = code.shape[0]
    maps = jnp.broadcast_to(code[:, :, None, None, :], (t, b, s, s, code.shape[-1]))
    image = jnp.broadcast_to(x[None], (t, b, s, s, ch))
    joint = jnp.concatenate([image, maps], -1).reshape(t * b, s, s, -1)
    joint = nn.leaky_relu(nn.Conv(ch, (1, 1), name="joint")(joint), 0.2)
    logits = nn.Dense(1, name="logit")(joint.reshape(t * b, -1))[:, 0]
    feats = x.reshape(b, -1)
    realism = nn.Dense(1, name="image_logit")(feats)[:, 0]            # [B]
    logits = logits.reshape(t, b) + realism
    if self.code_dim:
      feats = nn.Dense(self.code_dim, name="image_code")(feats)
    return logits, feats, realism


class ProjectionTextDiscriminator(nn.Module):
  """(images [B, H, W, C], texts [T, B, E]) -> (logits [T, B], features
  [B, F], realism [B]): realism = base(x) (a DCGANDiscriminator's logit) and
  logits[t] = realism + <V compress(texts[t]), features>. With `code_dim` > 0
  the features returned are a linear image code [B, code_dim] instead."""
  base: nn.Module
  compressed: int = 128
  code_dim: int = 0

  @nn.compact
  def __call__(self, x, texts, train: bool = True):
    realism, feats = self.base(x, train=train)                        # [B], [B, F]
    code = compress(texts, self.compressed, "compress")               # [T, B, P]
    projected = nn.Dense(feats.shape[-1], use_bias=False, name="project")(code)
    logits = realism + jnp.sum(projected * feats, -1)                 # [T, B]
    if self.code_dim:
      feats = nn.Dense(self.code_dim, name="image_code")(feats)
    return logits, feats, realism
