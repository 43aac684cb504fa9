r"""Progressive GAN on the 8x8 digits: 4x4, then a fade to 8x8 and 8x8 stable.

Command:
  python -m experiments.train --config=experiments/configs/progan_digits.py \
      --workdir=workdirs/progan_digits

A small test bed for the growing trainer (two levels, 64 channels, WGAN-GP
with drift, Adam(1e-3, betas (0, 0.99)), an EMA of G at 0.999; Karras et
al. 2018). Metrics at every stage end: `swd_<r>px` and
`mlp256-128_frechet_<r>px`, each beside its real-data floor.

Runtime and expected figures: not measured beyond the tests; the measured
ablation is `progan_mnist.py`. No paper figure for these data.
History and ablations: docs/progan.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "progan"
  c.model.channels = (64, 64)
  c.model.batch_sizes = (64, 64)
  c.model.fade_images = 64 * 500
  c.model.stable_images = 64 * 500
  c.model.gp_weight = 10.0
  c.model.drift = 0.001
  c.model.reset_optimizers = False
  c.model.d_steps = 1
  c.model.noise_dim = 64
  c.evals.stage_quality = ml_collections.ConfigDict(
      dict(num_examples=300, swd_images=300, classifier_steps=2000))
  c.data.name = "digits"
  c.data.encoding = "float"
  c.train.num_steps = 1500          # 500 + 500 + 500 steps of 64 images
  c.train.batch_size = 64
  c.train.learning_rate = 1e-3
  c.train.b1 = 0.0
  c.train.b2 = 0.99
  c.train.ema_decay = 0.999
  c.train.log_every_steps = 100
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 64
  return c
