"""Class-conditional explicit models p(x | y): every invariant, for each label."""

import itertools

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from scipy import stats

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.models import make_recipe
from gen_jax.models.base import class_log_probs
from gen_jax.train import Experiment, train
from tests.helpers import randomize, tiny_config

NUM_CLASSES = 3
TINY = {
    "nade": dict(hidden=6),
    "pixelcnn": dict(features=6, num_blocks=2, first_kernel=3, out_features=12),
    "gated_pixelcnn": dict(features=6, num_layers=3, kernel=3, out_features=12),
}


def labelled_spec(shape, levels=2):
  encoding = "binary" if levels == 2 else "categorical"
  return DataSpec("tiny_labelled", shape, encoding, levels, num_classes=NUM_CLASSES)


def build(name, spec, seed=0, scale=1.0):
  config = ml_collections.ConfigDict({"name": name, "conditional": True, **TINY[name]})
  recipe = make_recipe(config, spec)
  variables = recipe.init(jax.random.PRNGKey(seed), None)
  variables["params"] = randomize(variables["params"], seed + 1, scale)
  return recipe, variables


def every_image(spec):
  levels = np.array(list(itertools.product(range(spec.num_levels), repeat=spec.num_dims)))
  dtype = jnp.float32 if spec.encoding == "binary" else jnp.int32
  return jnp.asarray(levels.reshape((-1,) + spec.event_shape), dtype)


def log_probs_given(recipe, variables, x, label):
  batch = {"x": x, "label": jnp.full((x.shape[0],), label, jnp.int32)}
  return jax.jit(recipe.log_prob)(variables, batch)


@pytest.mark.parametrize("name", sorted(TINY))
def test_normalized_for_every_label_and_the_label_matters(name):
  spec = labelled_spec((3, 3, 1))
  recipe, variables = build(name, spec, scale=0.7)
  x = every_image(spec)                                        # all 512 images
  per_label = [log_probs_given(recipe, variables, x, y) for y in range(NUM_CLASSES)]
  for log_p in per_label:
    assert float(jax.nn.logsumexp(log_p)) == pytest.approx(0.0, abs=1e-4)
  assert np.abs(np.asarray(per_label[0]) - np.asarray(per_label[1])).max() > 1e-2
  table = jax.jit(lambda v, b: class_log_probs(recipe, v, b))(variables, {"x": x})
  np.testing.assert_allclose(table, np.stack(per_label, 1), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(TINY))
def test_causal_for_every_label(name):
  spec = labelled_spec((3, 3, 1))
  recipe, variables = build(name, spec, scale=0.7)
  x0 = jnp.asarray(np.random.default_rng(0).integers(0, 2, (1, 3, 3, 1)), jnp.float32)
  for label in range(NUM_CLASSES):
    lab = jnp.full((1,), label, jnp.int32)

    def logits(x, lab=lab):
      if name == "nade":
        return recipe.logits(variables, x.reshape(1, -1), lab).reshape(-1)
      return recipe.logits(variables, x, lab).reshape(-1)

    jac = np.asarray(jax.jacrev(logits)(x0)).reshape(9, 9)    # [out i, in j]
    for i in range(9):
      assert np.all(jac[i, i:] == 0.0), (label, i, jac[i])


@pytest.mark.parametrize("name", sorted(TINY))
def test_samples_of_each_label_follow_its_log_prob(name):
  spec = labelled_spec((2, 2, 1))
  recipe, variables = build(name, spec, scale=0.6)
  x = every_image(spec)                                        # 16 states
  weights = 2 ** np.arange(4)[::-1]
  num = 20_000
  for label in (0, 2):
    probs = np.exp(np.asarray(log_probs_given(recipe, variables, x, label), np.float64))
    inputs = {"label": jnp.full((num,), label, jnp.int32)}
    samples = jax.jit(recipe.sample, static_argnums=2)(
        variables, jax.random.PRNGKey(label), num, inputs)
    index = np.asarray(samples).reshape(num, 4).astype(int) @ weights
    counts = np.bincount(index, minlength=16)
    expected = probs / probs.sum() * num
    keep = expected > 5
    assert keep.sum() >= 6, expected          # a test with room to fail
    _, p = stats.chisquare(counts[keep], expected[keep] * counts[keep].sum() / expected[keep].sum())
    assert p > 1e-3, (label, counts, expected)


def test_conditional_pixelcnn_cached_sampler_equals_the_scan_sampler():
  spec = labelled_spec((3, 3, 2), levels=3)
  recipe, variables = build("pixelcnn", spec, scale=0.5)
  inputs = {"label": jnp.array([0, 1, 2, 1], jnp.int32)}
  key = jax.random.PRNGKey(7)
  cached = recipe.sample_cached(variables, key, 4, inputs)
  scan = recipe.sample_scan(variables, key, 4, inputs)
  np.testing.assert_array_equal(cached, scan)


def test_conditional_needs_labelled_data():
  spec = DataSpec("unlabelled", (3, 3, 1), "binary", 2)
  for name in ("nade", "pixelcnn", "vae"):
    with pytest.raises(UserError, match="conditional=True needs"):
      make_recipe(ml_collections.ConfigDict({"name": name, "conditional": True}), spec)


def test_conditional_vae_trains_and_reads_the_label(tmp_path):
  config = tiny_config(model="vae", steps=3, **{
      "model.conditional": True, "model.latent_dim": 2, "model.hidden": (16,),
      "model.importance_samples": 4})
  result = train(config, str(tmp_path), progress=False)
  assert np.isfinite(result["nll_nats"])
  exp = Experiment(config, str(tmp_path))
  assert exp.recipe.sample_inputs == ("label",)
  x = jnp.asarray(exp.eval_source.get(np.arange(8))["x"])
  variables = exp.variables()
  table = class_log_probs(exp.recipe, variables, {"x": x}, jax.random.PRNGKey(0))
  assert table.shape == (8, 10) and np.all(np.isfinite(table))
  z = jnp.zeros((2, 2))
  outs = [exp.recipe.decode(variables["params"], z, jnp.full((2,), y)) for y in (0, 1)]
  assert np.abs(np.asarray(outs[0]) - np.asarray(outs[1])).max() > 0
