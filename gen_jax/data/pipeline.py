"""Shuffled, resumable, per-host sharded batches placed on the device mesh.

The order of the training stream is a pure function of (seed, batch number):
batch n comes from epoch n // batches_per_epoch, whose permutation is drawn
from `np.random.default_rng([seed, epoch])`. The iterator's whole state is
therefore the number of batches it has produced, which the trainer saves in
the checkpoint; a resumed run sees exactly the batches it would have seen.
"""

from typing import Iterator

import zlib

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P

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


def to_global(local, sharding):
  """Assembles each host's rows (a pytree of numpy arrays) into global arrays
  sharded like `sharding`."""
  return jax.tree.map(lambda v: jax.make_array_from_process_local_data(sharding, v),
                      local)


def stack_sharding(sharding) -> NamedSharding:
  """`sharding` over the batch axis behind a leading, unsharded stack axis."""
  return NamedSharding(sharding.mesh, P(None, *sharding.spec))


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
      rng = np.random.default_rng([*np.atleast_1d(self.seed).tolist(), epoch])
      self._epoch, self._perm = epoch, rng.permutation(len(self.source))
    return self._perm

  def indices(self, position: int) -> np.ndarray:
    """Global example indices of batch number `position`."""
    epoch, i = divmod(position, self.batches_per_epoch)
    perm = self._permutation(epoch)
    return perm[i * self.batch_size:(i + 1) * self.batch_size]

  def __iter__(self):
    return self

  def local_batch(self) -> dict[str, np.ndarray]:
    """This host's rows of the next batch (numpy); advances `position`."""
    idx = self.indices(self.position)[_local_slice(self.batch_size)]
    self.position += 1
    return self.source.get(idx)

  def __next__(self) -> dict[str, jax.Array]:
    return to_global(self.local_batch(), self.sharding)


def source_seed(seed: int, name: str) -> tuple[int, int]:
  """An independent shuffling seed for the named source."""
  return (seed, zlib.crc32(name.encode()) & 0x7FFFFFFF)


class TrainStream:
  """What one train step consumes: `count` batches stacked on a leading axis.

  `sources` is one source or {name: source}; named sources are shuffled
  independently and the batch is keyed by name. `positions` (an int, or
  {name: int}) is the whole iterator state, saved in the checkpoint.
  """

  def __init__(self, sources, global_batch_size: int, seed: int, sharding,
               count: int = 1, positions=0):
    self.named = isinstance(sources, dict)
    self.count = count
    self.sharding = stack_sharding(sharding)
    if not self.named:
      self.streams = {None: TrainBatches(sources, global_batch_size, seed, sharding,
                                         position=int(positions))}
    else:
      positions = positions if isinstance(positions, dict) else {}
      self.streams = {name: TrainBatches(src, global_batch_size, source_seed(seed, name),
                                         sharding, position=int(positions.get(name, 0)))
                      for name, src in sources.items()}

  @property
  def positions(self):
    if not self.named:
      return self.streams[None].position
    return {name: s.position for name, s in self.streams.items()}

  def _stack(self, stream) -> dict[str, np.ndarray]:
    parts = [stream.local_batch() for _ in range(self.count)]
    return {k: np.stack([p[k] for p in parts]) for k in parts[0]}

  def __iter__(self):
    return self

  def __next__(self):
    local = {name: self._stack(s) for name, s in self.streams.items()}
    return to_global(local[None] if not self.named else local, self.sharding)


def eval_batches(source, global_batch_size: int, sharding,
                 limit: int | None = None) -> Iterator[dict]:
  """One ordered pass over a split; the last batch is zero-padded.

  Each batch carries `weight` (1 for real rows, 0 for padding) so that means
  over the split are exact whatever its size. With named sources ({name:
  source}) the pass covers the longest one; each source's rows carry their
  own `weight`, and the top-level `weight` marks rows real in every source.
  """
  _check_divisible("eval.batch_size", global_batch_size, sharding)
  named = isinstance(source, dict)
  sources = source if named else {None: source}
  totals = {k: len(s) if limit is None else min(limit, len(s)) for k, s in sources.items()}
  rows = _local_slice(global_batch_size)
  for start in range(0, max(totals.values()), global_batch_size):
    idx = np.arange(start, start + global_batch_size)
    local = {}
    for name, src in sources.items():
      part = src.get(np.minimum(idx, totals[name] - 1)[rows])
      part["weight"] = (idx < totals[name]).astype(np.float32)[rows]
      local[name] = part
    if not named:
      yield to_global(local[None], sharding)
      continue
    local["weight"] = (idx < min(totals.values())).astype(np.float32)[rows]
    yield to_global(local, sharding)
