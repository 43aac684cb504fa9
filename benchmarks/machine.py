"""The host a measurement ran on, in words. Imports neither jax nor torch, so
that gen_jax's benchmarks and the PyTorch side-by-side drivers (run in their
own environment, where this is a sibling module) share it."""

import platform


def cpu_model() -> str:
  """The CPU's model name where the system tells it, else its architecture
  (results can differ between CPUs by their instruction sets)."""
  try:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
      for text in f:
        if text.startswith("model name"):
          return f"{text.split(':', 1)[1].strip()} ({platform.machine()})"
  except OSError:
    pass
  return platform.processor() or platform.machine()


def load_average() -> str:
  """The 1-, 5- and 15-minute load averages, '' where the system has none."""
  try:
    with open("/proc/loadavg", encoding="utf-8") as f:
      return " ".join(f.read().split()[:3])
  except OSError:
    return ""
