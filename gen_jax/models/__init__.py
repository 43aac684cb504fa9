"""Model recipes, found by name (`config.model.name`).

Adding a model: write its recipe (see `base.Recipe`) and add one line to
`RECIPES` with its import path; the trainer needs nothing else.
"""

import importlib

from gen_jax.errors import UserError
from gen_jax.models.base import LikelihoodRecipe, Phase, Recipe

RECIPES = {
    "independent": "gen_jax.models.tabular:IndependentPixels",
    "joint_table": "gen_jax.models.tabular:JointTable",
    "markov": "gen_jax.models.tabular:MarkovChain",
    "fvsbn": "gen_jax.models.fvsbn:FVSBN",
    "pixelcnn": "gen_jax.models.pixelcnn:PixelCNN",
    "gated_pixelcnn": "gen_jax.models.pixelcnn:GatedPixelCNN",
    "row_lstm": "gen_jax.models.pixelrnn:RowLSTM",
    "diagonal_bilstm": "gen_jax.models.pixelrnn:DiagonalBiLSTM",
    "gan": "gen_jax.models.gan:GAN",
    "dcgan": "gen_jax.models.gan:DCGAN",
    "infogan": "gen_jax.models.infogan:InfoGAN",
    "progan": "gen_jax.models.progan:ProGAN",
    "vae": "gen_jax.models.vae:VAE",
    "aae": "gen_jax.models.aae:AAE",
    "nade": "gen_jax.models.nade:NADE",
    "eonade": "gen_jax.models.nade:OrderAgnosticNADE",
    "rnade": "gen_jax.models.nade:RNADE",
    "rbm": "gen_jax.models.rbm:RBM",
    "cyclegan": "gen_jax.models.cyclegan:CycleGAN",
    "stargan": "gen_jax.models.stargan:StarGAN",
    "text2image": "gen_jax.models.text2image:Text2Image",
    "puzzlegan": "gen_jax.models.puzzlegan:PuzzleGAN",
}


def recipe_class(name: str):
  if name not in RECIPES:
    raise UserError(f"unknown model {name!r}; choose --config.model.name from: "
                    f"{', '.join(sorted(RECIPES))}.")
  module, attr = RECIPES[name].split(":")
  return getattr(importlib.import_module(module), attr)


class ReadTracker:
  """A read-only view of the `model.` config that records which keys are read.

  Recipes read their keys with `config.get(key, default)`, `config.key` or
  `config[key]`; the trainer then refuses any key that was never read (a
  typo such as `hiden`), listing the ones that were.
  """

  def __init__(self, config):
    object.__setattr__(self, "_config", config)
    object.__setattr__(self, "read", {"name"})

  def get(self, key, default=None):
    self.read.add(key)
    return self._config.get(key, default)

  def __getattr__(self, key):
    if key.startswith("__"):
      raise AttributeError(key)
    self.read.add(key)
    return getattr(self._config, key)

  def __getitem__(self, key):
    self.read.add(key)
    return self._config[key]

  def __contains__(self, key):
    return key in self._config

  def keys(self):
    return self._config.keys()

  def unread(self) -> list[str]:
    return sorted(set(self._config.keys()) - self.read)


def make_recipe(model_config, spec) -> Recipe:
  """The recipe named by `model_config.name`, built for data `spec`.

  The recipe sees the config through a `ReadTracker`; `ReadTracker.unread`
  lists the keys it ignored (checked by the trainer after `optimizers`).
  """
  return recipe_class(model_config.name)(ReadTracker(model_config), spec)
