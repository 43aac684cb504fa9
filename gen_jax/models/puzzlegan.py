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
  mask gradients had cosine -0.99 and held the mask still);
  `model.appearance_trains_mask=False` stops its gradient into the mask;
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
  Here `spatial_weight` and `appearance_weight` (1 each by default) fall
  log-linearly to `final_weight_ratio` times themselves over
  `weight_decay_steps` updates (default ratio 1: constant weights; the
  code's is 0.01, per epoch rather than per step), and one G step is taken
  per D step.

Key patches (`model.selection`): "variance" takes, greedily, the highest-
variance p x p windows that do not overlap (a stand-in for the authors'
EdgeBox proposals, `celebA_allbbs.mat` in their code); "random" takes the
same greedy choice on uniform scores from the step's key. Patches are
computed from each batch's images inside the recipe; the true mask is the
union of the chosen windows.

Groups: `generator` (part encoder, image and mask heads; EMA kept) and
`discriminator`. `sample(variables, rng, num, {"x": images})` completes each
image from its own patches (`--inputs=eval`, `--patches_from=IMAGE.png`);
without inputs there is nothing to complete and it returns {}.

Metrics: per example (`eval_metrics`) `mask_iou` (the predicted mask > 1/2
against the true one) and `l1` (mean |G - x| in [0, 1] units); per
evaluation (`sample_metrics`) the same, the label agreement of the in-repo
classifier (generated vs the original's label, beside its accuracy on the
originals) and its Frechet distance to the train split (beside the real
floor), each also for `baseline_*`: the patches pasted at random
non-overlapping positions on the mean train image; and `fixed_mask_iou`,
the IoU of the best input-independent mask (`fixed_mask` of the train
split), the floor that a generator ignoring its patches reaches.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import discriminator_loss, generator_loss
from gen_jax.models.base import Phase, Recipe, config_choice, config_flag
from gen_jax.nn.puzzle import PuzzleDiscriminator, PuzzleGenerator
from gen_jax.optim import make_optimizer

SELECTIONS = ("variance", "random")
SPATIAL_LOSSES = ("bce", "l1")


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
  |dc| < p) is excluded. `check_patch_layout` makes sure enough remain.
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


# ------------------------------------------------------------------ losses


def spatial_loss(mask_logits: jax.Array, true_mask: jax.Array, kind: str) -> jax.Array:
  """Predicted vs true mask, mean over pixels: "bce" of the logits, or "l1"
  of sigmoid(logits) (the authors' code)."""
  if kind == "l1":
    return jnp.mean(jnp.abs(jax.nn.sigmoid(mask_logits) - true_mask))
  return -jnp.mean(true_mask * jax.nn.log_sigmoid(mask_logits)
                   + (1.0 - true_mask) * jax.nn.log_sigmoid(-mask_logits))


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


