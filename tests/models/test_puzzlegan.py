"""Puzzle-GAN: key-patch selection, true masks, IoU, the shared part encoder,
losses by hand, determinism, resume, the "puzzle" evaluator, configs and the
--patches_from path."""

import importlib
import os

import chex
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.eval import puzzle_metrics
from gen_jax.eval.evaluator import SAMPLE_KEY, EvalData
from gen_jax.losses import spatial_loss
from gen_jax.models import make_recipe
from gen_jax.models.base import Completer
from gen_jax.models.puzzlegan import appearance_loss, check_patch_layout, composites
from gen_jax.nn.puzzle import (KeyPatches, PartEncoder, PuzzleGenerator, crop_patches, fixed_mask,
                               mask_iou, paste_patches, patch_mask, select_windows,
                               window_variance)
from gen_jax.pictures import read_picture
from gen_jax.train import Experiment, train
from gen_jax.train.samples import draw, write_samples
from tests.helpers import read_metrics, saved_state, with_overrides

TINY = {"model.features": 4, "model.d_features": 4, "model.embed_dim": 8,
        "model.noise_dim": 4, "evals": ml_collections.ConfigDict(), "train.num_steps": 4,
        "train.batch_size": 16, "train.log_every_steps": 2, "eval.every_steps": 4,
        "eval.batch_size": 64, "eval.num_examples": 64, "checkpoint.every_steps": 2,
        "sample.every_steps": 4, "sample.num": 4}


def spec(shape=(6, 6, 1), encoding="float", num_classes=None):
  return DataSpec(name="tiny", event_shape=shape, encoding=encoding,
                  num_levels=2 if encoding == "binary" else None, num_classes=num_classes)


def recipe_for(shape=(6, 6, 1), **model):
  config = ml_collections.ConfigDict({"name": "puzzlegan", "num_patches": 2, "patch_size": 2,
                                      "features": 4, "d_features": 4, "embed_dim": 8,
                                      "noise_dim": 3, **model})
  return make_recipe(config, spec(shape))


def digits_config(**overrides):
  config = importlib.import_module("experiments.configs.puzzlegan_digits").get_config()
  return with_overrides(config, {**TINY, **overrides})


# ------------------------------------------------------------ key patches


def constructed_image():
  """8x8: checkerboards of amplitude 1 at (0, 0), 0.6 at (4, 4), 0.3 at (0, 5)."""
  x = np.zeros((8, 8), np.float32)
  for (r, c), a in (((0, 0), 1.0), ((4, 4), 0.6), ((0, 5), 0.3)):
    x[r, c] = x[r + 1, c + 1] = a
  return x[None, :, :, None]


def test_the_highest_variance_windows_are_chosen_without_overlap():
  x = constructed_image()
  scores = window_variance(x, 2)
  brute = np.array([[x[0, r:r + 2, c:c + 2].var() for c in range(7)] for r in range(7)])
  np.testing.assert_allclose(scores[0], brute, atol=1e-6)
  # (1, 1) scores 0.1875 > 0.09 at (4, 4) but overlaps the first pick.
  corners = select_windows(scores, 3, 2)
  np.testing.assert_array_equal(corners[0], [[0, 0], [4, 4], [0, 5]])


def test_selected_windows_never_overlap():
  x = jax.random.uniform(jax.random.PRNGKey(0), (20, 12, 12, 1))
  for size, num in ((3, 4), (4, 2)):
    corners = np.asarray(select_windows(window_variance(x, size), num, size))
    for b in range(20):
      for i in range(num):
        for j in range(i):
          dr, dc = np.abs(corners[b, i] - corners[b, j])
          assert dr >= size or dc >= size


def test_a_layout_that_may_not_fit_is_a_clear_error():
  check_patch_layout(8, 8, 3, 2)
  with pytest.raises(UserError, match="may not fit"):
    check_patch_layout(8, 8, 3, 3)
  with pytest.raises(UserError, match="patch_size=9"):
    recipe_for(patch_size=9)
  with pytest.raises(UserError, match="shuffled_negatives='False' must be True or False"):
    recipe_for(shuffled_negatives="False")     # a string would have read as True


