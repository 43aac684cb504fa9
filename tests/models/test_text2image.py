"""Text-to-image GAN: the GAN-CLS and GAN-INT terms against references, the
text encoder, sampling from sentences, caption accuracy (the "captions"
evaluator), determinism and resume."""

import os

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.sample import parse_captions
from gen_jax.data import captions as cap
from gen_jax.data.sources import ArraySource
from gen_jax.data.spec import DataSpec, Feature
from gen_jax.errors import UserError
from gen_jax.eval import captions as caption_eval
from gen_jax.eval.evaluator import SAMPLE_KEY, EvalData
from gen_jax.models import make_recipe
from gen_jax.models import text2image as t2i
from gen_jax.nn.text2image import BagOfWords, TextEncoder
from gen_jax.train import Experiment, train
from gen_jax.train.samples import draw, write_samples
from tests.helpers import saved_state, tiny_config, with_overrides


def log_sigmoid(x):
  return np.log(1.0 / (1.0 + np.exp(-np.asarray(x, np.float64))))


def test_gan_cls_discriminator_loss_matches_a_reference():
  real, mismatch, fake = np.array([2.0, -1.0]), np.array([0.5, 3.0]), np.array([-2.0, 1.5])
  expected = np.mean([-(log_sigmoid(real[i]) + 0.5 * (np.log(1 - 1 / (1 + np.exp(-mismatch[i])))
                                                     + np.log(1 - 1 / (1 + np.exp(-fake[i])))))
                      for i in range(2)])
  got = t2i.gan_cls_discriminator_loss(jnp.asarray(real), jnp.asarray(mismatch),
                                       jnp.asarray(fake))
  np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_interpolation_mixes_each_embedding_with_the_previous_row():
  text = jnp.arange(6.0).reshape(3, 2)
  np.testing.assert_allclose(t2i.interpolate(text, 0.5),
                             [[2.0, 3.0], [1.0, 2.0], [3.0, 4.0]])
  np.testing.assert_allclose(t2i.interpolate(text, 1.0), text)


def test_the_encoder_reads_the_words_before_the_padding_only():
  net = TextEncoder(vocab_size=9, embed_dim=4, hidden=5)
  ids = jnp.array([[3, 1, 4, 0, 0, 0], [2, 7, 1, 8, 2, 8]])
  params = net.init(jax.random.PRNGKey(0), ids)["params"]
  full = net.apply({"params": params}, ids)
  short = net.apply({"params": params}, ids[:1, :3])
  np.testing.assert_allclose(full[0], short[0], rtol=1e-5, atol=1e-6)
  assert not np.allclose(full[0], full[1])


def test_bag_of_words_counts_each_word_and_ignores_padding():
  ids = jnp.array([[3, 1, 3, 0, 0], [2, 0, 0, 0, 0]])
  words = BagOfWords(vocab_size=5).apply({}, ids)                      # [2, 4]
  np.testing.assert_allclose(words, [[1 / 3, 0, 2 / 3, 0], [0, 1, 0, 0]])
  recipe = toy_recipe(text_encoder="bag_of_words")
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), toy_batch())
  assert variables["params"]["text_encoder"] == {}
  with pytest.raises(UserError, match="text_encoder='bert' is not one of"):
    toy_recipe(text_encoder="bert")


def test_one_of_the_present_captions_is_picked():
  captions = jnp.array([[[1, 2], [0, 0], [3, 0]]] * 64)          # [B, C=3, L=2]
  picked = t2i.pick_captions(captions, jax.random.PRNGKey(0))
  firsts = set(np.asarray(picked[:, 0]).tolist())
  assert firsts == {1, 3}


VOCAB = cap.grammar_vocabulary()


def caption_spec(size=8):
  return DataSpec(name="toy_captions", event_shape=(size, size, 3), encoding="float",
                  num_levels=None, features=(
                      Feature("captions", (2, 12), "int32", len(VOCAB) + 1, VOCAB),))


def toy_recipe(**model):
  config = tiny_config(model="text2image").model
  config.update(dict(features=4, noise_dim=3, word_dim=4, text_dim=6, compressed_dim=5,
                     **model))
  return make_recipe(config, caption_spec())


