"""Puzzle-GAN networks, and the geometry of key patches.

Networks: a shared part encoder, an image + mask generator, D.

Lee et al. 2018 ("Unsupervised Holistic Image Generation from Key Local
Patches"): each key patch goes through one part encoder (shared weights);
the authors' PyTorch code (github.com/hellbell/KeyPatchGan, models/model.py)
sums the K part encodings, so the generator's input does not depend on the
patches' order. Here the sum and a noise vector z feed one upsampling trunk
with two heads: the image (tanh) and the mask logits. No batch norm, so the
players carry no state.

Key patches (pure array functions, below the models so that the recipe and
the evaluators share them): `KeyPatches` chooses K non-overlapping p x p
windows of each image (`select_windows` on `window_variance` or on random
scores), `crop_patches` cuts them, `patch_mask` is their union,
`paste_patches` writes them elsewhere, `mask_iou` and `fixed_mask` score
masks.
"""

import dataclasses

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.nn.conv_transpose import ConvTranspose
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
      x = nn.relu(ConvTranspose(width // 2 ** (i + 1), (4, 4), strides=(2, 2),
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


# ------------------------------------------------------------ key patches


def window_variance(x: jax.Array, size: int) -> jax.Array:
  """[B, H, W, C] -> [B, H-p+1, W-p+1]: the variance of the p*p*C values of
  each p x p window, indexed by its top-left corner."""
  x = jnp.asarray(x, jnp.float32)
  mean = lambda v: jax.lax.reduce_window(v, 0.0, jax.lax.add, (1, size, size, 1),
                                         (1, 1, 1, 1), "VALID").mean(-1) / size ** 2
  return mean(x * x) - mean(x) ** 2


def select_windows(scores: jax.Array, num: int, size: int) -> jax.Array:
  """Greedy non-overlapping choice: [B, P, Q] scores -> [B, num, 2] int32
  top-left corners (row, col), best first; ties go to the first in raster order.

  After each pick every corner whose window would overlap it (|dr| < p and
  |dc| < p) is excluded; the caller makes sure enough remain (Puzzle-GAN
  checks its layout when it reads its options).
  """
  b, rows, cols = scores.shape
  grid_r = jnp.arange(rows)[None, :, None]
  grid_c = jnp.arange(cols)[None, None, :]
  picks = []
  for _ in range(num):
    flat = jnp.argmax(scores.reshape(b, -1), -1)                   # [B]
    r, c = flat // cols, flat % cols
    picks.append(jnp.stack([r, c], -1))
    overlap = ((jnp.abs(grid_r - r[:, None, None]) < size)
               & (jnp.abs(grid_c - c[:, None, None]) < size))
    scores = jnp.where(overlap, -jnp.inf, scores)
  return jnp.stack(picks, 1).astype(jnp.int32)


def crop_patches(x: jax.Array, corners: jax.Array, size: int) -> jax.Array:
  """[B, H, W, C], corners [B, K, 2] -> patches [B, K, p, p, C]."""
  def one(image, corner):
    return jax.lax.dynamic_slice(image, (corner[0], corner[1], 0),
                                 (size, size, image.shape[-1]))
  return jax.vmap(jax.vmap(one, (None, 0)))(x, corners)


def patch_mask(corners: jax.Array, size: int, height: int, width: int) -> jax.Array:
  """corners [B, K, 2] -> the union of the windows, float32 [B, H, W, 1]."""
  r = jnp.arange(height)[None, None, :, None]
  c = jnp.arange(width)[None, None, None, :]
  top, left = corners[..., 0, None, None], corners[..., 1, None, None]
  inside = (r >= top) & (r < top + size) & (c >= left) & (c < left + size)   # [B, K, H, W]
  return inside.any(1)[..., None].astype(jnp.float32)


def paste_patches(canvas: jax.Array, patches: jax.Array, corners: jax.Array) -> jax.Array:
  """canvas [B, H, W, C] with patches [B, K, p, p, C] written at corners
  [B, K, 2] (in order; later ones on top)."""
  def one(image, parts, where):
    for k in range(parts.shape[0]):
      image = jax.lax.dynamic_update_slice(image, parts[k], (where[k, 0], where[k, 1], 0))
    return image
  return jax.vmap(one)(canvas, patches, corners)


def mask_iou(pred: jax.Array, true: jax.Array) -> jax.Array:
  """[B] |pred & true| / |pred | true| of binary masks [B, H, W, 1] (1 when
  both are empty)."""
  pred, true = pred > 0.5, true > 0.5
  inter = jnp.sum(pred & true, (1, 2, 3))
  union = jnp.sum(pred | true, (1, 2, 3))
  return jnp.where(union > 0, inter / jnp.maximum(union, 1), 1.0)


def fixed_mask(true_masks: np.ndarray) -> np.ndarray:
  """[N, H, W, 1] binary masks -> the one mask [H, W, 1] that a generator
  ignoring its input would best predict: their mean thresholded at the level
  (of 0.05, 0.10, ..., 0.95) with the highest mean IoU over these masks."""
  mean = np.asarray(true_masks, np.float32).mean(0)
  candidates = [(mean > t).astype(np.float32) for t in np.linspace(0.05, 0.95, 19)]
  scores = [float(mask_iou(jnp.broadcast_to(c, true_masks.shape), true_masks).mean())
            for c in candidates]
  return candidates[int(np.argmax(scores))]


@dataclasses.dataclass(frozen=True)
class KeyPatches:
  """Which `num` non-overlapping `size` x `size` windows of an image are its
  key patches: "variance" the highest-variance ones, greedily; "random" the
  same greedy choice on uniform scores from a key."""
  num: int
  size: int
  selection: str = "variance"

  def random_corners(self, rng: jax.Array, batch: int, height: int, width: int) -> jax.Array:
    """[batch, K, 2] corners of windows chosen at random (non-overlapping)."""
    shape = (batch, height - self.size + 1, width - self.size + 1)
    return select_windows(jax.random.uniform(rng, shape), self.num, self.size)

  def corners(self, x: jax.Array, rng: jax.Array) -> jax.Array:
    """[B, K, 2] top-left corners of the key patches of images [B, H, W, C]."""
    if self.selection == "random":
      return self.random_corners(rng, *x.shape[:3])
    return select_windows(window_variance(x, self.size), self.num, self.size)

  def cut(self, x: jax.Array, rng: jax.Array):
    """(patches [B, K, p, p, C], true mask [B, H, W, 1], corners [B, K, 2]) of x."""
    corners = self.corners(x, rng)
    return (crop_patches(x, corners, self.size),
            patch_mask(corners, self.size, x.shape[1], x.shape[2]), corners)