def test_true_mask_crops_and_paste():
  corners = jnp.array([[[0, 0], [3, 4]]])
  expected = np.zeros((6, 6), np.float32)
  expected[0:2, 0:2] = expected[3:5, 4:6] = 1
  np.testing.assert_array_equal(patch_mask(corners, 2, 6, 6)[0, ..., 0], expected)
  x = jnp.arange(36.0).reshape(1, 6, 6, 1)
  patches = crop_patches(x, corners, 2)
  np.testing.assert_array_equal(patches[0, 1, ..., 0], [[22, 23], [28, 29]])
  pasted = paste_patches(jnp.zeros_like(x), patches, corners)
  np.testing.assert_array_equal(pasted, x * expected[None, :, :, None])


def test_mask_iou_by_hand():
  pred = np.zeros((2, 4, 4, 1), np.float32)
  true = np.zeros((2, 4, 4, 1), np.float32)
  pred[0, 0:2, 0:3] = 0.9       # 6 pixels
  true[0, 0:2, 1:4] = 1.0       # 6 pixels, 4 shared: IoU 4 / 8
  pred[1, 3, 3] = 0.4           # below 1/2: empty prediction, IoU 0
  true[1, 0, 0] = 1.0
  for fn in (mask_iou, puzzle_metrics.mask_iou):
    np.testing.assert_allclose(np.asarray(fn(pred, true)), [0.5, 0.0])


def test_the_fixed_mask_is_the_best_input_independent_guess():
  a = np.zeros((4, 4, 1), np.float32)
  b = np.zeros((4, 4, 1), np.float32)
  a[:2, :2], b[2:, 2:] = 1, 1                      # disjoint, 4 pixels each
  np.testing.assert_array_equal(fixed_mask(np.stack([a] * 5)), a)
  # A in 7 of 10 images: A alone scores 0.7 mean IoU, the union A | B 0.5,
  # B alone 0.3, so A is the answer.
  np.testing.assert_array_equal(fixed_mask(np.stack([a] * 7 + [b] * 3)), a)
  np.testing.assert_array_equal(fixed_mask(np.stack([a] * 3 + [b] * 7)), b)


# ----------------------------------------------------------- the networks


def test_one_part_encoder_for_every_patch_and_order_does_not_matter():
  net = PuzzleGenerator((8, 8, 1), features=4, embed_dim=5)
  patches = jax.random.normal(jax.random.PRNGKey(1), (2, 3, 2, 2, 1))
  z = jax.random.normal(jax.random.PRNGKey(2), (2, 4))
  params = net.init(jax.random.PRNGKey(3), patches, z)["params"]
  assert "part_encoder" in params and not any(k.startswith("PartEncoder") for k in params)
  each = [PartEncoder(4, 5).apply({"params": params["part_encoder"]}, patches[:, k])
          for k in range(3)]
  np.testing.assert_allclose(net.apply({"params": params}, patches, method=net.encode),
                             sum(each), rtol=1e-5, atol=1e-6)
  image, mask = net.apply({"params": params}, patches, z)
  image2, mask2 = net.apply({"params": params}, patches[:, ::-1], z)
  assert image.shape == (2, 8, 8, 1) and mask.shape == (2, 8, 8, 1)
  np.testing.assert_allclose(image, image2, atol=1e-5)
  np.testing.assert_allclose(mask, mask2, atol=1e-5)


# ---------------------------------------------------------------- losses


