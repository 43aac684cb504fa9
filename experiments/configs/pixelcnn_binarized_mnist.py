r"""pixelcnn on binarized MNIST (the fixed Salakhutdinov & Murray 2008
binarization), Bernoulli outputs.

Architecture: 7x7 mask-A conv, 14 residual mask-B 3x3 blocks, two 1x1 output
convs (15 masked conv layers + head), 128 features.

Command:
  python -m experiments.train --config=experiments/configs/pixelcnn_binarized_mnist.py \
      --workdir=workdirs/pixelcnn_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets

Runtime: sized for one accelerator (GPU or TPU VM); not run to completion
(it has run only on a 2-core x86 CPU).
Published: 81.30 nats test NLL (van den Oord, Kalchbrenner & Kavukcuoglu
2016, Pixel Recurrent Neural Networks (ICML), Table 4).
Measured: 92.15 nats (n=10,000; s.e. not recorded), NOT a reproduction: a
reduced model (features 32, 6 blocks, out_features 64) trained 2,250 steps
of batch 32 in 38 minutes on a 2-core x86 CPU under load.

History and ablations: docs/explicit.md
"""

from experiments.configs.pixel_training import pixel_config


def get_config():
  c = pixel_config("binarized_mnist")
  c.model.name = "pixelcnn"
  c.model.features = 128
  c.model.num_blocks = 14
  c.model.first_kernel = 7
  c.model.out_features = 128
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  return c
