"""What the PyTorch side-by-side drivers (pytorch_peer_*.py) share: the
timing loop and the fields of their result lines. Imports neither torch nor
jax; the drivers load it, and it `machine`, as sibling modules when run as
scripts."""

import datetime
import json
import os
import platform
import time

from machine import cpu_model, load_average


def peer_commit(peer_root: str) -> str:
  """Contents of <peer_root>/COMMIT (written when the peer was unpacked), or ''."""
  try:
    with open(os.path.join(peer_root, "COMMIT")) as f:
      return f.read().strip()
  except OSError:
    return ""


def require_checkout(path: str, peer: str) -> None:
  """Ends in one message when the peer's file `path` is not there."""
  if not os.path.exists(path):
    raise SystemExit(f"{path} not found: --peer_root must be a checkout of {peer} "
                     "(benchmarks/pytorch_peer.md says how to make one).")


def timed_steps(step, repeats: int) -> list:
  """Seconds of `repeats` calls of `step`, timed one by one."""
  seconds = []
  for _ in range(repeats):
    start = time.perf_counter()
    step()
    seconds.append(time.perf_counter() - start)
  return seconds


def timing_fields(batch: int, seconds: list, torch, warmup: int) -> dict:
  """The result-line fields of a timed batch: fastest and median step,
  examples/s, versions, threads, CPU, load and UTC time."""
  best, median = min(seconds), sorted(seconds)[len(seconds) // 2]
  return {"batch": batch, "seconds_per_step": best, "seconds_per_step_median": median,
          "examples_per_s": batch / best, "examples_per_s_median": batch / median,
          "warmup": warmup, "repeats": len(seconds), "threads": torch.get_num_threads(),
          "torch_version": torch.__version__, "python_version": platform.python_version(),
          "device": "cpu", "cpu_model": cpu_model(), "load_average": load_average(),
          "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(
              timespec="seconds")}


def emit(rows: list, output: str) -> None:
  """Each row as a JSON line on stdout, appended to `output` when given."""
  for row in rows:
    print(json.dumps(row), flush=True)
  if output:
    with open(output, "a") as f:
      for row in rows:
        f.write(json.dumps(row) + "\n")
