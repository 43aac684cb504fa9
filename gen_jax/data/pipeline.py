"""Shuffled, resumable, per-host sharded batches placed on the device mesh.

The order of the training stream is a pure function of (seed, batch number):
batch n comes from epoch n // batches_per_epoch, whose permutation is drawn
from `np.random.default_rng([seed, epoch])`. The iterator's whole state is
therefore the number of batches it has produced, which the trainer saves in
the checkpoint; a resumed run sees exactly the batches it would have seen.

`Prefetch` copies the batches of several steps to the device at once, the
next chunk while the current one is consumed, and reports the position of
the batches actually consumed, never of those only prefetched. It runs in
the training thread: the trainer gathers the next chunk (`fill`) right
after dispatching steps, which run asynchronously, so the gather overlaps
them and no thread can reorder anything. Chunks matter for small steps: one
copy to the device costs more host time (about 0.15 ms on CPU) than a whole
quickstart step. Rows are aligned to step numbers, so that a trainer
running K steps per call (`train.steps_per_dispatch`) finds each block of K
inside one chunk, the same blocks after a resume. A training split that fits
`data.on_device_mb` (in memory already, or a TFDS split decoded once) lives
on the devices instead (`device_tables`): chunks then carry only example
indices and the jitted step gathers its rows there, so a small model's loop
copies a few KB per chunk, not every batch.

Why not `grain`: its IndexSampler, per-process sharding and checkpointable
iterator state would give the same properties, but here each costs a few
lines and the whole iterator state is one integer per source, saved in the
checkpoint's metadata. Sources are in-memory arrays or random-access TFDS
`data_source`s (array_record, which grain reads too), decoded once when the
split fits the device budget and else a batch at a time, so grain's worker
processes would add start-up time and a dependency for no gain, and
switching would change the shuffling order and with it every figure
measured so far. Reconsider it for large images decoded or augmented per
example, where worker processes pay.
"""

import collections
import zlib
from typing import Iterator

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P

from gen_jax.data.arrays import total_bytes
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

  def indices_of(self, start: int, num: int) -> np.ndarray:
    """[num, B] global example indices of batches start..start+num-1 (one
    permutation lookup per epoch, not per batch)."""
    epochs, within = np.divmod(np.arange(start, start + num), self.batches_per_epoch)
    out = np.empty((num, self.batch_size), np.int64)
    for epoch in np.unique(epochs):
      batches = self._permutation(int(epoch))[:self.batches_per_epoch * self.batch_size]
      at = epochs == epoch
      out[at] = batches.reshape(self.batches_per_epoch, self.batch_size)[within[at]]
    return out

  def local_indices(self, num: int) -> np.ndarray:
    """[num, B / hosts] example indices of this host's rows of the next `num`
    batches; advances `position` by `num`."""
    idx = self.indices_of(self.position, num)[:, _local_slice(self.batch_size)]
    self.position += num
    return idx

  def local_batches(self, num: int) -> dict[str, np.ndarray]:
    """This host's rows of the next `num` batches in one gather ([num, B,
    ...] leaves, numpy); advances `position` by `num`."""
    idx = self.local_indices(num)   # [num, B]
    return {k: v.reshape(idx.shape + v.shape[1:])
            for k, v in self.source.get(idx.reshape(-1)).items()}

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

  def advanced(self, steps: int):
    """`positions` after `steps` more steps."""
    moved = self.count * steps
    if not self.named:
      return self.positions + moved
    return {name: p + moved for name, p in self.positions.items()}

  def local_steps(self, num: int, indices: bool = False):
    """This host's rows of the next `num` steps' batches, gathered at once
    (numpy, [num, count, B, ...] leaves); advances `positions`. With
    `indices`, their example indices instead ([num, count, B] int32 per
    source), for `gather_rows` on the device."""
    split = lambda v: v.reshape((num, self.count) + v.shape[1:])   # [num * count, ...]
    def rows(stream):
      if indices:
        return split(stream.local_indices(num * self.count).astype(np.int32))
      return {k: split(v) for k, v in stream.local_batches(num * self.count).items()}
    local = {name: rows(s) for name, s in self.streams.items()}
    return local[None] if not self.named else local

  def __iter__(self):
    return self

  def __next__(self):
    return to_global(jax.tree.map(lambda a: a[0], self.local_steps(1)), self.sharding)


