"""NADE, order-agnostic NADE and RNADE: causality, exactness, normalization."""

import importlib
import itertools

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
from scipy import special, stats

from gen_jax.data.spec import DataSpec
from gen_jax.errors import UserError
from gen_jax.losses import gaussian_mixture_log_prob
from gen_jax.models import make_recipe
from gen_jax.models import nade as nade_module
from gen_jax.train import train
from tests.helpers import (all_binary_images, randomize, read_metrics, tiny_config,
                           tiny_spec, with_overrides)


def build(name, spec, seed=0, scale=1.0, **kw):
  recipe = make_recipe(ml_collections.ConfigDict({"name": name, **kw}), spec)
  variables = recipe.init(jax.random.PRNGKey(seed), None)
  variables["params"] = randomize(variables["params"], seed, scale)
  return recipe, variables


def all_levels(spec):
  x = np.array(list(itertools.product(range(spec.num_levels), repeat=spec.num_dims)))
  return jnp.asarray(x.reshape((-1,) + spec.event_shape), jnp.int32)


def point_spec():
  return DataSpec(name="points", event_shape=(2,), encoding="float",
                  num_levels=None, is_image=False)


# ------------------------------------------------------------------ causality


def assert_causal(conditional, x0, ordering):
  """conditional(x [1, D]) -> [D] outputs; output o_d must ignore x_{o_>=d}."""
  jac = np.asarray(jax.jit(jax.jacrev(conditional))(x0))[:, 0, :]        # [D out, D in]
  for d, i in enumerate(ordering):
    later = ordering[d:]
    assert np.all(jac[i, later] == 0.0), (d, jac[i])
    if d > 0:
      assert np.any(jac[i, ordering[:d]] != 0.0), (d, jac[i])


def test_nade_causality_exact_zero_gradients():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build("nade", spec, hidden=5)
  x0 = jax.random.bernoulli(jax.random.PRNGKey(1), 0.5, (1, 9)).astype(jnp.float32)
  assert_causal(lambda x: recipe.logits(variables, x)[0], x0, np.arange(9))


def test_order_agnostic_nade_causality_under_its_ordering():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build("eonade", spec, hidden=6, num_layers=2)
  ordering = np.asarray(jax.random.permutation(jax.random.PRNGKey(3), 9))
  x0 = jax.random.bernoulli(jax.random.PRNGKey(1), 0.5, (1, 9)).astype(jnp.float32)
  conditional = lambda x: recipe.ordered_conditionals(variables, x, ordering)[0]
  assert_causal(conditional, x0, ordering)


def test_rnade_causality_exact_zero_gradients():
  spec = DataSpec(name="v", event_shape=(5,), encoding="float", num_levels=None,
                  is_image=False)
  recipe, variables = build("rnade", spec, scale=0.5, hidden=32, num_components=3)
  y0 = jax.random.normal(jax.random.PRNGKey(1), (1, 5))

  def conditional(y):  # every mixture parameter of each position, summed
    logits, means, log_scales = recipe.mixtures(variables, y)
    return (logits + 2 * means + 3 * log_scales).sum(-1)[0]

  assert_causal(conditional, y0, np.arange(5))


# ------------------------------------------------ exactness and normalization


def nade_reference_log_prob(params, x, num_levels):
  """Independent per-dimension loop in float64 NumPy, x [B, D] levels."""
  p = jax.tree.map(lambda a: np.asarray(a, np.float64), params)
  w, c, v, b = p["core"]["w"], p["core"]["c"], p["v"], p["b"]
  out = np.zeros(len(x))
  for n, row in enumerate(x):
    a = c.copy()
    for i, value in enumerate(row):
      h = 1.0 / (1.0 + np.exp(-a))
      logits = h @ v[i] + b[i]                       # [1] or [K]
      if num_levels == 2:
        prob_one = 1.0 / (1.0 + np.exp(-logits[0]))
        out[n] += np.log(prob_one if value == 1 else 1.0 - prob_one)
        a = a + value * w[i, 0]
      else:
        out[n] += logits[value] - special.logsumexp(logits)
        a = a + w[i, value]
  return out


