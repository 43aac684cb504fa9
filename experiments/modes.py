"""The multi-seed mode-collapse table (PacGAN protocol) for GANs and PacGANs.

  python -m experiments.modes --datasets=ring8,grid25 --packs=1,2,3,4 \
      --losses=non_saturating --seeds=0,1,2,3,4 --root=workdirs/modes \
      --results=workdirs/modes/runs.jsonl

Trains experiments/configs/gan_{dataset}.py once per (dataset, seed,
generator loss, packing m) in ROOT/{row}_seed{seed}, where row is
{dataset}_gan for m = 1 and {dataset}_pacgan{m} otherwise (with _minimax
for that loss). PacGAN-m (Lin et al. 2018) sets model.pack=m and multiplies
the batch by m: D makes as many decisions per step as the GAN, each on m
samples, as in PacGAN's runs. Existing workdirs resume (a larger --num_steps
trains on; the wall time reported sums the calls), finished ones are only
evaluated. Each run is evaluated on 2,500 samples; with --results every
finished run is appended to that file as one JSON line. At the end
ROOT/modes_table.{json,md} hold mean +- standard error over seeds beside
PacGAN Table 1 (mean +- s.e. over 10 runs).
"""

import datetime
import functools
import importlib
import json
import os
import platform
import subprocess
import time

import jax
import numpy as np
from absl import flags

from experiments import common

DATASETS = flags.DEFINE_list("datasets", ["ring8", "grid25"], "ring8 and/or grid25.")
LOSSES = flags.DEFINE_list("losses", ["non_saturating", "minimax"], "Generator losses.")
PACKS = flags.DEFINE_list("packs", ["1"], "Packing degrees m (samples per D decision).")
SEEDS = flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds.")
ROOT = flags.DEFINE_string("root", "workdirs/modes", "Directory of the runs.")
NUM_STEPS = flags.DEFINE_integer("num_steps", None, "Override train.num_steps.")
RESULTS = flags.DEFINE_string("results", None, "JSONL file: one line per finished run.")
HARDWARE = flags.DEFINE_string("hardware", None,
                               "Hardware named in --results (default: CPU cores or device).")

# PacGAN (Lin et al. 2018) Table 1: (mean, standard error) over 10 runs.
PUBLISHED = {
    "ring8": {1: ((6.3, 0.5), (0.982, 0.002), (0.45, 0.09)),
              2: ((7.9, 0.1), (0.956, 0.020), (0.07, 0.03)),
              3: ((7.8, 0.1), (0.977, 0.003), (0.10, 0.02)),
              4: ((7.8, 0.1), (0.959, 0.014), (0.07, 0.02))},
    "grid25": {1: ((17.3, 0.8), (0.948, 0.007), (0.70, 0.07)),
               2: ((23.8, 0.7), (0.913, 0.008), (0.13, 0.04)),
               3: ((24.6, 0.4), (0.942, 0.004), (0.06, 0.02)),
               4: ((24.8, 0.2), (0.936, 0.006), (0.04, 0.01))}}
KEYS = ("num_modes", "high_quality", "reverse_kl")


def mean_se(values) -> tuple[float, float]:
  v = np.asarray(values, np.float64)
  se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
  return float(v.mean()), float(se)


def row_name(dataset: str, loss: str, pack: int) -> str:
  name = f"{dataset}_gan" if pack == 1 else f"{dataset}_pacgan{pack}"
  return name if loss == "non_saturating" else f"{name}_{loss}"


def make_config(dataset: str, loss: str, pack: int, seed: int):
  config = importlib.import_module(f"experiments.configs.gan_{dataset}").get_config()
  config.seed = seed
  config.model.generator_loss = loss
  config.model.pack = pack
  config.train.batch_size *= pack          # as many D decisions per step as m = 1
  if NUM_STEPS.value:
    config.train.num_steps = NUM_STEPS.value
  return config


@functools.lru_cache(maxsize=None)
def revision() -> str:
  """The short git revision of this code, "+dirty" with uncommitted changes,
  read once (`main` reads it first: the code that runs)."""
  here = os.path.dirname(os.path.abspath(__file__))
  try:
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, check=True,
                         capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=here, check=True, capture_output=True, text=True).stdout
  except (OSError, subprocess.CalledProcessError):
    return "unknown"
  return sha + ("+dirty" if dirty.strip() else "")


def hardware() -> str:
  if HARDWARE.value:
    return HARDWARE.value
  device = jax.devices()[0]
  if device.platform == "cpu":
    return f"{os.cpu_count()}-core {platform.machine()} CPU"
  return device.device_kind