def _number(config, key, default, minimum=0.0):
  value = config.get(key, default)
  if not isinstance(value, (int, float)) or isinstance(value, bool) or value < minimum:
    raise UserError(f"--config.model.{key}={value!r} must be a number >= {minimum}.")
  return value


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
    self.num_patches = int(_number(config, "num_patches", 3, 1))
    self.patch_size = int(_number(config, "patch_size", max(2, self.height // 4), 1))
    check_patch_layout(self.height, self.width, self.num_patches, self.patch_size)
    self.selection = config_choice(config, "selection", "variance", SELECTIONS)
    self.spatial_kind = config_choice(config, "spatial_loss", "bce", SPATIAL_LOSSES)
    self.loss_kind = config_choice(config, "generator_loss", "non_saturating",
                                   ("non_saturating", "minimax"))
    self.spatial_weight = float(_number(config, "spatial_weight", 1.0))
    self.appearance_weight = float(_number(config, "appearance_weight", 1.0))
    self.final_weight_ratio = float(_number(config, "final_weight_ratio", 1.0))
    self.weight_decay_steps = int(_number(config, "weight_decay_steps", 0))
    if self.final_weight_ratio != 1.0 and not (
        0.0 < self.final_weight_ratio and self.weight_decay_steps > 0):
      raise UserError(
          f"--config.model.final_weight_ratio={self.final_weight_ratio} needs a ratio > 0 and "
          f"--config.model.weight_decay_steps > 0 (got {self.weight_decay_steps}): the "
          "number of updates over which the spatial and appearance weights fall to that "
          "ratio. Set both, or leave the ratio at 1 for constant weights.")
    self.appearance_trains_mask = config_flag(config, "appearance_trains_mask", True)
    self.shuffled_negatives = config_flag(config, "shuffled_negatives", True)
    self.noise_dim = int(_number(config, "noise_dim", 64, 1))
    self.num_metric_examples = int(_number(config, "num_metric_examples", 1000))
    self.classifier_steps = int(_number(config, "classifier_steps", 2000, 1))
    self.generator = PuzzleGenerator(spec.event_shape, int(_number(config, "features", 32, 1)),
                                     int(_number(config, "embed_dim", 64, 1)))
    self.discriminator = PuzzleDiscriminator(int(_number(config, "d_features", 32, 1)))
    self.phases = (Phase("discriminator", self._d_loss, ("discriminator",)),
                   Phase("generator", self._g_loss, ("generator",)))
    self._metric_cache = {}

  # ------------------------------------------------------------ encodings

  def to_model(self, x):
    return self.spec.to_model(x)

  def from_model(self, y):
    return self.spec.from_model(y)

  # -------------------------------------------------------------- patches

  def corners(self, x: jax.Array, rng: jax.Array) -> jax.Array:
    """[B, K, 2] top-left corners of the key patches of images [B, H, W, C]."""
    p = self.patch_size
    if self.selection == "random":
      shape = (x.shape[0], self.height - p + 1, self.width - p + 1)
      return select_windows(jax.random.uniform(rng, shape), self.num_patches, p)
    return select_windows(window_variance(x, p), self.num_patches, p)

  def puzzle(self, x: jax.Array, rng: jax.Array):
    """(patches [B, K, p, p, C], true mask [B, H, W, 1], corners) of x."""
    corners = self.corners(x, rng)
    return (crop_patches(x, corners, self.patch_size),
            patch_mask(corners, self.patch_size, self.height, self.width), corners)

  # ---------------------------------------------------------------- nets

  def generate(self, params, patches, rng):
    """(image [B, H, W, C] in [-1, 1], mask logits [B, H, W, 1])."""
    z = jax.random.normal(rng, (patches.shape[0], self.noise_dim))
    return self.generator.apply({"params": params["generator"]}, patches, z)

  def discriminate(self, params, x):
    return self.discriminator.apply({"params": params["discriminator"]}, x)

  def init(self, rng, example_batch):
    g_key, d_key = jax.random.split(rng)
    x = self.to_model(example_batch["x"][:1])
    patches = jnp.zeros((1, self.num_patches, self.patch_size, self.patch_size,
                         self.channels))
    g = self.generator.init(g_key, patches, jnp.zeros((1, self.noise_dim)))["params"]
    d = self.discriminator.init(d_key, x)["params"]
    return {"params": {"generator": g, "discriminator": d}, "state": {}}

  # -------------------------------------------------------------- phases

  def _d_loss(self, params, state, batch, rng, step):
    del step
    k_sel, k_z = jax.random.split(rng)
    real = self.to_model(batch["x"])
    patches, true_mask, _ = self.puzzle(real, k_sel)
    fake = jax.lax.stop_gradient(self.generate(params, patches, k_z)[0])
    real_logits, fake_logits = self.discriminate(params, real), self.discriminate(params, fake)
    loss = discriminator_loss(real_logits, fake_logits)
    metrics = {"d_real": jnp.mean(jax.nn.sigmoid(real_logits)),
               "d_fake": jnp.mean(jax.nn.sigmoid(fake_logits))}
    if self.shuffled_negatives:
      for name, image in zip(("d_swapped_parts", "d_swapped_background"),
                             composites(real, true_mask)):
        logits = self.discriminate(params, image)
        loss -= jnp.mean(jax.nn.log_sigmoid(-logits))
        metrics[name] = jnp.mean(jax.nn.sigmoid(logits))
    return loss, (metrics, state)

  def loss_weight_scale(self, step) -> jax.Array:
    """The factor on the spatial and appearance weights at `step`: 1 at step
    0, falling log-linearly to `final_weight_ratio` at `weight_decay_steps`
    and held there."""
    if self.final_weight_ratio == 1.0:
      return jnp.float32(1.0)
    progress = jnp.clip(jnp.asarray(step, jnp.float32) / self.weight_decay_steps, 0.0, 1.0)
    return jnp.float32(self.final_weight_ratio) ** progress

  def _g_loss(self, params, state, batch, rng, step):
    k_sel, k_z = jax.random.split(rng)
    real = self.to_model(batch["x"])
    patches, true_mask, _ = self.puzzle(real, k_sel)
    fake, mask_logits = self.generate(params, patches, k_z)
    terms = {"adversarial": generator_loss(self.discriminate(params, fake), self.loss_kind),
             "spatial": spatial_loss(mask_logits, true_mask, self.spatial_kind),
             "appearance": appearance_loss(fake, mask_logits, real, true_mask,
                                           self.appearance_trains_mask)}
    scale = self.loss_weight_scale(step)
    loss = (terms["adversarial"] + scale * (self.spatial_weight * terms["spatial"]
                                            + self.appearance_weight * terms["appearance"]))
    return loss, ({**terms, "weight_scale": scale}, state)

  def optimizers(self, train_config):
    return {g: make_optimizer(train_config) for g in ("generator", "discriminator")}

  # ------------------------------------------------------------- outputs

  def complete(self, params, x, rng) -> dict:
    """Everything about completing images x [B, H, W, C] (data encoding):
    image (data encoding), mask (predicted probability), true_mask, patches
    (data encoding) and corners."""
    k_sel, k_z = jax.random.split(rng)
    model_x = self.to_model(x)
    patches, true_mask, corners = self.puzzle(model_x, k_sel)
    image, mask_logits = self.generate(params, patches, k_z)
    return {"image": self.from_model(image), "mask": jax.nn.sigmoid(mask_logits),
            "true_mask": true_mask, "corners": corners,
            "patches": crop_patches(jnp.asarray(x, jnp.float32), corners, self.patch_size)}

  def sample(self, variables, rng, num, inputs=None):
    """Completions of inputs["x"] [num, H, W, C] from their key patches, in
    the data encoding; {} without inputs (nothing to complete)."""
    del num
    if inputs is None or inputs.get("x") is None:
      return {}
    return self.complete(variables["params"], inputs["x"], rng)["image"]

  def eval_metrics(self, variables, batch, rng):
    """"mask_iou" and "l1" ([B] each; see the module doc)."""
    x = jnp.asarray(batch["x"], jnp.float32)
    out = self.complete(variables["params"], x, rng)
    return {"mask_iou": mask_iou(out["mask"], out["true_mask"]),
            "l1": jnp.mean(jnp.abs(out["image"] - x), (1, 2, 3))}

  @functools.cached_property
  def _jit_complete(self):
    return jax.jit(self.complete)

  def complete_images(self, variables, x: np.ndarray, rng, chunk: int = 500) -> dict:
    """Host side: `complete` over numpy images in chunks (numpy results)."""
    parts = [jax.device_get(self._jit_complete(variables["params"],
                                               jnp.asarray(x[i:i + chunk], jnp.float32),
                                               jax.random.fold_in(rng, i)))
             for i in range(0, len(x), chunk)]
    return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]}

  @functools.cached_property
  def _jit_baseline(self):
    def baseline(x, canvas, rng):
      k_sel, k_place = jax.random.split(rng)
      corners = self.corners(self.to_model(x), k_sel)
      patches = crop_patches(x, corners, self.patch_size)
      p = self.patch_size
      shape = (x.shape[0], self.height - p + 1, self.width - p + 1)
      where = select_windows(jax.random.uniform(k_place, shape), self.num_patches, p)
      canvas = jnp.broadcast_to(canvas, x.shape)
      return {"image": paste_patches(canvas, patches, where),
              "mask": patch_mask(where, p, self.height, self.width),
              "true_mask": patch_mask(corners, p, self.height, self.width)}
    return jax.jit(baseline)

  def sample_metrics(self, variables, rng, train_source, eval_source):
    """Completion metrics of the model and of the random-placement baseline."""
    from gen_jax.eval import puzzle_metrics  # pylint: disable=import-outside-toplevel
    num = min(self.num_metric_examples, len(eval_source))
    if not num:
      return {}
    data = eval_source.get(np.arange(num))
    x = np.asarray(data["x"], np.float32)
    if "mean_image" not in self._metric_cache:
      train_x = train_source.get(np.arange(len(train_source)))["x"]
      self._metric_cache["mean_image"] = np.asarray(train_x, np.float32).mean(0)
    runs = {"puzzle": self.complete_images(variables, x, rng),
            "baseline": jax.device_get(self._jit_baseline(
                jnp.asarray(x), jnp.asarray(self._metric_cache["mean_image"]),
                jax.random.fold_in(rng, 1)))}
    metrics = puzzle_metrics.completion_metrics(
        self.spec, runs, x, data.get("label"), train_source, self._metric_cache,
        self.classifier_steps)
    true_masks = runs["baseline"]["true_mask"]
    constant = jnp.broadcast_to(self.train_fixed_mask(train_source, rng), true_masks.shape)
    metrics["fixed_mask_iou"] = float(mask_iou(constant, true_masks).mean())
    return metrics

  def train_fixed_mask(self, train_source, rng, num: int = 2000) -> np.ndarray:
    """`fixed_mask` of the first `num` train images' true masks (cached): the
    mask IoU a generator reaches without reading its patches."""
    if "fixed_mask" not in self._metric_cache:
      x = np.asarray(train_source.get(np.arange(min(num, len(train_source))))["x"],
                     np.float32)
      masks = jax.device_get(self._jit_baseline(jnp.asarray(x), jnp.asarray(x[0]),
                                                rng)["true_mask"])
      self._metric_cache["fixed_mask"] = fixed_mask(masks)
    return self._metric_cache["fixed_mask"]

  def save_rows(self, variables, rng, x: np.ndarray, path: str) -> None:
    """PNG rows: the K patches (each centred on a gray tile) | generated
    image | predicted mask | original."""
    from gen_jax import pictures  # pylint: disable=import-outside-toplevel
    out = self.complete_images(variables, np.asarray(x, np.float32), rng)
    tiles = puzzle_rows(out["patches"], out["image"], out["mask"], np.asarray(x, np.float32))
    n, per_row = tiles.shape[:2]
    images = pictures.to_uint8_images(tiles.reshape((n * per_row,) + tiles.shape[2:]),
                                      self.spec)
    grid = pictures.image_grid(images, columns=per_row)
    pictures.save_png(grid, path, scale=max(1, 256 // grid.shape[1] + 1))

  def write_pictures(self, variables, rng, batch, directory, step):
    """puzzle_step_N.png: rows of patches | generated | mask | original."""
    self.save_rows(variables, rng, np.asarray(batch["x"][:16], np.float32),
                   f"{directory}/puzzle_step_{step}.png")


def puzzle_rows(patches: np.ndarray, image: np.ndarray, mask: np.ndarray,
                original: np.ndarray) -> np.ndarray:
  """[N, K + 3, H, W, C] tiles in [0, 1]: patches centred on gray, the
  generated image, the mask (as gray levels), the original."""
  n, k, p = patches.shape[:3]
  h, w, c = original.shape[1:]
  tiles = np.full((n, k + 3, h, w, c), 0.5, np.float32)
  top, left = (h - p) // 2, (w - p) // 2
  tiles[:, :k, top:top + p, left:left + p] = patches
  tiles[:, k] = image
  tiles[:, k + 1] = np.broadcast_to(mask, (n, h, w, c))
  tiles[:, k + 2] = original
  return tiles