@pytest.mark.parametrize("num_levels", [2, 4])
def test_nade_log_prob_matches_a_slow_numpy_loop(num_levels):
  spec = tiny_spec((3, 4, 1), num_levels=num_levels)
  recipe, variables = build("nade", spec, seed=2, hidden=7)
  x = jax.random.randint(jax.random.PRNGKey(4), (6, 3, 4, 1), 0, num_levels)
  batch_x = x.astype(jnp.float32) if num_levels == 2 else x
  got = np.asarray(recipe.log_prob(variables, {"x": batch_x}))
  want = nade_reference_log_prob(variables["params"]["model"],
                                 np.asarray(x).reshape(6, -1), num_levels)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,kw", [("nade", {"hidden": 6}),
                                     ("eonade", {"hidden": 6, "num_orderings": 3})])
def test_sums_to_one_over_all_3x3_binary_images(name, kw):
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build(name, spec, **kw)
  log_p = jax.jit(recipe.log_prob)(variables, {"x": all_binary_images(spec)})
  assert log_p.shape == (512,)
  np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)


@pytest.mark.parametrize("name,kw", [("nade", {"hidden": 6}),
                                     ("eonade", {"hidden": 6, "num_orderings": 2})])
def test_sums_to_one_over_all_categorical_images(name, kw):
  spec = tiny_spec((2, 2, 1), num_levels=3)
  recipe, variables = build(name, spec, **kw)
  log_p = jax.jit(recipe.log_prob)(variables, {"x": all_levels(spec)})
  assert log_p.shape == (81,)
  np.testing.assert_allclose(jax.nn.logsumexp(log_p), 0.0, atol=1e-5)


def test_order_agnostic_ensemble_is_the_log_mean_exp_of_its_orderings():
  spec = tiny_spec((3, 3, 1))
  recipe, variables = build("eonade", spec, hidden=6, num_orderings=4)
  x = all_binary_images(spec)[::37]
  flat = x.reshape(x.shape[0], -1).astype(jnp.int32)
  orderings = np.asarray(recipe.orderings())
  assert orderings.shape == (4, 9) and np.all(orderings[0] == np.arange(9))
  assert all(sorted(o) == list(range(9)) for o in orderings)
  per = np.stack([recipe.log_prob_for_ordering(variables, flat, o) for o in orderings])
  np.testing.assert_allclose(recipe.log_prob(variables, {"x": x}),
                             special.logsumexp(per, axis=0) - np.log(4), atol=1e-5)
  # Different orderings give different (each normalized) models.
  assert np.max(np.abs(per[0] - per[1])) > 1e-3


def test_order_agnostic_training_loss_is_unbiased_for_the_ordering_average():
  spec = tiny_spec((1, 3, 1))
  recipe, variables = build("eonade", spec, hidden=5)
  x = jnp.asarray([[1, 0, 1]], jnp.int32)
  exact = -np.mean([recipe.log_prob_for_ordering(variables, x, jnp.asarray(o))[0]
                    for o in itertools.permutations(range(3))])
  batch = {"x": jnp.broadcast_to(x.reshape(1, 1, 3, 1), (20_000, 1, 3, 1))}
  loss = jax.jit(lambda key: recipe._nll_loss(variables["params"], {}, batch, key, 0)[0])
  losses = [loss(jax.random.PRNGKey(k)) for k in range(5)]
  # 100k single-mask estimates; their spread here is about 0.01 nats.
  np.testing.assert_allclose(np.mean(losses), exact, atol=0.05)


def test_rnade_density_integrates_to_one_on_a_grid():
  recipe, variables = build("rnade", point_spec(), seed=1, scale=0.5, hidden=8,
                            num_components=3, min_log_scale=-1.0)
  step = 0.02
  axis = np.arange(-14.0, 14.0, step) + step / 2
  gx, gy = np.meshgrid(axis, axis, indexing="ij")
  grid = jnp.asarray(np.stack([gx.ravel(), gy.ravel()], -1), jnp.float32)
  log_p = np.asarray(jax.jit(recipe.log_prob)(variables, {"x": grid}), np.float64)
  total = np.exp(log_p).sum() * step ** 2
  assert abs(total - 1.0) < 1e-2, total
  assert np.exp(log_p).max() * step ** 2 < 1e-2   # the grid resolves the peaks


def test_rnade_matches_an_explicit_mixture_for_the_first_dimension():
  recipe, variables = build("rnade", point_spec(), seed=3, scale=0.5, hidden=4,
                            num_components=3)
  y = jax.random.normal(jax.random.PRNGKey(0), (7, 2))
  logits, means, log_scales = [np.asarray(a, np.float64)[:, 0]
                               for a in recipe.mixtures(variables, y)]
  weights = special.softmax(logits, -1)
  want = np.log(np.sum(weights * stats.norm.pdf(np.asarray(y)[:, :1], means,
                                                np.exp(log_scales)), -1))
  got = recipe.mixtures(variables, y)
  np.testing.assert_allclose(gaussian_mixture_log_prob(y[:, 0], *(g[:, 0] for g in got)),
                             want, rtol=1e-5, atol=1e-5)


