"""InfoGAN: codes, the mutual-information bound, code pictures, learning c."""

import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from gen_jax.data import load
from gen_jax.errors import UserError
from gen_jax.eval.infogan import CodeAccuracy, matched_accuracy
from gen_jax.models import make_recipe
from gen_jax.nn.dcgan import DCGANDiscriminator
from gen_jax.train import Experiment, train
from tests.helpers import randomize, read_metrics, tiny_config


def infogan_config(steps=2, **overrides):
  base = {"evals": ml_collections.ConfigDict({"codes": {}}), "model.features": 8, "model.noise_dim": 4,
          "data.encoding": "float", "eval.num_examples": 64,
          "checkpoint.every_steps": steps}
  return tiny_config(model="infogan", steps=steps, **{**base, **overrides})


@pytest.fixture(scope="module")
def recipe_and_variables():
  config = infogan_config()
  train_source, _, spec = load(config.data)
  recipe = make_recipe(config.model, spec)
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), train_source.get(np.arange(2)))
  return recipe, variables


def test_latent_codes_have_the_paper_distributions(recipe_and_variables):
  recipe, _ = recipe_and_variables
  latent = recipe.latent(jax.random.PRNGKey(3), 5000)
  cat, cont = np.asarray(latent["category"]), np.asarray(latent["continuous"])
  assert latent["z"].shape == (5000, 4) and cont.shape == (5000, 2)
  assert set(np.unique(cat)) == set(range(10))
  assert np.abs(np.bincount(cat) / 5000 - 0.1).max() < 0.02
  assert cont.min() >= -1 and cont.max() <= 1 and abs(cont.mean()) < 0.05
  g_in = recipe.generator_input(latent)
  assert g_in.shape == (5000, 4 + 10 + 2)
  np.testing.assert_array_equal(np.asarray(g_in[:, 4:14]).argmax(1), cat)


def test_info_loss_matches_a_numpy_reference(recipe_and_variables):
  recipe, variables = recipe_and_variables
  params = variables["params"]
  latent = recipe.latent(jax.random.PRNGKey(1), 32)
  feats = jax.random.normal(jax.random.PRNGKey(2), (32, 64))
  loss, metrics = recipe.info_loss(params, feats, latent)
  logits, mean = (np.asarray(a, np.float64) for a in recipe.predict_codes(params, feats))
  log_q = logits - np.log(np.exp(logits).sum(1, keepdims=True))
  ce = -log_q[np.arange(32), np.asarray(latent["category"])].mean()
  mse = 0.5 * ((np.asarray(latent["continuous"]) - mean) ** 2).sum(1).mean()
  assert float(loss) == pytest.approx(ce + 0.1 * mse, rel=1e-5)
  assert float(metrics["mi_categorical_bound"]) == pytest.approx(np.log(10) - ce, rel=1e-5)


def test_code_pictures_vary_one_code_per_row(recipe_and_variables, tmp_path):
  recipe, variables = recipe_and_variables
  grids = recipe.code_grids(variables, jax.random.PRNGKey(0))
  assert set(grids) == {"categorical", "continuous_0", "continuous_1"}
  for grid in grids.values():
    assert grid.shape == (10, 10, 8, 8, 1)
  # Categorical: column j is one noise draw, rows differ only by category.
  assert not np.allclose(grids["categorical"][0], grids["categorical"][1])
  # Continuous: one noise draw per picture; the code sweep changes the images.
  sweep = grids["continuous_0"][0]
  assert not np.allclose(sweep[0], sweep[-1])
  recipe.write_pictures(variables, jax.random.PRNGKey(0), None, str(tmp_path), 7)
  assert sorted(os.listdir(tmp_path)) == [f"codes_{n}_step_7.png" for n in
                                          ("categorical", "continuous_0", "continuous_1")]


def test_training_raises_the_mutual_information_bound(tmp_path):
  config = infogan_config(steps=30, **{"train.learning_rate": 2e-3,
                                       "train.log_every_steps": 1})
  result = train(config, str(tmp_path), progress=False)
  # The reported accuracy is the matched accuracy of Q's codes on the test split.
  exp = Experiment(config, str(tmp_path))
  data = exp.eval_source.get(np.arange(len(exp.eval_source)))
  codes = np.asarray(jax.jit(exp.recipe.classify)(exp.variables(), data["x"]))
  assert result["categorical_code_accuracy"] == pytest.approx(
      matched_accuracy(codes, data["label"], 10, 10))
  bound = [e["mi_categorical_bound"] for e in read_metrics(tmp_path)
           if e["split"] == "train"]
  assert len(bound) == 30
  # From ~0 (Q guesses) towards log 10 = 2.3 nats as G and Q agree on c.
  assert np.mean(bound[:5]) < 0.1 and np.mean(bound[-5:]) > np.mean(bound[:5]) + 0.4


