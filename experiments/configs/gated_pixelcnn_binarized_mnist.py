r"""gated_pixelcnn on binarized MNIST (the fixed Salakhutdinov & Murray 2008
binarization), Bernoulli outputs.

Architecture: 15 gated layers (vertical + horizontal stacks, 7x7 / 1x7), 64
features.

Command:
  python -m experiments.train --config=experiments/configs/gated_pixelcnn_binarized_mnist.py \
      --workdir=workdirs/gated_pixelcnn_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets

Runtime: sized for one accelerator (GPU or TPU VM); not run to completion
(it has run only on a 2-core x86 CPU).
Published: no published binarized-MNIST figure for Gated PixelCNN; compare
with PixelCNN's 81.30 nats (van den Oord, Kalchbrenner & Kavukcuoglu 2016,
Pixel Recurrent Neural Networks (ICML), Table 4).

Measured: not yet run.

History and ablations: docs/explicit.md
"""

from experiments.configs.pixel_training import pixel_config


def get_config():
  c = pixel_config("binarized_mnist")
  c.model.name = "gated_pixelcnn"
  c.model.features = 64
  c.model.num_layers = 15
  c.model.kernel = 7
  c.model.out_features = 128
  c.model.conditional = False    # True: condition on batch['label']
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  return c
