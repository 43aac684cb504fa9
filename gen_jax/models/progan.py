"""Progressive GAN (Karras et al. 2018): G and D grown from 4x4, one trainer.

The run is a sequence of `Stage`s: 4x4 stable, then for every doubling a
fade stage (the new block's weight alpha rises linearly from 0 to 1 over
`model.fade_images` images) and a stable stage (`model.stable_images`). The
trainer compiles one step per stage; alpha comes from the step, so a run
stopped mid-fade resumes exactly. Real images are box-filtered to the
stage's resolution and, during a fade, blended with their 2x-coarser version
by the same alpha (as the paper shows them). `model.progressive=False` is
the flat baseline: every layer at full resolution from the first step, no
fade, for as many images as the progressive schedule shows.
`model.reset_optimizers=True` starts every stage after the first with fresh
Adam states, as the official code does (`reset_opt_for_new_lod`); by default
they carry over.

Losses: WGAN-GP (Gulrajani et al. 2017) with gradient penalty weight
`model.gp_weight` (10) and the drift term `model.drift` (0.001) * E[D(x)^2];
`model.d_steps` critic updates per generator update (1 in the paper). The
paper's optimiser (Adam, lr 1e-3, betas (0, 0.99)) and the EMA of G (0.999)
are the configs' `train.*` settings; every sample and metric uses the EMA.

Metrics at every stage end (evaluator `stage_quality`,
`gen_jax.eval.progan_metrics`), at the stage's resolution r (the size the
stage's samples come in): the sliced Wasserstein distance (`swd_<r>px`,
x 1e3, averaged over Laplacian levels; `gen_jax.eval.swd`) and the Frechet
distance in the in-repo classifier's features (`<clf>_frechet_<r>px`;
samples and real images are brought to the classifier's input size by
nearest upsampling), each beside the same figure for real test images
(`..._real_floor`).
"""

import copy
import dataclasses
import functools
import math
import os

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import gradient_penalty
from gen_jax.models.base.adversarial import AdversarialOptions, AdversarialRecipe
from gen_jax.models.base import Phase, Stage
from gen_jax.nn.progan import ProCritic, ProGenerator, downsample, resolution, upsample
from gen_jax.nn.dcgan import split_state
from gen_jax.options import option


