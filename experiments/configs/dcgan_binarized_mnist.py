r"""DCGAN on binarized MNIST (28x28, TFDS `binarized_mnist`).

Command:
  python -m experiments.train --config=experiments/configs/dcgan_binarized_mnist.py \
      --workdir=workdirs/dcgan_binarized_mnist

The players see pixels in {-1, 1}; samples are thresholded at 1/2 back to
{0, 1}. binarized_mnist has no labels, so no classifier metrics are
computed (use dcgan_mnist for those).
Runtime: not measured to convergence here. The train step runs at about
0.25 steps/s (16 examples/s at batch 64, 324 MFLOP per example) on the
shared 2-core CPU (`python -m benchmarks.train_step`), so 20k steps would
take about a day there; a GPU should take tens of minutes (not measured).
"""

import ml_collections

from experiments.configs import dcgan_mnist


def get_config():
  c = dcgan_mnist.get_config()
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.evals = ml_collections.ConfigDict()   # no labels: no sample metrics
  return c