def test_matched_accuracy_is_exact_on_hand_made_cases():
  labels = np.array([0, 0, 1, 1, 2, 2, 2])
  relabelled = np.array([2, 2, 0, 0, 1, 1, 1])       # a permutation of the codes
  assert matched_accuracy(relabelled, labels, 3, 3) == 1.0
  constant = np.zeros_like(labels)                     # the majority class's share
  assert matched_accuracy(constant, labels, 3, 3) == pytest.approx(3 / 7)
  one_wrong = np.array([2, 2, 0, 0, 1, 1, 0])
  assert matched_accuracy(one_wrong, labels, 3, 3) == pytest.approx(6 / 7)
  # Confusion [[3, 2], [2, 0]]: the best one-to-one map crosses (2 + 2 = 4);
  # greedy on the largest cell gives 3, each code's own argmax (not one-to-one) 5.
  codes, truth = np.array([0, 0, 0, 0, 0, 1, 1]), np.array([0, 0, 0, 1, 1, 0, 0])
  assert matched_accuracy(codes, truth, 2, 2) == pytest.approx(4 / 7)


def test_code_accuracy_needs_a_code_classifier():
  config = infogan_config(**{"model.name": "dcgan"})
  spec = load(config.data)[2]
  evaluator = CodeAccuracy.from_config("codes", config.evals.codes, spec)
  with pytest.raises(UserError, match="evaluator 'codes' needs a model with CodeClassifier"):
    evaluator(make_recipe(config.model, spec), None, jax.random.PRNGKey(0), None)


def test_q_reads_d_dense_layer_by_a_reference_computation():
  """With `model.dense`, D's trunk features are LeakyReLU(BN(conv features @ W))
  (running statistics at evaluation), recomputed here from the parameters."""
  config = infogan_config(**{"model.dense": 24, "model.features": 8,
                             "model.generator_features": 4})
  train_source, _, spec = load(config.data)
  recipe = make_recipe(config.model, spec)
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), train_source.get(np.arange(2)))
  # Batch norm away from its identity start: random scale, shift and statistics.
  state = variables["state"]["discriminator"]["batch_stats"]
  state = {**state, "BatchNorm_1": {"mean": randomize(state["BatchNorm_1"]["mean"], 1),
                                    "var": 1.0 + jnp.abs(randomize(state["BatchNorm_1"]["var"], 2))}}
  variables["state"]["discriminator"]["batch_stats"] = state
  variables["params"]["discriminator"]["BatchNorm_1"] = randomize(
      variables["params"]["discriminator"]["BatchNorm_1"], 3)
  params = jax.tree.map(np.asarray, variables["params"]["discriminator"])
  stats = jax.tree.map(np.asarray, state)
  x = recipe.to_model(train_source.get(np.arange(3))["x"])
  (logits, feats), _ = recipe.discriminate(variables["params"], variables["state"], x, False)
  # The convolutional trunk alone (8x8 -> [2, 2, 16], 64 features): the same
  # module without the dense layer, its unused logit layer zero.
  conv_params = {k: v for k, v in params.items() if k.startswith("Conv")}
  conv_stats = {k: v for k, v in stats.items() if k == "BatchNorm_0"}
  _, conv_feats = DCGANDiscriminator(8).apply(
      {"params": {**conv_params, "Dense_0": {"kernel": np.zeros((64, 1)), "bias": np.zeros(1)},
                  "BatchNorm_0": params["BatchNorm_0"]},
       "batch_stats": conv_stats}, x, train=False)
  h = np.asarray(conv_feats, np.float64) @ params["Dense_0"]["kernel"]      # [3, 24]
  bn, run = params["BatchNorm_1"], stats["BatchNorm_1"]
  h = (h - run["mean"]) / np.sqrt(run["var"] + 1e-5) * bn["scale"] + bn["bias"]
  expected = np.where(h > 0, h, 0.2 * h)
  np.testing.assert_allclose(np.asarray(feats), expected, rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(np.asarray(logits), expected @ params["Dense_1"]["kernel"][:, 0]
                             + params["Dense_1"]["bias"][0], rtol=1e-4, atol=1e-5)
  # G: noise -> dense 24 -> the [2, 2, 4 * 2 * 2] projection of the 8x8 digits.
  generator = variables["params"]["generator"]
  assert generator["Dense_0"]["kernel"].shape == (4 + 10 + 2, 24)
  assert generator["Dense_1"]["kernel"].shape == (24, 2 * 2 * 16)


def test_generator_learning_rate_scales_g_and_q_first_adam_step(tmp_path):
  """Adam's first update is lr * sign(gradient) per entry: G and Q move by
  the generator rate, D by train.learning_rate."""
  config = infogan_config(steps=1, **{"model.generator_learning_rate": 1e-2,
                                      "train.learning_rate": 1e-3})
  start = Experiment(config, str(tmp_path / "start")).train_state.params
  train(config, str(tmp_path / "run"), progress=False)
  end = Experiment(config, str(tmp_path / "run")).train_state.params
  moved = {g: max(float(np.abs(np.asarray(b) - np.asarray(a)).max()) for a, b in
                  zip(jax.tree.leaves(start[g]), jax.tree.leaves(end[g])))
           for g in ("generator", "q_head", "discriminator")}
  assert moved["generator"] == pytest.approx(1e-2, rel=1e-3)
  assert moved["q_head"] == pytest.approx(1e-2, rel=1e-3)
  assert moved["discriminator"] == pytest.approx(1e-3, rel=1e-3)
