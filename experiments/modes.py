"""The multi-seed mode-collapse table (PacGAN protocol) for GANs.

  python -m experiments.modes --datasets=ring8,grid25 \
      --losses=non_saturating,minimax --seeds=0,1,2 --root=workdirs/modes

Trains experiments/configs/gan_{dataset}.py once per (dataset, generator
loss, seed) in ROOT/{dataset}_{loss}_seed{seed} (existing workdirs resume,
finished ones are only evaluated), evaluates each (2,500 samples), and
writes ROOT/modes_table.{json,md}: mean +- standard error over seeds beside
PacGAN Table 1's GAN row.
"""

import importlib
import json
import os

import numpy as np
from absl import flags

from experiments import common

DATASETS = flags.DEFINE_list("datasets", ["ring8", "grid25"], "ring8 and/or grid25.")
LOSSES = flags.DEFINE_list("losses", ["non_saturating", "minimax"], "Generator losses.")
SEEDS = flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds.")
ROOT = flags.DEFINE_string("root", "workdirs/modes", "Directory of the runs.")
NUM_STEPS = flags.DEFINE_integer("num_steps", None, "Override train.num_steps.")

# PacGAN (Lin et al. 2018) Table 1, the plain GAN row.
PUBLISHED = {"ring8": {"num_modes": 6.3, "high_quality": 0.982, "reverse_kl": 0.45},
             "grid25": {"num_modes": 17.3, "high_quality": 0.948, "reverse_kl": 0.70}}
KEYS = ("num_modes", "high_quality", "reverse_kl")


def mean_se(values) -> tuple[float, float]:
  v = np.asarray(values, np.float64)
  se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
  return float(v.mean()), float(se)


def run_one(dataset: str, loss: str, seed: int) -> dict:
  from gen_jax.train import train  # pylint: disable=import-outside-toplevel
  config = importlib.import_module(f"experiments.configs.gan_{dataset}").get_config()
  config.seed = seed
  config.model.generator_loss = loss
  if NUM_STEPS.value:
    config.train.num_steps = NUM_STEPS.value
  workdir = os.path.join(ROOT.value, f"{dataset}_{loss}_seed{seed}")
  result = train(config, workdir, progress=False)
  print(json.dumps({"workdir": workdir, **result}), flush=True)
  return result


def table(rows: dict) -> str:
  lines = ["| data | generator loss | seeds | modes | high quality | reverse KL |",
           "| --- | --- | --- | --- | --- | --- |"]
  for (dataset, loss), results in rows.items():
    cells = []
    for k in KEYS:
      m, se = mean_se([r[k] for r in results])
      scale = 100.0 if k == "high_quality" else 1.0
      cells.append(f"{m * scale:.2f} ± {se * scale:.2f}")
    lines.append(f"| {dataset} | {loss} | {len(results)} | " + " | ".join(cells) + " |")
  for dataset in dict.fromkeys(d for d, _ in rows):
    p = PUBLISHED[dataset]
    lines.append(f"| {dataset} | PacGAN Table 1, GAN | - | {p['num_modes']} | "
                 f"{p['high_quality'] * 100:.1f} | {p['reverse_kl']} |")
  return "\n".join(lines)


def main(argv):
  del argv
  common.start(multihost_ok=False)
  rows = {}
  for dataset in DATASETS.value:
    for loss in LOSSES.value:
      rows[(dataset, loss)] = [run_one(dataset, loss, int(s)) for s in SEEDS.value]
  os.makedirs(ROOT.value, exist_ok=True)
  with open(os.path.join(ROOT.value, "modes_table.json"), "w", encoding="utf-8") as f:
    json.dump({f"{d}/{l}": r for (d, l), r in rows.items()}, f, indent=2)
  text = table(rows)
  with open(os.path.join(ROOT.value, "modes_table.md"), "w", encoding="utf-8") as f:
    f.write(text + "\n")
  print(text)


if __name__ == "__main__":
  common.main_with_clear_errors(main)
