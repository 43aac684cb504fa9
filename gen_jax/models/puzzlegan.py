"""Puzzle-GAN: the whole image from a few of its patches, without positions.

Lee et al., ECCV 2018, "Unsupervised Holistic Image Generation from Key
Local Patches" (arXiv 1703.10730). From the abstract: a generator makes a
fake image and a mask from key local patches; D tells real from fake; three
losses: spatial (are the predicted part locations right), appearance (the
input patches reappear without much change), adversarial. The authors'
PyTorch code (github.com/hellbell/KeyPatchGan: models/model.py, main.py,
options/options.py) fixes what the abstract leaves open, and is followed
here except where noted:

- one part encoder for every patch, the K encodings summed (so the input is
  a set: any order of the patches gives the same image);
- spatial loss: L1 between the predicted and the true mask (the code's
  `criterionMask`); `model.spatial_loss="bce"` (the default here) uses the
  binary cross-entropy of the mask logits instead, which trains faster;
- appearance loss: mean |G(x) * M_pred - y * M_true| (the code's
  `criterionAppr` on generated-and-masked vs real-and-masked images);
  it also trains the mask there, against the spatial loss (on MNIST the two
- adversarial: D sees images only (not the patches): real as real; as fake
  the generated image, and (`model.shuffled_negatives`) two composites with
  another image of the batch, its content inside the true mask on this
  image's background and the reverse (the code's "shfpart_realbg" and
  "realpart_shfbg"); G's non-saturating loss;
- the code weights the mask and appearance losses from 1e-2 down to 1e-4
  (log-spaced over 25 epochs) and updates G every second D step, with Adam
  2e-4, beta1 0.5, batch 64, z of 128, 64x64 CelebA. Its L1 losses are sums
  over the batch's elements, so per element (the means used here) its
  weights are 1e-2 x 64 x 3 x 64 x 64 = 7,864 for appearance (2,621 for the
  mask) falling to 79 (26); on 28x28 MNIST at batch 64 both are 502 -> 5.
  Here `spatial_weight` and `appearance_weight` (1 each by default) are
  constant, and one G step is taken per D step. The falling weights were
  tried (an option, removed): on MNIST the authors' 500 -> 5 per element
  gave mask IoU 0.349 and label agreement 0.197 against 0.409 / 0.362 at a
  constant 100 (experiments/configs/puzzlegan_mnist.py).

Key patches (`model.selection`, `gen_jax.nn.puzzle.KeyPatches`): "variance"
takes, greedily, the highest-variance p x p windows that do not overlap (a
stand-in for the authors' EdgeBox proposals, `celebA_allbbs.mat` in their
code); "random" takes the same greedy choice on uniform scores from the
step's key. Patches are computed from each batch's images inside the
recipe; the true mask is the union of the chosen windows.

Groups: `generator` (part encoder, image and mask heads; EMA kept) and
`discriminator`. `complete(variables, images, rng)` (the `Completer`
protocol; `key_patches` says how the patches are chosen) gives everything
about completing images: the image, the predicted mask, the true mask, the
patches and their corners. `sample(variables, rng, num, {"x": images})`
returns the completed images [N, H, W, C] (`--inputs=eval`,
`--patches_from=IMAGE.png`); without images there is nothing to complete.

Metrics: per example (`eval_metrics`) `mask_iou` (the predicted mask > 1/2
against the true one) and `l1` (mean |G - x| in [0, 1] units); the "puzzle"
evaluator (`config.evals.puzzle`, `gen_jax.eval.puzzle_metrics`) adds the
label agreement of the in-repo classifier and its Frechet distance, each
beside a random-placement baseline, and `fixed_mask_iou`, the IoU of the
best mask that ignores the patches.

Options (`PuzzleOptions`, `--config.model.<name>`): num_patches (3),
patch_size (image size / 4, at least 2), selection ("variance"),
spatial_loss ("bce"), spatial_weight and appearance_weight (1),
appearance_trains_mask and shuffled_negatives (True), noise_dim (64),
features (32), embed_dim (64), d_features (32).
"""

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import discriminator_loss, generator_loss, spatial_loss
from gen_jax.models.base import Phase, Recipe
from gen_jax.nn.puzzle import (KeyPatches, PuzzleDiscriminator, PuzzleGenerator, crop_patches,
                               mask_iou)
from gen_jax.optim import make_optimizer
from gen_jax.options import option, read_options
from gen_jax.pictures import save_completion_rows

SELECTIONS = ("variance", "random")
SPATIAL_LOSSES = ("bce", "l1")


