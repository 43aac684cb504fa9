r"""GAN (MLP players) on grid25: 25 Gaussians (std 0.05) on a 5x5 grid of spacing 2.

Command:
  python -m experiments.train --config=experiments/configs/gan_grid25.py \
      --workdir=workdirs/gan_grid25
  python -m experiments.evaluate --config=experiments/configs/gan_grid25.py \
      --workdir=workdirs/gan_grid25
  # the multi-seed table, both generator losses:
  python -m experiments.modes --datasets=grid25 --seeds=0,1

Architecture after PacGAN's (Lin et al. 2018, Sec. 5.1): G with 4 hidden
ReLU layers of 400 units from 2-D noise (PacGAN adds batch norm), D with 3
hidden LeakyReLU layers of 200 units (PacGAN: linear maxout); Adam(1e-4,
beta1=0.5), batch 100. Metrics on 2,500 samples (PacGAN protocol,
`gen_jax/eval/modes.py`): num_modes, high_quality, reverse_kl.

Measured (python -m experiments.modes, 5,000 steps, seeds 0-2, mean +- s.e.,
~2 min per run on a shared 2-core CPU): non_saturating 8.33 +- 7.33 modes,
3.4 +- 2.7% high quality, KL 2.34 +- 0.88 (two seeds collapsed onto one
mode); minimax 23.00 +- 0.58, 10.4 +- 1.9%, KL 1.03 +- 0.39. Undertrained:
samples lie on rays through the modes; PacGAN trains far longer.
Expected (PacGAN Table 1, plain GAN): 17.3 modes, 94.8% high quality,
reverse KL 0.70.
"""

from experiments.configs import gan_ring8


def get_config():
  """The ring8 settings (`gan_ring8.py`) on the 25-mode grid."""
  c = gan_ring8.get_config()
  c.data.name = "grid25"
  return c
