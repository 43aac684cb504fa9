"""experiments.puzzle_reference: the references of a config, or one message."""

import json

import pytest

from tests.experiments.test_launchers import launch


def test_the_launcher_prints_the_references_of_a_config(tmp_path):
  output = tmp_path / "reference.json"
  result = launch(
      "experiments.puzzle_reference", "--config=experiments/configs/puzzlegan_digits.py",
      "--config.data.train_split=train[:400]", "--config.data.validation_split=train[400:500]",
      "--config.model.features=4", "--config.model.embed_dim=8", "--steps=4",
      "--eval_every=2", f"--output={output}")
  assert result.returncode == 0, result.stderr
  written = json.loads(output.read_text())
  assert written["num_test"] == 300 and written["reference_label_step"] in (2, 4)
  assert set(written) >= {"reference_mask_iou", "reference_label_accuracy", "fixed_mask_iou"}


@pytest.mark.parametrize("args, message", [
    (("--config=experiments/configs/puzzlegan_digits.py",), "validation_split"),
    (("--config=experiments/configs/quickstart.py",), "for Puzzle-GAN configs"),
    (("--config=experiments/configs/puzzlegan_digits.py", "--steps=0"), "at least 1"),
])
def test_launcher_mistakes_are_one_message(args, message):
  result = launch("experiments.puzzle_reference", *args)
  assert result.returncode == 2
  assert message in result.stderr and "Traceback" not in result.stderr