def test_rnade_dequantized_images_report_the_change_of_variables_offset():
  spec = DataSpec(name="digits", event_shape=(2, 2, 1), encoding="float",
                  num_levels=None, max_value=16)
  recipe, variables = build("rnade", spec, scale=0.3, hidden=4, num_components=2)
  assert recipe.levels == 17
  x = jnp.asarray([0, 5, 16, 9], jnp.float32).reshape(1, 2, 2, 1) / 16
  y = (jnp.asarray([[0, 5, 16, 9]], jnp.float32) + 0.5) / 17
  # With a key: the dequantized bound at y = (level + u) / L, here u = 1/2.
  bound = recipe.density(variables, y) - 4 * np.log(17)
  np.testing.assert_allclose(recipe.dequantize(x.reshape(1, 4), None), y, rtol=1e-6)
  noisy = recipe.log_prob(variables, {"x": x}, jax.random.PRNGKey(0))
  assert noisy.shape == (1,) and np.all(np.isfinite(noisy))
  # Without a key: the exact discrete log-probability, not the bound.
  exact = recipe.log_prob(variables, {"x": x})
  assert not np.allclose(exact, bound)
  samples = np.asarray(recipe.sample(variables, jax.random.PRNGKey(1), 50))
  assert samples.shape == (50, 2, 2, 1) and samples.min() >= 0 and samples.max() <= 1
  np.testing.assert_allclose(samples * 16, np.round(samples * 16), atol=1e-5)


def discretized_rnade(levels=3, seed=0):
  spec = DataSpec(name="tiny_levels", event_shape=(2, 2, 1), encoding="float",
                  num_levels=None, max_value=levels - 1)
  recipe, variables = build("rnade", spec, seed=seed, scale=0.8, hidden=6,
                            num_components=3, min_log_scale=-3.0)
  grid = np.array(list(itertools.product(range(levels), repeat=4)), np.float32)
  return recipe, variables, jnp.asarray(grid.reshape(-1, 2, 2, 1) / (levels - 1))


def test_discretized_rnade_is_normalized_over_every_image():
  recipe, variables, x = discretized_rnade()                          # 81 images
  log_p = np.asarray(jax.jit(recipe.log_prob)(variables, {"x": x}), np.float64)
  assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-5)


def test_discretized_rnade_bin_mass_matches_numerical_integration():
  recipe, variables, x = discretized_rnade()
  logits, means, log_scales = [np.asarray(a, np.float64)[5, 0] for a in
                               recipe.mixtures(variables, (x.reshape(-1, 4) * 2 + 0.5) / 3)]
  weights = special.softmax(logits)
  density = lambda t: np.sum(weights * stats.norm.pdf(t, means, np.exp(log_scales)))
  from scipy import integrate  # pylint: disable=import-outside-toplevel
  level = int(round(float(x[5, 0, 0, 0]) * 2))                        # image 5, pixel 0
  lo, hi = (-np.inf if level == 0 else level / 3), (np.inf if level == 2 else (level + 1) / 3)
  want = integrate.quad(density, lo, hi)[0]
  mixture = [a[5:6, :1] for a in recipe.mixtures(variables, (x.reshape(-1, 4) * 2 + 0.5) / 3)]
  from gen_jax.losses import gaussian_mixture_log_mass  # pylint: disable=import-outside-toplevel
  got = gaussian_mixture_log_mass(jnp.asarray([[lo]], jnp.float32),
                                  jnp.asarray([[hi]], jnp.float32), *mixture)
  assert float(np.exp(got)[0, 0]) == pytest.approx(want, rel=1e-4)


def test_discretized_rnade_samples_follow_its_exact_log_prob():
  recipe, variables, x = discretized_rnade(seed=2)
  probs = np.exp(np.asarray(jax.jit(recipe.log_prob)(variables, {"x": x}), np.float64))
  num = 40_000
  samples = jax.jit(recipe.sample, static_argnums=2)(variables, jax.random.PRNGKey(3), num)
  index = np.round(np.asarray(samples).reshape(num, 4) * 2).astype(int) @ (3 ** np.arange(3, -1, -1))
  counts = np.bincount(index, minlength=81)
  expected = probs / probs.sum() * num
  keep = expected > 5
  assert keep.sum() >= 20
  _, p_value = stats.chisquare(counts[keep], expected[keep] * counts[keep].sum() / expected[keep].sum())
  assert p_value > 1e-3


