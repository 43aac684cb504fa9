"""The parameter-counting ladder: independent, joint table, Markov, FVSBN."""

import itertools

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from scipy import stats

from gen_jax.errors import UserError
from gen_jax.models.base import num_parameters
from gen_jax.models import make_recipe
from tests.helpers import all_binary_images, randomize, tiny_spec

BINARY_MODELS = ["independent", "joint_table", "markov", "fvsbn"]


def build(name, spec, seed=0, **kw):
  recipe = make_recipe(ml_collections.ConfigDict({"name": name, **kw}), spec)
  variables = recipe.init(jax.random.PRNGKey(seed), None)
  variables["params"] = randomize(variables["params"], seed)
  return recipe, variables


def expected_count(name, n, k_levels=2, order=1):
  if name == "independent":
    return n * (k_levels - 1)
  if name == "joint_table":
    return 2 ** n - 1
  if name == "markov":
    return sum(k_levels ** min(i, order) * (k_levels - 1) for i in range(n))
  if name == "fvsbn":
    return n * (n + 1) // 2
  raise ValueError(name)


@pytest.mark.parametrize("name", BINARY_MODELS)
def test_parameter_counts_follow_the_formulas(name):
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(name, spec)
  assert num_parameters(recipe, variables["params"]) == expected_count(name, 9)


def test_markov_counts_for_orders_and_levels():
  for levels, order in [(2, 1), (2, 3), (3, 2)]:
    spec = tiny_spec((2, 3, 1), num_levels=levels)
    recipe, variables = build("markov", spec, order=order)
    assert num_parameters(recipe, variables["params"]) == expected_count(
        "markov", 6, levels, order)
  assert expected_count("markov", 9) == 2 * 9 - 1  # binary AR-1: 2n - 1


@pytest.mark.parametrize("name", BINARY_MODELS)
def test_log_prob_sums_to_one_over_all_3x3_binary_images(name):
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(name, spec)
  log_p = recipe.log_prob(variables, {"x": all_binary_images(spec)})
  assert log_p.shape == (512,)
  np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)


@pytest.mark.parametrize("name,kw", [("independent", {}), ("markov", {"order": 2})])
def test_log_prob_sums_to_one_for_categorical_pixels(name, kw):
  spec = tiny_spec((2, 2, 1), num_levels=3)
  recipe, variables = build(name, spec, **kw)
  x = jnp.asarray(list(itertools.product(range(3), repeat=4)), jnp.int32)
  log_p = recipe.log_prob(variables, {"x": x.reshape(-1, 2, 2, 1)})
  np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)


@pytest.mark.parametrize("name,kw", [("fvsbn", {}), ("markov", {"order": 1}),
                                     ("markov", {"order": 3})])
def test_causality_conditional_i_ignores_inputs_at_or_after_i(name, kw):
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(name, spec, **kw)
  d = spec.num_dims
  if name == "fvsbn":
    conditional = lambda x: recipe.logits(variables, x)            # [B, D]
    x0 = jax.random.bernoulli(jax.random.PRNGKey(1), 0.5, (1, d)).astype(jnp.float32)
    for i in range(d):
      grad = jax.grad(lambda x: conditional(x)[0, i])(x0)[0]
      assert np.all(np.asarray(grad[i:]) == 0.0), (i, grad)
      if i > 0:
        assert np.any(np.asarray(grad[:i]) != 0.0)
  else:
    # Tables take discrete contexts: flip each later pixel and check that the
    # conditional logits of position i do not move at all.
    x0 = np.asarray(jax.random.bernoulli(jax.random.PRNGKey(1), 0.5, (1, d)), np.int32)
    for i in range(d):
      base = recipe._row_logits(variables["params"], jnp.asarray(x0), i)
      for j in range(i, d):
        x1 = x0.copy()
        x1[0, j] = 1 - x1[0, j]
        moved = recipe._row_logits(variables["params"], jnp.asarray(x1), i)
        np.testing.assert_array_equal(base, moved)


@pytest.mark.parametrize("name", BINARY_MODELS)
def test_sample_frequencies_match_model_probabilities(name):
  spec = tiny_spec((1, 3, 1))
  recipe, variables = build(name, spec, seed=3)
  images = all_binary_images(spec)
  probs = np.exp(np.asarray(recipe.log_prob(variables, {"x": images}), np.float64))
  num = 20_000
  samples = np.asarray(recipe.sample(variables, jax.random.PRNGKey(7), num))
  index = samples.reshape(num, -1).astype(int) @ (2 ** np.arange(2, -1, -1))
  counts = np.bincount(index, minlength=8)
  _, p_value = stats.chisquare(counts, probs / probs.sum() * num)
  assert p_value > 1e-3, (counts, probs * num)


@pytest.mark.parametrize("name", BINARY_MODELS)
def test_sampling_is_deterministic_given_the_key(name):
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(name, spec)
  a = recipe.sample(variables, jax.random.PRNGKey(5), 16)
  b = recipe.sample(variables, jax.random.PRNGKey(5), 16)
  assert a.shape == (16, 3, 3, 1)
  np.testing.assert_array_equal(a, b)


def test_joint_table_refuses_more_than_20_pixels():
  with pytest.raises(UserError, match="at most 20 pixels"):
    build("joint_table", tiny_spec((5, 5, 1)))


def test_binary_only_models_refuse_float_data():
  spec = tiny_spec((3, 3, 1))
  spec = spec.__class__(name="f", event_shape=(3, 3, 1), encoding="float",
                        num_levels=None)
  with pytest.raises(UserError, match="data.encoding"):
    build("fvsbn", spec)


def test_unknown_model_name_is_a_clear_error():
  with pytest.raises(UserError, match="unknown model 'nope'.*fvsbn"):
    build("nope", tiny_spec())


def test_perturb_rate_replaces_pixels_at_its_rate_and_zero_changes_nothing():
  from gen_jax.models.base import perturb  # pylint: disable=import-outside-toplevel
  spec = tiny_spec((8, 8, 1))
  x = jnp.zeros((500, 8, 8, 1))
  changed = float(jnp.mean(perturb(x, spec, 0.3, jax.random.PRNGKey(0)) != x))
  assert changed == pytest.approx(0.15, abs=0.01)       # half the replacements are 1s
  cat = tiny_spec((8, 8, 1), num_levels=5)
  y = perturb(jnp.zeros((500, 8, 8, 1), jnp.int32), cat, 0.5, jax.random.PRNGKey(1))
  assert y.dtype == jnp.int32 and float(jnp.mean(y != 0)) == pytest.approx(0.4, abs=0.01)
  # perturb_rate 0: the loss is the plain NLL with the loss's own key.
  recipe = make_recipe(ml_collections.ConfigDict({"name": "fvsbn"}), spec)
  params = randomize(recipe.init(jax.random.PRNGKey(0), None)["params"], 0, 0.5)
  batch = {"x": jnp.asarray(np.random.default_rng(0).integers(0, 2, (4, 8, 8, 1)), jnp.float32)}
  loss = recipe.phases[0].loss_fn(params, {}, batch, jax.random.PRNGKey(2), 0)[0]
  assert float(loss) == float(-jnp.mean(recipe.log_prob({"params": params}, batch)))
  noisy = make_recipe(ml_collections.ConfigDict({"name": "fvsbn", "perturb_rate": 0.5}), spec)
  assert float(noisy.phases[0].loss_fn(params, {}, batch, jax.random.PRNGKey(2), 0)[0]) != float(loss)
