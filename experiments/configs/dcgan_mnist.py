r"""DCGAN on MNIST (28x28 gray levels in [0, 1], TFDS `mnist`).

Command:
  python -m experiments.train --config=experiments/configs/dcgan_mnist.py \
      --workdir=workdirs/dcgan_mnist
  python -m experiments.evaluate --config=experiments/configs/dcgan_mnist.py \
      --workdir=workdirs/dcgan_mnist

28x28: G projects z to 7x7x256 and doubles twice (128 channels, then the
image); D halves twice (64, 128 channels). Adam(2e-4, beta1=0.5), batch 64.
Metrics: an in-repo LeNet-5 trained on the MNIST train split
(`lenet5_frechet`, `lenet5_score`, beside the real-data floor); not
comparable with Inception FID.
Needs TFDS `mnist` in $HOME/tensorflow_datasets, TFDS_DATA_DIR or
--config.data.data_dir.

Runtime: not measured; expect tens of minutes on one GPU.
Expected: no paper figure for these metrics.
History and ablations: docs/gan.md
"""

import ml_collections

from experiments.configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.data.name = "mnist"
  c.data.encoding = "float"
  c.model.noise_dim = 100
  c.model.features = 64
  c.evals.sample_quality = ml_collections.ConfigDict(dict(num_examples=10000))
  c.train.num_steps = 20000
  c.train.log_every_steps = 200
  c.eval.every_steps = 5000
  c.checkpoint.every_steps = 5000
  c.sample.every_steps = 5000
  return c
