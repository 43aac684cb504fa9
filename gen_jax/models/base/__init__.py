"""The model recipe: the contract between a model family and the one trainer.

A recipe owns its Flax modules and says how to train them as a sequence of
*phases*: each phase is a loss and the parameter groups it updates. The
trainer runs every phase once per step (`repeat` times in a row, each on a
fresh batch), each group with its own optimizer state. How a model is
*measured* is not the recipe's business: evaluators (`gen_jax.eval`, named in
`config.evals`) ask it for one of the small protocols below.

`Recipe`, in full (10 members):

  phases                     Phase(name, loss_fn, groups, repeat)
  ema_groups                 the groups whose EMA is kept (None: all)
  stages, at_stage(i)        Stage spans with shapes of their own (ProGAN's
                             resolutions), each compiled once; `at_stage(i)`
                             trains, samples and evaluates during stage i
  sample_inputs              the batch keys `sample` reads per sample
  init(rng, example_batch)   -> {"params": {group: pytree}, "state": pytree}
  optimizers(train_config)   -> {group: optax transform} (None: the default)
  refresh_state(variables, rng)   the state for EMA weights (batch-norm stats)
  sample(variables, rng, num, inputs=None) -> [num, *event] in the data
                             encoding (pure, jittable); a model that maps
                             inputs to outputs (translation, completion)
                             returns one output per input row, [N, *event]
  eval_metrics(variables, batch, rng) -> {name: [B]}, averaged over a split

  loss_fn(params, state, batch, rng, step) -> (loss, (metrics, new_state));
  batch: {"x": [B, *event], side information...} or {source: {...}}; step:
  the steps completed before this one (schedules, fade-in).

Protocols an evaluator or launcher may ask for (a recipe implements the
methods; `require(recipe, Protocol, who)` checks with one clear message):

  Density          log_prob(variables, batch, rng=None) -> [B] nats
  Translator       translate(variables, images, target) -> [N, *event];
                   target: [N, G] class indices of `translation_groups`
  Completer        complete(variables, images, rng) -> {"image", "mask", ...};
                   `key_patches` (gen_jax.nn.puzzle.KeyPatches)
  CodeClassifier   classify(variables, x) -> [B] category; `num_categories`
  PartitionFunction  log_partition(variables, rng, method, num_steps,
                   num_runs) -> (log Z, s.e.); unnormalized_log_prob(variables,
                   batch) -> [B]
  PictureWriter    write_pictures(variables, rng, batch, directory, step)
  ParameterCounter num_parameters(params) -> int (masked weights)

| family | phases | groups | protocols |
| --- | --- | --- | --- |
| likelihood (tabular, FVSBN, NADE family, PixelCNN, PixelRNN) | `nll` | model | Density |
| VAE, conditional VAE | `neg_elbo` | encoder, decoder | Density, PictureWriter |
| AAE | `reconstruction`; `latent_discriminator`; `encoder_as_generator` | encoder, decoder, discriminator | PictureWriter |
| GAN, DCGAN, class-conditional | `discriminator` (x d_steps); `generator` | generator, discriminator | - |
| InfoGAN | `discriminator`; `generator` (+ Q head) | generator, q_head, discriminator | CodeClassifier, PictureWriter |
| RBM | `cd` (CD-k / PCD surrogate; chains in `state`) | model | Density, PartitionFunction, PictureWriter |
| CycleGAN | `generators`; `discriminators` (image pools in `state`) | g_ab, g_ba, d_a, d_b | Translator, PictureWriter |
| StarGAN | `discriminator` (x n_critic, WGAN-GP); `generator` | generator, discriminator | Translator, PictureWriter |
| text-to-image GAN | `discriminator` (matching-aware, + text encoder); `generator` | generator, discriminator, text_encoder | PictureWriter |
| Puzzle-GAN | `discriminator`; `generator` (image + mask) | generator, discriminator | Completer, PictureWriter |
| Progressive GAN | `critic`; `generator`, one `Stage` per resolution and fade | generator, discriminator | PictureWriter |

Shared recipe bases live beside this module: `base.adversarial` (GAN,
DCGAN, InfoGAN, ProGAN) and `base.pixel` (PixelCNN, PixelRNN). A model
module imports no other model module.

Recipes read their `model.` options into one typed dataclass
(`gen_jax.options.read_options`) and read the data's shape, encoding and side
features from the `DataSpec`, never from a dataset's name.
"""

import dataclasses
from typing import Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import nats_to_bits_per_dim
from gen_jax.nn.puzzle import KeyPatches
from gen_jax.options import option, read_options

