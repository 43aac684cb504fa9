r"""pixelcnn on binarized MNIST (the fixed Salakhutdinov & Murray 2008
binarization), Bernoulli outputs.

Architecture: 7x7 mask-A conv, 14 residual mask-B 3x3 blocks, two 1x1 output
convs (15 masked conv layers + head), 128 features.

Command:
  python -m experiments.train --config=experiments/configs/pixelcnn_binarized_mnist.py \
      --workdir=workdirs/pixelcnn_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets

Hardware / runtime: sized for one accelerator (GPU or TPU VM); not run to
completion here (the development machine is a 2-core CPU).
Published: 81.30 nats test NLL (van den Oord, Kalchbrenner & Kavukcuoglu
2016, Pixel Recurrent Neural Networks (ICML), Table 4).

Measured: 92.15 nats test NLL (0.170 bits/dim), NOT a reproduction: a
reduced model (--config.model.features=32 --config.model.num_blocks=6
--config.model.out_features=64, 33,889 live parameters) trained 2,250 steps
of batch 32 (72k images, about 1.4 epochs; --config.train.batch_size=32) in
a 38-minute wall-clock cap on a 2-core CPU shared with other jobs; evaluated
with python -m experiments.evaluate on the whole 10,000-image test split.
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
