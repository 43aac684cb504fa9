r"""Diagonal BiLSTM PixelRNN on binarized 8x8 scikit-learn digits: a CPU-sized
demo.

Command:
  python -m experiments.train --config=experiments/configs/diagonal_bilstm_digits.py \
      --workdir=workdirs/diagonal_bilstm_digits

Runtime: about 80 s on a 2-core x86 CPU (measured: 153 s for 2,000 steps with a
training job running beside it).
Expected (measured, seed 0, fixed 300-image digits test split): 17.88 ± 0.31
nats (0.40 bits/dim) at 1,000 steps, against 18.12 for the Row LSTM demo and
18.70 for FVSBN (quickstart.py). Longer training overfits (19.60 at 2,000
steps). Our own figure: there is no paper number for this dataset.

History and ablations: docs/explicit.md
"""

from experiments.configs import row_lstm_digits


def get_config():
  """The Row LSTM demo's settings (`row_lstm_digits.py`) with the other layer."""
  c = row_lstm_digits.get_config()
  c.model.name = "diagonal_bilstm"
  return c
