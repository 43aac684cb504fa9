"""Sampling throughput of the autoregressive samplers.

  python -m benchmarks.sampling [--models=nade,pixelcnn] [--batches=1,16,64,256]
      [--output=benchmarks/results/sampling.jsonl]

Each case is jitted, run once to compile (excluded), then timed over
`--repeats` calls with `block_until_ready`. Prints a table and appends JSON
lines with `model`, `sampler`, `image_shape`, `batch`, `samples_per_s`,
`device` (plus the speedup of each sampler over the `naive` one).

Cases come from the modules in CASE_MODULES: each exposes
`cases(batches) -> list[benchmarks.harness.Case]`.
"""

import importlib
import json
import os

from absl import app, flags
import jax

from benchmarks.harness import Case, time_case

CASE_MODULES = ("benchmarks.sampling_nade", "benchmarks.sampling_pixel")

MODELS = flags.DEFINE_list("models", [], "Model names to run (default: all).")
BATCHES = flags.DEFINE_list("batches", ["1", "16", "64", "256"], "Batch sizes.")
REPEATS = flags.DEFINE_integer("repeats", 3, "Timed calls per case.")
OUTPUT = flags.DEFINE_string("output", "benchmarks/results/sampling.jsonl",
                             "JSON lines file to append to ('' to skip).")


def collect_cases(batches: list[int], models: list[str]) -> list[Case]:
  found = []
  for name in CASE_MODULES:
    try:
      module = importlib.import_module(name)
    except ModuleNotFoundError as e:
      if e.name != name:
        raise
      continue
    found += [c for c in module.cases(batches) if not models or c.model in models]
  return found


def main(argv):
  del argv
  batches = [int(b) for b in BATCHES.value]
  device = jax.devices()[0].device_kind
  rows = []
  for case in collect_cases(batches, MODELS.value):
    rate = time_case(case, REPEATS.value)
    rows.append({"model": case.model, "sampler": case.sampler,
                 "image_shape": list(case.image_shape), "batch": case.batch,
                 "samples_per_s": rate, "device": device})
    print(f"{case.model:>18} {case.sampler:>8} {str(case.image_shape):>12} "
          f"batch {case.batch:>4}: {rate:12.2f} samples/s", flush=True)
  naive = {(r["model"], tuple(r["image_shape"]), r["batch"]): r["samples_per_s"]
           for r in rows if r["sampler"] == "naive"}
  print(f"\n{'model':>18} {'sampler':>8} {'shape':>12} {'batch':>5} "
        f"{'samples/s':>12} {'x naive':>8}")
  for r in rows:
    base = naive.get((r["model"], tuple(r["image_shape"]), r["batch"]))
    r["speedup_vs_naive"] = r["samples_per_s"] / base if base else None
    speed = f"{r['speedup_vs_naive']:.1f}" if base else "-"
    print(f"{r['model']:>18} {r['sampler']:>8} {str(tuple(r['image_shape'])):>12} "
          f"{r['batch']:>5} {r['samples_per_s']:>12.2f} {speed:>8}")
  if OUTPUT.value:
    os.makedirs(os.path.dirname(OUTPUT.value) or ".", exist_ok=True)
    with open(OUTPUT.value, "a", encoding="utf-8") as f:
      for r in rows:
        f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
  app.run(main)
