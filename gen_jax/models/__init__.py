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


def make_recipe(model_config, spec) -> Recipe:
  """The recipe named by `model_config.name`, built for data `spec`; it reads
  the config into its typed options, refusing any key they lack."""
  return recipe_class(model_config.name)(model_config, spec)