@dataclasses.dataclass(frozen=True)
class PuzzleOptions:
  """Puzzle-GAN's `model.` options (module doc)."""
  num_patches: int = option(3, minimum=1)
  patch_size: int | None = option(None, minimum=1)   # None: max(2, image size // 4)
  selection: str = option("variance", choices=SELECTIONS)
  spatial_loss: str = option("bce", choices=SPATIAL_LOSSES)
  spatial_weight: float = option(1.0, minimum=0.0)
  appearance_weight: float = option(1.0, minimum=0.0)
  appearance_trains_mask: bool = True
  shuffled_negatives: bool = True
  noise_dim: int = option(64, minimum=1)
  features: int = option(32, minimum=1)
  embed_dim: int = option(64, minimum=1)
  d_features: int = option(32, minimum=1)


def check_patch_layout(height: int, width: int, num: int, size: int) -> None:
  """UserError unless `num` non-overlapping p x p windows always fit greedily
  (each pick excludes at most (2p-1)^2 corners)."""
  if not 1 <= size <= min(height, width):
    raise UserError(f"--config.model.patch_size={size} must lie in [1, {min(height, width)}] "
                    f"for {height}x{width} images.")
  rows, cols = height - size + 1, width - size + 1
  blocked = min(2 * size - 1, rows) * min(2 * size - 1, cols)
  if num < 1 or (num - 1) * blocked >= rows * cols:
    raise UserError(f"{num} non-overlapping {size}x{size} patches may not fit in "
                    f"{height}x{width} images; lower --config.model.num_patches or "
                    "--config.model.patch_size.")


# ------------------------------------------------------------------ losses


def appearance_loss(fake: jax.Array, mask_logits: jax.Array, real: jax.Array,
                    true_mask: jax.Array, trains_mask: bool = True) -> jax.Array:
  """mean |G(x) * M_pred - y * M_true| over every element ([-1, 1] images).
  With `trains_mask=False` M_pred is a constant here: the loss moves the
  image only, and the mask is left to the spatial loss."""
  mask = jax.nn.sigmoid(mask_logits)
  if not trains_mask:
    mask = jax.lax.stop_gradient(mask)
  return jnp.mean(jnp.abs(fake * mask - real * true_mask))


def composites(real: jax.Array, true_mask: jax.Array) -> tuple[jax.Array, jax.Array]:
  """(other image's content inside the mask on this background, this content
  on the other's background); "other" is the batch rolled by one."""
  other = jnp.roll(real, 1, axis=0)
  return (other * true_mask + real * (1.0 - true_mask),
          real * true_mask + other * (1.0 - true_mask))


# ------------------------------------------------------------------ recipe


