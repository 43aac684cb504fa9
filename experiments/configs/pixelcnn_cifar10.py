r"""pixelcnn on CIFAR-10, 256-way softmax per RGB channel (R, then G given R,
then B).

Architecture: 7x7 mask-A conv, 14 residual mask-B 3x3 blocks, 1x1 output
convs of 1024 features, 128 features.

Command:
  python -m experiments.train --config=experiments/configs/pixelcnn_cifar10.py \
      --workdir=workdirs/pixelcnn_cifar10

Runtime: sized for one accelerator (GPU or TPU VM); not run to completion
(it has run only on a 2-core x86 CPU).
Published: 3.14 bits/dim on the CIFAR-10 test set (van den Oord,
Kalchbrenner & Kavukcuoglu 2016, Pixel Recurrent Neural Networks (ICML),
Table 5).

Measured: not yet run.

History and ablations: docs/explicit.md
"""

from experiments.configs.pixel_training import pixel_config


def get_config():
  c = pixel_config("cifar10")
  c.model.name = "pixelcnn"
  c.model.features = 128
  c.model.num_blocks = 14
  c.model.first_kernel = 7
  c.model.out_features = 1024
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  return c
