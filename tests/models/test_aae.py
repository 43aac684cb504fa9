"""Adversarial autoencoder: phases touch only their groups, priors, training."""

import copy
import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest

from gen_jax.data import load
from gen_jax.errors import UserError
from gen_jax.models import make_recipe
from gen_jax.models.aae import (MIXTURE_RADIUS, MIXTURE_STD, PRIORS, make_prior,
                                mixture_centres)
from gen_jax.train import Experiment, train
from gen_jax.train.step import create_train_state, make_train_step
from experiments.configs import aae_digits
from tests.helpers import read_metrics, stacked, with_overrides

GROUPS = ("encoder", "decoder", "discriminator")


def digits_recipe(**model):
  train_source, _, spec = load(ml_collections.ConfigDict(
      {"name": "digits", "encoding": "binary", "data_dir": None}))
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": "aae", "latent_dim": 2, "prior": "mixture10", "hidden": (32,),
       "disc_hidden": (16,), **model}), spec)
  batch = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(16)).items()}
  return recipe, batch


@pytest.mark.parametrize("phase_index,changed", [
    (0, {"encoder", "decoder"}), (1, {"discriminator"}), (2, {"encoder"})])
def test_each_phase_changes_only_its_own_groups(phase_index, changed):
  recipe, batch = digits_recipe()
  phase = recipe.phases[phase_index]
  assert set(phase.groups) == changed
  only = copy.copy(recipe)  # shallow copy that runs one phase
  only.phases = (phase,)
  tx = {g: optax.sgd(0.1) for g in GROUPS}
  ts = create_train_state(jax.jit(recipe.init)(jax.random.PRNGKey(0), None), tx, False)
  before = jax.device_get(ts.params)
  after, _ = jax.jit(make_train_step(only, tx, 0.0))(ts, stacked(batch), jax.random.PRNGKey(1))
  after = jax.device_get(after.params)
  for g in GROUPS:
    equal = all(jax.tree.leaves(jax.tree.map(np.array_equal, before[g], after[g])))
    assert equal == (g not in changed), (phase.name, g)


def test_discriminator_loss_depends_on_the_encoder_but_its_phase_ignores_it():
  """The latent discriminator sees encodings, so its loss has a non-zero
  gradient w.r.t. the encoder; the phase must still leave the encoder alone
  (checked above), and the encoder phase must push encodings towards 'prior'."""
  recipe, batch = digits_recipe()
  params = jax.jit(recipe.init)(jax.random.PRNGKey(0), None)["params"]
  disc, gen = recipe.phases[1].loss_fn, recipe.phases[2].loss_fn
  g_disc = jax.grad(lambda p: disc(p, {}, batch, jax.random.PRNGKey(1), 0)[0])(params)
  g_gen = jax.grad(lambda p: gen(p, {}, batch, jax.random.PRNGKey(1), 0)[0])(params)
  norm = lambda t: float(optax.global_norm(t))
  assert norm(g_disc["encoder"]) > 0 and norm(g_gen["encoder"]) > 0
  assert norm(g_gen["decoder"]) == 0 and norm(g_disc["decoder"]) == 0


def train_one_phase(recipe, phase_index, batch, steps):
  """Params after `steps` Adam updates of one phase on `batch` (fixed init)."""
  only = copy.copy(recipe)
  only.phases = (recipe.phases[phase_index],)
  tx = {g: optax.adam(1e-2) for g in GROUPS}
  ts = create_train_state(jax.jit(recipe.init)(jax.random.PRNGKey(0), None), tx, False)
  step = jax.jit(make_train_step(only, tx, 0.0))
  for _ in range(steps):
    ts, _ = step(ts, stacked(batch), jax.random.PRNGKey(1))
  return ts.params


