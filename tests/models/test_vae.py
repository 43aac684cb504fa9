"""VAE: exact log p(x) of a linear-Gaussian model, ELBO gap, KL, reparameterization,
decoders, determinism, and one-step training of every VAE config."""

import os

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest
import tensorflow_datasets as tfds
from scipy import stats

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import gaussian_kl_standard, gaussian_log_prob
from gen_jax.models import make_recipe
from gen_jax.nn.latent import MIN_LOG_SCALE
from gen_jax.models.vae import reparameterize
from gen_jax.train import train
from gen_jax.train.step import create_train_state, make_train_step
from experiments.configs import vae_binarized_mnist, vae_digits
from tests.helpers import read_metrics, stacked, with_overrides

D, L, SIGMA = 3, 2, 0.5


def linear_gaussian(shift=0.0, inflate=1.0):
  """A VAE whose decoder is x = W z + b + SIGMA * noise, W with orthogonal
  columns, so the exact posterior is diagonal; the encoder is that posterior
  with its mean shifted by `shift` and its variance scaled by `inflate`.

  Returns (recipe, variables, log_p) with log_p(x [B, D]) the closed form.
  """
  spec = DataSpec(name="lg", event_shape=(D,), encoding="float", num_levels=None,
                  is_image=False)
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": "vae", "latent_dim": L, "hidden": (), "importance_chunk": 64}), spec)
  q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((D, L)))
  w = q * np.array([2.0, 0.7])                                  # [D, L]
  b = np.array([0.3, -0.2, 0.1])
  post_var = 1.0 / (1.0 + (w ** 2).sum(0) / SIGMA ** 2)         # [L]
  a = (w * post_var / SIGMA ** 2)                               # [D, L]: mean = (x - b) a
  raw = MIN_LOG_SCALE + np.log(np.expm1(np.log(SIGMA) - MIN_LOG_SCALE))
  dec_kernel = np.zeros((L, D, 2))
  dec_kernel[:, :, 0] = w.T
  dec_bias = np.stack([b, np.full(D, raw)], -1)                 # [D, 2]
  enc_kernel = np.concatenate([a, np.zeros((D, L))], 1)
  enc_bias = np.concatenate([-b @ a + shift, np.log(post_var * inflate)])
  f32 = lambda v: jnp.asarray(v, jnp.float32)
  params = {"encoder": {"mlp": {"out": {"kernel": f32(enc_kernel), "bias": f32(enc_bias)}}},
            "decoder": {"mlp": {"out": {"kernel": f32(dec_kernel.reshape(L, 2 * D)),
                                        "bias": f32(dec_bias.reshape(2 * D))}}}}
  init = recipe.init(jax.random.PRNGKey(0), None)
  assert jax.tree.structure(init["params"]) == jax.tree.structure(params)
  cov = w @ w.T + SIGMA ** 2 * np.eye(D)
  log_p = lambda x: stats.multivariate_normal(b, cov).logpdf(np.asarray(x))
  return recipe, {"params": params, "state": {}}, log_p


def data_points(n=64, seed=1):
  return jnp.asarray(np.random.default_rng(seed).normal(0, 1.5, (n, D)), jnp.float32)


def test_exact_posterior_makes_every_importance_weight_equal_p_x():
  recipe, variables, log_p = linear_gaussian()
  x = data_points()
  est = recipe.importance_log_prob(variables["params"], x, jax.random.PRNGKey(2), 3)
  np.testing.assert_allclose(est, log_p(x), atol=2e-4)


def test_elbo_below_log_p_and_importance_estimate_climbs_to_it():
  recipe, variables, log_p = linear_gaussian(shift=0.3, inflate=1.8)
  x = data_points()
  truth = log_p(x).mean()
  estimates = jax.jit(lambda keys, k: jax.vmap(
      lambda key: recipe.importance_log_prob(variables["params"], x, key, k))(keys),
                      static_argnums=1)
  keys = jax.random.split(jax.random.PRNGKey(3), 512)
  recon, kl = jax.jit(jax.vmap(lambda k: recipe.elbo_terms(variables["params"], x, k)))(keys)
  elbo = float(-(recon + kl).mean())       # analytic KL, one z per key
  assert elbo < truth - 0.5
  # k=1 is the ELBO in expectation (Monte Carlo KL instead of the analytic one);
  # both means have standard errors of about 0.015 nats here.
  assert float(estimates(keys, 1).mean()) == pytest.approx(elbo, abs=0.06)
  keys = jax.random.split(jax.random.PRNGKey(4), 3)
  means = [float(estimates(keys, k).mean()) for k in (1, 10, 100, 1000)]
  assert all(a < b for a, b in zip(means, means[1:])), means
  assert means[-1] == pytest.approx(truth, abs=0.01)


def test_analytic_kl_matches_monte_carlo():
  mean = jnp.array([0.5, -1.0, 2.0])
  log_var = jnp.array([0.3, -1.2, 0.0])
  z = reparameterize(jax.random.PRNGKey(0), mean, log_var, 400_000)     # [N, 3]
  mc = (gaussian_log_prob(z, mean, 0.5 * log_var) - gaussian_log_prob(z, 0.0, 0.0)).mean(0)
  np.testing.assert_allclose(mc, gaussian_kl_standard(mean, log_var), atol=0.02)


