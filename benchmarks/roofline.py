"""What every benchmark line carries: the machine, its measured peak, the
share of it a measurement reached, compile time apart from steady state.

- `measure_peak_flops`: FLOP/s of a large float32 matmul on the device the
  benchmark runs on (default matmul precision, as the models use), the best
  of a few calls. It is the yardstick for `fraction_of_peak`.
- `environment`: device kind and platform, device count, JAX version, git
  revision (with `+dirty` when the tree has uncommitted changes), UTC time.
- `peak_memory_bytes`: the backend's `memory_stats()["peak_bytes_in_use"]`;
  None where the backend reports none (the CPU backend does not).
- `steady_seconds`: per-call wall times after a warm-up, each until
  `block_until_ready`; lines record the minimum (least disturbed) and the
  median.
"""

import datetime
import json
import os
import statistics
import subprocess
import time
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp

from benchmarks.flops import Cost, count_flops
from benchmarks.machine import cpu_model


def default_matmul_size() -> int:
  """n of the n x n peak matmul: 2048 on a CPU, 8192 on an accelerator."""
  return 2048 if jax.default_backend() == "cpu" else 8192


def measure_peak_flops(n: int | None = None, repeats: int = 5) -> float:
  """FLOP/s of the fastest of `repeats` [n, n] @ [n, n] float32 matmuls."""
  n = n or default_matmul_size()
  a = jax.random.normal(jax.random.PRNGKey(0), (n, n), jnp.float32)
  b = jax.random.normal(jax.random.PRNGKey(1), (n, n), jnp.float32)
  matmul = jax.jit(jnp.matmul).lower(a, b).compile()
  seconds = min(steady_seconds(lambda: matmul(a, b), repeats))
  return 2.0 * n ** 3 / seconds


def steady_seconds(call: Callable[[], Any], repeats: int, warmup: int = 1) -> list[float]:
  """Wall seconds of each of `repeats` calls after `warmup` untimed ones."""
  for _ in range(warmup):
    jax.block_until_ready(call())
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    jax.block_until_ready(call())
    times.append(time.perf_counter() - start)
  return times


def compile_timed(jitted, *args):
  """(compiled executable, seconds spent lowering and compiling it)."""
  start = time.perf_counter()
  compiled = jitted.lower(*args).compile()
  return compiled, time.perf_counter() - start


def peak_memory_bytes(device=None) -> int | None:
  """Peak bytes in use on `device` since start, or None if not reported."""
  device = device or jax.devices()[0]
  stats = device.memory_stats() if hasattr(device, "memory_stats") else None
  return (stats or {}).get("peak_bytes_in_use")


MEMORY_FIELDS = ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes")


def compiled_memory(compiled=None) -> dict:
  """`compiled.memory_analysis()`'s argument / output / temp bytes, each None
  where the backend (or a call that is not compiled) reports none."""
  try:
    stats = compiled.memory_analysis() if compiled is not None else None
  except (AttributeError, NotImplementedError, RuntimeError):
    stats = None
  if isinstance(stats, (list, tuple)):
    stats = stats[0] if stats else None
  return {k: getattr(stats, k, None) for k in MEMORY_FIELDS}


def git_revision() -> str:
  """HEAD's hash, `+dirty` when the work tree differs; 'unknown' outside git."""
  root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  try:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                          text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=root, capture_output=True, text=True, check=True).stdout
  except (OSError, subprocess.CalledProcessError):
    return "unknown"
  return head + ("+dirty" if dirty.strip() else "")


def hardware() -> str:
  """The machine in words, e.g. "2-core AMD EPYC (x86_64) CPU" or "8 x TPU v4"."""
  device = jax.devices()[0]
  if device.platform == "cpu":
    return f"{os.cpu_count()}-core {cpu_model()} CPU"
  return f"{jax.device_count()} x {device.device_kind}"


def environment() -> dict:
  """Where and when a measurement was taken."""
  device = jax.devices()[0]
  return {"device": device.device_kind, "platform": device.platform,
          "num_devices": jax.device_count(), "jax_version": jax.__version__,
          "git_revision": git_revision(),
          "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(
              timespec="seconds")}


def throughput_fields(items: int, seconds: Sequence[float], cost: Cost | None,
                      peak_flops: float, unit: str) -> dict:
  """Rate (min and median time), FLOPs per item, achieved FLOP/s, fraction
  of peak. `unit` names the item ('samples', 'examples')."""
  best, median = min(seconds), statistics.median(seconds)
  fields = {f"{unit}_per_s": items / best, f"{unit}_per_s_median": items / median,
            "seconds_per_call": best, "seconds_per_call_median": median,
            "repeats": len(seconds), "peak_flops_per_s": peak_flops}
  if cost is None:
    return dict(fields, flops_per_item=None, transcendentals_per_item=None,
                achieved_flops_per_s=None, fraction_of_peak=None)
  achieved = cost.flops / best
  return dict(fields, flops_per_item=cost.flops / items,
              transcendentals_per_item=cost.transcendentals / items,
              achieved_flops_per_s=achieved, fraction_of_peak=achieved / peak_flops)


def per_position_fields(jitted, args: Sequence[Any], positions: int, repeats: int,
                        peak_flops: float) -> dict:
  """A scan over `positions` positions timed (compile apart, steady state)
  and costed (`benchmarks.flops`): microseconds per position, its FLOP
  floor at `peak_flops`, and `throughput_fields`."""
  compiled, compile_s = compile_timed(jitted, *args)
  seconds = steady_seconds(lambda: compiled(*args), repeats)
  cost = count_flops(jitted, *args)
  fields = throughput_fields(positions, seconds, cost, peak_flops, "positions")
  return {"us_per_position": 1e6 * fields["seconds_per_call"] / positions,
          "floor_us_per_position": 1e6 * cost.flops / peak_flops / positions,
          **fields, "compile_s": compile_s}


def announce_peak(n: int | None = None) -> tuple[dict, float]:
  """(environment(), measured peak FLOP/s), printing the peak once."""
  env = environment()
  peak = measure_peak_flops(n)
  print(f"{env['device']}: peak {peak / 1e9:.1f} GFLOP/s (float32 matmul)", flush=True)
  return env, peak


def position_line(batch: int, name: str, row: dict) -> str:
  """One printed line of a per-position breakdown row (`per_position_fields`)."""
  return (f"batch {batch:>4} {name:>10}: {row['us_per_position']:8.2f} us/position "
          f"(floor {row['floor_us_per_position']:6.2f}, "
          f"{100 * row['fraction_of_peak']:5.2f}% of peak)")


def append_jsonl(path: str, rows: Sequence[dict]) -> None:
  """Appends one JSON line per row to `path` ('' writes nothing)."""
  if not path:
    return
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  with open(path, "a", encoding="utf-8") as f:
    for row in rows:
      f.write(json.dumps(row) + "\n")
