r"""DCGAN on scikit-learn digits (8x8, gray levels as floats in [0, 1]).

Command:
  python -m experiments.train --config=experiments/configs/dcgan_digits.py \
      --workdir=workdirs/dcgan_digits
  python -m experiments.evaluate --config=experiments/configs/dcgan_digits.py \
      --workdir=workdirs/dcgan_digits

Strides adapted to 8x8: G projects z to 2x2x128 and doubles twice (64
channels, then the image, tanh); D halves twice (32, 64 channels, batch
norm after the first, LeakyReLU 0.2). Adam(2e-4, beta1=0.5), batch 64
(Radford et al. 2016). Metrics (`sample_quality`, `mlp256-128_*`): Frechet
distance and score in an in-repo MLP classifier's features, beside the
real-data floor; not comparable with Inception FID/IS. Cheaper:
--config.evals.sample_quality.num_examples=500; none: --config.evals=.

Runtime: about 23 ms a training step on a 2-core x86 CPU (`python -m
benchmarks.train_loop`): about 2 min for 5,000 steps, plus evaluation.
Expected: no figure recorded for this config; no paper figure for the data.
History and ablations: docs/gan.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "dcgan"
  c.model.generator_loss = "non_saturating"
  c.model.d_steps = 1
  c.model.noise_dim = 32
  c.model.features = 32
  c.evals.sample_quality = ml_collections.ConfigDict(
      dict(num_examples=2500, classifier_steps=2000))
  c.data.name = "digits"
  c.data.encoding = "float"
  c.train.num_steps = 5000
  c.train.batch_size = 64
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 100
  c.eval.every_steps = 2500
  c.checkpoint.every_steps = 2500
  c.sample.every_steps = 2500
  c.sample.num = 100
  return c