# ------------------------------------------------------------------- sampling


def test_order_agnostic_ensemble_samples_its_mixture_not_one_ordering():
  """K=3 orderings on 2x2 binary images, sharpened weights: the orderings
  disagree, so sampling ordering 0 alone fails this chi-square test."""
  spec = tiny_spec((2, 2, 1))
  recipe, variables = build("eonade", spec, seed=1, scale=3.0, hidden=8,
                            num_orderings=3, ordering_seed=4)
  x = all_levels(spec).astype(jnp.float32)                           # 16 states
  probs = np.exp(np.asarray(recipe.log_prob(variables, {"x": x}), np.float64))
  assert probs.sum() == pytest.approx(1.0, abs=1e-5)
  num = 40_000
  samples = jax.jit(recipe.sample, static_argnums=2)(variables, jax.random.PRNGKey(0), num)
  index = np.asarray(samples).reshape(num, 4).astype(int) @ (2 ** np.arange(3, -1, -1))
  counts = np.bincount(index, minlength=16)
  _, p_value = stats.chisquare(counts, probs / probs.sum() * num)
  assert p_value > 1e-3, (counts, probs * num)


@pytest.mark.parametrize("name,num_levels,kw", [
    ("nade", 2, {"hidden": 4}), ("nade", 3, {"hidden": 4}),
    ("eonade", 2, {"hidden": 4})])
def test_scan_sampler_frequencies_match_model_probabilities(name, num_levels, kw):
  spec = tiny_spec((1, 3, 1) if num_levels == 2 else (1, 2, 1), num_levels=num_levels)
  recipe, variables = build(name, spec, seed=3, **kw)
  x = all_levels(spec)
  batch_x = x.astype(jnp.float32) if num_levels == 2 else x
  probs = np.exp(np.asarray(recipe.log_prob(variables, {"x": batch_x}), np.float64))
  num = 20_000
  samples = np.asarray(recipe.sample(variables, jax.random.PRNGKey(7), num))
  index = samples.reshape(num, -1).astype(int) @ (
      num_levels ** np.arange(spec.num_dims - 1, -1, -1))
  counts = np.bincount(index, minlength=len(probs))
  _, p_value = stats.chisquare(counts, probs / probs.sum() * num)
  assert p_value > 1e-3, (counts, probs * num)


def test_rnade_first_dimension_samples_follow_its_mixture():
  recipe, variables = build("rnade", point_spec(), seed=2, scale=0.5, hidden=4,
                            num_components=3)
  samples = np.asarray(recipe.sample(variables, jax.random.PRNGKey(0), 5000))
  logits, means, log_scales = [np.asarray(a, np.float64)[0, 0] for a in
                               recipe.mixtures(variables, jnp.zeros((1, 2)))]
  weights = special.softmax(logits)
  cdf = lambda t: np.sum(weights * stats.norm.cdf(np.asarray(t)[:, None], means,
                                                  np.exp(log_scales)), -1)
  assert stats.kstest(samples[:, 0], cdf).pvalue > 1e-3


@pytest.mark.parametrize("num_levels", [2, 5])
def test_scan_sampler_equals_the_naive_sampler_for_the_same_key(num_levels):
  recipe, variables = build("nade", tiny_spec((3, 3, 1), num_levels), hidden=5)
  key = jax.random.PRNGKey(11)
  np.testing.assert_array_equal(recipe.sample(variables, key, 32),
                                recipe.naive_sample(variables, key, 32))


@pytest.mark.parametrize("name,spec", [
    ("nade", tiny_spec((3, 3, 1))), ("nade", tiny_spec((3, 3, 1), 4)),
    ("eonade", tiny_spec((3, 3, 1))), ("rnade", point_spec())])
def test_sampling_is_deterministic_given_the_key(name, spec):
  recipe, variables = build(name, spec, scale=0.5, hidden=5)
  a = recipe.sample(variables, jax.random.PRNGKey(5), 16)
  b = recipe.sample(variables, jax.random.PRNGKey(5), 16)
  c = recipe.sample(variables, jax.random.PRNGKey(6), 16)
  assert a.shape == (16,) + spec.event_shape
  np.testing.assert_array_equal(a, b)
  assert not np.array_equal(a, c)


# ------------------------------------------------------- errors and training


