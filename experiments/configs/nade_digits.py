"""NADE demo on scikit-learn digits (8x8) with 17-level categorical pixels.

Each conditional is a 17-way softmax; inputs enter as one-hot rows of W.

Command:
  python -m experiments.train --config=experiments/configs/nade_digits.py \
      --workdir=workdirs/nade_digits

Runtime and measured figure: see MEASURED below (our own measurement on the
fixed 300-image digits test split; there is no paper figure for it).
"""

from gen_jax.train import base_config

MEASURED = "not yet measured"


def get_config():
  c = base_config()
  c.model.name = "nade"
  c.model.hidden = 100
  c.data.name = "digits"
  c.data.encoding = "categorical"
  c.train.num_steps = 3000
  c.train.batch_size = 100
  c.train.learning_rate = 2e-3
  c.eval.every_steps = 1000
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.sample.num = 100
  return c