Params = dict[str, Any]
Variables = dict[str, Any]
Batch = dict[str, Any]
# loss_fn(params, state, batch, rng, step) -> (scalar loss, (metrics, new_state))
LossFn = Callable[[Params, Any, Batch, jax.Array, jax.Array],
                  tuple[jax.Array, tuple[dict, Any]]]


@dataclasses.dataclass(frozen=True)
class Phase:
  """One loss and the parameter groups it updates.

  `repeat`: how many updates in a row; repetition r reads the step's r-th
  batch, so k repetitions see k different batches (WGAN's n_critic).
  """
  name: str
  loss_fn: LossFn
  groups: tuple[str, ...]
  repeat: int = 1


@dataclasses.dataclass(frozen=True)
class Stage:
  """A span of training whose shapes differ from its neighbours': the trainer
  compiles one step for it and reads its batches at `batch_size` (None: the
  config's `train.batch_size`). With `reset_optimizers`, every group's
  optimizer state starts afresh at the stage's first step (Adam's moments
  and its bias-correction count), as the official ProGAN code does at each
  new level; otherwise the states carry over from the stage before."""
  name: str
  num_steps: int
  batch_size: int | None = None
  reset_optimizers: bool = False


class Recipe:
  """Base class of all model recipes (the contract is in the module doc).

  Subclasses set `phases` and implement `init` and `sample`.
  """
  phases: Sequence[Phase] = ()
  ema_groups: tuple[str, ...] | None = None   # None: every group
  stages: tuple[Stage, ...] = ()              # empty: one stage, the whole run
  sample_inputs: tuple[str, ...] = ()         # batch keys `sample` reads

  def __init__(self, config, spec: DataSpec | Mapping[str, DataSpec]):
    self.config = config
    self.spec = spec

  def at_stage(self, index: int) -> "Recipe":
    """The recipe that trains, samples and evaluates during stage `index`
    (`stages`); a recipe without stages is the same in every step. A staged
    recipe's copy must rebuild its `phases`: phases built in `__init__` are
    bound to the root recipe and would train at its stage."""
    del index
    return self

  def init(self, rng: jax.Array, example_batch: Batch) -> Variables:
    raise NotImplementedError

  def optimizers(self, train_config) -> dict[str, Any] | None:
    """Per-group optax transforms, or None for the trainer's default."""
    del train_config
    return None

  def refresh_state(self, variables: Variables, rng: jax.Array) -> Any:
    """The model state that goes with `variables["params"]` (pure, jittable).

    Called by the trainer on EMA parameters before they are used: a recipe
    whose state holds batch-norm statistics recomputes them here for the EMA
    weights. Default: the state unchanged.
    """
    del rng
    return variables["state"]

  def sample(self, variables: Variables, rng: jax.Array, num: int,
             inputs: Batch | None = None) -> jax.Array:
    """[num, *event_shape] samples in the data encoding; pure and jittable.

    `inputs` carries side information per sample (keys in `sample_inputs`,
    each with leading axis `num`); None lets the recipe choose (e.g. labels
    cycling through the classes).
    """
    raise NotImplementedError

  def eval_metrics(self, variables: Variables, batch: Batch,
                   rng: jax.Array) -> dict[str, jax.Array]:
    """Per-example metrics ([B] each) averaged by the trainer over a split.

    With several sources, a metric named "<source>/..." is averaged over that
    source's examples, any other over the rows where every source has one.
    Default: a `Density`'s negative log-likelihood (and bits per dimension).
    """
    if not isinstance(self, Density):
      return {}
    return likelihood_metrics(-self.log_prob(variables, batch, rng), self.spec)


def batches_per_step(recipe: Recipe) -> int:
  """Batches one step consumes: the most repetitions of any phase."""
  return max((p.repeat for p in recipe.phases), default=1)


# ------------------------------------------------------------- protocols


@runtime_checkable
class Density(Protocol):
  """An explicit model: exact (or importance-sampled) log-likelihoods."""

  def log_prob(self, variables: Variables, batch: Batch,
               rng: jax.Array | None = None) -> jax.Array:
    """[B] log p(x) (log p(x | y) given batch["label"]) in nats."""


@runtime_checkable
class Translator(Protocol):
  """An image-to-image model (CycleGAN, StarGAN).

  `translation_groups`: ((name, number of classes), ...), one per column of
  `target`; CycleGAN's one group is ("domain", 2): 0 asks for domain a, 1
  for domain b.
  """
  translation_groups: tuple[tuple[str, int], ...]

  def translate(self, variables: Variables, images: jax.Array,
                target: jax.Array) -> jax.Array:
    """images [N, H, W, C] (data encoding), target [N, G] int32 -> [N, H, W, C]."""


