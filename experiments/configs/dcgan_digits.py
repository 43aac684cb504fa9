r"""DCGAN on scikit-learn digits (8x8, gray levels as floats in [0, 1]).

Command:
  python -m experiments.train --config=experiments/configs/dcgan_digits.py \
      --workdir=workdirs/dcgan_digits
  python -m experiments.evaluate --config=experiments/configs/dcgan_digits.py \
      --workdir=workdirs/dcgan_digits

Strides adapted to 8x8: G projects z to 2x2x128 and doubles twice with 4x4
transposed convs (64 channels, then the image, tanh); D halves twice with
strided 4x4 convs (32, 64 channels, batch norm after the first, LeakyReLU
0.2). Adam(2e-4, beta1=0.5), batch 64 (Radford et al. 2016).

Runtime and figures: measured on a 2-core CPU, see the lead's README table.
Metrics (evaluator `sample_quality`; `mlp256-128_*`, an in-repo MLP
classifier trained on the digits train split): Frechet distance in its
128-d feature space and its score, each beside the real-data floor (test
split vs train split). Not comparable with Inception-based FID/IS; there is
no paper figure for this dataset. Smaller or cheaper metrics:
--config.evals.sample_quality.num_examples=500; none: --config.evals=.

Tried, removed (2026-12-07): `model.d_norm` ("spectral": spectral norm on
every layer of D, or "none", instead of batch norm). No config set it; on
the 16-domain caption images it drew the same colour-mixed blobs as batch
norm (text2image_mnist_captions.py).
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
