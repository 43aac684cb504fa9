r"""Row LSTM PixelRNN on binarized 8x8 scikit-learn digits: a CPU-sized demo.

Command:
  python -m experiments.train --config=experiments/configs/row_lstm_digits.py \
      --workdir=workdirs/row_lstm_digits

Runtime: a few minutes on 2 CPU cores (not timed on an idle machine).
Expected: no paper figure exists for this dataset; compare the test NLL on
the fixed 300-image digits split with quickstart.py (FVSBN, about 23 nats
binarized).
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "row_lstm"
  c.model.features = 16
  c.model.num_layers = 2
  c.model.first_kernel = 5
  c.model.out_features = 32
  c.model.sampler = "cached"
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.train.num_steps = 2000
  c.train.batch_size = 64
  c.train.learning_rate = 3e-3
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
