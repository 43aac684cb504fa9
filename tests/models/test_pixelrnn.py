"""PixelRNN (Row LSTM, Diagonal BiLSTM): causality and training."""

import numpy as np
import pytest

from tests.models.pixel_helpers import (build, input_jacobian, mock_cifar_config,
                                        train_on_mock_cifar)


@pytest.mark.parametrize("name", ["row_lstm", "diagonal_bilstm"])
def test_causality_every_position_and_channel(name):
  """d logits(i) / d x(j) == 0 exactly for j >= i in raster (H, W, C) order;
  the right-to-left LSTM's shift keeps the rest of the row out."""
  recipe, variables = build(name)
  jac = input_jacobian(recipe, variables)                        # [27, 27]
  np.testing.assert_array_equal(np.triu(jac), 0.0)
  for i in range(27):
    if i % 3:
      assert jac[i, i - 1] > 0, f"channel {i % 3} ignores the earlier channel"
    if (i // 3) % 3:
      assert jac[i, i - 3] > 0, "pixel ignores its left neighbour"


def test_diagonal_bilstm_sees_the_whole_past_and_row_lstm_a_triangle():
  """Diagonal BiLSTM: every earlier pixel reaches the last pixel; Row LSTM's
  receptive field is a triangle: the output at (2, 0) sees (0, 2) and (1, 1)
  but not (0, 3) nor (1, 2)."""
  recipe, variables = build("diagonal_bilstm", shape=(3, 4, 1), levels=2)
  jac = input_jacobian(recipe, variables)
  assert (jac[-1, :-1] > 0).all()
  recipe, variables = build("row_lstm", shape=(3, 4, 1), levels=2)
  jac = input_jacobian(recipe, variables).reshape(12, 3, 4)[8]
  assert jac[0, 2] > 0 and jac[1, 1] > 0
  assert jac[0, 3] == 0.0 and jac[1, 2] == 0.0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["row_lstm", "diagonal_bilstm", "gated_pixelcnn"])
def test_one_step_on_mock_cifar(name, tmp_path):
  """The pixelcnn run is in the default tests (test_pixelcnn.py); these too
  pass (about 10-25 s each on 2 busy cores)."""
  config = mock_cifar_config(name, steps=1)
  result, exp = train_on_mock_cifar(config, str(tmp_path))
  assert np.isfinite(result["nll_nats"]) and result["bits_per_dim"] > 0
  assert exp.step == 1 and (tmp_path / "samples" / "step_1.png").exists()
