r"""Class-conditional NADE p(x | y) on binary scikit-learn digits (8x8).

The label's embedding is added to NADE's hidden bias. The training split is
cut into 1,200 training and 297 validation images (a fixed slice): the
validation split selects the checkpoint and sets the rejection thresholds of
the Bayes classifier.

Commands:
  python -m experiments.train --config=experiments/configs/conditional_nade_digits.py \
      --workdir=workdirs/conditional_nade_digits
  python -m experiments.classify --workdir=workdirs/conditional_nade_digits
  python -m experiments.sample --config=experiments/configs/conditional_nade_digits.py \
      --workdir=workdirs/conditional_nade_digits --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures; there is
no paper number for this dataset).
"""

from gen_jax.train import base_config

MEASURED = "not yet measured"


def get_config():
  c = base_config()
  c.model.name = "nade"
  c.model.hidden = 100
  c.model.conditional = True
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.data.train_split = "train[:1200]"
  c.data.validation_split = "train[1200:]"
  c.train.num_steps = 5000
  c.train.batch_size = 100
  c.train.learning_rate = 2e-3
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1000
  c.sample.num = 100
  return c