def finite_or_none(value) -> float | None:
  """JSON has no infinity (reverse KL with no high-quality sample): null."""
  return float(value) if np.isfinite(value) else None


def result_line(row: str, config, result: dict, wall_s: float) -> dict:
  n = config.evals.sample_quality.num_examples
  return {"table": "gan_modes", "row": row, "seed": config.seed,
          "metrics": {k: {"value": finite_or_none(result[k]), "stderr": None, "n": n}
                      for k in KEYS},
          "split": "samples", "steps": config.train.num_steps, "wall_s": round(wall_s, 1),
          "revision": revision(), "device_kind": jax.devices()[0].platform,
          "device_count": jax.device_count(), "hardware": hardware(),
          "date": datetime.date.today().isoformat(), "source": "experiments.modes"}


WALL_FILE = "modes_wall_s.json"   # a run's wall time, summed over resumed calls


def spent(workdir: str) -> dict:
  """Wall seconds earlier calls spent on this run and the steps they reached."""
  path = os.path.join(workdir, WALL_FILE)
  if not os.path.exists(path):
    return {"wall_s": 0.0, "steps": 0}
  with open(path, encoding="utf-8") as f:
    return json.load(f)


def run_one(dataset: str, loss: str, pack: int, seed: int) -> dict:
  from gen_jax.train import train  # pylint: disable=import-outside-toplevel
  config = make_config(dataset, loss, pack, seed)
  row = row_name(dataset, loss, pack)
  workdir = os.path.join(ROOT.value, f"{row}_seed{seed}")
  before = spent(workdir)
  start = time.time()
  result = train(config, workdir, progress=False)
  wall_s = before["wall_s"]
  if before["steps"] < config.train.num_steps:       # trained on (else only evaluated)
    wall_s += time.time() - start
    with open(os.path.join(workdir, WALL_FILE), "w", encoding="utf-8") as f:
      json.dump({"wall_s": wall_s, "steps": config.train.num_steps}, f)
  print(json.dumps({"workdir": workdir, "wall_s": round(wall_s, 1), **result}), flush=True)
  if RESULTS.value:
    os.makedirs(os.path.dirname(os.path.abspath(RESULTS.value)), exist_ok=True)
    with open(RESULTS.value, "a", encoding="utf-8") as f:
      f.write(json.dumps(result_line(row, config, result, wall_s)) + "\n")
  return result


def table(rows: dict) -> str:
  lines = ["| data | model | generator loss | seeds | modes | high quality (%) | reverse KL |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
  for (dataset, loss, pack), results in rows.items():
    cells = []
    for k in KEYS:
      m, se = mean_se([r[k] for r in results])
      scale = 100.0 if k == "high_quality" else 1.0
      cells.append(f"{m * scale:.2f} ± {se * scale:.2f}")
    model = "GAN" if pack == 1 else f"PacGAN{pack}"
    lines.append(f"| {dataset} | {model} | {loss} | {len(results)} | " + " | ".join(cells) + " |")
  for dataset, pack in dict.fromkeys((d, p) for d, _, p in rows):
    if pack not in PUBLISHED[dataset]:
      continue
    (modes, modes_se), (hq, hq_se), (kl, kl_se) = PUBLISHED[dataset][pack]
    model = "GAN" if pack == 1 else f"PacGAN{pack}"
    lines.append(f"| {dataset} | {model}, PacGAN Table 1 | non-saturating | 10 | "
                 f"{modes:.1f} ± {modes_se:.1f} | {hq * 100:.1f} ± {hq_se * 100:.1f} | "
                 f"{kl:.2f} ± {kl_se:.2f} |")
  return "\n".join(lines)


def main(argv):
  del argv
  common.start(multihost_ok=False)
  revision()
  packs = [int(p) for p in PACKS.value]
  rows = {(d, l, p): [] for d in DATASETS.value for l in LOSSES.value for p in packs}
  for dataset in DATASETS.value:
    for seed in SEEDS.value:          # seeds outermost: every row gains a seed in turn
      for loss in LOSSES.value:
        for pack in packs:
          rows[(dataset, loss, pack)].append(run_one(dataset, loss, pack, int(seed)))
  os.makedirs(ROOT.value, exist_ok=True)
  with open(os.path.join(ROOT.value, "modes_table.json"), "w", encoding="utf-8") as f:
    json.dump({row_name(*key): r for key, r in rows.items()}, f, indent=2)
  text = table(rows)
  with open(os.path.join(ROOT.value, "modes_table.md"), "w", encoding="utf-8") as f:
    f.write(text + "\n")
  print(text)


if __name__ == "__main__":
  common.main_with_clear_errors(main)
