"""Class-conditional GAN: how each player reads the label, that the label is
learned, sampling from asked labels, the conditional metrics, resume."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gen_jax.data.sources import ArraySource
from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.eval import gan_metrics
from gen_jax.models import make_recipe
from gen_jax.nn.dcgan import (ConcatDiscriminator, LabelledGenerator, MLPDiscriminator,
                              ProjectionDiscriminator, GeneratorMLP)
from gen_jax.train import Experiment, train
from gen_jax.train.samples import draw
from tests.helpers import saved_state, tiny_config, with_overrides

X = jax.random.normal(jax.random.PRNGKey(0), (5, 4, 4, 1))
LABELS = jnp.array([0, 1, 2, 1, 0])


def test_projection_adds_the_label_embedding_dot_the_features():
  net = ProjectionDiscriminator(MLPDiscriminator((8,)), num_classes=3)
  params = net.init(jax.random.PRNGKey(1), X, LABELS)["params"]
  logits, feats = net.apply({"params": params}, X, LABELS)
  base_logits, base_feats = MLPDiscriminator((8,)).apply({"params": params["base"]}, X)
  embedding = params["Embed_0"]["embedding"]                    # [K, F]
  expected = base_logits + jnp.sum(embedding[LABELS] * base_feats, -1)
  np.testing.assert_allclose(logits, expected, rtol=1e-6)
  np.testing.assert_array_equal(feats, base_feats)


def test_concat_gives_the_base_one_hot_label_maps_beside_the_image():
  net = ConcatDiscriminator(MLPDiscriminator((8,)), num_classes=3)
  params = net.init(jax.random.PRNGKey(1), X, LABELS)["params"]
  logits, _ = net.apply({"params": params}, X, LABELS)
  maps = jnp.broadcast_to(jax.nn.one_hot(LABELS, 3)[:, None, None, :], (5, 4, 4, 3))
  expected, _ = MLPDiscriminator((8,)).apply({"params": params["base"]},
                                             jnp.concatenate([X, maps], -1))
  np.testing.assert_allclose(logits, expected, rtol=1e-6)


def test_the_generator_reads_z_beside_the_label_embedding():
  net = LabelledGenerator(GeneratorMLP((8,), 6), num_classes=3, embed_dim=2)
  z = jax.random.normal(jax.random.PRNGKey(2), (5, 4))
  params = net.init(jax.random.PRNGKey(3), z, LABELS)["params"]
  out = net.apply({"params": params}, z, LABELS)
  embedding = params["Embed_0"]["embedding"]
  expected = GeneratorMLP((8,), 6).apply({"params": params["base"]},
                                         jnp.concatenate([z, embedding[LABELS]], -1))
  np.testing.assert_allclose(out, expected, rtol=1e-6)


def ring_config(steps, **overrides):
  config = tiny_config(model="gan", steps=steps, **{
      "data.name": "ring8", "data.encoding": "float", "train.batch_size": 128,
      "train.learning_rate": 1e-3, "train.b1": 0.5, "eval.num_examples": 256,
      "checkpoint.every_steps": steps, "sample.num": 8})
  config.model.conditional = True
  config.model.conditioning = "concat"
  config.model.noise_dim = 2
  config.model.g_hidden = (64, 64)
  config.model.d_hidden = (64, 64)
  return with_overrides(config, overrides)


def nearest_mode_agreement(exp, num=800):
  """How often a sample drawn for label k lies nearest mode k."""
  labels = np.arange(num) % 8
  samples = draw(exp, num, inputs={"label": labels.astype(np.int32)})
  centres = np.asarray(exp.spec.mode_centres)
  nearest = np.argmin(((samples[:, None, :] - centres[None]) ** 2).sum(-1), -1)
  return float((nearest == labels).mean())


def test_a_conditional_gan_learns_to_draw_the_asked_mode(tmp_path):
  trained = ring_config(steps=600)
  train(trained, str(tmp_path / "trained"), progress=False)
  untrained = ring_config(steps=1)
  train(untrained, str(tmp_path / "untrained"), progress=False)
  before = nearest_mode_agreement(Experiment(untrained, str(tmp_path / "untrained")))
  after = nearest_mode_agreement(Experiment(trained, str(tmp_path / "trained")))
  assert before < 0.35 and after > before + 0.4, (before, after)


def test_conditional_gan_resume_equals_an_uninterrupted_run(tmp_path):
  full = ring_config(steps=6, **{"checkpoint.every_steps": 3, "train.ema_decay": 0.9})
  train(full, str(tmp_path / "full"), progress=False)
  half = ring_config(steps=3, **{"checkpoint.every_steps": 3, "train.ema_decay": 0.9})
  train(half, str(tmp_path / "resumed"), progress=False)
  train(full, str(tmp_path / "resumed"), progress=False)
  exp = Experiment(full, str(tmp_path / "full"))
  ours, theirs = jax.device_get(exp.train_state), saved_state(exp, tmp_path / "resumed")
  chex.assert_trees_all_equal(ours.params, theirs.params)
  chex.assert_trees_all_equal(ours.ema_params, theirs.ema_params)


def digits_spec():
  return DataSpec(name="tiny_digits", event_shape=(8, 8, 1), encoding="float",
                  num_levels=None, num_classes=10)


@pytest.mark.parametrize("overrides,message", [
    ({"conditioning": "film"}, "conditioning='film' is not one of"),
])
def test_bad_conditioning_is_a_clear_error(overrides, message):
  config = tiny_config(model="dcgan").model
  config.conditional = True
  config.update(overrides)
  with pytest.raises(UserError, match=message):
    make_recipe(config, digits_spec())


def test_infogan_refuses_labels_and_points_to_conditional_dcgan():
  config = tiny_config(model="infogan").model
  config.conditional = True
  with pytest.raises(UserError, match="model 'dcgan' with --config.model.conditional"):
    make_recipe(config, digits_spec())


class _ScriptedClassifier:
  """Predicts class 0 for every image: conditioning accuracy is exactly 1/K."""
  name = "scripted"

  def predict(self, images):
    return np.zeros(len(images), np.int64)

  def logits_and_features(self, images):
    flat = np.asarray(images, np.float64).reshape(len(images), -1)
    return None, flat[:, :3]


def test_conditional_metrics_score_the_asked_class_and_the_classwise_distance():
  rng = np.random.default_rng(0)
  spec = DataSpec(name="toy", event_shape=(2, 2, 1), encoding="float", num_levels=None,
                  num_classes=4)
  make = lambda n: ArraySource({"x": rng.random((n, 2, 2, 1)).astype(np.float32),
                               "label": (np.arange(n) % 4).astype(np.int32)})
  train_source, test_source = make(400), make(200)
  cache = {"classifier": _ScriptedClassifier()}
  copy_test = lambda key, num: test_source.arrays["x"][:num]   # sample i has label i % 4
  out = gan_metrics.conditional_metrics(spec, copy_test, jax.random.PRNGKey(0), 200,
                                        train_source, test_source, cache)
  assert out["scripted_conditioning_accuracy"] == pytest.approx(0.25)
  assert out["scripted_conditioning_accuracy_real_test"] == pytest.approx(0.25)
  # The sampler returns the test images themselves: distance equals the floor.
  assert out["scripted_classwise_frechet"] == pytest.approx(
      out["scripted_classwise_frechet_real_floor"])
  shifted = lambda key, num: test_source.arrays["x"][:num] + 1.0
  far = gan_metrics.conditional_metrics(spec, shifted, jax.random.PRNGKey(0), 200,
                                        train_source, test_source, cache)
  # Moving every feature by d = 1 adds |d|^2 + 2 d.(mu_sample - mu_train) per
  # class (the covariance terms are unchanged): an exact identity.
  feats = lambda src: src.arrays["x"].reshape(len(src), -1)[:, :3].astype(np.float64)
  gap = np.mean([3.0 + 2.0 * np.sum(feats(test_source)[test_source.arrays["label"] == k].mean(0)
                                    - feats(train_source)[train_source.arrays["label"] == k].mean(0))
                 for k in range(4)])
  assert far["scripted_classwise_frechet"] == pytest.approx(
      out["scripted_classwise_frechet"] + gap, rel=1e-6)