def test_reparameterized_sample_has_the_posterior_mean_and_variance():
  mean = jnp.array([[1.0, -2.0], [0.0, 3.0]])
  log_var = jnp.array([[0.0, -2.0], [1.0, 0.5]])
  z = reparameterize(jax.random.PRNGKey(1), mean, log_var, 200_000)     # [N, 2, 2]
  np.testing.assert_allclose(z.mean(0), mean, atol=0.02)
  np.testing.assert_allclose(z.var(0), jnp.exp(log_var), rtol=0.02)
  g = jax.grad(lambda m: reparameterize(jax.random.PRNGKey(1), m, log_var).sum())(mean)
  np.testing.assert_allclose(g, jnp.ones_like(mean))     # the path is differentiable


@pytest.mark.parametrize("encoding,arch,dynamic", [
    ("binary", "mlp", False), ("categorical", "conv", False),
    ("float", "mlp", False), ("float", "conv", True)])
def test_decoders_give_normalized_likelihoods_and_samples_in_the_encoding(
    encoding, arch, dynamic):
  from gen_jax.data import load
  _, test_source, spec = load(ml_collections.ConfigDict(
      {"name": "digits", "encoding": encoding, "data_dir": None}))
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": "vae", "latent_dim": 3, "encoder": arch, "hidden": (16,),
       "channels": (4, 8), "dynamic_binarization": dynamic,
       "importance_samples": 5, "importance_chunk": 2}), spec)
  variables = recipe.init(jax.random.PRNGKey(0), None)
  batch = {k: jnp.asarray(v) for k, v in test_source.get(np.arange(4)).items()}
  metrics = jax.jit(recipe.eval_metrics)(variables, batch, jax.random.PRNGKey(1))
  assert set(metrics) == {"nll_nats", "neg_elbo_nats", "recon_nats", "kl_nats",
                          "bits_per_dim"}
  assert all(v.shape == (4,) and np.all(np.isfinite(v)) for v in metrics.values())
  # A discrete decoder's p(x|z) is a probability: the IS estimate is below 0.
  if encoding != "float" or dynamic:
    assert np.all(metrics["nll_nats"] > 0)
  np.testing.assert_allclose(metrics["neg_elbo_nats"],
                             metrics["recon_nats"] + metrics["kl_nats"], rtol=1e-6)
  samples = jax.jit(recipe.sample, static_argnums=2)(variables, jax.random.PRNGKey(2), 5)
  assert samples.shape == (5, 8, 8, 1)
  if encoding == "categorical":
    assert samples.dtype == jnp.int32 and samples.min() >= 0 and samples.max() <= 16
  elif encoding == "binary" or dynamic:
    assert set(np.unique(samples)) <= {0.0, 1.0}


def test_categorical_decoder_sums_to_one_over_levels():
  spec = DataSpec(name="t", event_shape=(1, 1, 1), encoding="categorical", num_levels=5)
  recipe = make_recipe(ml_collections.ConfigDict({"name": "vae", "latent_dim": 2,
                                                  "hidden": (8,)}), spec)
  out = jax.random.normal(jax.random.PRNGKey(0), (1, 1, 1, 1, 5))
  xs = jnp.arange(5).reshape(5, 1, 1, 1)
  lp = jax.vmap(lambda x: recipe.likelihood.log_prob(out, x[None]))(xs)
  np.testing.assert_allclose(jax.nn.logsumexp(lp), 0.0, atol=1e-5)


def test_dynamic_binarization_needs_float_data():
  spec = DataSpec(name="t", event_shape=(2, 2, 1), encoding="binary", num_levels=2)
  with pytest.raises(UserError, match="data.encoding=float"):
    make_recipe(ml_collections.ConfigDict({"name": "vae", "dynamic_binarization": True}),
                spec)


