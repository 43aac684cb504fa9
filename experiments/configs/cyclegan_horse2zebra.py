r"""CycleGAN on horse2zebra at 256x256 with the paper's settings (TFDS `cycle_gan/horse2zebra`).

Command (needs the TFDS data prepared in array_record format, see README):
  python -m experiments.train --config=experiments/configs/cyclegan_horse2zebra.py \
      --workdir=workdirs/cyclegan_horse2zebra --config.data.data_dir=DIR
  python -m experiments.translate --workdir=workdirs/cyclegan_horse2zebra \
      --input=horse.png --output=zebras --resize

Data: a = horses (splits trainA / testA: 1,067 / 120 images), b = zebras
(trainB / testB: 1,334 / 140), float RGB in [0, 1], 256x256 (split sizes
from the TFDS catalogue).

The paper's setting (Zhu et al. 2017, section 4 and appendix 7): ResNet
generators with 64 base features and 9 residual blocks at 256 px, 70x70
PatchGAN discriminators (3 stride-2 layers), instance norm, LSGAN losses,
cycle weight 10, identity 0.5 x 10 (used for painting <-> photo in the
paper; set --config.model.identity_weight=0 to drop it), a pool of 50 past
fakes, Adam 2e-4 with beta1 0.5, batch 1, 100 epochs at the constant rate
and 100 decaying linearly to zero. One epoch here is one pass over the
larger domain (1,334 steps of batch 1): 200 epochs = 266,800 steps.
Random-jitter augmentation (resize to 286, random 256 crop, flips) of the
paper's code is not in this data pipeline.

Metrics: an a-vs-b LeNet-5 classifier (`c.evals.translation`,
kind="domain", 2,000 steps on up to 1,000 images per domain): the fraction of translations it
puts in the target domain, its rate on real target images, and Frechet
distances in its features with the real-data floor.

Runtime: not measured (no GPU and no horse2zebra data on the development
machine; one step of these networks at 256 px takes seconds on a CPU). The
config trains one step on mock data in the tests.
"""

import ml_collections

from gen_jax.train import base_config

TRAIN_A, TRAIN_B = 1067, 1334


def get_config():
  c = base_config()
  c.model.name = "cyclegan"
  c.model.g_features = 64
  c.model.num_blocks = 9
  c.model.d_features = 64
  c.model.d_layers = 3
  c.model.cycle_weight = 10.0
  c.model.identity_weight = 0.5
  c.model.pool_size = 50
  c.model.decay_start_step = 100 * TRAIN_B
  c.data.name = "cycle_gan/horse2zebra"
  c.data.encoding = "float"
  c.data.image_size = 256
  c.data.sources = ml_collections.ConfigDict({
      "a": {"train_split": "trainA", "eval_split": "testA"},
      "b": {"train_split": "trainB", "eval_split": "testB"}})
  c.train.num_steps = 200 * TRAIN_B
  c.train.batch_size = 1
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 100
  c.eval.every_steps = 20 * TRAIN_B
  c.eval.batch_size = 8
  c.checkpoint.every_steps = 5000
  c.sample.every_steps = 5000
  c.sample.num = 8
  c.evals.translation = ml_collections.ConfigDict(dict(
      kind="domain", classifier_steps=2000, num_examples=1000))
  return c