@runtime_checkable
class Completer(Protocol):
  """A model that completes images from parts of them (Puzzle-GAN).

  `key_patches`: which parts it reads (how many windows, their size, how
  they are chosen), so that a baseline can cut the same ones.
  """
  key_patches: KeyPatches

  def complete(self, variables: Variables, images: jax.Array, rng: jax.Array) -> dict:
    """{"image" [B, H, W, C], "mask" [B, H, W, 1] (probability), "true_mask",
    "patches" [B, K, p, p, C], "corners" [B, K, 2]} for images [B, H, W, C]
    in the data encoding; pure and jittable."""


@runtime_checkable
class CodeClassifier(Protocol):
  """A model that infers a categorical code from data (InfoGAN's Q head)."""
  num_categories: int

  def classify(self, variables: Variables, x: jax.Array) -> jax.Array:
    """[B] most likely category of real data x [B, *event]."""


@runtime_checkable
class PartitionFunction(Protocol):
  """An energy model whose normalizer is estimated apart (the RBM)."""

  def log_partition(self, variables: Variables, rng: jax.Array, method: str,
                    num_steps: int, num_runs: int) -> tuple[jax.Array, jax.Array]:
    """(log Z, its standard error) by `method` ("ais": `num_steps`
    intermediate distributions, `num_runs` runs; "exact": enumeration);
    pure and jittable with the settings static."""

  def unnormalized_log_prob(self, variables: Variables, batch: Batch) -> jax.Array:
    """[B] log p(x) + log Z."""


@runtime_checkable
class PictureWriter(Protocol):
  """A model with pictures beside the sample grid (reconstructions, ...)."""

  def write_pictures(self, variables: Variables, rng: jax.Array, batch: Batch,
                     directory: str, step: int) -> None:
    """PNGs under `directory` with `step` in their names, written through
    `gen_jax.pictures` (process 0 writes); `batch`: eval examples, numpy."""


@runtime_checkable
class ParameterCounter(Protocol):
  """A model whose free parameters are fewer than its weights (masks)."""

  def num_parameters(self, params: Params) -> int:
    """The number of free parameters."""


def require(recipe: Recipe, protocol: type, who: str):
  """`recipe` if it implements `protocol`, else one clear message naming
  `who` (the evaluator or launcher that needs it)."""
  if isinstance(recipe, protocol):
    return recipe
  needs = ", ".join([n for n in vars(protocol) if not n.startswith("_")]
                    + list(getattr(protocol, "__annotations__", {})))
  raise UserError(f"{who} needs a model with {protocol.__name__} ({needs}); "
                  f"model {recipe.config.get('name')!r} has none. Remove it from "
                  "--config.evals or use a model that has it.")


def num_parameters(recipe: Recipe, params: Params) -> int:
  """Free parameters: a `ParameterCounter`'s count, else every weight."""
  if isinstance(recipe, ParameterCounter):
    return recipe.num_parameters(params)
  return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(params))


def likelihood_metrics(nll_nats: jax.Array, spec: DataSpec) -> dict[str, jax.Array]:
  metrics = {"nll_nats": nll_nats}
  if spec.is_image:
    metrics["bits_per_dim"] = nats_to_bits_per_dim(nll_nats, spec.num_dims)
  return metrics


@dataclasses.dataclass(frozen=True)
class LikelihoodOptions:
  """The `model.` keys every `LikelihoodRecipe` reads; subclasses add theirs.

  perturb_rate: train on inputs whose pixels are each replaced by a uniform
  random level with this probability, the background model of the
  likelihood-ratio anomaly score (Ren et al. 2019); evaluation always sees
  clean inputs.
  """
  perturb_rate: float = option(0.0, minimum=0.0)

  def __post_init__(self):
    if not self.perturb_rate < 1.0:
      raise UserError(f"--config.model.perturb_rate={self.perturb_rate} must lie in [0, 1).")


class LikelihoodRecipe(Recipe):
  """An explicit model trained by maximum likelihood: one phase, `nll`.

  Subclasses set `Options` (a `LikelihoodOptions` subclass: the recipe's
  `model.` keys, read into `self.options`) and implement
  `init_params(rng) -> params` (the single group "model"), `log_prob` and
  `sample`.
  """
  Options: type = LikelihoodOptions

  def __init__(self, config, spec: DataSpec):
    super().__init__(config, spec)
    self.options = read_options(self.Options, config, "model")
    self.phases = (Phase("nll", self._nll_loss, ("model",)),)

  def training_batch(self, batch: Batch, rng: jax.Array) -> tuple[Batch, jax.Array]:
    """(the batch the loss sees, the key left for the loss): perturbed by
    `perturb_rate`, or both unchanged when it is 0."""
    rate = self.options.perturb_rate
    if not rate:
      return batch, rng
    k_perturb, rng = jax.random.split(rng)
    return {**batch, "x": perturb(batch["x"], self.spec, rate, k_perturb)}, rng

  def init_params(self, rng: jax.Array) -> Any:
    raise NotImplementedError

  def log_prob(self, variables: Variables, batch: Batch,
               rng: jax.Array | None = None) -> jax.Array:
    """[B] log p(x) in nats (the `Density` protocol)."""
    raise NotImplementedError

  def init(self, rng, example_batch):
    del example_batch
    return {"params": {"model": self.init_params(rng)}, "state": {}}

  def _nll_loss(self, params, state, batch, rng, step):
    del step
    batch, rng = self.training_batch(batch, rng)
    nll = -self.log_prob({"params": params, "state": state}, batch, rng)
    metrics = {k: jnp.mean(v) for k, v in likelihood_metrics(nll, self.spec).items()}
    return jnp.mean(nll), (metrics, state)