def test_spatial_and_appearance_losses_by_hand():
  logits = np.array([[0.0, 2.0], [-1.0, 3.0]]).reshape(1, 2, 2, 1)
  true = np.array([[1.0, 0.0], [0.0, 1.0]]).reshape(1, 2, 2, 1)
  p = 1 / (1 + np.exp(-logits))
  bce = -np.mean(true * np.log(p) + (1 - true) * np.log(1 - p))
  assert float(spatial_loss(logits, true, "bce")) == pytest.approx(bce, rel=1e-5)
  assert float(spatial_loss(logits, true, "l1")) == pytest.approx(np.abs(p - true).mean(), rel=1e-5)
  fake = np.array([[0.5, -1.0], [1.0, 0.0]]).reshape(1, 2, 2, 1)
  real = np.array([[-0.5, 1.0], [0.2, 0.8]]).reshape(1, 2, 2, 1)
  assert float(appearance_loss(fake, logits, real, true)) == pytest.approx(
      np.abs(fake * p - real * true).mean(), rel=1e-5)
  # Without its gradient into the mask the value is the same, the mask
  # gradient is zero and the image gradient unchanged.
  grads = {flag: jax.grad(appearance_loss, (0, 1))(jnp.asarray(fake), jnp.asarray(logits),
                                                     real, true, flag)
           for flag in (True, False)}
  assert float(appearance_loss(fake, logits, real, true, False)) == pytest.approx(
      np.abs(fake * p - real * true).mean(), rel=1e-5)
  assert np.abs(grads[True][1]).sum() > 0 and np.all(grads[False][1] == 0)
  np.testing.assert_allclose(grads[False][0], grads[True][0])


def stub_nets(recipe):
  """G: image s * (mean patch value) everywhere, mask logits m; D: w * mean(x)."""
  def generate(params, patches, rng):
    b = patches.shape[0]
    level = patches.mean((1, 2, 3, 4))[:, None, None, None]
    return (params["generator"]["s"] * jnp.ones((b, 6, 6, 1)) * level,
            params["generator"]["m"] * jnp.ones((b, 6, 6, 1)))
  recipe.generate = generate
  recipe.discriminate = lambda params, x: params["discriminator"]["w"] * x.mean((1, 2, 3))
  return {"generator": {"s": 0.7, "m": 0.4}, "discriminator": {"w": 1.5}}


def test_phase_losses_against_a_reference_computation():
  recipe = recipe_for()
  params = stub_nets(recipe)
  x = np.asarray(jax.random.uniform(jax.random.PRNGKey(4), (3, 6, 6, 1)))
  batch, rng = {"x": x}, jax.random.PRNGKey(5)
  real = 2 * x - 1
  patches, true, _ = (np.asarray(a) for a in recipe.puzzle(jnp.asarray(real), rng))
  fake = 0.7 * patches.mean((1, 2, 3, 4))[:, None, None, None] * np.ones_like(real)
  d = lambda v: 1.5 * v.mean((1, 2, 3))
  log_sig = lambda v: -np.log1p(np.exp(-v))
  other = np.roll(real, 1, 0)
  swaps = (other * true + real * (1 - true), real * true + other * (1 - true))
  expected_d = (-log_sig(d(real)).mean() - log_sig(-d(fake)).mean()
                - sum(log_sig(-d(s)).mean() for s in swaps))
  d_loss, _ = recipe._d_loss(params, {}, batch, rng, 0)
  assert float(d_loss) == pytest.approx(expected_d, rel=1e-5)
  p = 1 / (1 + np.exp(-0.4))
  expected_g = (-log_sig(d(fake)).mean()
                - np.mean(true * np.log(p) + (1 - true) * np.log(1 - p))
                + np.abs(fake * p - real * true).mean())
  g_loss, (terms, _) = recipe._g_loss(params, {}, batch, rng, 0)
  assert float(g_loss) == pytest.approx(expected_g, rel=1e-5)
  assert set(terms) == {"adversarial", "spatial", "appearance"}
  np.testing.assert_allclose(composites(jnp.asarray(real), jnp.asarray(true))[0], swaps[0],
                             atol=1e-6)


