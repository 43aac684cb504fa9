"""What a benchmark case is and how it is timed (no flags: safe to import)."""

import dataclasses
import time
from typing import Callable

import jax


@dataclasses.dataclass
class Case:
  model: str
  sampler: str                       # 'naive', 'scan', 'cached', ...
  image_shape: tuple[int, ...]
  batch: int
  run: Callable[[jax.Array], jax.Array]   # jitted: rng -> samples
  # Traceable rng -> samples doing the same arithmetic as `run`, for counting
  # FLOPs where `run` is a host loop (the naive pixel samplers); None: `run`.
  counted: Callable[[jax.Array], jax.Array] | None = None
  setting: str = ""                        # e.g. "H=500", "32 features x 6"


def time_case(case: Case, repeats: int) -> float:
  """Samples per second, compile excluded (one warm-up call), block_until_ready."""
  rng = jax.random.PRNGKey(0)
  jax.block_until_ready(case.run(rng))
  start = time.perf_counter()
  for i in range(repeats):
    jax.block_until_ready(case.run(jax.random.fold_in(rng, i + 1)))
  return case.batch * repeats / (time.perf_counter() - start)


def wall_seconds(run: Callable[[], object]) -> float:
  """Wall time of one call of `run`, until what it returns is ready."""
  start = time.perf_counter()
  jax.block_until_ready(run())
  return time.perf_counter() - start


def min_wall_seconds(run: Callable[[], object], repeats: int) -> float:
  """The fastest of `repeats` calls of `run` (the least disturbed by noise)."""
  return min(wall_seconds(run) for _ in range(repeats))
