r"""CycleGAN between MNIST digits (a) and scikit-learn's digits upsampled to 28x28 (b).

Command:
  python -m experiments.train --config=experiments/configs/cyclegan_mnist_digits.py \
      --workdir=workdirs/cyclegan_mnist_digits
  python -m experiments.translate --workdir=workdirs/cyclegan_mnist_digits \
      --input=eval --output=workdirs/cyclegan_mnist_digits/translated_ab

Data: a = `mnist_small` (4,000 train / 1,000 test 28x28 MNIST digits), b =
`digits` (1,497 / 300 8x8 digits, bilinearly upsampled to 28x28), both float
in [0, 1]. Unpaired: each source is shuffled on its own.

Runtime and figures: TO BE MEASURED.

The paper's setting (Zhu et al. 2017), kept here: LSGAN losses, cycle
weight 10, identity 0.5 x 10, a pool of 50 past fakes per discriminator,
Adam 2e-4 with beta1 0.5, constant then linearly decayed learning rate,
instance norm, reflection padding. Scaled down for 28x28 on a 2-core CPU:
generators with 16 base features and 3 residual blocks (paper: 64 and 9 at
256 px), PatchGANs with 2 stride-2 layers (34x34 receptive field; paper: 3,
70x70 at 256 px), batch 16 (paper: 1), a few thousand steps (paper: 200
epochs).
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "cyclegan"
  c.model.g_features = 16
  c.model.num_blocks = 3
  c.model.d_features = 16
  c.model.d_layers = 2
  c.model.cycle_weight = 10.0
  c.model.identity_weight = 0.5
  c.model.pool_size = 50
  c.model.decay_start_step = 1500
  c.model.metrics = "labels"
  c.model.classifier_steps = 2000
  c.data.encoding = "float"
  c.data.sources = ml_collections.ConfigDict({
      "a": {"name": "mnist_small"},
      "b": {"name": "digits", "image_size": 28}})
  c.train.num_steps = 3000
  c.train.batch_size = 16
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 100
  c.eval.every_steps = 1500
  c.eval.batch_size = 256
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 32
  return c
