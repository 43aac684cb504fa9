"""Log-likelihoods, KL terms, likelihood estimates and GAN losses shared by
the model families.

All log-probabilities are in nats and elementwise: reduce them where the
model says what an event is.
"""

from typing import Callable

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


# ------------------------------------------------------- importance sampling
# log p(x) ~= logsumexp_k log w_k - log K, with w_k = p(x, z_k) / q(z_k | x) and
# z_k ~ q(. | x). The estimate is a stochastic lower bound whose expectation
# increases with K towards log p(x) (Burda et al., 2016, "Importance Weighted
# Autoencoders", Theorem 1). Samples are drawn `chunk_size` at a time inside a
# `lax.scan`, so memory is that of one chunk whatever K is.

# log_weights(rng, n) -> [n, B] log p(x, z) - log q(z | x) for n fresh z ~ q.
LogWeightFn = Callable[[jax.Array, int], jax.Array]


def importance_log_likelihood(log_weights: LogWeightFn, rng: jax.Array,
                              num_samples: int, chunk_size: int = 100) -> jax.Array:
  """[B] estimate of log p(x) from `num_samples` importance samples.

  Args:
    log_weights: draws n samples and returns their [n, B] log weights.
    rng: key; chunk c uses fold_in(rng, c).
    num_samples: K, the total number of samples per example.
    chunk_size: samples drawn per chunk (bounds memory); the last chunk's
      surplus samples, if K is not a multiple, are masked out.
  Returns:
    [B] logsumexp of the K log weights minus log K.
  """
  if num_samples < 1:
    raise ValueError(f"num_samples must be >= 1, got {num_samples}")
  chunk = min(chunk_size, num_samples)
  num_chunks = -(-num_samples // chunk)

  def body(running, c):  # running [B]: logsumexp of the log weights so far
    lw = log_weights(jax.random.fold_in(rng, c), chunk)          # [chunk, B]
    index = c * chunk + jnp.arange(chunk)
    lw = jnp.where((index < num_samples)[:, None], lw, -jnp.inf)
    return jnp.logaddexp(running, jax.nn.logsumexp(lw, axis=0)), None

  batch = jax.eval_shape(lambda: log_weights(rng, 1)).shape[1]
  init = jnp.full((batch,), -jnp.inf, jnp.float32)
  total, _ = jax.lax.scan(body, init, jnp.arange(num_chunks))
  return total - jnp.log(float(num_samples))


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


# Least squares (Mao et al. 2017) on raw D outputs, as CycleGAN and StarGAN use.


def lsgan_discriminator_loss(real_out: jax.Array, fake_out: jax.Array) -> jax.Array:
  """0.5 mean (D(real) - 1)^2 + 0.5 mean D(fake)^2 (least squares, a=0, b=c=1)."""
  return 0.5 * (jnp.mean((real_out - 1.0) ** 2) + jnp.mean(fake_out ** 2))


def lsgan_generator_loss(fake_out: jax.Array) -> jax.Array:
  """mean (D(G(x)) - 1)^2."""
  return jnp.mean((fake_out - 1.0) ** 2)


def gradient_penalty(critic, real, fake, rng):
  """E[(||grad_x D(x_hat)||_2 - 1)^2] at x_hat = e * real + (1 - e) * fake,
  e ~ U[0, 1] per example (Gulrajani et al. 2017)."""
  eps = jax.random.uniform(rng, (real.shape[0],) + (1,) * (real.ndim - 1))
  mixed = eps * real + (1.0 - eps) * fake
  grads = jax.grad(lambda x: jnp.sum(critic(x)))(mixed)
  norms = jnp.sqrt(jnp.sum(grads.reshape(grads.shape[0], -1) ** 2, -1) + 1e-12)
  return jnp.mean((norms - 1.0) ** 2)


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


# ---------------------------------------------------------------- structure
# Translations keep their input's edges in place (CycleGAN and StarGAN's
# optional structure term).


LUMA = (0.299, 0.587, 0.114)      # Rec. 601 luminance weights


def edge_magnitude(x: jax.Array, scale: int = 1) -> jax.Array:
  """[B, H, W, C] -> [B, H/s - 1, W/s - 1]: the gradient magnitude of the
  luminance (the mean over channels when C != 3), averaged over s x s
  blocks first, by forward differences."""
  lum = x @ jnp.asarray(LUMA) if x.shape[-1] == 3 else x.mean(-1)      # [B, H, W]
  if scale > 1:
    b, h, w = lum.shape
    lum = lum[:, :h - h % scale, :w - w % scale].reshape(
        b, h // scale, scale, w // scale, scale).mean((2, 4))          # [B, H/s, W/s]
  dy, dx = lum[:, 1:, :-1] - lum[:, :-1, :-1], lum[:, :-1, 1:] - lum[:, :-1, :-1]
  return jnp.sqrt(dy ** 2 + dx ** 2 + 1e-8)


NEAR_EDGE = 0.1   # a pixel is near an edge when the (2r+1)^2 max there is >= this x the peak


def near_edges(edges: jax.Array, radius: int) -> jax.Array:
  """[B, h, w] edge magnitudes -> [B, h, w] in [0, 1]: how near each place is
  to an edge, the (2r+1) x (2r+1) max over NEAR_EDGE x the image's peak,
  clipped at 1 (the peak is held fixed for gradients)."""
  k = 2 * radius + 1
  nearest = jax.lax.reduce_window(edges, -jnp.inf, jax.lax.max, (1, k, k), (1, 1, 1),
                                  "SAME")
  peak = jax.lax.stop_gradient(edges.max((1, 2), keepdims=True))
  return jnp.clip(nearest / (NEAR_EDGE * peak + 1e-8), 0.0, 1.0)


def structure_loss(x: jax.Array, y: jax.Array, scale: int = 1,
                   tolerance: int = 0) -> jax.Array:
  """How far y's luminance edges lie from x's, whatever their contrast or sign
  (a colour changed or a background inverted), as a batch mean. `scale` > 1
  compares edges of s x s block means.

  tolerance 0: 1 - cos(centred edges of x, of y), 0 when they lie in the same
    places, up to 1 when elsewhere; a stroke thickened by a pixel moves every
    edge, which this counts as much as another digit.
  tolerance r > 0: the share of y's edge mass that lies farther than r
    (block) pixels from x's edges plus the share of x's that lies farther
    than r from y's (`near_edges`), in [0, 2]: a stroke thickened or thinned
    by up to r pixels costs almost nothing, another digit does."""
  a, b = edge_magnitude(x, scale), edge_magnitude(y, scale)
  if tolerance:
    share_far = lambda e, other: (jnp.sum(e * (1.0 - near_edges(other, tolerance)), (1, 2))
                                  / (jnp.sum(e, (1, 2)) + 1e-8))
    return jnp.mean(share_far(b, a) + share_far(a, b))
  a, b = a - a.mean((1, 2), keepdims=True), b - b.mean((1, 2), keepdims=True)
  cos = jnp.sum(a * b, (1, 2)) / (jnp.linalg.norm(a, axis=(1, 2))
                                  * jnp.linalg.norm(b, axis=(1, 2)) + 1e-8)
  return jnp.mean(1.0 - cos)
