r"""gated_pixelcnn on CIFAR-10, 256-way softmax per RGB channel (R, then G given
R, then B).

Architecture: 20 gated layers of 384 features, 5x5 filters (as we read the
paper).

Command:
  python -m experiments.train --config=experiments/configs/gated_pixelcnn_cifar10.py \
      --workdir=workdirs/gated_pixelcnn_cifar10

Runtime: sized for one accelerator (GPU or TPU VM); not run to completion
(it has run only on a 2-core x86 CPU).
Published: 3.03 bits/dim on the CIFAR-10 test set (van den Oord et al. 2016,
Conditional Image Generation with PixelCNN Decoders (NeurIPS), Table 1).

Measured: not yet run.

History and ablations: docs/explicit.md
"""

from experiments.configs.pixel_training import pixel_config


def get_config():
  c = pixel_config("cifar10")
  c.model.name = "gated_pixelcnn"
  c.model.features = 384
  c.model.num_layers = 20
  c.model.kernel = 5
  c.model.out_features = 1024
  c.model.conditional = False    # True: condition on batch['label']
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  return c
