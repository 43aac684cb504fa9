r"""row_lstm on binarized MNIST (the fixed Salakhutdinov & Murray 2008
binarization), Bernoulli outputs.

Architecture: 7x7 mask-A conv, 7 residual Row LSTM layers (k=3), h=16.

Command:
  python -m experiments.train --config=experiments/configs/row_lstm_binarized_mnist.py \
      --workdir=workdirs/row_lstm_binarized_mnist \
      --config.data.data_dir=../shared/tensorflow_datasets

Hardware / runtime: sized for one accelerator (GPU or TPU VM); not run to
completion here (the development machine is a 2-core CPU).
Published: 80.54 nats test NLL (van den Oord, Kalchbrenner & Kavukcuoglu
2016, Pixel Recurrent Neural Networks (ICML), Table 4).

Measured: not yet run. This config is sized for an accelerator; the
development sessions so far had only a 2-core CPU, so there is no measured
figure yet.
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "row_lstm"
  c.model.features = 16
  c.model.num_layers = 7
  c.model.first_kernel = 7
  c.model.kernel = 3
  c.model.out_features = 32
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.data.eval_split = "test"
  c.train.num_steps = 150_000
  c.train.batch_size = 64
  c.train.learning_rate = 1e-3
  c.train.grad_clip_norm = 1.0
  c.train.log_every_steps = 100
  c.eval.every_steps = 10_000
  c.eval.batch_size = 256
  c.checkpoint.every_steps = 1_000
  c.sample.every_steps = 10_000
  c.sample.num = 64
  return c
