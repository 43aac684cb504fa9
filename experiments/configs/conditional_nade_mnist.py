r"""Class-conditional NADE p(x | y), H=500, on binarized 28x28 MNIST digits.
Data: `mnist_small` with a validation slice (see mnist_small_training.py).

Commands:
  python -m experiments.train --config=experiments/configs/conditional_nade_mnist.py \
      --workdir=workdirs/conditional_nade_mnist
  python -m experiments.classify --workdir=workdirs/conditional_nade_mnist
  python -m experiments.sample --config=experiments/configs/conditional_nade_mnist.py \
      --workdir=workdirs/conditional_nade_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime: 12.2 min for the 4,000 steps on a 2-core x86 CPU.
Expected (measured, seed 0): test -log p(x | y) 78.67 ± 0.84 nats (n=1,000,
pixels binarized at > 127). Bayes accuracy 0.870 ± 0.011 against
0.967 ± 0.006 for LeNet-5; rejection AUROC 1.000 on noise, inverted and
digits, 0.500 on constant images and 0.755 on letters: the known failure of
likelihoods on simple inputs (experiments.anomaly has the fixes). No paper
figure for these data.

History and ablations: docs/density_uses.md
"""

from experiments.configs.mnist_small_training import mnist_small_config


def get_config():
  c = mnist_small_config("binary")
  c.model.name = "nade"
  c.model.hidden = 500
  c.model.conditional = True
  c.train.num_steps = 4000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  return c