class PuzzleGAN(Recipe):
  """Part encoder + image/mask generator, image discriminator (module doc)."""
  sample_inputs = ("x",)
  ema_groups = ("generator",)

  def __init__(self, config, spec):
    super().__init__(config, spec)
    if not spec.is_image or spec.encoding == "categorical":
      raise UserError("model 'puzzlegan' generates images in [0, 1]; use image data "
                      "with --config.data.encoding=float (or binary).")
    self.height, self.width, self.channels = spec.event_shape
    if self.height != self.width or self.height % 2:
      raise UserError(f"model 'puzzlegan' needs square images of even size; got "
                      f"{self.height}x{self.width}. Set data.image_size.")
    self.options = options = read_options(PuzzleOptions, config, "model")
    size = options.patch_size or max(2, self.height // 4)
    check_patch_layout(self.height, self.width, options.num_patches, size)
    self.key_patches = KeyPatches(options.num_patches, size, options.selection)
    self.generator = PuzzleGenerator(spec.event_shape, options.features, options.embed_dim)
    self.discriminator = PuzzleDiscriminator(options.d_features)
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator",)),
                   Phase("generator", self._g_loss, ("generator",)))

  # -------------------------------------------------------------- patches

  def corners(self, x: jax.Array, rng: jax.Array) -> jax.Array:
    """[B, K, 2] top-left corners of the key patches of images [B, H, W, C]."""
    return self.key_patches.corners(x, rng)

  def puzzle(self, x: jax.Array, rng: jax.Array):
    """(patches [B, K, p, p, C], true mask [B, H, W, 1], corners) of x."""
    return self.key_patches.cut(x, rng)

  # ---------------------------------------------------------------- nets

  def generate(self, params, patches, rng):
    """(image [B, H, W, C] in [-1, 1], mask logits [B, H, W, 1])."""
    z = jax.random.normal(rng, (patches.shape[0], self.options.noise_dim))
    return self.generator.apply({"params": params["generator"]}, patches, z)

  def discriminate(self, params, x):
    return self.discriminator.apply({"params": params["discriminator"]}, x)

  def init(self, rng, example_batch):
    g_key, d_key = jax.random.split(rng)
    x = self.spec.to_model(example_batch["x"][:1])
    p = self.key_patches.size
    patches = jnp.zeros((1, self.key_patches.num, p, p, self.channels))
    g = self.generator.init(g_key, patches, jnp.zeros((1, self.options.noise_dim)))["params"]
    d = self.discriminator.init(d_key, x)["params"]
    return {"params": {"generator": g, "discriminator": d}, "state": {}}

  # -------------------------------------------------------------- phases

  def _d_loss(self, params, state, batch, rng, step):
    del step
    k_sel, k_z = jax.random.split(rng)
    real = self.spec.to_model(batch["x"])
    patches, true_mask, _ = self.puzzle(real, k_sel)
    fake = jax.lax.stop_gradient(self.generate(params, patches, k_z)[0])
    real_logits, fake_logits = self.discriminate(params, real), self.discriminate(params, fake)
    loss = discriminator_loss(real_logits, fake_logits)
    metrics = {"d_real": jnp.mean(jax.nn.sigmoid(real_logits)),
               "d_fake": jnp.mean(jax.nn.sigmoid(fake_logits))}
    if self.options.shuffled_negatives:
      for name, image in zip(("d_swapped_parts", "d_swapped_background"),
                             composites(real, true_mask)):
        logits = self.discriminate(params, image)
        loss -= jnp.mean(jax.nn.log_sigmoid(-logits))
        metrics[name] = jnp.mean(jax.nn.sigmoid(logits))
    return loss, (metrics, state)

  def _g_loss(self, params, state, batch, rng, step):
    del step
    k_sel, k_z = jax.random.split(rng)
    real = self.spec.to_model(batch["x"])
    patches, true_mask, _ = self.puzzle(real, k_sel)
    fake, mask_logits = self.generate(params, patches, k_z)
    options = self.options
    terms = {"adversarial": generator_loss(self.discriminate(params, fake)),
             "spatial": spatial_loss(mask_logits, true_mask, options.spatial_loss),
             "appearance": appearance_loss(fake, mask_logits, real, true_mask,
                                           options.appearance_trains_mask)}
    loss = terms["adversarial"] + (options.spatial_weight * terms["spatial"]
                                   + options.appearance_weight * terms["appearance"])
    return loss, (terms, state)

  def optimizers(self, train_config):
    return {g: make_optimizer(train_config) for g in ("generator", "discriminator")}

  # ------------------------------------------------------------- outputs

  def complete(self, variables, images, rng) -> dict:
    """The `Completer` protocol: everything about completing images [B, H, W,
    C] (data encoding): image (data encoding), mask (predicted probability),
    true_mask, patches (data encoding) and corners. Pure and jittable."""
    k_sel, k_z = jax.random.split(rng)
    patches, true_mask, corners = self.puzzle(self.spec.to_model(images), k_sel)
    image, mask_logits = self.generate(variables["params"], patches, k_z)
    return {"image": self.spec.from_model(image), "mask": jax.nn.sigmoid(mask_logits),
            "true_mask": true_mask, "corners": corners,
            "patches": crop_patches(jnp.asarray(images, jnp.float32), corners,
                                            self.key_patches.size)}

  def sample(self, variables, rng, num, inputs=None):
    """Completions [num, H, W, C] of inputs["x"] [num, H, W, C] from their
    key patches, in the data encoding."""
    del num
    if inputs is None or inputs.get("x") is None:
      raise UserError("model 'puzzlegan' completes images: it samples from "
                      'inputs {"x": images} (--inputs=eval or --patches_from=IMAGE.png).')
    return self.complete(variables, inputs["x"], rng)["image"]

  def eval_metrics(self, variables, batch, rng):
    """"mask_iou" and "l1" ([B] each; see the module doc)."""
    x = jnp.asarray(batch["x"], jnp.float32)
    out = self.complete(variables, x, rng)
    return {"mask_iou": mask_iou(out["mask"], out["true_mask"]),
            "l1": jnp.mean(jnp.abs(out["image"] - x), (1, 2, 3))}

  @functools.cached_property
  def _jit_complete(self):
    return jax.jit(self.complete)

  def write_pictures(self, variables, rng, batch, directory, step):
    """puzzle_step_N.png: rows of patches | generated | mask | original
    (`gen_jax.pictures.save_completion_rows`) for the first 16 images."""
    x = np.asarray(batch["x"][:16], np.float32)
    out = jax.device_get(self._jit_complete(variables, jnp.asarray(x),
                                            jax.random.fold_in(rng, 0)))
    save_completion_rows(out, x, self.spec, f"{directory}/puzzle_step_{step}.png")
