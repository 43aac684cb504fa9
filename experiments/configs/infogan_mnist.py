r"""InfoGAN on MNIST (28x28 gray levels in [0, 1], TFDS `mnist`).

Command:
  python -m experiments.train --config=experiments/configs/infogan_mnist.py \
      --workdir=workdirs/infogan_mnist
  python -m experiments.evaluate --config=experiments/configs/infogan_mnist.py \
      --workdir=workdirs/infogan_mnist

Chen et al. 2016's MNIST set-up: 62-d noise, one 10-way categorical code,
two continuous codes in [-1, 1]; Adam(2e-4, beta1=0.5) for D and G.
Needs TFDS `mnist` in $HOME/tensorflow_datasets, TFDS_DATA_DIR or
--config.data.data_dir.

Runtime: not measured.
Expected: categorical_code_accuracy about 0.95 (5% error, Chen et al. 2016,
Sec. 7.1; it varies between seeds: some runs merge two digits).
History and ablations: docs/gan.md
"""

import ml_collections

from experiments.configs import dcgan_mnist


def get_config():
  c = dcgan_mnist.get_config()
  c.model.name = "infogan"
  c.model.noise_dim = 62
  c.model.num_categories = 10
  c.model.num_continuous = 2
  c.model.info_weight = 1.0
  c.model.continuous_weight = 0.1
  c.model.q_hidden = 128
  c.evals.codes = ml_collections.ConfigDict()   # beside dcgan_mnist's sample_quality
  return c