def test_training_each_phase_beats_the_untrained_model_on_held_out_digits():
  """50 updates on 16 digits: the latent discriminator tells the prior from
  the encodings (0.5 -> ~1 accuracy) and reconstruction drops from ~45 nats;
  the evaluation's disc_accuracy is the phase's metric for the same key."""
  recipe, batch = digits_recipe()
  train_source, _, _ = load(ml_collections.ConfigDict(
      {"name": "digits", "encoding": "binary", "data_dir": None}))
  held = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(100, 356)).items()}
  untrained = jax.jit(recipe.init)(jax.random.PRNGKey(0), None)["params"]
  key = jax.random.PRNGKey(5)
  metric = lambda index, params, name: float(
      recipe.phases[index].loss_fn(params, {}, held, key, 0)[1][0][name])
  trained = train_one_phase(recipe, 1, batch, 50)
  before, after = (metric(1, p, "disc_accuracy") for p in (untrained, trained))
  assert after > 0.9 and after > before + 0.3, (before, after)
  per_example = recipe.eval_metrics({"params": trained}, held, key)["disc_accuracy"]
  assert float(jnp.mean(per_example)) == pytest.approx(after, abs=1e-6)
  trained = train_one_phase(recipe, 0, batch, 50)
  before, after = (metric(0, p, "recon_nats") for p in (untrained, trained))
  assert after < before - 8.0, (before, after)


def test_priors_have_the_promised_shapes_and_supports():
  key = jax.random.PRNGKey(0)
  z = np.asarray(make_prior("mixture10", 2)(key, 20_000))
  dist = np.linalg.norm(z[:, None] - np.asarray(mixture_centres())[None], axis=-1)
  nearest = dist.argmin(1)
  assert np.bincount(nearest, minlength=10).min() > 1_700       # all ten modes used
  np.testing.assert_allclose(dist.min(1).mean(), MIXTURE_STD * np.sqrt(np.pi / 2),
                             rtol=0.05)                          # Rayleigh mean
  assert abs(np.linalg.norm(z, axis=1).mean() - MIXTURE_RADIUS) < 0.1
  u = np.asarray(make_prior("uniform", 3)(key, 10_000))
  assert u.shape == (10_000, 3) and u.min() >= -2 and u.max() <= 2
  np.testing.assert_allclose(u.var(0), 16 / 12, rtol=0.05)
  g = np.asarray(make_prior("gaussian", 4)(key, 10_000))
  np.testing.assert_allclose(g.std(0), 1.0, rtol=0.05)
  roll = np.asarray(make_prior("swiss_roll", 2)(key, 10_000))
  assert roll.shape == (10_000, 2) and np.linalg.norm(roll, axis=1).max() < 4.5
  assert set(PRIORS) == {"gaussian", "uniform", "mixture10", "swiss_roll"}


def test_two_dimensional_priors_refuse_other_latent_sizes():
  with pytest.raises(UserError, match="latent_dim=2"):
    digits_recipe(latent_dim=3, prior="swiss_roll")
  with pytest.raises(UserError, match="unknown prior"):
    digits_recipe(prior="cauchy")


def test_aae_digits_config_trains_and_draws_encodings_over_the_prior(tmp_path):
  c = aae_digits.get_config()
  with_overrides(c, {"train.num_steps": 2, "train.batch_size": 8,
                     "train.log_every_steps": 1, "eval.every_steps": 2,
                     "eval.num_examples": 16, "checkpoint.every_steps": 2,
                     "sample.every_steps": 2, "sample.num": 16})
  result = train(c, str(tmp_path), progress=False)
  # The reported reconstruction is -log p(x | f(x)) on the 16 test images,
  # recomputed here from the restored encoder and decoder.
  exp = Experiment(c, str(tmp_path))
  x = jnp.asarray(exp.eval_source.get(np.arange(16))["x"])
  params = exp.variables()["params"]
  out = exp.recipe.decode(params, exp.recipe.encode(params, x))
  recon = -exp.recipe.likelihood.log_prob(out, x)
  assert result["recon_nats"] == pytest.approx(float(jnp.mean(recon)), rel=1e-5)
  assert result["disc_accuracy"] * 32 == pytest.approx(round(result["disc_accuracy"] * 32))
  last = [e for e in read_metrics(tmp_path) if e["split"] == "train"][-1]
  assert {"reconstruction_loss", "latent_discriminator_loss",
          "encoder_as_generator_loss", "disc_accuracy"} <= set(last)
  assert {"latent_step_2.png", "manifold_step_2.png", "reconstructions_step_2.png"} <= set(
      os.listdir(tmp_path / "samples"))