def toy_batch(n=4):
  texts = ["a thin green two on black", "a thick red seven on a white background",
           "the digit one in bold blue strokes over dark", "a fine yellow nine on bright"]
  ids = np.stack([cap.tokenize(t, VOCAB, 12) for t in texts[:n]])
  x = np.random.default_rng(0).random((n, 8, 8, 3)).astype(np.float32)
  return {"x": x, "captions": np.stack([ids, np.roll(ids, 1, 0)], 1)}


def test_d_scores_matching_as_real_and_mismatched_and_fake_as_fake():
  recipe = toy_recipe()
  batch = toy_batch()
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
  calls = []
  score = recipe.discriminate

  def spy(params, state, x, texts, train):
    out = score(params, state, x, texts, train)
    calls.append((texts, out[0][0]))
    return out
  recipe.discriminate = spy
  loss, _ = recipe._d_loss(variables["params"], variables["state"], batch,
                           jax.random.PRNGKey(1), 0)
  (real_texts, real_logits), (fake_texts, fake_logits) = calls
  np.testing.assert_array_equal(real_texts[1], jnp.roll(real_texts[0], 1, axis=0))
  np.testing.assert_array_equal(fake_texts[0], real_texts[0])
  np.testing.assert_allclose(loss, t2i.gan_cls_discriminator_loss(
      real_logits[0], real_logits[1], fake_logits[0]), rtol=1e-6)


def test_the_projection_discriminator_adds_the_text_projection_to_the_image_logit():
  recipe = toy_recipe(discriminator="projection", d_batch_norm=False)
  batch = toy_batch()
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
  params, state = variables["params"], variables["state"]
  text = recipe.encode(params, jnp.asarray(batch["captions"][:, 0]))          # [B, E]
  texts = jnp.stack([text, jnp.roll(text, 1, axis=0)])                        # [2, B, E]
  x = recipe.spec.to_model(batch["x"])
  (logits, feats, realism), _ = recipe.discriminate(params, state, x, texts, False)
  d = params["discriminator"]
  base, _ = recipe.discriminator.base.apply({"params": d["base"]}, x, train=False)
  compress = d["compress"]
  code = np.asarray(texts) @ np.asarray(compress["kernel"]) + np.asarray(compress["bias"])
  code = np.where(code > 0, code, 0.2 * code)                                 # LeakyReLU
  projected = code @ np.asarray(d["project"]["kernel"])                       # [2, B, F]
  expected = np.asarray(base) + np.sum(projected * np.asarray(feats), -1)
  np.testing.assert_allclose(realism, base, rtol=1e-6)
  np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-5)
  assert not np.allclose(logits[0], logits[1])                 # the text matters
  with pytest.raises(UserError, match="discriminator='patch' is not one of"):
    toy_recipe(discriminator="patch")


def test_option_mistakes_are_one_message_each():
  with pytest.raises(UserError, match="interpolation_weight='half' must be a number"):
    toy_recipe(interpolation_weight="half")
  with pytest.raises(UserError, match="interpolation_weight=-1.0 must be >= 0"):
    toy_recipe(interpolation_weight=-1.0)
  with pytest.raises(UserError, match="d_batch_norm='no' must be True or False"):
    toy_recipe(d_batch_norm="no")
  for removed in ("text_loss", "unconditional_weight", "d_norm", "num_metric_samples"):
    with pytest.raises(UserError, match=f"does not read --config.model.{removed}"):
      toy_recipe(**{removed: 0})


def test_the_generator_loss_adds_the_interpolation_term_by_its_weight():
  batch = toy_batch()
  losses = {}
  for weight in (1.0, 2.0):
    recipe = toy_recipe(interpolation_weight=weight)
    variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
    losses[weight], (metrics, _) = recipe._g_loss(variables["params"], variables["state"],
                                                  batch, jax.random.PRNGKey(2), 0)
  np.testing.assert_allclose(losses[2.0] - losses[1.0], metrics["g_interpolation"],
                             rtol=1e-5)


