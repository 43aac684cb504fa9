r"""Class-conditional NADE p(x | y), H=500, on binarized 28x28 MNIST digits.
Data: `mnist_small` with a validation slice (see mnist_small_training.py).

Commands:
  python -m experiments.train --config=experiments/configs/conditional_nade_mnist.py \
      --workdir=workdirs/conditional_nade_mnist
  python -m experiments.classify --workdir=workdirs/conditional_nade_mnist
  python -m experiments.sample --config=experiments/configs/conditional_nade_mnist.py \
      --workdir=workdirs/conditional_nade_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures on this
5,000-image subset; the papers report full-MNIST figures only).
"""

from experiments.configs.mnist_small_training import mnist_small_config

MEASURED = "not yet measured"


def get_config():
  c = mnist_small_config("binary")
  c.model.name = "nade"
  c.model.hidden = 500
  c.model.conditional = True
  c.train.num_steps = 4000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  return c