def test_random_selection_follows_the_key():
  recipe = recipe_for(selection="random")
  assert recipe.key_patches == KeyPatches(2, 2, "random")
  x = jnp.zeros((4, 6, 6, 1))
  a, b = (recipe.corners(x, jax.random.PRNGKey(k)) for k in (0, 1))
  np.testing.assert_array_equal(a, recipe.corners(x, jax.random.PRNGKey(0)))
  assert not np.array_equal(a, b)


def test_the_patch_size_defaults_to_a_quarter_of_the_image():
  config = ml_collections.ConfigDict({"name": "puzzlegan", "num_patches": 1})
  assert make_recipe(config, spec((16, 16, 1))).key_patches == KeyPatches(1, 4, "variance")
  assert make_recipe(config, spec((6, 6, 1))).key_patches.size == 2
  with pytest.raises(UserError, match="final_weight_ratio"):
    recipe_for(final_weight_ratio=0.01)               # removed: one clear message


def test_sample_completes_its_inputs_and_needs_them():
  recipe = recipe_for()
  assert isinstance(recipe, Completer)
  x = np.asarray(jax.random.uniform(jax.random.PRNGKey(0), (3, 6, 6, 1)))
  variables = recipe.init(jax.random.PRNGKey(1), {"x": x})
  key = jax.random.PRNGKey(2)
  out = jax.jit(recipe.complete)(variables, x, key)
  assert out["image"].shape == (3, 6, 6, 1) and out["patches"].shape == (3, 2, 2, 2, 1)
  np.testing.assert_array_equal(recipe.sample(variables, key, 3, {"x": x}), out["image"])
  with pytest.raises(UserError, match="completes images"):
    recipe.sample(variables, key, 3)


# --------------------------------------------------------------- training


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
  """Workdirs of a 2-step run, and of 1 step then resumed to 2 (EMA on)."""
  root = tmp_path_factory.mktemp("puzzle_runs")
  steps = {"train.ema_decay": 0.9, "train.num_steps": 2, "checkpoint.every_steps": 2,
           "eval.every_steps": 2, "sample.every_steps": 2}
  full = digits_config(**steps)
  result = train(full, str(root / "full"), progress=False)
  half = digits_config(**{**steps, "train.num_steps": 1})
  train(half, str(root / "resumed"), progress=False)
  train(full, str(root / "resumed"), progress=False)
  return full, root, result


def test_resume_equals_an_uninterrupted_run_bit_for_bit(runs):
  """Two processes' worth of runs from one seed agree exactly: deterministic."""
  full, root, result = runs
  exp = Experiment(full, str(root / "full"))
  ours, theirs = jax.device_get(exp.train_state), saved_state(exp, root / "resumed")
  chex.assert_trees_all_equal(ours.params, theirs.params)
  chex.assert_trees_all_equal(ours.ema_params, theirs.ema_params)
  assert 0 <= result["mask_iou"] <= 1 and result["l1"] >= 0
  assert os.path.exists(root / "full" / "samples" / "puzzle_step_2.png")
  losses = [e for e in read_metrics(root / "full") if e["split"] == "train"]
  assert np.isfinite(losses[-1]["generator_loss"])


@pytest.mark.slow
def test_training_beats_the_untrained_model_on_mask_iou(tmp_path):
  config = digits_config(**{"train.num_steps": 600, "train.learning_rate": 1e-3,
                            "eval.every_steps": 600, "checkpoint.every_steps": 600,
                            "sample.every_steps": 600, "model.features": 16,
                            "model.embed_dim": 32, "eval.num_examples": 256})
  after = train(config, str(tmp_path / "trained"), progress=False)["mask_iou"]
  untrained = digits_config(**{"train.num_steps": 1, "eval.every_steps": 1,
                               "checkpoint.every_steps": 1, "sample.every_steps": 1,
                               "model.features": 16, "model.embed_dim": 32,
                               "eval.num_examples": 256})
  before = train(untrained, str(tmp_path / "untrained"), progress=False)["mask_iou"]
  assert after > before + 0.2, (before, after)