def test_expected_binarization_scores_grey_levels_as_bernoulli_targets():
  """q(z | x) = p(z) and a decoder that ignores z make every importance weight
  the likelihood, so log_prob is exact: with 'expected' it is
  sum_d x_d log s_d + (1 - x_d) log(1 - s_d) for the grey x, whatever the key;
  the default 'sample' scores a random binarization instead."""
  spec = DataSpec(name="t", event_shape=(2, 3, 1), encoding="float", num_levels=None)
  x = jnp.asarray([[0.0, 0.2, 0.5], [0.7, 0.9, 1.0]]).reshape(1, 2, 3, 1)
  bias = jnp.asarray([-1.0, 0.5, 2.0, -0.3, 0.0, 1.5])
  s = jax.nn.sigmoid(bias.reshape(1, 2, 3, 1))
  closed_form = float(jnp.sum(x * jnp.log(s) + (1 - x) * jnp.log1p(-s)))

  def log_probs(mode):
    cfg = {"name": "vae", "latent_dim": 2, "hidden": (8,), "dynamic_binarization": True,
           "importance_samples": 4, "importance_chunk": 2}
    if mode:
      cfg["log_prob_binarization"] = mode
    recipe = make_recipe(ml_collections.ConfigDict(cfg), spec)
    params = recipe.init(jax.random.PRNGKey(0), None)["params"]
    zero = lambda p: jax.tree.map(jnp.zeros_like, p)
    params["encoder"]["mlp"]["out"] = zero(params["encoder"]["mlp"]["out"])  # q = N(0, I)
    params["decoder"]["mlp"]["out"] = {
        "kernel": zero(params["decoder"]["mlp"]["out"]["kernel"]), "bias": bias}
    variables = {"params": params, "state": {}}
    return [float(recipe.log_prob(variables, {"x": x}, jax.random.PRNGKey(k))[0])
            for k in range(4)]

  np.testing.assert_allclose(log_probs("expected"), closed_form, rtol=1e-5)
  sampled = log_probs(None)
  assert len(set(sampled)) > 1 and not np.allclose(sampled, closed_form)
  with pytest.raises(UserError, match="dynamic_binarization=True"):
    make_recipe(ml_collections.ConfigDict(
        {"name": "vae", "log_prob_binarization": "expected"}), spec)
  choices = r"log_prob_binarization='mean' is not one of \('sample', 'expected'\)"
  with pytest.raises(UserError, match=choices):
    make_recipe(ml_collections.ConfigDict(
        {"name": "vae", "dynamic_binarization": True, "log_prob_binarization": "mean"}), spec)


def vae_config(module, **overrides):
  c = module.get_config()
  small = {"train.num_steps": 2, "train.batch_size": 8, "train.log_every_steps": 1,
           "eval.every_steps": 2, "eval.batch_size": 8, "eval.num_examples": 8,
           "checkpoint.every_steps": 2, "sample.every_steps": 2, "sample.num": 8,
           "model.importance_samples": 4, "model.importance_chunk": 2}
  return with_overrides(c, {**small, **overrides})


def test_vae_digits_trains_and_writes_metrics_and_pictures(tmp_path):
  result = train(vae_config(vae_digits), str(tmp_path), progress=False)
  assert {"nll_nats", "bits_per_dim", "neg_elbo_nats", "kl_nats"} <= set(result)
  train_events = [e for e in read_metrics(tmp_path) if e["split"] == "train"]
  assert {"elbo", "recon_nats", "kl_nats", "neg_elbo_loss"} <= set(train_events[-1])
  pictures = set(os.listdir(tmp_path / "samples"))
  assert {"step_2.png", "reconstructions_step_2.png", "traversal_step_2.png",
          "manifold_step_2.png", "latent_step_2.png"} <= pictures


def test_training_steps_are_deterministic_from_the_seed():
  """Dynamic binarization on float digits: the binarization and z come from
  the step's key, so the same seed gives bit-identical parameters."""
  from gen_jax.data import load
  train_source, _, spec = load(ml_collections.ConfigDict(
      {"name": "digits", "encoding": "float", "data_dir": None}))
  recipe = make_recipe(ml_collections.ConfigDict(
      {"name": "vae", "latent_dim": 4, "hidden": (32,), "dynamic_binarization": True}),
                       spec)
  tx = {g: optax.adam(1e-2) for g in ("encoder", "decoder")}
  step = jax.jit(make_train_step(recipe, tx, 0.0))
  batch = {k: jnp.asarray(v) for k, v in train_source.get(np.arange(16)).items()}

  def run(seed, train_seed):
    ts = create_train_state(recipe.init(jax.random.PRNGKey(seed), None), tx, False)
    for _ in range(3):
      ts, metrics = step(ts, stacked(batch), jax.random.PRNGKey(train_seed))
    assert np.isfinite(metrics["neg_elbo_loss"])
    return jax.device_get(ts.params)

  same = lambda a, b: all(jax.tree.leaves(jax.tree.map(np.array_equal, a, b)))
  reference = run(0, 0)
  assert same(reference, run(0, 0))
  assert not same(reference, run(0, 1))      # other binarizations and z draws
  assert not same(reference, run(1, 0))      # other initial parameters


def test_iwae_config_one_step_on_mock_binarized_mnist(tmp_path):
  config = vae_config(vae_binarized_mnist, **{"train.num_steps": 1,
                                              "eval.every_steps": 1,
                                              "sample.every_steps": 1,
                                              "checkpoint.every_steps": 1})
  with tfds.testing.mock_data(num_examples=16):
    result = train(config, str(tmp_path), progress=False)
  assert np.isfinite(result["nll_nats"]) and result["kl_nats"] >= 0
  info = read_metrics(tmp_path)[0]
  # 784-200-200-100 encoder and 50-200-200-784 decoder.
  assert info["num_parameters"] == ((784 * 200 + 200) + (200 * 200 + 200) + (200 * 100 + 100)
                                    + (50 * 200 + 200) + (200 * 200 + 200) + (200 * 784 + 784))