def perturb(x: jax.Array, spec: DataSpec, rate: float, rng: jax.Array) -> jax.Array:
  """x with each entry replaced, with probability `rate`, by a uniform random
  value of the encoding (a fair bit, a uniform level, a uniform real in [0, 1])."""
  k_where, k_value = jax.random.split(rng)
  where = jax.random.bernoulli(k_where, rate, x.shape)
  if spec.encoding == "categorical":
    value = jax.random.randint(k_value, x.shape, 0, spec.num_levels).astype(x.dtype)
  elif spec.encoding == "binary":
    value = jax.random.bernoulli(k_value, 0.5, x.shape).astype(x.dtype)
  else:
    value = jax.random.uniform(k_value, x.shape, x.dtype)
  return jnp.where(where, value, x)


def flat_levels(x: jax.Array, spec: DataSpec) -> jax.Array:
  """[B, *event_shape] discrete data -> [B, D] int32 in raster order."""
  return x.reshape(x.shape[0], -1).astype(jnp.int32)


def unflatten(x: jax.Array, spec: DataSpec) -> jax.Array:
  """[B, D] int32 levels -> [B, *event_shape] in the data's dtype."""
  dtype = jnp.int32 if spec.encoding == "categorical" else jnp.float32
  return x.reshape((x.shape[0],) + spec.event_shape).astype(dtype)


def require_discrete(spec: DataSpec, model: str, binary_only: bool = False) -> int:
  """The number of levels, or a clear error for data the model cannot fit."""
  if spec.num_levels is None or (binary_only and spec.num_levels != 2):
    want = "binary" if binary_only else "binary or categorical"
    raise UserError(
        f"model {model!r} needs {want} data but data.encoding is "
        f"{spec.encoding!r}; set --config.data.encoding="
        f"{'binary' if binary_only else 'binary or categorical'}.")
  return spec.num_levels


# ------------------------------------------------- class-conditional models


COMPUTE_DTYPES = ("float32", "bfloat16")   # dtypes a model may compute parts in


def label_classes(conditional: bool, spec: DataSpec, model: str) -> int:
  """K for a `conditional` model (the data must carry labels), else 0."""
  if not conditional:
    return 0
  label = spec.feature("label")
  if label is None or not label.num_classes:
    raise UserError(f"--config.model.conditional=True needs labelled data; "
                    f"dataset {spec.name!r} has no 'label' feature. Use a "
                    "labelled dataset (digits, mnist_small, ...) or drop it.")
  return int(label.num_classes)


def batch_label(batch: Batch, num_classes: int, model: str) -> jax.Array | None:
  """batch["label"] [B] int32 for a conditional model, None otherwise."""
  if not num_classes:
    return None
  if "label" not in batch:
    raise UserError(f"the conditional {model!r} needs batch['label']; use a "
                    "labelled dataset or --config.model.conditional=False.")
  return jnp.asarray(batch["label"], jnp.int32)


def sample_labels(inputs: Batch | None, num: int, num_classes: int) -> jax.Array | None:
  """[num] labels to sample from: inputs["label"], or the classes cycled."""
  if not num_classes:
    return None
  if inputs is not None and inputs.get("label") is not None:
    return jnp.asarray(inputs["label"], jnp.int32)
  return jnp.arange(num, dtype=jnp.int32) % num_classes


def class_log_probs(recipe: Recipe, variables: Variables, batch: Batch,
                    rng: jax.Array | None = None) -> jax.Array:
  """[B, K] log p(x | y = k) of a class-conditional explicit model, every k."""
  num_classes = recipe.spec.feature("label").num_classes
  x = batch["x"]

  def for_class(k):
    label = jnp.full((x.shape[0],), k, jnp.int32)
    return recipe.log_prob(variables, {**batch, "label": label}, rng)

  return jax.lax.map(for_class, jnp.arange(num_classes)).T
