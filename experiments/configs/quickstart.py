r"""Quickstart: FVSBN on binarized scikit-learn digits (8x8), CPU-friendly.

Command:
  python -m experiments.train --config=experiments/configs/quickstart.py \
      --workdir=workdirs/quickstart

Runtime: about 5 s on a 2-core x86 CPU (measured: 4.0 s wall, JAX 0.10.2;
100 steps per device call, the training split on the device).
Expected: test NLL 18.70 ± 0.23 nats (0.42 bits/dim) on the fixed
300-image digits test split, seed 0 (measured). Our own figure: there is no
paper number for this dataset.

History and ablations: docs/explicit.md
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "fvsbn"
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.train.num_steps = 1500
  c.train.batch_size = 100
  c.train.learning_rate = 3e-3
  c.train.log_every_steps = 100
  c.train.steps_per_dispatch = 100   # a step is ~0.1 ms: one device call per 100
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
