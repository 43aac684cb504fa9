r"""GAN and PacGAN (MLP players) on ring8: 8 Gaussians (std 0.01) on the unit circle.

  python -m experiments.train --config=experiments/configs/gan_ring8.py \
      --workdir=workdirs/gan_ring8     # PacGAN-m: --config.model.pack=m and
      # --config.train.batch_size=100m (100 decisions of D per step, each on m samples)
  python -m experiments.reproduce --table=gan_modes \
      --rows=ring8_gan,ring8_pacgan2,ring8_pacgan3,ring8_pacgan4   # the table, 5 seeds

The settings of PacGAN's 2-D runs (Lin et al. 2018, Sec. 5.1, and their
published code): G with 4 hidden layers of 400 units, batch norm and ReLU,
from 2-D N(0, I) noise; D with 3 hidden layers of 200 maxout units of 5
pieces; non-saturating loss; Adam(1e-4, beta1=0.8); 100 decisions per step.
PacGAN trains 400,000 steps (400 epochs of 100,000 points); here 2,000.

Measured (2,000 steps, 2,500 samples, seeds 0-4, mean +- s.e.; 2-3 min per
run on a 2-core x86 CPU shared with other work; docs/results/gan_modes.md):
  GAN      8.0 +- 0.0   7.4 +- 1.1%   0.45 +- 0.12
  PacGAN2  8.0 +- 0.0  22.5 +- 2.3%   0.21 +- 0.04
  PacGAN3  8.0 +- 0.0   9.7 +- 2.0%   0.32 +- 0.07
  PacGAN4  6.8 +- 0.2   1.8 +- 0.1%   0.41 +- 0.07
PacGAN Table 1 (400,000 steps, 10 runs, mean +- s.e.):
  GAN      6.3 +- 0.5  98.2 +- 0.2%   0.45 +- 0.09
  PacGAN2  7.9 +- 0.1  95.6 +- 2.0%   0.07 +- 0.03
  PacGAN3  7.8 +- 0.1  97.7 +- 0.3%   0.10 +- 0.02
  PacGAN4  7.8 +- 0.1  95.9 +- 1.4%   0.07 +- 0.02
History and ablations: docs/gan.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "gan"
  c.model.generator_loss = "non_saturating"   # or "minimax"
  c.model.d_steps = 1
  c.model.noise_dim = 2
  c.model.g_hidden = (400, 400, 400, 400)
  c.model.g_batch_norm = True
  c.model.d_hidden = (200, 200, 200)
  c.model.d_maxout = 5
  c.model.pack = 1                    # PacGAN-m: pack=m with batch_size=100*m
  c.evals.sample_quality = ml_collections.ConfigDict(dict(num_examples=2500))
  c.data.name = "ring8"
  c.data.encoding = "float"
  c.train.num_steps = 2000
  c.train.batch_size = 100            # 100 decisions of D per step
  c.train.learning_rate = 1e-4
  c.train.b1 = 0.8
  c.train.log_every_steps = 500
  c.eval.every_steps = 1000
  c.eval.num_examples = 1000
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.sample.num = 2500
  return c
