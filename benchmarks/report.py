"""The throughput tables of docs/performance.md and a plot, from benchmark JSON lines.

  python -m benchmarks.report [--results=benchmarks/results/sampling.jsonl,...]
      [--readme=docs/performance.md] [--plot=benchmarks/throughput.png]

Reads the lines of benchmarks.sampling and benchmarks.train_step; where one
measurement (same benchmark, model, variant, setting, shape, batch and
device) appears more than once, the latest line counts. Prints markdown
tables (sampling, then train steps) with the fraction of the highest peak
measured on the device by any of the runs read (on a shared machine a run's
own peak drops with the load);
with --readme, writes them between the markers
`<!-- throughput-table:begin -->` and `<!-- throughput-table:end -->`.
With --plot, draws samples/s against batch size per model and sampler
(log-log) to a PNG.
"""

import json
import os
import re

from absl import app, flags

FLAGS = flags.FLAGS


def define_flags():
  """Defined when run as a script only (see benchmarks.sampling)."""
  flags.DEFINE_list("results", ["benchmarks/results/sampling.jsonl",
                                "benchmarks/results/train_step.jsonl"],
                    "JSON lines files to read (missing ones are skipped).")
  flags.DEFINE_string("readme", "", "Markdown file whose marked block to replace "
                      "(the tables live in docs/performance.md).")
  flags.DEFINE_string("plot", "", "PNG to draw samples/s vs batch size to.")

BEGIN, END = "<!-- throughput-table:begin -->", "<!-- throughput-table:end -->"


def read_rows(paths) -> list[dict]:
  """Every JSON line of the existing `paths`, in order."""
  rows = []
  for path in paths:
    if os.path.exists(path):
      with open(path, encoding="utf-8") as f:
        rows += [json.loads(line) for line in f if line.strip()]
  return rows


def measurement_key(row: dict) -> tuple:
  """What identifies one measurement, whatever the run that took it."""
  return (row.get("benchmark", "sampling"), row["model"],
          row.get("sampler") or row.get("config") or row.get("variant"),
          row.get("setting", ""),
          tuple(row.get("image_shape", ())), row["batch"], row["device"])


def latest(rows: list[dict]) -> list[dict]:
  """One row per measurement: the last one read."""
  return list({measurement_key(r): r for r in rows}.values())


def against_best_peak(rows: list[dict]) -> list[dict]:
  """Rows whose `fraction_of_peak` is of the best peak any run measured on
  their device (each run's own, taken under a varying load, is kept as
  `fraction_of_run_peak`)."""
  best = {}
  for r in rows:
    best[r["device"]] = max(best.get(r["device"], 0.0), r["peak_flops_per_s"])
  out = []
  for r in rows:
    achieved = r.get("achieved_flops_per_s")
    out.append(dict(r, fraction_of_run_peak=r.get("fraction_of_peak"),
                    fraction_of_peak=None if achieved is None
                    else achieved / best[r["device"]]))
  return out


def _num(value, fmt: str = ",.0f") -> str:
  return "-" if value is None else format(value, fmt)


def _rate(value) -> str:
  return _num(value, ",.0f" if value >= 100 else ",.2f")


def _percent(fraction) -> str:
  return "-" if fraction is None else f"{100 * fraction:.2f}%"


def _memory(nbytes) -> str:
  return "n/a" if nbytes is None else f"{nbytes / 2 ** 20:,.1f} MiB"


def _program_memory(row) -> str:
  """The compiled program's temporary / argument bytes (`memory_analysis()`)."""
  return (f"{_memory(row.get('temp_size_in_bytes'))} / "
          f"{_memory(row.get('argument_size_in_bytes'))}")


def _shape(row) -> str:
  return "x".join(str(v) for v in row.get("image_shape", ()))


