"""The model recipe: the contract between a model family and the one trainer.

A recipe owns its Flax modules and says how to train them as a sequence of
*phases*. Each phase is a loss and the parameter groups it updates; the
trainer runs every phase once per step (`repeat` times in a row), each with
its own optimizer state per group.

Variables are `{"params": {group: pytree}, "state": pytree}`; `state` holds
what is not trained by gradients (batch-norm statistics, image pools, ...).
"""

import dataclasses
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import nats_to_bits_per_dim

Params = dict[str, Any]
Variables = dict[str, Any]
Batch = dict[str, jax.Array]
# loss_fn(params, state, batch, rng) -> (scalar loss, (metrics, new_state))
LossFn = Callable[[Params, Any, Batch, jax.Array], tuple[jax.Array, tuple[dict, Any]]]


@dataclasses.dataclass(frozen=True)
class Phase:
  name: str
  loss_fn: LossFn
  groups: tuple[str, ...]
  repeat: int = 1


class Recipe:
  """Base class of all model recipes.

  Subclasses set `phases` and implement `init` and `sample`; explicit models
  also implement `log_prob`. `eval_metrics` returns per-example values that
  the trainer averages over the evaluation split.
  """
  phases: Sequence[Phase] = ()
  explicit: bool = False

  def __init__(self, config, spec: DataSpec):
    self.config = config
    self.spec = spec

  def init(self, rng: jax.Array, example_batch: Batch) -> Variables:
    raise NotImplementedError

  def sample(self, variables: Variables, rng: jax.Array, num: int,
             cond: jax.Array | None = None) -> jax.Array:
    """[num, *event_shape] samples in the data encoding; pure and jittable."""
    raise NotImplementedError

  def log_prob(self, variables: Variables, batch: Batch,
               rng: jax.Array | None = None) -> jax.Array:
    """[B] log p(x) in nats (explicit models only)."""
    raise NotImplementedError(f"{type(self).__name__} has no tractable log_prob")

  def eval_metrics(self, variables: Variables, batch: Batch,
                   rng: jax.Array) -> dict[str, jax.Array]:
    """Per-example metrics ([B] each) averaged by the trainer over a split."""
    if not self.explicit:
      return {}
    nll = -self.log_prob(variables, batch, rng)
    return likelihood_metrics(nll, self.spec)

  def sample_metrics(self, variables: Variables, rng: jax.Array, train_source,
                     eval_source) -> dict[str, float]:
    """Set-level metrics of samples (mode coverage, Frechet distance, ...).

    Called by `Experiment.evaluate` (host side, not jitted) with the train
    and eval data sources (`get(indices)` -> numpy batch); merged into its
    result. Default: none.
    """
    del variables, rng, train_source, eval_source
    return {}

  def write_pictures(self, variables: Variables, rng: jax.Array, batch: Batch,
                     directory: str, step: int) -> None:
    """Extra pictures beside the sample grid (reconstructions, traversals...).

    Called on host 0 whenever samples are written, with one evaluation batch
    (numpy arrays); write PNGs under `directory` with `step` in their names.
    """

  def num_parameters(self, params: Params) -> int:
    """Free parameters; recipes with masked weights count only the live ones."""
    return sum(int(np.prod(p.shape)) for p in jax.tree.leaves(params))

  def optimizers(self, train_config) -> dict[str, Any] | None:
    """Per-group optax transforms, or None for the trainer's default."""
    return None


def likelihood_metrics(nll_nats: jax.Array, spec: DataSpec) -> dict[str, jax.Array]:
  metrics = {"nll_nats": nll_nats}
  if spec.is_image:
    metrics["bits_per_dim"] = nats_to_bits_per_dim(nll_nats, spec.num_dims)
  return metrics


class LikelihoodRecipe(Recipe):
  """An explicit model trained by maximum likelihood: one phase, `nll`.

  Subclasses implement `init_params(rng) -> params` (the single group
  "model"), `log_prob` and `sample`.
  """
  explicit = True

  def __init__(self, config, spec: DataSpec):
    super().__init__(config, spec)
    self.phases = (Phase("nll", self._nll_loss, ("model",)),)

  def init_params(self, rng: jax.Array) -> Any:
    raise NotImplementedError

  def init(self, rng, example_batch):
    del example_batch
    return {"params": {"model": self.init_params(rng)}, "state": {}}

  def _nll_loss(self, params, state, batch, rng):
    nll = -self.log_prob({"params": params, "state": state}, batch, rng)
    metrics = {k: jnp.mean(v) for k, v in likelihood_metrics(nll, self.spec).items()}
    return jnp.mean(nll), (metrics, state)


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