class Prefetch:
  """`stream`'s step inputs, `chunk` steps per copy to the device, the next
  chunk copied while the current one is consumed.

  `take(n)` gives (chunk, index): leaves [chunk, count, B, ...] on the device
  and the row of the first of the next `n` steps in them, a device scalar (a
  jitted step reads `take_step(chunk, index)`, or `take_steps(chunk, index,
  n)` for several steps, so no step waits on a copy and copies cost one call
  per chunk). Rows are aligned to step numbers: with `offset` steps already
  taken before the stream's first batch, step s lies in row (s - 1) % chunk
  (the first chunk's leading rows repeat its first real one and are never
  taken). `positions` is that of the batches consumed so far, never of those
  only prefetched: what a checkpoint must save for an exact resume.
  """

  def __init__(self, stream, chunk: int = 16, offset: int = 0, indices: bool = False):
    self.stream = stream
    self.chunk = chunk
    self.indices = indices   # copy example indices only (see `device_tables`)
    self.sharding = stack_sharding(stream.sharding)
    self._replicated = NamedSharding(stream.sharding.mesh, P())
    self._rows = {}   # row -> that row number on the device, made once
    self.positions = stream.positions
    self._current, self._ahead = None, None
    self._index = offset % chunk
    self._skip = self._index   # leading rows of the first chunk that are not data

  @property
  def index(self) -> int:
    """The row of the next step in its chunk."""
    return self._index % self.chunk

  def _produce(self):
    """The next chunk on the device and the stream positions after each row."""
    skip, self._skip = self._skip, 0
    real = self.chunk - skip
    positions = [self.stream.advanced(0)] * skip + [self.stream.advanced(j + 1)
                                                    for j in range(real)]
    local = self.stream.local_steps(real, self.indices)
    if skip:   # [real, ...] -> [chunk, ...], rows aligned to step numbers
      local = jax.tree.map(lambda a: np.concatenate([np.repeat(a[:1], skip, 0), a]), local)
    return to_global(local, self.sharding), positions

  def __iter__(self):
    return self

  def __next__(self):
    taken = self.take(1)
    self.fill()
    return taken

  def fill(self) -> None:
    """Gathers and copies the next chunk unless it is already ahead."""
    if self._ahead is None:
      self._ahead = self._produce()

  def take(self, num: int):
    """(chunk, index) for the next `num` steps, which must lie in one chunk.
    Call `fill` after dispatching them, so the next chunk is gathered and
    copied while they run."""
    if self._current is None or self._index == self.chunk:
      self._current, self._ahead = self._ahead or self._produce(), None
      self._index = self._index % self.chunk
    (inputs, positions), i = self._current, self._index
    if i + num > self.chunk:
      raise ValueError(f"{num} steps from row {i} cross a chunk of {self.chunk}")
    self._index += num
    self.positions = positions[i + num - 1]
    if i not in self._rows:
      self._rows[i] = jax.device_put(np.int32(i), self._replicated)
    return inputs, self._rows[i]


def device_tables(sources, sharding, max_bytes: int):
  """Every training split's arrays, replicated on each device of
  `sharding`'s mesh, when all fit in `max_bytes` together (`arrays_within`:
  in-memory splits as they are, TFDS splits decoded once); else None.

  With tables, the trainer copies only example indices per chunk and
  gathers the rows inside the jitted step (`gather_rows`): the same values,
  without the per-chunk copy of whole batches, which costs a small model
  more than its steps (the quickstart at 10 steps per call: 51% loop
  overhead with the copies, 4% with them stubbed out, in one paired run).
  """
  named = isinstance(sources, dict)
  arrays, budget = {}, max_bytes
  for name, source in (sources if named else {None: sources}).items():
    held = getattr(source, "arrays_within", lambda _: None)(budget)
    if held is None:
      return None
    arrays[name] = held
    budget -= total_bytes(held)
  replicated = NamedSharding(sharding.mesh, P())
  tables = {name: to_global(a, replicated) for name, a in arrays.items()}
  return tables if named else tables[None]


def gather_rows(tables, rows):
  """A step's inputs: `rows` as they are when `tables` is None, else the
  table rows at `rows`' example indices ([count, B] int32, or {source name:
  ...}; inside the jitted step)."""
  if tables is None:
    return rows
  if isinstance(rows, dict):
    return {name: gather_rows(tables[name], r) for name, r in rows.items()}
  return {k: v[rows] for k, v in tables.items()}


def take_step(chunk, index):
  """One step's batches from a prefetched chunk (inside the jitted step)."""
  return jax.tree.map(lambda a: a[index], chunk)


def take_steps(chunk, index, num: int):
  """`num` steps' batches from row `index` of a prefetched chunk (inside the
  jitted multi-step function): leaves [num, count, B, ...]."""
  return jax.tree.map(lambda a: jax.lax.dynamic_slice_in_dim(a, index, num), chunk)


def num_eval_batches(source, global_batch_size: int, limit: int | None = None) -> int:
  """How many batches `eval_batches` yields for the same arguments."""
  sources = source.values() if isinstance(source, dict) else (source,)
  longest = max(len(s) if limit is None else min(limit, len(s)) for s in sources)
  return -(-longest // global_batch_size)


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
