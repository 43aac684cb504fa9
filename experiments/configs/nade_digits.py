r"""NADE demo on scikit-learn digits (8x8) with 17-level categorical pixels.

Each conditional is a 17-way softmax; inputs enter as one-hot rows of W.

Command:
  python -m experiments.train --config=experiments/configs/nade_digits.py \
      --workdir=workdirs/nade_digits

Runtime: 105 s wall for the 1,000 steps on a 2-core CPU shared with other
jobs (load average ~15); well under a minute on an idle machine.
Expected (measured, seed 0): test NLL 90.59 nats (2.04 bits/dim) on the
fixed 300-image digits test split, 17-level pixels; our own figure, there is
no paper figure for this dataset. Longer training overfits the 1,497 training
images (98.1 nats at 2,000 steps, 111.9 at 3,000).

Measured: 90.59 nats / 2.04 bits/dim test, step 1000, seed 0.
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
