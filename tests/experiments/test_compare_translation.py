"""experiments.compare_translation: StarGAN and a pairwise CycleGAN scored on
the same test digits, checked against translations computed here."""

import dataclasses
import importlib
import json
import os
import types

import ml_collections
import numpy as np
import pytest

from experiments import compare_translation as ct
from experiments import translate
from experiments.translate import restore
from gen_jax.data import attribute_digits as ad
from gen_jax.errors import UserError
from gen_jax.eval.attribute_translation import l1_per_image
from gen_jax.eval.translation import translate_in_chunks
from gen_jax.train import train
from tests.helpers import with_overrides
from tests.models.test_stargan import stargan_config

NUM = 40


def cyclegan_config():
  """The attribute-domain CycleGAN config at 8x8 with tiny networks, 2 steps."""
  config = importlib.import_module("experiments.configs.cyclegan_mnist_attributes").get_config()
  for source in config.data.sources.values():
    source.image_size = 8
  config.evals = ml_collections.ConfigDict()       # no classifier metrics
  return with_overrides(config, {
      "model.g_features": 4, "model.num_blocks": 1, "model.d_features": 4,
      "model.d_layers": 1, "model.pool_size": 4,
      "train.num_steps": 2, "train.log_every_steps": 1, "eval.every_steps": 2,
      "eval.batch_size": NUM, "eval.num_examples": NUM, "checkpoint.every_steps": 2,
      "sample.every_steps": 2, "sample.num": 4})


@pytest.fixture(scope="module")
def workdirs(tmp_path_factory):
  cyclegan = str(tmp_path_factory.mktemp("cyclegan_attributes"))
  stargan = str(tmp_path_factory.mktemp("stargan_attributes"))
  train(cyclegan_config(), cyclegan, progress=False)
  train(stargan_config(steps=2), stargan, progress=False)
  return cyclegan, stargan


def test_both_models_are_scored_on_the_same_digits_as_computed_by_hand(workdirs):
  cyclegan_dir, stargan_dir = workdirs
  result = ct.compare(cyclegan_dir, stargan_dir, limit=NUM, classifier_steps=5)
  assert result["domains"] == {"a": {"colour": 0, "thickness": 0, "background": 0},
                               "b": {"colour": 2, "thickness": 1, "background": 1}}
  cyclegan, stargan = restore(cyclegan_dir), restore(stargan_dir)
  rows = {s: cyclegan.eval_source[s].get(np.arange(NUM)) for s in ("a", "b")}
  domain = {s: {k: np.full(NUM, v, np.int32) for k, v in result["domains"][s].items()}
            for s in ("a", "b")}
  for source, target in (("a", "b"), ("b", "a")):
    truth = ad.translation_truth(rows[source], domain[target])
    to_target = np.full((NUM, 1), "ab".index(target), np.int32)        # 1: to b, 0: to a
    by_cyclegan = translate_in_chunks(cyclegan.recipe, cyclegan.variables(),
                                      rows[source]["x"], to_target)
    goal = np.stack([domain[target][a] for a in ("colour", "thickness", "background")], -1)
    by_stargan = translate_in_chunks(stargan.recipe, stargan.variables(), rows[source]["x"],
                                     goal)
    for model, images in (("CycleGAN", by_cyclegan), ("StarGAN", by_stargan)):
      got = result["models"][model]["directions"][f"{source} -> {target}"]
      np.testing.assert_allclose(got["l1_to_truth"], l1_per_image(images, truth).mean(),
                                 rtol=1e-6)
      assert got["num_examples"] == NUM
      # The untranslated input is a whole domain away from the truth.
      np.testing.assert_allclose(got["l1_untranslated"],
                                 l1_per_image(rows[source]["x"], truth).mean(), rtol=1e-6)
      assert 0.0 <= got["digit_preservation"] <= 1.0
  # Parameter counts: every leaf, and the generators' alone.
  with open(os.path.join(cyclegan_dir, "metrics.jsonl"), encoding="utf-8") as f:
    info = json.loads(f.readline())
  assert result["models"]["CycleGAN"]["parameters"] == info["num_parameters"]
  assert 0 < result["models"]["CycleGAN"]["generator_parameters"] < info["num_parameters"]
  assert "| CycleGAN | b -> a |" in ct.table(result)


def test_workdirs_of_the_wrong_kind_or_size_are_one_message(workdirs, monkeypatch):
  cyclegan_dir, stargan_dir = workdirs
  with pytest.raises(UserError, match="--cyclegan holds a 'stargan' model"):
    ct.compare(stargan_dir, stargan_dir, limit=NUM, classifier_steps=5)
  # A StarGAN of another image size (its spec replaced after the restore).
  real_restore = translate.restore

  def restore_at_16(workdir):
    exp = real_restore(workdir)
    if workdir == stargan_dir:
      exp.spec = dataclasses.replace(exp.spec, event_shape=(16, 16, 3))
    return exp
  monkeypatch.setattr(translate, "restore", restore_at_16)
  with pytest.raises(UserError, match=r"--stargan translates \(16, 16, 3\) images and "
                     r"--cyclegan \(8, 8, 3\)"):
    ct.compare(cyclegan_dir, stargan_dir, limit=NUM, classifier_steps=5)
  digits = types.SimpleNamespace(config=types.SimpleNamespace(data={
      "sources": {"a": {"name": "mnist_small"}, "b": {"name": "digits"}}}))
  with pytest.raises(UserError, match="not trained on two attribute_digits domains"):
    ct.cyclegan_domains(digits, "W")
  partial = types.SimpleNamespace(config=types.SimpleNamespace(data={"sources": {
      name: {"name": "attribute_digits", "domain": "colour=red,thickness=thin"}
      for name in ("a", "b")}}))
  assert ct.cyclegan_domains(partial, "W") == {"a": (0, 0, -1), "b": (0, 0, -1)}
