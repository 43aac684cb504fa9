"""RBM partition functions: exact enumeration against a float64 brute force,
AIS against exact log Z, the annealing schedule, determinism."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

from gen_jax.sampling import ais


def random_rbm(num_visible=9, num_hidden=6, seed=0, scale=1.0, bias_scale=0.5):
  kw, kb, kc = jax.random.split(jax.random.PRNGKey(seed), 3)
  return {"w": scale * jax.random.normal(kw, (num_visible, num_hidden)),
          "b": bias_scale * jax.random.normal(kb, (num_visible,)),
          "c": bias_scale * jax.random.normal(kc, (num_hidden,))}


def brute_force_log_z(params):
  """log sum_{v,h} exp(-E(v, h)) over every joint state, float64 NumPy."""
  w, b, c = (np.asarray(params[k], np.float64) for k in "wbc")
  v = np.array(list(itertools.product([0, 1], repeat=w.shape[0])), np.float64)
  h = np.array(list(itertools.product([0, 1], repeat=w.shape[1])), np.float64)
  neg_energy = (v @ b)[:, None] + (h @ c)[None, :] + v @ w @ h.T
  return special.logsumexp(neg_energy)


def swapped(params):
  """The same joint with the layers' roles exchanged (same Z)."""
  return {"w": params["w"].T, "b": params["c"], "c": params["b"]}


def test_exact_log_z_matches_a_float64_sum_over_every_joint_state():
  params = random_rbm()                                      # D=9 > H=6: sums out h
  want = brute_force_log_z(params)
  assert float(ais.exact_log_partition(params)) == pytest.approx(want, abs=1e-4)
  # D < H: enumerates v instead; small chunks: the running logaddexp.
  assert float(ais.exact_log_partition(swapped(params))) == pytest.approx(want, abs=1e-4)
  chunked = float(ais.exact_log_partition(params, chunk_bits=2))
  assert chunked == pytest.approx(want, abs=1e-4)


def test_free_energy_is_minus_the_log_of_the_hidden_sum():
  params = random_rbm(num_visible=5, num_hidden=4, seed=1)
  w, b, c = (np.asarray(params[k], np.float64) for k in "wbc")
  v = np.array(list(itertools.product([0, 1], repeat=5)), np.float64)
  h = np.array(list(itertools.product([0, 1], repeat=4)), np.float64)
  want = -special.logsumexp((v @ b)[:, None] + (h @ c)[None, :] + v @ w @ h.T, axis=1)
  got = ais.free_energy(params, jnp.asarray(v, jnp.float32))
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_exact_log_z_refuses_too_many_states():
  with pytest.raises(ValueError, match="exceeds 20"):
    ais.exact_log_partition(random_rbm(num_visible=21, num_hidden=22))


def test_base_model_partition_function_is_exact():
  bias = jnp.asarray([-2.0, 0.3, 1.5, 0.0])
  weightless = {"w": jnp.zeros((4, 3)), "b": bias, "c": jnp.zeros(3)}
  np.testing.assert_allclose(ais.base_log_partition(bias, 3),
                             ais.exact_log_partition(weightless), rtol=1e-6)


def test_annealing_schedule_follows_the_paper_spacing():
  betas = ais.annealing_schedule(ais.PAPER_NUM_STEPS)
  assert betas.shape == (14_501,) and betas[0] == 0.0 and betas[-1] == 1.0
  assert np.all(np.diff(betas) > 0)
  steps = np.diff(betas)
  # 500 steps of 1e-3, 4,000 of 1e-4, 10,000 of 1e-5.
  np.testing.assert_allclose(steps[:500], 1e-3, rtol=1e-9)
  np.testing.assert_allclose(steps[500:4500], 1e-4, rtol=1e-9)
  np.testing.assert_allclose(steps[4500:], 1e-5, rtol=1e-9)
  for num in (1, 2, 3, 7, 100):
    small = ais.annealing_schedule(num)
    assert small.shape == (num + 1,) and small[0] == 0 and small[-1] == 1
    assert np.all(np.diff(small) > 0)


@pytest.mark.parametrize("base", ["uniform", "base_rate"])
def test_ais_agrees_with_exact_log_z_within_three_standard_errors(base):
  params = random_rbm(seed=2)
  exact = float(ais.exact_log_partition(params))
  base_bias = None
  if base == "base_rate":   # biases of some data's pixel means, as the RBM fits them
    means = jnp.linspace(0.1, 0.8, 9)
    base_bias = jnp.log(means) - jnp.log1p(-means)
  run = jax.jit(lambda key: ais.ais_log_partition(
      params, key, ais.annealing_schedule(1000), 100, base_bias))
  result = run(jax.random.PRNGKey(0))
  assert result.log_weights.shape == (100,)
  se = float(result.log_z_se)
  assert 0.0 < se < 0.1, se
  assert abs(float(result.log_z) - exact) < 3 * se, (float(result.log_z), exact, se)


def test_ais_standard_error_tracks_the_spread_of_independent_estimates():
  """Twenty independent 30-run estimates scatter about as their s.e. says."""
  params = random_rbm(seed=3, scale=1.5)
  exact = float(ais.exact_log_partition(params))
  run = jax.jit(jax.vmap(lambda key: ais.ais_log_partition(
      params, key, ais.annealing_schedule(100), 30)[:2]))
  log_z, se = run(jax.random.split(jax.random.PRNGKey(1), 20))
  log_z, se = np.asarray(log_z), np.asarray(se)
  spread = np.std(log_z, ddof=1)
  assert 0.4 < spread / np.mean(se) < 2.5, (spread, se.mean())
  assert abs(log_z.mean() - exact) < 4 * spread / np.sqrt(20) + 0.02


def test_ais_is_deterministic_given_the_key_and_runs_do_not_depend_on_their_count():
  params = random_rbm(seed=4)
  betas = ais.annealing_schedule(50)
  run = jax.jit(ais.ais_log_partition, static_argnums=3)
  a = run(params, jax.random.PRNGKey(5), betas, 8)
  b = run(params, jax.random.PRNGKey(5), betas, 8)
  c = run(params, jax.random.PRNGKey(6), betas, 8)
  more = run(params, jax.random.PRNGKey(5), betas, 12)
  np.testing.assert_array_equal(a.log_weights, b.log_weights)
  assert not np.array_equal(a.log_weights, c.log_weights)
  np.testing.assert_allclose(more.log_weights[:8], a.log_weights, rtol=1e-6)
