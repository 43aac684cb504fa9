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

PacDCGAN2 (PacGAN Table 3's packing): --config.model.pack=2
--config.train.batch_size=128 (64 decisions of D per step, as DCGAN's).

Measured (--config.train.num_steps=10000, seeds 0-2, mean +- s.d., 10,000
samples; DCGAN 3.4 min, PacDCGAN2 5.6 min per run on an idle 2-core x86
CPU; `python -m experiments.reproduce --table=stacked_digits_modes`): DCGAN
996 +- 2 of 1000 modes, reverse KL 0.16 +- 0.01; PacDCGAN2 991 +- 7,
0.21 +- 0.03 (real test stacks: 1000 modes, KL 0.08).
Published (stacked MNIST, PacGAN Table 3, D 1/4 of G, 50 runs): DCGAN
78.5 +- 17.6 modes, KL 5.21 +- 0.19; PacDCGAN2 484.5 +- 33.0, 2.61 +- 0.22;
for stacked digits there is no paper figure.
"""

import ml_collections

from experiments.configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.data.name = "stacked_digits"
  c.model.pack = 1     # PacDCGAN-m (PacGAN Table 3): pack=m with batch_size=64*m
  c.evals.sample_quality = ml_collections.ConfigDict(dict(num_examples=10000))
  return c