def test_sampling_reads_the_caption_and_is_deterministic():
  recipe = toy_recipe()
  batch = toy_batch()
  variables = jax.jit(recipe.init)(jax.random.PRNGKey(0), batch)
  key = jax.random.PRNGKey(3)
  one = recipe.sample(variables, key, 4, {"caption": batch["captions"][:, 0]})
  np.testing.assert_array_equal(one, recipe.sample(variables, key, 4,
                                                   {"captions": batch["captions"]}))
  other = recipe.sample(variables, key, 4, {"caption": batch["captions"][:, 1]})
  assert one.shape == (4, 8, 8, 3) and not np.allclose(one, other)


class _Stub:
  config = {"name": "text2image"}

  def __init__(self, spec):
    self.spec = spec


def test_caption_flag_tokenizes_and_names_unknown_words():
  stub = _Stub(caption_spec())
  inputs = parse_captions(["a thin green two", "seven, drawn in red"], stub, per_caption=3)
  assert inputs["caption"].shape == (6, 12)
  assert cap.detokenize(inputs["caption"][3], VOCAB) == "seven , drawn in red"
  with pytest.raises(UserError, match="vocabulary: 'purple'"):
    parse_captions(["a thin purple two"], stub)
  with pytest.raises(UserError, match="does not draw from sentences"):
    parse_captions(["a thin green two"], _Stub(DataSpec(
        name="digits", event_shape=(8, 8, 1), encoding="float", num_levels=None)))


class _Oracle:
  """Reads an attribute back from the image's first pixel (written below)."""
  name = "oracle"

  def __init__(self, channel):
    self.channel = channel

  def predict(self, images):
    return np.round(images[:, 0, 0, self.channel] * 10).astype(np.int64)

  def logits_and_features(self, images):
    return None, images.reshape(len(images), -1)[:, :3].astype(np.float64)


def oracle_data():
  """(spec, images [40, 2, 2, 3], source): each row's caption names the row;
  the image's first pixel holds its digit and colour (read by `_Oracle`);
  rows 0-9 are held out, rows 36-39 the classifiers' own."""
  rng = np.random.default_rng(0)
  n = 40
  rows = {"digit": rng.integers(0, 10, n), "colour": rng.integers(0, 4, n),
          "held_out": (np.arange(n) < 10).astype(np.int32),
          "evaluator": (np.arange(n) >= 36).astype(np.int32),
          "captions": np.zeros((n, 1, 3), np.int32)}
  x = np.zeros((n, 2, 2, 3), np.float32)
  x[:, 0, 0, 0], x[:, 0, 0, 1] = rows["digit"] / 10, rows["colour"] / 10
  rows["captions"][:, 0, 0] = np.arange(n)          # the caption names the row
  rows["x"] = x
  spec = DataSpec(name="toy", event_shape=(2, 2, 3), encoding="float", num_levels=None,
                  features=(Feature("digit", (), "int32", 10), Feature("colour", (), "int32", 4),
                            Feature("held_out", (), "int32", 2),
                            Feature("evaluator", (), "int32", 2)))
  return spec, x, ArraySource(rows)


def oracles():
  return {"classifiers": {"digit": _Oracle(0), "colour": _Oracle(1)}}


def test_caption_accuracy_counts_captions_whose_every_attribute_is_drawn():
  spec, x, source = oracle_data()
  n = len(x)
  cache = oracles()
  exact = lambda key, captions: x[captions[:, 0]]
  out = caption_eval.caption_metrics(spec, exact, jax.random.PRNGKey(0), n, source,
                                     source, cache)
  assert out["caption_accuracy"] == out["caption_accuracy_held_out"] == 1.0
  assert out["real_caption_accuracy"] == 1.0
  assert out["caption_num_held_out"] == 10 and out["caption_num_seen"] == 26
  assert out["oracle_digit_frechet"] == pytest.approx(out["oracle_digit_frechet_real_floor"])
  wrong_colour = lambda key, captions: np.concatenate(
      [x[captions[:, 0]][..., :1], (x[captions[:, 0]][..., 1:2] + 0.1) % 0.4,
       x[captions[:, 0]][..., 2:]], -1)
  out = caption_eval.caption_metrics(spec, wrong_colour, jax.random.PRNGKey(0), n, source,
                                     source, cache)
  assert out["caption_digit_accuracy"] == 1.0 and out["caption_colour_accuracy"] == 0.0
  assert out["caption_accuracy"] == 0.0


