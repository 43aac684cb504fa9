"""experiments.translate: PNGs, folders and the eval split through a trained
CycleGAN workdir, and its clear errors."""

import json
import os
import subprocess
import sys

import ml_collections
import numpy as np
import pytest
from PIL import Image

from experiments import translate
from gen_jax.errors import UserError
from gen_jax.eval.translation import translate_in_chunks
from gen_jax.train import train
from tests.helpers import tiny_config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
  """A CycleGAN trained 2 steps between two 8x8 digits sources."""
  path = str(tmp_path_factory.mktemp("cyclegan"))
  config = tiny_config(model="cyclegan", steps=2, **{
      "data.encoding": "float", "model.g_features": 4, "model.num_blocks": 1,
      "model.d_features": 4, "model.d_layers": 1,
      "model.pool_size": 8, "eval.num_examples": 16})
  config.data.sources = ml_collections.ConfigDict({
      "a": {"name": "digits"},
      "b": {"name": "digits", "train_split": "train[:500]", "eval_split": "test[:20]"}})
  train(config, path, progress=False)
  return path


@pytest.fixture(scope="module")
def exp(workdir):
  """The workdir restored once, as the launcher restores it."""
  return translate.restore(workdir)


def digit_pngs(folder, count=3, size=None, mode="L"):
  """The first `count` test digits as 8-bit PNGs (optionally resized / RGB)."""
  from gen_jax.data import digits_arrays  # pylint: disable=import-outside-toplevel
  os.makedirs(folder, exist_ok=True)
  images = digits_arrays("float")[1]["x"][:count]
  for i, x in enumerate(images):
    pil = Image.fromarray(np.round(x[..., 0] * 255).astype(np.uint8)).convert(mode)
    if size:
      pil = pil.resize((size, size))
    pil.save(os.path.join(folder, f"digit_{i}.png"))
  return images


def read(path):
  return np.asarray(Image.open(path), np.float32) / 255.0


def test_a_folder_is_translated_file_by_file_as_the_model_would(workdir, exp, tmp_path):
  images = digit_pngs(tmp_path / "in")
  paths = translate.translate(workdir, str(tmp_path / "in"), str(tmp_path / "out"), "ab")
  assert [os.path.basename(p) for p in paths] == ["digit_0.png", "digit_1.png", "digit_2.png"]
  assert exp.step == 2
  pixels = np.round(images * 255) / 255.0             # what the PNGs hold
  expected = translate_in_chunks(exp.recipe, exp.variables(), pixels,
                                 np.ones((3, 1), np.int32))[..., 0]      # to domain b
  got = np.stack([read(p) for p in paths])
  assert got.shape == (3, 8, 8)
  np.testing.assert_allclose(got, expected, atol=0.5 / 255 + 1e-6)
  one = translate.translate_with(exp, str(tmp_path / "in" / "digit_1.png"),
                                str(tmp_path / "one"), "ba")
  assert len(one) == 1 and read(one[0]).shape == (8, 8)


def test_the_eval_split_of_the_source_domain(exp, tmp_path):
  paths = translate.translate_with(exp, "eval", str(tmp_path / "out"), "ba")
  assert len(paths) == 20 and os.path.basename(paths[0]) == "00000.png"   # b: test[:20]
  assert len(translate.translate_with(exp, "eval", str(tmp_path / "ab"), "ab")) == 300


def test_other_sizes_and_channels_are_refused_unless_resized(exp, tmp_path):
  digit_pngs(tmp_path / "big", count=1, size=16)
  with pytest.raises(UserError, match="is 16x16 with 1 channel.*8x8 images with 1 channel.*--resize"):
    translate.translate_with(exp, str(tmp_path / "big"), str(tmp_path / "out"))
  digit_pngs(tmp_path / "rgb", count=1, mode="RGB")
  with pytest.raises(UserError, match="with 3 channel"):
    translate.translate_with(exp, str(tmp_path / "rgb"), str(tmp_path / "out"))
  for folder in ("big", "rgb"):
    paths = translate.translate_with(exp, str(tmp_path / folder), str(tmp_path / folder / "o"),
                                     resize=True)
    assert read(paths[0]).shape == (8, 8)


def test_inputs_and_workdirs_that_cannot_be_translated_are_clear(exp, tmp_path):
  with pytest.raises(UserError, match="does not exist"):
    translate.translate_with(exp, str(tmp_path / "nope.png"), str(tmp_path / "out"))
  os.makedirs(tmp_path / "empty")
  with pytest.raises(UserError, match="without .png files"):
    translate.translate_with(exp, str(tmp_path / "empty"), str(tmp_path / "out"))
  (tmp_path / "bad.png").write_text("not an image")
  with pytest.raises(UserError, match="could not read"):
    translate.translate_with(exp, str(tmp_path / "bad.png"), str(tmp_path / "out"))
  with pytest.raises(UserError, match="config.json not found: train first"):
    translate.translate(str(tmp_path / "untrained"), "eval", str(tmp_path / "out"))
  os.makedirs(tmp_path / "nade")
  (tmp_path / "nade" / "config.json").write_text(json.dumps(
      tiny_config(model="nade").to_dict()))
  with pytest.raises(UserError, match="experiments.translate needs a model with Translator "
                     r"\(translate, translation_groups\); model 'nade' has none"):
    translate.translate(str(tmp_path / "nade"), "eval", str(tmp_path / "out"))


def launch(*args):
  env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
  return subprocess.run([sys.executable, "-m", "experiments.translate", *args], cwd=ROOT,
                        env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_launcher_end_to_end_and_its_one_line_errors(workdir, tmp_path):
  out = launch(f"--workdir={workdir}", "--input=eval", f"--output={tmp_path / 'out'}",
               "--direction=ba")
  assert out.returncode == 0, out.stderr[-2000:]
  assert "wrote 20 ba translation(s)" in out.stdout and len(os.listdir(tmp_path / "out")) == 20
  digit_pngs(tmp_path / "big", count=1, size=12)
  out = launch(f"--workdir={workdir}", f"--input={tmp_path / 'big'}", f"--output={tmp_path}")
  assert out.returncode == 2 and "Traceback" not in out.stderr
  assert "error: " in out.stderr and "--resize" in out.stderr
  out = launch(f"--workdir={workdir}", "--input=eval")
  assert out.returncode == 2 and "--output (a folder) are required" in out.stderr
