"""Shared tiny set-ups for the PixelCNN / PixelRNN tests."""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import tensorflow_datasets as tfds

from gen_jax.data.spec import DataSpec
from gen_jax.models import make_recipe
from gen_jax.train import Experiment, train
from tests.helpers import randomize, tiny_config

TINY = {
    "pixelcnn": dict(features=6, num_blocks=2, first_kernel=3, out_features=12),
    "gated_pixelcnn": dict(features=6, num_layers=3, kernel=3, out_features=12),
    "row_lstm": dict(features=6, num_layers=2, first_kernel=3, out_features=12),
    "diagonal_bilstm": dict(features=6, num_layers=2, first_kernel=3, out_features=12),
}


def build(name, shape=(3, 3, 3), levels=4, seed=0, num_classes=None, **kw):
  encoding = "binary" if levels == 2 else "categorical"
  spec = DataSpec("tiny", shape, encoding, levels, num_classes=num_classes)
  recipe = make_recipe(ml_collections.ConfigDict({"name": name, **TINY[name], **kw}), spec)
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(seed), None)
  variables["params"] = randomize(variables["params"], seed + 1, scale=0.5)
  return recipe, variables


def input_jacobian(recipe, variables, label=None):
  """|d logits_i / d x_j| summed over each output's logits: [D, D] numpy."""
  shape = recipe.spec.event_shape
  d = recipe.spec.num_dims
  params = variables["params"]["model"]
  label = None if label is None else jnp.asarray([label], jnp.int32)

  def f(x):  # x [H, W, C] float input -> [D, out_dim]
    return recipe.net.apply({"params": params}, x[None], label)[0].reshape(d, -1)

  # Summed over a few inputs so that a ReLU that happens to be off at one
  # input does not hide a dependence.
  xs = jax.random.uniform(jax.random.PRNGKey(7), (3,) + shape, minval=-1.0, maxval=1.0)
  jac = jax.jit(jax.vmap(jax.jacfwd(f)))(xs)      # [3, D, out_dim, H, W, C]
  return np.abs(np.asarray(jac)).sum((0, 2)).reshape(d, d)


def mock_cifar_config(name, steps=1, **model):
  c = tiny_config(name, steps=steps, **{"data.name": "cifar10",
                                        "data.encoding": "categorical",
                                        "data.image_size": 4,
                                        "train.batch_size": 8,
                                        "eval.batch_size": 8,
                                        "eval.num_examples": 8,
                                        "sample.num": 8})
  for k, v in {**TINY[name], **model}.items():
    c.model[k] = v
  return c


def train_on_mock_cifar(config, workdir):
  """Trains through the generic trainer on tfds mock CIFAR-10; the Experiment."""
  with tfds.testing.mock_data(num_examples=16):
    result = train(config, workdir, progress=False)
    exp = Experiment(config, workdir)
  return result, exp