def box_downsample(x, factor: int):
  """[B, H, W, C] -> [B, H/f, W/f, C], mean over f x f blocks."""
  if factor == 1:
    return x
  b, h, w, c = x.shape
  return x.reshape(b, h // factor, factor, w // factor, factor, c).mean((2, 4))


def stage_plan(levels: int, fade_images: int, stable_images: int,
               batch_sizes: tuple[int, ...], progressive: bool,
               reset_optimizers: bool = False) -> tuple[Stage, ...]:
  """The stages of a run with `levels` resolution levels (4x4 = level 0);
  with `reset_optimizers`, every stage after the first starts with fresh
  optimizer states (the official code resets at each change of level of
  detail: the start of every fade and of every stable stage)."""
  steps = lambda images, level: max(1, math.ceil(images / batch_sizes[level]))
  if not progressive:
    total = stable_images * levels + fade_images * (levels - 1)
    top = levels - 1
    return (Stage(f"{resolution(top)}px_flat", steps(total, top), batch_sizes[top]),)
  stages = [Stage("4px_stable", steps(stable_images, 0), batch_sizes[0])]
  for level in range(1, levels):
    r = resolution(level)
    for kind, images in (("fade", fade_images), ("stable", stable_images)):
      stages.append(Stage(f"{r}px_{kind}", steps(images, level), batch_sizes[level],
                          reset_optimizers=reset_optimizers))
  return tuple(stages)


@dataclasses.dataclass(frozen=True)
class ProGANOptions(AdversarialOptions):
  progressive: bool = True                   # False: the flat baseline
  channels: tuple[int, ...] | None = option(None, minimum=1)      # per level; None: 64s
  batch_sizes: tuple[int, ...] | None = option(None, minimum=1)   # per level; None: 64s
  fade_images: int = option(6000, minimum=1)     # images per fade stage
  stable_images: int = option(6000, minimum=1)   # images per stable stage
  gp_weight: float = option(10.0, minimum=0)     # WGAN-GP's lambda
  drift: float = option(0.001, minimum=0)        # weight of E[D(x)^2]
  reset_optimizers: bool = False             # fresh Adam states at every new stage


class ProGAN(AdversarialRecipe):
  """Progressive growing of G and D; `at_stage(i)` gives stage i's recipe."""
  Options = ProGANOptions
  model_name = "progan"

  def __init__(self, config, spec):
    super().__init__(config, spec)
    if not spec.is_image:
      raise UserError("model 'progan' needs image data.")
    h, w, c = spec.event_shape
    levels = int(round(math.log2(h / 4))) + 1
    if h != w or resolution(levels - 1) != h:
      raise UserError(f"model 'progan' grows from 4x4 by doublings; the images are "
                      f"{h}x{w}. Use --config.data.pad_to or --config.data.image_size "
                      "to make them 4 * 2^k pixels square (32, 64, 128, ...).")
    self.levels = levels
    channels = self.options.channels
    channels = (64,) * levels if channels is None else channels
    if len(channels) != levels:
      raise UserError(f"--config.model.channels has {len(channels)} entries; "
                      f"{h}x{w} images need one per level 4..{h}: {levels}.")
    if self.num_classes:
      raise UserError("model 'progan' is unconditional; drop --config.model.conditional.")
    self.batch_sizes = self.options.batch_sizes
    if self.batch_sizes is None:
      self.batch_sizes = (64,) * levels
    if len(self.batch_sizes) != levels:
      raise UserError(f"--config.model.batch_sizes needs {levels} entries (one per "
                      "level; the stages carry them, train.batch_size is not used).")
    self.generator = ProGenerator(channels, c)
    self.discriminator = ProCritic(channels)
    self.stage_index = 0
    self._bind_stage()

  @functools.cached_property
  def stages(self):
    o = self.options
    return stage_plan(self.levels, o.fade_images, o.stable_images, self.batch_sizes,
                      o.progressive, o.reset_optimizers)

  # ------------------------------------------------------------- stages

  def _bind_stage(self):
    self.phases = (Phase("critic", self._d_loss, ("discriminator",),
                         self.phases[0].repeat),
                   Phase("generator", self._g_loss, ("generator",)))

  def at_stage(self, index: int) -> "ProGAN":
    staged = copy.copy(self)
    staged.stage_index = index
    staged._bind_stage()
    return staged

  @property
  def stage(self) -> Stage:
    return self.stages[self.stage_index]

  @property
  def level(self) -> int:
    """The resolution level this stage trains (its output is 4 * 2**level)."""
    if not self.options.progressive:
      return self.levels - 1
    return (self.stage_index + 1) // 2

  @property
  def fading(self) -> bool:
    return self.options.progressive and self.stage.name.endswith("_fade")

  def alpha(self, step):
    """The new block's weight at `step` (steps completed): linear over the
    fade stage, 1 otherwise."""
    if not self.fading:
      return jnp.float32(1.0)
    start = sum(s.num_steps for s in self.stages[:self.stage_index])
    return jnp.clip((step - start + 1) / self.stage.num_steps, 0.0, 1.0).astype(jnp.float32)

  @property
  def resolution(self) -> int:
    return resolution(self.level)

  # ------------------------------------------------------------- players

  def init(self, rng, example_batch):
    g_key, d_key = jax.random.split(rng)
    top = self.levels - 1
    g_params, g_state = split_state(self.generator.init(
        g_key, self.latent(g_key, 2), top))
    x = self.to_model(example_batch["x"][:1].repeat(2, 0))
    d_params, d_state = split_state(self.discriminator.init(d_key, x, top))
    return {"params": {"generator": g_params, "discriminator": d_params},
            "state": {"generator": g_state, "discriminator": d_state}}

  def generate(self, params, state, latent, train, labels=None, alpha=1.0):
    del train, labels
    out = self.generator.apply({"params": params["generator"]}, latent, self.level, alpha)
    return out, state["generator"]

  def critic(self, params, x, alpha):
    return self.discriminator.apply({"params": params["discriminator"]}, x,
                                    self.level, alpha)

  def real_at_stage(self, x, alpha):
    """Real images at the stage's resolution, blended during a fade with
    their 2x-coarser version (upsampled back), as G's output is."""
    x = box_downsample(self.to_model(x), self.spec.event_shape[0] // self.resolution)
    if not self.fading:
      return x
    return alpha * x + (1.0 - alpha) * upsample(downsample(x))

  # -------------------------------------------------------------- phases

  def _d_loss(self, params, state, batch, rng, step):
    """WGAN-GP critic loss with the drift term."""
    alpha = self.alpha(step)
    real = self.real_at_stage(batch["x"], alpha)
    k_z, k_mix = jax.random.split(rng)
    fake, _ = self.generate(params, state, self.latent(k_z, real.shape[0]), True,
                            alpha=alpha)
    fake = jax.lax.stop_gradient(fake)
    real_scores, fake_scores = self.critic(params, real, alpha), self.critic(params, fake, alpha)
    penalty = gradient_penalty(lambda x: self.critic(params, x, alpha), real, fake, k_mix)
    wasserstein = jnp.mean(real_scores) - jnp.mean(fake_scores)
    loss = (-wasserstein + self.options.gp_weight * penalty
            + self.options.drift * jnp.mean(real_scores ** 2))
    metrics = {"wasserstein": wasserstein, "gradient_penalty": penalty, "alpha": alpha}
    return loss, (metrics, state)

  def _g_loss(self, params, state, batch, rng, step):
    alpha = self.alpha(step)
    fake, _ = self.generate(params, state, self.latent(rng, batch["x"].shape[0]), True,
                            alpha=alpha)
    return -jnp.mean(self.critic(params, fake, alpha)), ({}, state)

  # ------------------------------------------------------------- outputs

  def sample(self, variables, rng, num, inputs=None):
    """[num, r, r, C] at the stage's resolution (the EMA generator, alpha 1
    at stage ends: the trainer samples there)."""
    del inputs
    out, _ = self.generate(variables["params"], variables["state"],
                           self.latent(rng, num), False)
    return self.from_model(out)

  def refresh_state(self, variables, rng, num=1024):
    del rng, num
    return variables["state"]   # no batch norm

  def write_pictures(self, variables, rng, batch, directory, step):
    """The same 8 latents at every stage: one PNG row per stage end, and at
    the last stage one picture of all rows (`progression.png`)."""
    from gen_jax import pictures  # pylint: disable=import-outside-toplevel
    del rng, batch
    fixed = jax.random.PRNGKey(20180226)
    images = np.asarray(jax.jit(self.sample, static_argnums=(2,))(variables, fixed, 8))
    top = resolution(self.levels - 1)
    images = np.repeat(np.repeat(images, top // self.resolution, 1), top // self.resolution, 2)
    path = os.path.join(directory, f"same_latents_{self.stage.name}.npy")
    rows = progression_rows(directory, self.stages, path, images)
    grid = pictures.image_grid(pictures.to_uint8_images(np.concatenate(rows), self.spec),
                               columns=8)
    pictures.save_png(grid, os.path.join(directory, "progression.png"),
                      scale=max(1, 512 // grid.shape[1]))


def progression_rows(directory: str, stages, path: str, images: np.ndarray) -> list:
  """Keeps this stage's row of fixed-latent samples beside the earlier ones
  (process 0 writes) and returns every stage's row so far, in stage order."""
  from gen_jax.multihost import is_writer  # pylint: disable=import-outside-toplevel
  if is_writer():
    os.makedirs(directory, exist_ok=True)
    np.save(path, images)
  rows = []
  for stage in stages:
    stage_path = os.path.join(directory, f"same_latents_{stage.name}.npy")
    if os.path.exists(stage_path):
      rows.append(np.load(stage_path))
    elif stage_path == path:
      rows.append(images)
  return rows