def test_models_refuse_the_wrong_encoding():
  with pytest.raises(UserError, match="data.encoding=float"):
    build("rnade", tiny_spec((3, 3, 1)))
  with pytest.raises(UserError, match="data.encoding"):
    build("nade", point_spec())
  with pytest.raises(UserError, match="num_orderings"):
    build("eonade", tiny_spec(), num_orderings=0)


TINY = {"nade_binary": ("nade_binarized_mnist", {"data.name": "digits",
                                                 "data.validation_split": "train[:64]",
                                                 "model.hidden": 8}),
        "nade_categorical": ("nade_digits", {"model.hidden": 8}),
        "eonade": ("eonade_binarized_mnist", {"data.name": "digits", "model.hidden": 8,
                                              "data.validation_split": "train[:64]",
                                              "model.num_orderings": 2,
                                              "eval.num_examples": 16}),
        "rnade_digits": ("rnade_digits", {"model.hidden": 8}),
        "rnade_ring8": ("rnade_ring8", {"model.hidden": 8, "eval.num_examples": 256})}


@pytest.mark.parametrize("case", sorted(TINY))
def test_configs_train_one_step_through_the_trainer(case, tmp_path):
  name, overrides = TINY[case]
  config = importlib.import_module(f"experiments.configs.{name}").get_config()
  small = tiny_config(steps=1)
  for key in ("train", "eval", "checkpoint", "sample"):
    config[key].update(small[key].to_dict())
  with_overrides(config, overrides)
  result = train(config, str(tmp_path), progress=False)
  assert np.isfinite(result["nll_nats"])
  events = read_metrics(tmp_path)
  assert any(e["split"] == "train" and np.isfinite(e["nll_loss"]) for e in events)



# ------------------------------------------- the O(BH) gradient of the scan


def autodiff_scan(out_fn, *args):
  """The reference: the plain running-sum scan, differentiated by autodiff."""
  return nade_module.plain_scan(out_fn, *args)[1]


def loss_and_grads(recipe, params, batch, monkeypatch=None):
  """(mean NLL, its gradient); with `monkeypatch`, through autodiff's scan."""
  if monkeypatch is not None:
    monkeypatch.setattr(nade_module, "running_sum_scan", autodiff_scan)
  loss = lambda p: -jnp.mean(recipe.log_prob({"params": p}, batch))
  out = jax.value_and_grad(loss)(params)
  if monkeypatch is not None:
    monkeypatch.undo()
  return out


VECTOR_SPEC = DataSpec(name="v", event_shape=(12,), encoding="float", num_levels=None,
                       is_image=False)
LABELLED_SPEC = DataSpec("tiny_labelled", (3, 4, 1), "binary", 2, num_classes=3)
GRADIENT_CASES = {   # case -> (model name, spec, options); D=12, H=7
    "binary": ("nade", tiny_spec((3, 4, 1)), {}),
    "categorical": ("nade", tiny_spec((3, 4, 1), 4), {}),
    "conditional": ("nade", LABELLED_SPEC, {"conditional": True}),
    "bfloat16": ("nade", tiny_spec((3, 4, 1)), {"dtype": "bfloat16"}),
    "rnade": ("rnade", VECTOR_SPEC, {"num_components": 3}),
}


def gradient_case(case, batch_size=5):
  """(recipe, params, batch) of a GRADIENT_CASES case: random params and data."""
  name, spec, options = GRADIENT_CASES[case]
  recipe, variables = build(name, spec, seed=3, scale=0.5, hidden=7, **options)
  key = jax.random.PRNGKey(5)
  shape = (batch_size,) + spec.event_shape
  if spec.encoding == "float":
    batch = {"x": jax.random.normal(key, shape)}
  else:
    x = jax.random.randint(key, shape, 0, spec.num_levels)
    batch = {"x": x.astype(jnp.float32) if spec.num_levels == 2 else x}
  if options.get("conditional"):
    batch["label"] = jnp.arange(batch_size) % 3
  return recipe, variables["params"], batch


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_reverse_rebuild_gradient_matches_autodiff(case, monkeypatch):
  """B=5: every parameter's gradient within rtol 1e-5 of autodiff's (atol
  1e-6 of the leaf's largest entry, for entries that cancel to ~0; bfloat16
  included: its head's products are recomputed identically), and the loss
  bit for bit (the forward is the same computation)."""
  recipe, params, batch = gradient_case(case)
  loss, grads = loss_and_grads(recipe, params, batch)
  ref_loss, ref_grads = loss_and_grads(recipe, params, batch, monkeypatch)
  assert np.asarray(loss).tobytes() == np.asarray(ref_loss).tobytes()
  want_by_path = dict(jax.tree_util.tree_leaves_with_path(ref_grads))
  for path, got in jax.tree_util.tree_leaves_with_path(grads):
    want = np.asarray(want_by_path[path])
    assert np.any(want != 0), path
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5,
                               atol=1e-6 * np.max(np.abs(want)), err_msg=str(path))