def test_completion_metrics_score_a_perfect_run_and_the_baseline():
  x = np.random.default_rng(0).random((4, 6, 6, 1)).astype(np.float32)
  true = np.zeros((4, 6, 6, 1), np.float32)
  true[:, :2, :2] = 1
  runs = {"puzzle": {"image": x, "mask": true, "true_mask": true},
          "baseline": {"image": np.zeros_like(x), "mask": 1 - true, "true_mask": true}}
  out = puzzle_metrics.completion_metrics(spec(), runs, x, None, None, {})
  assert out["puzzle_mask_iou"] == 1.0 and out["puzzle_l1"] == 0.0
  assert out["baseline_mask_iou"] == 0.0
  assert out["baseline_l1"] == pytest.approx(float(x.mean()))


def test_the_puzzle_evaluator_scores_the_model_and_the_baseline(runs):
  """Through `complete` only: the model's figures are its completions'
  (chunk 0 with fold_in(key, SAMPLE_KEY), 0), beside the baseline's."""
  full, root, _ = runs
  exp = Experiment(full, str(root / "full"))
  block = ml_collections.ConfigDict(dict(num_examples=40, classifier_steps=50))
  evaluator = puzzle_metrics.Completion.from_config("puzzle", block, exp.spec)
  data = EvalData(train=exp.train_source, split=exp.eval_source, means=None)
  key = jax.random.PRNGKey(3)
  out = evaluator(exp.recipe, exp.variables(), key, data)
  name = evaluator.cache["classifier"].name
  assert set(out) == {"puzzle_mask_iou", "puzzle_l1", "baseline_mask_iou", "baseline_l1",
                      "fixed_mask_iou", f"{name}_test_accuracy", f"{name}_frechet_real_floor",
                      f"{name}_puzzle_label_agreement", f"{name}_puzzle_frechet",
                      f"{name}_baseline_label_agreement", f"{name}_baseline_frechet"}
  x = np.asarray(exp.eval_source.get(np.arange(40))["x"], np.float32)
  rng = jax.random.fold_in(jax.random.fold_in(key, SAMPLE_KEY), 0)
  done = jax.jit(exp.recipe.complete)(exp.variables(), x, rng)
  assert out["puzzle_mask_iou"] == pytest.approx(
      float(np.mean(mask_iou(done["mask"], done["true_mask"]))))
  assert out["puzzle_l1"] == pytest.approx(float(np.abs(done["image"] - x).mean()), rel=1e-5)
  assert all(0 <= out[k] <= 1 for k in ("baseline_mask_iou", "fixed_mask_iou"))
  assert evaluator(exp.recipe, exp.variables(), key, data) == out
  gan = make_recipe(ml_collections.ConfigDict({"name": "dcgan"}), spec((8, 8, 1)))
  with pytest.raises(UserError, match="needs a model with Completer"):
    evaluator(gan, {}, key, data)


def test_the_baseline_pastes_the_true_patches_at_random_places():
  x = jax.random.uniform(jax.random.PRNGKey(0), (5, 8, 8, 1))
  key_patches = KeyPatches(2, 2)
  canvas = jnp.full((8, 8, 1), 0.25)
  out = puzzle_metrics.random_placement(key_patches, lambda v: 2 * v - 1, x, canvas,
                                        jax.random.PRNGKey(1))
  corners = key_patches.corners(2 * x - 1, jax.random.split(jax.random.PRNGKey(1))[0])
  np.testing.assert_array_equal(out["true_mask"], patch_mask(corners, 2, 8, 8))
  inside = np.asarray(out["mask"]) > 0.5
  assert inside.sum((1, 2, 3)).tolist() == [8] * 5            # two 2x2 windows each
  np.testing.assert_array_equal(np.asarray(out["image"])[~inside], 0.25)
  np.testing.assert_allclose(np.sort(np.asarray(out["image"])[inside].reshape(5, -1), 1),
                             np.sort(np.asarray(crop_patches(x, corners, 2)).reshape(5, -1), 1))


