r"""Row LSTM PixelRNN on binarized 8x8 scikit-learn digits: a CPU-sized demo.

Command:
  python -m experiments.train --config=experiments/configs/row_lstm_digits.py \
      --workdir=workdirs/row_lstm_digits

Runtime: about 1 min on a 2-core x86 CPU (measured: 109 s for 2,000 steps with
a training job running beside it).
Expected (measured, seed 0, fixed 300-image digits test split): 18.12 ± 0.30
nats (0.41 bits/dim) at 1,000 steps; FVSBN (quickstart.py) 18.70. Longer
training overfits (19.01 at 2,000 steps), hence 1,000 steps. Our own figure:
there is no paper number for this dataset.

History and ablations: docs/explicit.md
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
  c.train.num_steps = 1000
  c.train.batch_size = 64
  c.train.learning_rate = 3e-3
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
