"""Log-likelihoods, KL terms and GAN losses shared by the model families.

All log-probabilities are in nats and elementwise: reduce them where the
model says what an event is.
"""

import jax
import jax.numpy as jnp
import optax


def bernoulli_log_prob(logits: jax.Array, x: jax.Array) -> jax.Array:
  """log p(x) for x in {0, 1} under Bernoulli(sigmoid(logits)), elementwise."""
  return -optax.sigmoid_binary_cross_entropy(logits, x.astype(logits.dtype))


def categorical_log_prob(logits: jax.Array, x: jax.Array) -> jax.Array:
  """log p(x) for integer x under softmax(logits[..., K]), elementwise."""
  log_p = jax.nn.log_softmax(logits, axis=-1)
  return jnp.take_along_axis(log_p, x.astype(jnp.int32)[..., None], -1)[..., 0]


def pad_reference_logit(free_logits: jax.Array) -> jax.Array:
  """[..., K-1] free logits -> [..., K] with class 0 fixed at logit 0.

  This is the minimal parameterization of a K-way categorical: K-1 numbers.
  """
  zeros = jnp.zeros(free_logits.shape[:-1] + (1,), free_logits.dtype)
  return jnp.concatenate([zeros, free_logits], axis=-1)


def discrete_log_prob(logits: jax.Array, x: jax.Array, num_levels: int) -> jax.Array:
  """Bernoulli log-prob for num_levels == 2 with scalar logits, else categorical.

  Args:
    logits: [...] for binary data, [..., K] for K-level data.
    x: [...] values in {0, 1} or [0, K).
    num_levels: 2 or K.
  """
  if num_levels == 2 and logits.shape == x.shape:
    return bernoulli_log_prob(logits, x)
  return categorical_log_prob(logits, x)


def gaussian_log_prob(x, mean, log_scale):
  """Elementwise log N(x; mean, exp(log_scale)^2)."""
  z = (x - mean) * jnp.exp(-log_scale)
  return -0.5 * z ** 2 - log_scale - 0.5 * jnp.log(2 * jnp.pi)


def gaussian_kl_standard(mean, log_var):
  """Elementwise KL(N(mean, exp(log_var)) || N(0, 1))."""
  return 0.5 * (jnp.exp(log_var) + mean ** 2 - 1.0 - log_var)


def nats_to_bits_per_dim(nll_nats, num_dims: int):
  return nll_nats / (num_dims * jnp.log(2.0))


# ------------------------------------------------------------------ GANs
# D outputs logits l; D(x) = sigmoid(l). log D = log_sigmoid(l) and
# log(1 - D) = log_sigmoid(-l) are exact and stable for any |l|.


def discriminator_loss(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """-E[log D(x)] - E[log(1 - D(G(z)))], the discriminator's BCE (scalar)."""
  return -(jnp.mean(jax.nn.log_sigmoid(real_logits)) +
           jnp.mean(jax.nn.log_sigmoid(-fake_logits)))


def generator_loss(fake_logits: jax.Array, kind: str = "non_saturating") -> jax.Array:
  """The generator's loss on D's logits for its samples (scalar).

  kind: "minimax" -> E[log(1 - D(G(z)))] (Goodfellow et al. 2014, eq. 1);
  "non_saturating" -> -E[log D(G(z))] (the same fixed point, strong early
  gradients).
  """
  if kind == "minimax":
    return jnp.mean(jax.nn.log_sigmoid(-fake_logits))
  if kind == "non_saturating":
    return -jnp.mean(jax.nn.log_sigmoid(fake_logits))
  raise ValueError(f"unknown generator loss {kind!r}")


def gan_value(real_logits: jax.Array, fake_logits: jax.Array) -> jax.Array:
  """V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] (scalar)."""
  return -discriminator_loss(real_logits, fake_logits)


def gaussian_mixture_log_prob(x, logits, means, log_scales):
  """log sum_c softmax(logits)_c N(x; means_c, exp(log_scales_c)^2).

  Args:
    x: [...] values.
    logits, means, log_scales: [..., C] mixture parameters.

  Returns:
    [...] log-densities in nats (log-sum-exp over the C components).
  """
  log_weights = jax.nn.log_softmax(logits, axis=-1)
  return jax.nn.logsumexp(log_weights + gaussian_log_prob(x[..., None], means, log_scales),
                          axis=-1)


def log_normal_mass(lower, upper):
  """log(Phi(upper) - Phi(lower)) for standard-normal bounds, lower < upper.

  Stable in both tails: above zero the upper-tail form Phi(-lower) -
  Phi(-upper) is used; -inf / +inf bounds are allowed.
  """
  flip = lower > 0
  a = jnp.where(flip, -upper, lower)
  b = jnp.where(flip, -lower, upper)
  log_b, log_a = jax.scipy.special.log_ndtr(b), jax.scipy.special.log_ndtr(a)
  return log_b + jnp.log1p(-jnp.exp(jnp.minimum(log_a - log_b, 0.0)))


def gaussian_mixture_log_mass(lower, upper, logits, means, log_scales):
  """log P(lower <= x < upper) under the mixture of `gaussian_mixture_log_prob`.

  Args:
    lower, upper: [...] interval bounds (may be -inf / +inf).
    logits, means, log_scales: [..., C].
  """
  inv = jnp.exp(-log_scales)
  z_lo = (lower[..., None] - means) * inv
  z_hi = (upper[..., None] - means) * inv
  log_weights = jax.nn.log_softmax(logits, axis=-1)
  return jax.nn.logsumexp(log_weights + log_normal_mass(z_lo, z_hi), axis=-1)