class _Drawer:
  """A stand-in model that draws the image of the row its caption names."""
  sample_inputs = ("captions",)

  def __init__(self, images):
    self.images = jnp.asarray(images)

  def sample(self, variables, rng, num, inputs=None):
    del variables, rng
    assert inputs["captions"].shape == (num, 1, 3)
    return self.images[inputs["captions"][:, 0, 0]]


def test_the_captions_evaluator_draws_each_rows_first_caption_through_sample():
  spec, x, source = oracle_data()
  block = tiny_config(model="text2image").evals
  block.captions = dict(num_examples=30, classifier_steps=5)
  evaluator = caption_eval.CaptionAccuracy.from_config("captions", block.captions, spec)
  evaluator.cache.update(oracles())
  data = EvalData(train=source, split=source, means=None)
  key = jax.random.PRNGKey(0)
  out = evaluator(_Drawer(x), {}, key, data)
  exact = lambda rng, captions: x[captions[:, 0]]
  assert out == caption_eval.caption_metrics(spec, exact, jax.random.fold_in(key, SAMPLE_KEY),
                                             30, source, source, oracles())
  assert out["caption_accuracy"] == 1.0
  assert out["caption_num_held_out"] == 10 and out["caption_num_seen"] == 20
  labels_only = _Drawer(x)
  labels_only.sample_inputs = ("label",)
  with pytest.raises(UserError, match="needs a model that draws from captions"):
    evaluator(labels_only, {}, key, data)


# ------------------------------------------------------------- training runs


def digits_config(steps, **overrides):
  config = tiny_config(model="text2image", steps=steps, **{
      "data.name": "attribute_digits", "data.encoding": "float", "data.image_size": 8,
      "train.batch_size": 8, "train.ema_decay": 0.9, "eval.num_examples": 16,
      "eval.batch_size": 8, "checkpoint.every_steps": 100, "sample.num": 4})
  config.model.update(dict(features=4, noise_dim=4, word_dim=4, text_dim=8,
                           compressed_dim=8))
  return with_overrides(config, overrides)


def test_text2image_resume_equals_an_uninterrupted_run(tmp_path):
  # The projection D with batch norm: its running statistics are state that
  # the checkpoint must carry (the paper's D is tested elsewhere).
  players = {"model.discriminator": "projection", "model.d_batch_norm": True}
  full = digits_config(steps=4, **players)
  train(full, str(tmp_path / "full"), progress=False)
  train(digits_config(steps=2, **players), str(tmp_path / "resumed"), progress=False)
  train(full, str(tmp_path / "resumed"), progress=False)
  exp = Experiment(full, str(tmp_path / "full"))
  ours, theirs = jax.device_get(exp.train_state), saved_state(exp, tmp_path / "resumed")
  chex.assert_trees_all_equal(ours.params, theirs.params)
  chex.assert_trees_all_equal(ours.ema_params, theirs.ema_params)
  chex.assert_trees_all_equal(ours.state, theirs.state)
  paths = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(ours.state)]
  assert any("discriminator" in p and "batch_stats" in p for p in paths), paths
  for name in ("caption_z", "same_z", "interpolation"):
    assert os.path.exists(tmp_path / "full" / "samples" / f"{name}_step_4.png"), name
  path = write_samples(exp, str(tmp_path / "drawn.png"),
                           inputs=parse_captions(["a thin green two"], exp.recipe))
  assert os.path.exists(path)
  again = draw(exp, 8, inputs=parse_captions(["a thin green two"], exp.recipe))
  np.testing.assert_array_equal(again, draw(exp,
      8, inputs=parse_captions(["a thin green two"], exp.recipe)))
