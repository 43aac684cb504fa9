"""Every experiment config builds its data and recipe, and the recipe reads
every `model.` key the config sets (no silently ignored settings)."""

import dataclasses
import glob
import importlib
import os

import pytest
import tensorflow_datasets as tfds

from gen_jax import data as data_lib
from gen_jax.models import make_recipe
from gen_jax.train import config as config_lib
from gen_jax.eval import make_evaluators
from tests.helpers import write_caption_folder

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = sorted(os.path.basename(p)[:-3] for p in
                 glob.glob(os.path.join(ROOT, "experiments", "configs", "*.py"))
                 if not os.path.basename(p).startswith(("_", "pixel_training", "mnist_small_training")))


@pytest.mark.parametrize("name", CONFIGS)
def test_config_builds_and_every_model_key_is_read(name, tmp_path):
  config = importlib.import_module(f"experiments.configs.{name}").get_config()
  if config.data.name == "caption_folder":   # the user's folder: a tiny one here
    config.data.data_dir = write_caption_folder(tmp_path)
  config_lib.validate(config)
  with tfds.testing.mock_data(num_examples=8):
    data = data_lib.load_data(config.data)
  recipe = make_recipe(config.model, data.spec)   # refuses a key its options lack
  recipe.optimizers(config.train)
  options = {f.name for f in dataclasses.fields(recipe.options)}
  assert set(config.model.keys()) - {"name"} <= options
  assert set(make_evaluators(config.evals, data.spec)) == set(config.evals)