def sampling_table(rows: list[dict]) -> str:
  """Markdown: one line per sampler and batch, ordered."""
  rows = sorted((r for r in rows if r.get("benchmark", "sampling") == "sampling"),
                key=lambda r: (r["device"], r["model"], r.get("setting", ""), _shape(r),
                               r["sampler"], r["batch"]))
  lines = ["| model | setting | shape | sampler | batch | samples/s (best / median) "
           "| MFLOP/sample | GFLOP/s | of peak | compile s | temp / arguments | peak memory "
           "| device |",
           "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- "
           "| --- |"]
  for r in rows:
    flops = r.get("flops_per_item")
    lines.append(
        f"| {r['model']} | {r.get('setting', '')} | {_shape(r)} | {r['sampler']} "
        f"| {r['batch']} | {_rate(r['samples_per_s'])} / "
        f"{_rate(r.get('samples_per_s_median', r['samples_per_s']))} "
        f"| {_num(flops and flops / 1e6, ',.2f')} "
        f"| {_num(r.get('achieved_flops_per_s') and r['achieved_flops_per_s'] / 1e9, ',.2f')} "
        f"| {_percent(r.get('fraction_of_peak'))} | {_num(r.get('compile_s'), '.1f')} "
        f"| {_program_memory(r)} | {_memory(r.get('peak_memory_bytes'))} | {r['device']} |")
  return "\n".join(lines)


def train_table(rows: list[dict]) -> str:
  """Markdown: one line per config."""
  rows = sorted((r for r in rows if r.get("benchmark") == "train_step"),
                key=lambda r: (r["device"], r["config"], r["batch"]))
  lines = ["| config | batch | steps timed | examples/s (best / median) | MFLOP/example "
           "| GFLOP/s | of peak | compile s | temp / arguments | peak memory | device |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
  for r in rows:
    lines.append(
        f"| {r['config']} | {r['batch']} | {r['steps']} x {r['repeats']} "
        f"| {_rate(r['examples_per_s'])} / {_rate(r['examples_per_s_median'])} "
        f"| {_num(r['flops_per_item'] / 1e6, ',.1f')} "
        f"| {_num(r['achieved_flops_per_s'] / 1e9, ',.2f')} "
        f"| {_percent(r['fraction_of_peak'])} | {_num(r['compile_s'], '.1f')} "
        f"| {_program_memory(r)} | {_memory(r.get('peak_memory_bytes'))} | {r['device']} |")
  return "\n".join(lines)


def peak_line(rows: list[dict]) -> str:
  """The measured peaks the fractions are of, per device."""
  peaks = {}
  for r in rows:
    peaks.setdefault(r["device"], []).append(r["peak_flops_per_s"])
  return "; ".join(f"{device}: {min(p) / 1e9:.0f}-{max(p) / 1e9:.0f} GFLOP/s"
                   for device, p in sorted(peaks.items()))


def markdown(rows: list[dict]) -> str:
  """Both tables and the peak they are measured against."""
  parts = [f"Float32 matmul peak measured at the start of each run: {peak_line(rows)}; "
           "the fractions are of the highest."]
  if any(r.get("benchmark", "sampling") == "sampling" for r in rows):
    parts.append(sampling_table(rows))
  if any(r.get("benchmark") == "train_step" for r in rows):
    parts.append(train_table(rows))
  return "\n\n".join(parts)


def replace_marked(text: str, block: str) -> str:
  """`text` with what lies between BEGIN and END replaced by `block`."""
  pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
  if not pattern.search(text):
    raise ValueError(f"no {BEGIN} ... {END} block to replace")
  return pattern.sub(lambda _: f"{BEGIN}\n{block}\n{END}", text)


def plot(rows: list[dict], path: str) -> None:
  """samples/s against batch size, one line per model, setting and sampler."""
  import matplotlib  # pylint: disable=import-outside-toplevel
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  series = {}
  for r in rows:
    if r.get("benchmark", "sampling") == "sampling":
      label = f"{r['model']} {r.get('setting', '')} {_shape(r)} {r['sampler']} ({r['device']})"
      series.setdefault(label, []).append((r["batch"], r["samples_per_s"]))
  fig, ax = plt.subplots(figsize=(8, 5))
  for label, points in sorted(series.items()):
    batches, rates = zip(*sorted(points))
    ax.plot(batches, rates, marker="o", label=label)
  ax.set(xscale="log", yscale="log", xlabel="batch size", ylabel="samples/s",
         title="Sampling throughput")
  ax.grid(True, which="both", alpha=0.3)
  ax.legend(fontsize=6)
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)


def main(argv):
  del argv
  rows = against_best_peak(latest(read_rows(FLAGS.results)))
  block = markdown(rows)
  print(block)
  if FLAGS.readme:
    with open(FLAGS.readme, encoding="utf-8") as f:
      text = f.read()
    with open(FLAGS.readme, "w", encoding="utf-8") as f:
      f.write(replace_marked(text, block))
  if FLAGS.plot:
    plot(rows, FLAGS.plot)


if __name__ == "__main__":
  define_flags()
  app.run(main)
