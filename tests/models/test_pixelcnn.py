"""PixelCNN and Gated PixelCNN: causality, blind spot, training, likelihood."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.errors import UserError
from gen_jax.models.base import num_parameters
from gen_jax.sampling.cached_pixelcnn import cached_pixelcnn_sample
from tests.helpers import read_metrics
from tests.models.pixel_helpers import (build, input_jacobian, mock_cifar_config,
                                        train_on_mock_cifar)


@pytest.mark.parametrize("name,kw", [("pixelcnn", {}), ("gated_pixelcnn", {}),
                                     ("gated_pixelcnn", {"conditional": True})])
def test_causality_every_position_and_channel(name, kw):
  """d logits(i) / d x(j) == 0 exactly for j >= i in raster (H, W, C) order."""
  recipe, variables = build(name, num_classes=3, **kw)
  jac = input_jacobian(recipe, variables, 1 if kw else None)   # [27, 27]
  np.testing.assert_array_equal(np.triu(jac), 0.0)
  for i in range(27):            # the test can fail: earlier values do matter
    if i % 3:
      assert jac[i, i - 1] > 0, f"channel {i % 3} ignores the earlier channel"
    if (i // 3) % 3:
      assert jac[i, i - 3] > 0, "pixel ignores its left neighbour"


def test_pixelcnn_has_a_blind_spot():
  """The stacked 3x3 masks never reach the pixel up-right of the left edge
  of the receptive field: output (3, 1) ignores (2, 3) yet sees (1, 3)."""
  recipe, variables = build("pixelcnn", shape=(5, 5, 1), levels=2)
  jac = input_jacobian(recipe, variables).reshape(25, 5, 5)[3 * 5 + 1]
  assert jac[2, 3] == 0.0 and jac[2, 4] == 0.0
  assert jac[1, 3] > 0 and jac[0, 4] > 0 and jac[2, 2] > 0


def test_gated_pixelcnn_has_no_blind_spot():
  """Every earlier value (pixels and channels) reaches every output."""
  recipe, variables = build("gated_pixelcnn", shape=(4, 4, 3), num_layers=4)
  jac = input_jacobian(recipe, variables)
  lower = np.tril(np.ones_like(jac, bool), -1)
  assert (jac[lower] > 0).all(), np.argwhere(lower & (jac == 0))[:5]
  np.testing.assert_array_equal(np.triu(jac), 0.0)


def test_conditional_gated_pixelcnn_uses_the_label():
  recipe, variables = build("gated_pixelcnn", num_classes=3, conditional=True)
  x = jnp.zeros((2, 3, 3, 3), jnp.int32)
  lp = recipe.log_prob(variables, {"x": x, "label": jnp.asarray([0, 2])})
  assert lp[0] != lp[1]


def test_bad_data_and_sampler_are_clear_errors():
  with pytest.raises(UserError, match="binary or categorical"):
    from gen_jax.data.spec import DataSpec  # pylint: disable=import-outside-toplevel
    from gen_jax.models import make_recipe  # pylint: disable=import-outside-toplevel
    import ml_collections  # pylint: disable=import-outside-toplevel
    make_recipe(ml_collections.ConfigDict({"name": "pixelcnn"}),
                DataSpec("f", (4, 4, 1), "float", None))
  with pytest.raises(UserError, match="sampler"):
    build("pixelcnn", sampler="fast")
  with pytest.raises(UserError, match="labelled"):
    build("gated_pixelcnn", conditional=True)
  recipe, variables = build("gated_pixelcnn", num_classes=3, conditional=True)
  with pytest.raises(UserError, match="label"):
    recipe.log_prob(variables, {"x": jnp.zeros((1, 3, 3, 3), jnp.int32)})


def test_one_step_on_mock_cifar_and_log_prob_equals_sampler_conditionals(tmp_path):
  """Trains through the generic trainer; then the cached sampler's product of
  conditionals equals log_prob of its own samples on the trained model."""
  config = mock_cifar_config("pixelcnn", steps=2)
  result, exp = train_on_mock_cifar(config, str(tmp_path))
  assert np.isfinite(result["bits_per_dim"]) and result["bits_per_dim"] > 0
  events = read_metrics(tmp_path)
  assert events[0]["num_parameters"] == num_parameters(exp.recipe, exp.train_state.params)
  assert (tmp_path / "samples" / "step_2.png").exists()
  recipe, variables = exp.recipe, exp.variables()
  assert recipe.spec.event_shape == (4, 4, 3) and recipe.num_levels == 256
  noise = recipe.noise(jax.random.PRNGKey(5), 3)
  x, log_p = jax.jit(cached_pixelcnn_sample, static_argnums=(0, 3, 4))(
      recipe.net, variables["params"]["model"], noise, (4, 4, 3), 256)
  want = recipe.log_prob(variables, {"x": recipe.decode(x)})
  np.testing.assert_allclose(log_p, want, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("model", ["pixelcnn", "gated_pixelcnn", "row_lstm",
                                   "diagonal_bilstm"])
def test_every_config_builds_its_model(model):
  """The reproduction and demo configs name real recipes with valid options."""
  import importlib  # pylint: disable=import-outside-toplevel
  from gen_jax.data.spec import DataSpec  # pylint: disable=import-outside-toplevel
  from gen_jax.models import make_recipe  # pylint: disable=import-outside-toplevel
  from gen_jax.train.config import validate  # pylint: disable=import-outside-toplevel
  specs = {"binarized_mnist": DataSpec("binarized_mnist", (28, 28, 1), "binary", 2),
           "cifar10": DataSpec("cifar10", (32, 32, 3), "categorical", 256, 10),
           "digits": DataSpec("digits", (8, 8, 1), "binary", 2, 10)}
  for data, spec in specs.items():
    config = importlib.import_module(f"experiments.configs.{model}_{data}").get_config()
    validate(config)
    assert config.data.name == data and config.model.name == model
    if config.data.encoding == "categorical" and data == "digits":
      spec = DataSpec("digits", (8, 8, 1), "categorical", 17, 10)
    recipe = make_recipe(config.model, spec)
    shapes = jax.eval_shape(recipe.init, jax.random.PRNGKey(0), None)
    assert jax.tree.leaves(shapes["params"])
