r"""GAN and PacGAN (MLP players) on grid25: 25 Gaussians (std 0.05) on a 5x5 grid of spacing 2.

  python -m experiments.train --config=experiments/configs/gan_grid25.py \
      --workdir=workdirs/gan_grid25    # PacGAN-m: --config.model.pack=m and
      # --config.train.batch_size=100m (100 decisions of D per step, each on m samples)
  python -m experiments.reproduce --table=gan_modes \
      --rows=grid25_gan,grid25_pacgan2,grid25_pacgan3,grid25_pacgan4   # the table, 5 seeds

The settings of `gan_ring8.py` (PacGAN's 2-D runs, Lin et al. 2018): 2,000
steps here, 400,000 in PacGAN.

Measured (2,000 steps, 2,500 samples, seeds 0-4, mean +- s.e.; 2-3 min per
run on a 2-core x86 CPU shared with other work; docs/results/gan_modes.md):
  GAN      19.8 +- 0.9   6.8 +- 0.9%   0.69 +- 0.06
  PacGAN2  16.2 +- 0.7   2.2 +- 0.4%   0.69 +- 0.07
  PacGAN3  15.2 +- 0.7   2.1 +- 0.1%   0.76 +- 0.06
  PacGAN4  13.8 +- 0.9   1.8 +- 0.2%   0.90 +- 0.09
Far from converged: samples still lie between the modes.
PacGAN Table 1 (400,000 steps, 10 runs, mean +- s.e.):
  GAN      17.3 +- 0.8  94.8 +- 0.7%   0.70 +- 0.07
  PacGAN2  23.8 +- 0.7  91.3 +- 0.8%   0.13 +- 0.04
  PacGAN3  24.6 +- 0.4  94.2 +- 0.4%   0.06 +- 0.02
  PacGAN4  24.8 +- 0.2  93.6 +- 0.6%   0.04 +- 0.01
History and ablations: docs/gan.md
"""

from experiments.configs import gan_ring8


def get_config():
  """The ring8 settings (`gan_ring8.py`) on the 25-mode grid."""
  c = gan_ring8.get_config()
  c.data.name = "grid25"
  return c
