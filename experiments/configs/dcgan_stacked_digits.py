r"""DCGAN on stacked digits: 3 digits as the channels of one 8x8 image.

Command:
  python -m experiments.train --config=experiments/configs/dcgan_stacked_digits.py \
      --workdir=workdirs/dcgan_stacked_digits
  python -m experiments.evaluate --config=experiments/configs/dcgan_stacked_digits.py \
      --workdir=workdirs/dcgan_stacked_digits

The digits analogue of stacked MNIST (Metz et al. 2017; PacGAN Table 3):
1000 modes. Each generated channel is labelled by the in-repo digits MLP
classifier; `mlp256-128_num_modes` counts the modes among 10,000 samples
(the metric's real-data value `..._num_modes_real_test` uses 10,000 test
stacks), `..._reverse_kl` compares the mode histogram with the uniform one.

Measured (seed 0, --config.train.num_steps=2000, 3.5 min on a shared
2-core CPU): 829 of 1000 modes, reverse KL 0.81 (real test stacks: 1000
modes, KL 0.08; per-channel classifier accuracy 0.988).
Published (stacked MNIST, DCGAN, PacGAN Table 3): 99 modes, KL 3.40; for
stacked digits there is no paper figure.
"""

import ml_collections

from experiments.configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.data.name = "stacked_digits"
  c.model.pack = 1     # PacDCGAN-m (PacGAN Table 3): pack=m with batch_size=64*m
  c.evals.sample_quality = ml_collections.ConfigDict(dict(num_examples=10000))
  return c
