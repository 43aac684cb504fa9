r"""DCGAN on binarized MNIST (28x28, TFDS `binarized_mnist`).

Command:
  python -m experiments.train --config=experiments/configs/dcgan_binarized_mnist.py \
      --workdir=workdirs/dcgan_binarized_mnist

`dcgan_mnist.py` on pixels in {-1, 1}; samples are thresholded at 1/2 back
to {0, 1}. binarized_mnist has no labels, so no classifier metrics (use
dcgan_mnist for those): judge the sample grids.
Needs TFDS `binarized_mnist` in $HOME/tensorflow_datasets (or TFDS_DATA_DIR,
--config.data.data_dir).

Runtime: about 2.7 steps/s on a 2-core x86 CPU under load (173 examples/s
at batch 64; `python -m benchmarks.train_step`), so about 2 h of train steps
for 20,000 steps; a GPU should take tens of minutes (not measured).
Expected: not measured to convergence; no paper figure.
History and ablations: docs/gan.md
"""

import ml_collections

from experiments.configs import dcgan_mnist


def get_config():
  c = dcgan_mnist.get_config()
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.evals = ml_collections.ConfigDict()   # no labels: no sample metrics
  return c
