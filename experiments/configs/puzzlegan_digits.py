r"""Puzzle-GAN on scikit-learn digits (8x8): the digit from three 2x2 patches.

Command:
  python -m experiments.train --config=experiments/configs/puzzlegan_digits.py \
      --workdir=workdirs/puzzlegan_digits
  python -m experiments.sample --config=experiments/configs/puzzlegan_digits.py \
      --workdir=workdirs/puzzlegan_digits --inputs=eval

The small sibling of `puzzlegan_mnist.py`, for tests and quick looks: tiny
patches (three non-overlapping 3x3 may not fit greedily in 8x8), small
nets. Metrics (`puzzle`, `mlp256-128_*`): mask IoU, L1, label agreement
and Frechet distance, each beside the random-placement baseline.

Runtime and expected figures: not measured beyond the tests (the MNIST
config carries the goal). Paper: Lee et al., ECCV 2018 (no digits).
History and ablations: docs/puzzlegan.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "puzzlegan"
  c.model.num_patches = 3
  c.model.patch_size = 2
  c.model.selection = "variance"
  c.model.spatial_loss = "bce"
  c.model.spatial_weight = 1.0
  c.model.appearance_weight = 1.0
  c.model.shuffled_negatives = True
  c.model.noise_dim = 16
  c.model.features = 16
  c.model.embed_dim = 32
  c.model.d_features = 16
  c.evals.puzzle = ml_collections.ConfigDict(dict(num_examples=300, classifier_steps=2000))
  c.data.name = "digits"
  c.data.encoding = "float"
  c.train.num_steps = 2000
  c.train.batch_size = 64
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.ema_decay = 0.99
  c.train.log_every_steps = 100
  c.eval.every_steps = 1000
  c.eval.selection_metric = "l1"
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.sample.num = 16
  return c
