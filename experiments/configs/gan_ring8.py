r"""GAN (MLP players) on ring8: 8 Gaussians (std 0.01) on the unit circle.

Command:
  python -m experiments.train --config=experiments/configs/gan_ring8.py \
      --workdir=workdirs/gan_ring8
  python -m experiments.evaluate --config=experiments/configs/gan_ring8.py \
      --workdir=workdirs/gan_ring8
  # the multi-seed table, both generator losses:
  python -m experiments.modes --datasets=ring8 --seeds=0,1

Architecture after PacGAN's (Lin et al. 2018, Sec. 5.1): G with 4 hidden
ReLU layers of 400 units from 2-D noise (PacGAN adds batch norm), D with 3
hidden LeakyReLU layers of 200 units (PacGAN: linear maxout); Adam(1e-4,
beta1=0.5), batch 100. Metrics on 2,500 samples (PacGAN protocol,
`gen_jax/eval/modes.py`): num_modes, high_quality, reverse_kl.

Measured (python -m experiments.modes, 5,000 steps, seeds 0-2, mean +- s.e.,
~2 min per run on a shared 2-core CPU): non_saturating 8.00 +- 0.00 modes,
70.8 +- 5.0% high quality, KL 0.05 +- 0.04; minimax 8.00 +- 0.00,
65.1 +- 1.2%, KL 0.05 +- 0.01. No collapse, but fewer samples within 3 std
(0.03) of a mode than PacGAN's longer-trained GAN.
Expected (PacGAN Table 1, plain GAN): 6.3 modes, 98.2% high quality,
reverse KL 0.45.
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
  c.train.num_steps = 5000
  c.train.batch_size = 100            # 100 decisions of D per step
  c.train.learning_rate = 1e-4
  c.train.b1 = 0.8
  c.train.log_every_steps = 500
  c.eval.every_steps = 2500
  c.eval.num_examples = 1000
  c.checkpoint.every_steps = 2500
  c.sample.every_steps = 2500
  c.sample.num = 2500
  return c
