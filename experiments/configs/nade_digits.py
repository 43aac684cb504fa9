r"""NADE demo on scikit-learn digits (8x8) with 17-level categorical pixels.

Each conditional is a 17-way softmax; inputs enter as one-hot rows of W.

Command:
  python -m experiments.train --config=experiments/configs/nade_digits.py \
      --workdir=workdirs/nade_digits

Runtime: well under a minute on an idle 2-core x86 CPU (105 s under heavy
load).
Expected (measured, seed 0, step 1,000): test NLL 90.59 ± 0.71 nats (2.04
bits/dim) on the fixed 300-image digits test split, 17-level pixels. Our own
figure: there is no paper figure for this dataset.

History and ablations: docs/explicit.md
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "nade"
  c.model.hidden = 100
  c.data.name = "digits"
  c.data.encoding = "categorical"
  c.train.num_steps = 1000
  c.train.batch_size = 100
  c.train.learning_rate = 2e-3
  c.eval.every_steps = 250
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
