"""Shuffled, resumable, per-host sharded batches placed on the device mesh.

The order of the training stream is a pure function of (seed, batch number):
batch n comes from epoch n // batches_per_epoch, whose permutation is drawn
from `np.random.default_rng([seed, epoch])`. The iterator's whole state is
therefore the number of batches it has produced, which the trainer saves in
the checkpoint; a resumed run sees exactly the batches it would have seen.
"""

from typing import Iterator

import jax
import numpy as np

from gen_jax.errors import UserError


def _local_slice(global_batch: int) -> slice:
  """The rows of a global batch that this host reads."""
  count, index = jax.process_count(), jax.process_index()
  per_host = global_batch // count
  return slice(index * per_host, (index + 1) * per_host)


def _check_divisible(key: str, batch_size: int, sharding) -> None:
  devices = sharding.mesh.devices.size
  if batch_size % devices:
    raise UserError(f"{key}={batch_size} must be divisible by the number of "
                    f"devices ({devices}); set --config.{key} to a multiple of it.")


def to_global(local: dict[str, np.ndarray], sharding) -> dict[str, jax.Array]:
  """Assembles each host's rows into global arrays sharded over the batch."""
  return {k: jax.make_array_from_process_local_data(sharding, v)
          for k, v in local.items()}


class TrainBatches:
  """Endless shuffled training batches; `position` is the batches consumed."""

  def __init__(self, source, global_batch_size: int, seed: int, sharding,
               position: int = 0):
    _check_divisible("train.batch_size", global_batch_size, sharding)
    if global_batch_size > len(source):
      raise UserError(
          f"train.batch_size={global_batch_size} exceeds the training split "
          f"({len(source)} examples); lower --config.train.batch_size.")
    self.source = source
    self.batch_size = global_batch_size
    self.seed = seed
    self.sharding = sharding
    self.position = position
    self.batches_per_epoch = len(source) // global_batch_size
    self._epoch, self._perm = None, None

  def _permutation(self, epoch: int) -> np.ndarray:
    if epoch != self._epoch:
      rng = np.random.default_rng([self.seed, epoch])
      self._epoch, self._perm = epoch, rng.permutation(len(self.source))
    return self._perm

  def indices(self, position: int) -> np.ndarray:
    """Global example indices of batch number `position`."""
    epoch, i = divmod(position, self.batches_per_epoch)
    perm = self._permutation(epoch)
    return perm[i * self.batch_size:(i + 1) * self.batch_size]

  def __iter__(self):
    return self

  def __next__(self) -> dict[str, jax.Array]:
    idx = self.indices(self.position)[_local_slice(self.batch_size)]
    self.position += 1
    return to_global(self.source.get(idx), self.sharding)


def eval_batches(source, global_batch_size: int, sharding,
                 limit: int | None = None) -> Iterator[dict[str, jax.Array]]:
  """One ordered pass over a split; the last batch is zero-padded.

  Each batch carries `weight` (1 for real rows, 0 for padding) so that means
  over the split are exact whatever its size.
  """
  _check_divisible("eval.batch_size", global_batch_size, sharding)
  total = len(source) if limit is None else min(limit, len(source))
  rows = _local_slice(global_batch_size)
  for start in range(0, total, global_batch_size):
    idx = np.arange(start, start + global_batch_size)
    weight = (idx < total).astype(np.float32)
    idx = np.minimum(idx, total - 1)[rows]
    local = source.get(idx)
    local["weight"] = weight[rows]
    yield to_global(local, sharding)
