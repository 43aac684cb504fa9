"""Sampling throughput of the autoregressive samplers.

  python -m benchmarks.sampling [--models=nade,pixelcnn] [--batches=1,16,64,256]
      [--output=benchmarks/results/sampling.jsonl]

Each case is lowered and compiled (timed apart: `compile_s`), called once
more untimed, then timed over `--repeats` calls (new keys) with
`block_until_ready`. Prints a table and appends one JSON line per case with
`model`, `sampler`, `setting`, `image_shape`, `batch`, `samples_per_s` (from
the fastest call) and `samples_per_s_median`, `flops_per_item` (FLOPs per
sample, scan bodies times their length: benchmarks/flops.py) and
`xla_flops_per_item` (XLA's `cost_analysis()`, which counts a loop body
once), `achieved_flops_per_s`, `fraction_of_peak` (of a float32 matmul
measured at the start: benchmarks/roofline.py), `peak_memory_bytes` (None
where the backend reports none, as on CPU), the compiled sampler's
`argument_size_in_bytes`, `output_size_in_bytes` and `temp_size_in_bytes`
(`memory_analysis()`; None where the backend gives none or the sampler is
not one jitted call), the speedup over the `naive`
sampler, and the device, JAX version, git revision and time.

Cases come from the modules in CASE_MODULES: each exposes
`cases(batches) -> list[benchmarks.harness.Case]`.
"""

import importlib

from absl import app, flags
import jax

from benchmarks import roofline
from benchmarks.flops import count_flops, xla_cost
from benchmarks.harness import Case

CASE_MODULES = ("benchmarks.sampling_nade", "benchmarks.sampling_pixel")

FLAGS = flags.FLAGS


def define_flags():
  """Defined when run as a script only, so that tests can import this module
  beside other benchmarks that name the same flags."""
  flags.DEFINE_list("models", [], "Model names to run (default: all).")
  flags.DEFINE_list("batches", ["1", "16", "64", "256"], "Batch sizes.")
  flags.DEFINE_integer("repeats", 3, "Timed calls per case.")
  flags.DEFINE_integer("peak_size", 0, "n of the n x n peak matmul "
                       "(0: 2048 on CPU, 8192 on an accelerator).")
  flags.DEFINE_string("output", "benchmarks/results/sampling.jsonl",
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


def measure(case: Case, repeats: int, peak_flops: float) -> dict:
  """One case's JSON line (see the module doc)."""
  rng = jax.random.PRNGKey(0)
  call, compile_s, xla, memory = case.run, None, {}, roofline.compiled_memory()
  if hasattr(case.run, "lower"):
    call, compile_s = roofline.compile_timed(case.run, rng)
    xla, memory = xla_cost(call), roofline.compiled_memory(call)
  first_call_s = roofline.steady_seconds(lambda: call(rng), 1, warmup=0)[0]
  keys = iter(jax.random.split(jax.random.PRNGKey(1), repeats + 1))
  seconds = roofline.steady_seconds(lambda: call(next(keys)), repeats)
  cost = count_flops(case.counted or case.run, rng)
  return {"benchmark": "sampling", "model": case.model, "sampler": case.sampler,
          "setting": case.setting, "image_shape": list(case.image_shape),
          "batch": case.batch,
          **roofline.throughput_fields(case.batch, seconds, cost, peak_flops, "samples"),
          "xla_flops_per_item": xla["flops"] / case.batch if "flops" in xla else None,
          "compile_s": compile_s, "first_call_s": first_call_s,
          "peak_memory_bytes": roofline.peak_memory_bytes(), **memory}


def main(argv):
  del argv
  batches = [int(b) for b in FLAGS.batches]
  env, peak = roofline.announce_peak(FLAGS.peak_size or None)
  rows = []
  for case in collect_cases(batches, FLAGS.models):
    row = dict(measure(case, FLAGS.repeats, peak), **env)
    rows.append(row)
    print(f"{case.model:>18} {case.sampler:>8} {str(case.image_shape):>12} "
          f"batch {case.batch:>4}: {row['samples_per_s']:12.2f} samples/s "
          f"{100 * row['fraction_of_peak']:6.2f}% of peak "
          f"(compile {row['compile_s'] or 0:.1f} s)", flush=True)
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
  roofline.append_jsonl(FLAGS.output, rows)


if __name__ == "__main__":
  define_flags()
  app.run(main)
