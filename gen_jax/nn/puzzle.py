"""Puzzle-GAN networks: a shared part encoder, an image + mask generator, D.

Lee et al. 2018 ("Unsupervised Holistic Image Generation from Key Local
Patches"): each key patch goes through one part encoder (shared weights);
the authors' PyTorch code (github.com/hellbell/KeyPatchGan, models/model.py)
sums the K part encodings, so the generator's input does not depend on the
patches' order. Here the sum and a noise vector z feed one upsampling trunk
with two heads: the image (tanh) and the mask logits. No batch norm, so the
players carry no state.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

from gen_jax.nn.dcgan import upsample_plan


class PartEncoder(nn.Module):
  """patches [N, p, p, C] -> embeddings [N, E]."""
  features: int = 32
  embed_dim: int = 64

  @nn.compact
  def __call__(self, patches):
    h = nn.leaky_relu(nn.Conv(self.features, (3, 3), padding="SAME")(patches), 0.2)
    h = nn.leaky_relu(nn.Conv(self.features * 2, (3, 3), strides=(2, 2),
                              padding="SAME")(h), 0.2)
    return nn.Dense(self.embed_dim)(h.reshape(h.shape[0], -1))


class PuzzleGenerator(nn.Module):
  """(patches [B, K, p, p, C], z [B, Z]) -> (image [B, H, W, C] in [-1, 1],
  mask logits [B, H, W, 1])."""
  out_shape: tuple[int, int, int]
  features: int = 32
  embed_dim: int = 64

  def setup(self):
    self.part_encoder = PartEncoder(self.features, self.embed_dim)

  def encode(self, patches):
    """[B, K, p, p, C] -> the summed part encodings [B, E]."""
    b, k = patches.shape[:2]
    codes = self.part_encoder(patches.reshape((b * k,) + patches.shape[2:]))
    return codes.reshape(b, k, -1).sum(1)

  @nn.compact
  def __call__(self, patches, z):
    h, w, c = self.out_shape
    base, stages = upsample_plan(h)
    width = self.features * 2 ** stages
    x = jnp.concatenate([self.encode(patches), z], -1)            # [B, E + Z]
    x = nn.relu(nn.Dense(base * base * width)(x)).reshape(-1, base, base, width)
    for i in range(stages):                                        # [B, s, s, .] -> [B, 2s, 2s, .]
      x = nn.relu(nn.ConvTranspose(width // 2 ** (i + 1), (4, 4), strides=(2, 2),
                                   padding="SAME")(x))
    x = nn.relu(nn.Conv(self.features, (3, 3), padding="SAME")(x))
    out = nn.Conv(c + 1, (3, 3), padding="SAME")(x)                 # [B, H, W, C + 1]
    del w
    return jnp.tanh(out[..., :c]), out[..., c:]


class PuzzleDiscriminator(nn.Module):
  """images [B, H, W, C] -> logits [B]; strided convs, LeakyReLU(0.2)."""
  features: int = 32

  @nn.compact
  def __call__(self, x):
    _, stages = upsample_plan(x.shape[1])
    for i in range(max(stages, 1)):
      x = nn.leaky_relu(nn.Conv(self.features * 2 ** i, (4, 4), strides=(2, 2),
                                padding="SAME")(x), 0.2)
    return nn.Dense(1)(x.reshape(x.shape[0], -1))[:, 0]


def encode_parts(generator: PuzzleGenerator, params, patches: jax.Array) -> jax.Array:
  """The summed part encodings [B, E] of `patches` [B, K, p, p, C]."""
  return generator.apply({"params": params}, patches, method=PuzzleGenerator.encode)