def test_reverse_rebuild_gradient_of_real_inputs_matches_autodiff():
  """RNADE's inputs are reals: their gradient flows through W_i x_i too."""
  recipe, params, batch = gradient_case("rnade")
  density = lambda: jax.grad(lambda y: recipe.density({"params": params}, y).sum())
  got = density()(batch["x"])
  with pytest.MonkeyPatch.context() as patch:
    patch.setattr(nade_module, "running_sum_scan", autodiff_scan)
    want = density()(batch["x"])
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * np.max(np.abs(want)))


def test_rebuilt_initial_preactivation_drifts_by_a_few_ulps():
  """Forward sum then reverse subtraction returns to a_0 within float32
  rounding (the figure at H=500, D=784 is in `running_sum_scan`'s doc)."""
  x = jax.random.bernoulli(jax.random.PRNGKey(1), 0.2, (16, 200)).astype(jnp.float32)
  w = 0.3 * jax.random.normal(jax.random.PRNGKey(2), (200, 1, 64))
  a0 = jnp.broadcast_to(jax.random.normal(jax.random.PRNGKey(3), (64,)), (16, 64))
  drift = float(nade_module.rebuild_drift(a0, x, w))
  assert 0 <= drift < 1e-5


def step_temp_bytes(side, batch_size, hidden):
  """Compiled temp bytes of NADE's NLL gradient on side x side binary images."""
  spec = tiny_spec((side, side, 1))
  recipe, variables = build("nade", spec, hidden=hidden)
  batch = {"x": jnp.zeros((batch_size, side, side, 1))}
  grad = jax.grad(lambda p: -jnp.mean(recipe.log_prob({"params": p}, batch)))
  compiled = jax.jit(grad).lower(variables["params"]).compile()
  return compiled.memory_analysis().temp_size_in_bytes


def test_gradient_temp_memory_does_not_grow_with_positions(monkeypatch):
  """From D=16 to D=64 (B=64, H=128) the temp bytes grow by less than
  B*H*4 / 8 per position (only [D, B] logits and [D, H] gradients grow);
  autodiff's [D, B, H] residuals grow by more than B*H*4 per position."""
  b, h = 64, 128
  bound = 48 * b * h * 4 / 8
  assert step_temp_bytes(8, b, h) - step_temp_bytes(4, b, h) < bound
  monkeypatch.setattr(nade_module, "running_sum_scan", autodiff_scan)
  assert step_temp_bytes(8, b, h) - step_temp_bytes(4, b, h) > 8 * bound


def test_cpu_batch_tiles_divide_the_batch_near_the_cache_budget():
  assert nade_module.cpu_batch_tile(512, 500) == 64      # 65 rows fit 128 KiB
  assert nade_module.cpu_batch_tile(100, 500) == 50
  assert nade_module.cpu_batch_tile(64, 500) == 64       # small batch: one tile
  assert nade_module.cpu_batch_tile(97, 500) == 97       # no divisor in [32, 65]


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_batch_tiles_give_the_same_log_prob_and_gradient(case, monkeypatch):
  """Tiles of 3 rows (B=6, H=7) against the whole batch: log p(x) bit for
  bit per example, gradients within summation-order rounding (of float32,
  or of bfloat16 where the head computes in it: its V gradient is summed
  per tile in bfloat16)."""
  recipe, params, batch = gradient_case(case, batch_size=6)
  log_prob = lambda: recipe.log_prob({"params": params}, batch)
  whole, whole_grads = log_prob(), loss_and_grads(recipe, params, batch)[1]
  monkeypatch.setattr(nade_module, "CPU_TILE_BYTES", 3 * 4 * 7)
  assert nade_module.cpu_batch_tile(6, 7) == 3
  np.testing.assert_array_equal(log_prob(), whole)
  tiled_grads = loss_and_grads(recipe, params, batch)[1]
  rtol = 1e-2 if case == "bfloat16" else 1e-5
  jax.tree.map(lambda got, want: np.testing.assert_allclose(
      got, want, rtol=rtol, atol=rtol / 10 * np.max(np.abs(want))), tiled_grads, whole_grads)
