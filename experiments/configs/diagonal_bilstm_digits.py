r"""Diagonal BiLSTM PixelRNN on binarized 8x8 scikit-learn digits: a CPU-sized
demo.

Command:
  python -m experiments.train --config=experiments/configs/diagonal_bilstm_digits.py \
      --workdir=workdirs/diagonal_bilstm_digits

Runtime: a few minutes on 2 CPU cores (not timed on an idle machine).
Expected: no paper figure exists for this dataset; compare the test NLL on
the fixed 300-image digits split with quickstart.py (FVSBN, about 23 nats
binarized).
"""

from experiments.configs import row_lstm_digits


def get_config():
  """The Row LSTM demo's settings (`row_lstm_digits.py`) with the other layer."""
  c = row_lstm_digits.get_config()
  c.model.name = "diagonal_bilstm"
  return c