def test_celeba_config_trains_one_step_on_mock_data(tmp_path):
  config = importlib.import_module("experiments.configs.puzzlegan_celeba").get_config()
  assert (config.data.image_size, config.model.patch_size, config.model.num_patches) == (64, 16, 3)
  config = with_overrides(config, {**TINY, "train.num_steps": 1, "train.batch_size": 8,
                                   "eval.batch_size": 8, "eval.num_examples": 8,
                                   "eval.every_steps": 1, "checkpoint.every_steps": 1,
                                   "sample.every_steps": 1, "sample.num": 2,
                                   "data.image_size": 32, "model.patch_size": 8})
  with tfds.testing.mock_data(num_examples=8):
    result = train(config, str(tmp_path), progress=False)
  losses = [e for e in read_metrics(tmp_path) if e["split"] == "train"]
  assert len(losses) == 1 and np.isfinite(losses[0]["discriminator_loss"])
  assert 0 <= result["mask_iou"] <= 1 and np.isfinite(result["l1"])


# --------------------------------------------------------- --patches_from


def test_read_picture_converts_and_refuses_clearly(tmp_path):
  gray = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
  Image.fromarray(gray).convert("RGB").save(tmp_path / "ok.png")
  x = read_picture(str(tmp_path / "ok.png"), spec((8, 8, 1)))
  assert x.shape == (1, 8, 8, 1) and x.dtype == np.float32
  np.testing.assert_allclose(x[0, ..., 0], gray / 255.0, atol=1e-6)
  assert set(np.unique(read_picture(str(tmp_path / "ok.png"), spec((8, 8, 1), "binary")))) <= {0, 1}
  Image.fromarray(gray).save(tmp_path / "big.png")
  with pytest.raises(UserError, match="is 8x8 pixels but the model works on 6x6"):
    read_picture(str(tmp_path / "big.png"), spec((6, 6, 1)))
  (tmp_path / "junk.png").write_text("not an image")
  with pytest.raises(UserError, match="could not read the image"):
    read_picture(str(tmp_path / "junk.png"), spec((8, 8, 1)))


def test_patches_from_needs_a_puzzle_model():
  from experiments import sample  # pylint: disable=import-outside-toplevel
  gan = make_recipe(ml_collections.ConfigDict({"name": "dcgan"}), spec((8, 8, 1)))
  with pytest.raises(UserError, match="needs model 'puzzlegan'"):
    sample.patches_inputs("any.png", gan)


def test_sample_patches_from_completes_the_users_picture(runs, tmp_path):
  """The launcher's path, in process: picture -> inputs -> grid and rows."""
  from experiments import sample  # pylint: disable=import-outside-toplevel
  full, root, _ = runs
  exp = Experiment(full, str(root / "full"))
  picture = tmp_path / "digit.png"
  Image.fromarray((np.eye(8) * 255).astype(np.uint8)).save(picture)
  inputs = sample.patches_inputs(str(picture), exp.recipe)
  np.testing.assert_allclose(inputs["x"][0, ..., 0], np.eye(8))
  completed = draw(exp, 1, inputs=inputs)
  assert completed.shape == (1, 8, 8, 1) and 0 <= completed.min() <= completed.max() <= 1
  assert draw(exp, 1, inputs=inputs).tobytes() == completed.tobytes()
  write_samples(exp, str(tmp_path / "done.png"), inputs=inputs)
  sample.write_completion_rows(exp.recipe, exp.variables(), jax.random.PRNGKey(0), inputs["x"],
                               str(tmp_path / "done_rows.png"))
  assert Image.open(tmp_path / "done.png").size[0] > 0
  rows = Image.open(tmp_path / "done_rows.png")
  # One row of 3 patches | image | mask | original: 6 tiles of 8 px, 1 px gaps.
  assert rows.size[0] / rows.size[1] == pytest.approx((6 * 9 + 1) / (9 + 1))
