r"""row_lstm on binarized MNIST (the fixed Salakhutdinov & Murray 2008
binarization), Bernoulli outputs.

Architecture: 7x7 mask-A conv, 7 residual Row LSTM layers (k=3), h=16.

Command:
  python -m experiments.train --config=experiments/configs/row_lstm_binarized_mnist.py \
      --workdir=workdirs/row_lstm_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets

Runtime: sized for one accelerator (GPU or TPU VM); not run to completion
(it has run only on a 2-core x86 CPU).
Published: 80.54 nats test NLL (van den Oord, Kalchbrenner & Kavukcuoglu
2016, Pixel Recurrent Neural Networks (ICML), Table 4).

Measured: not yet run.

History and ablations: docs/explicit.md
"""

from experiments.configs.pixel_training import pixel_config


def get_config():
  c = pixel_config("binarized_mnist")
  c.model.name = "row_lstm"
  c.model.features = 16
  c.model.num_layers = 7
  c.model.first_kernel = 7
  c.model.kernel = 3
  c.model.out_features = 32
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  return c
