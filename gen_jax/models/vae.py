"""Variational autoencoder (Kingma & Welling, 2014) with pluggable decoders.

q(z | x) = N(mean(x), diag exp(log_var(x))), p(z) = N(0, I), and p(x | z) is
Bernoulli (binary data, or float data binarized on the fly), a K-way
categorical per pixel (K-level data) or a Gaussian with a predicted,
bounded scale (float data). Training minimizes the negative ELBO
E_q[-log p(x|z)] + beta * KL(q || p) with one reparameterized sample drawn
from the loss's key; evaluation adds an importance-sampled log p(x)
(`gen_jax.losses.importance_log_likelihood`).

Model config keys (`VAEOptions`, all optional but `name`):
  latent_dim (int), encoder ('mlp' | 'conv'), hidden (MLP widths, encoder
  order; the decoder mirrors them), channels (conv channels, encoder order),
  activation, beta, dynamic_binarization (float data only: Bernoulli-sample
  the pixels from the loss's key each step), log_prob_binarization (with
  dynamic_binarization, how `log_prob` -- the score of the Bayes classifier,
  rejection and anomaly detection -- treats grey x: 'sample' (default) scores
  one Bernoulli(x) draw from its key; 'expected' scores the grey levels as
  Bernoulli targets, sum_d x_d log s_d + (1 - x_d) log(1 - s_d) =
  E_{b ~ Bernoulli(x)} log p(b | z) for each z, with q(z | x) from the grey
  input: deterministic in x and, by Jensen, a lower bound on
  E_b log p(b) (the IS estimate a stochastic lower bound on it). It is not a
  normalized density over grey images; `eval_metrics` keeps the sampled
  binarization, so its nll_nats stay the usual binarized-data figure),
  importance_samples (K of the eval-time estimate), importance_chunk
  (samples per chunk).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import (gaussian_kl_standard, gaussian_log_prob,
                            importance_log_likelihood, nats_to_bits_per_dim)
from gen_jax.models.base import (Phase, Recipe, batch_label, label_classes,
                                 sample_labels)
from gen_jax.nn.latent import LatentOptions, Likelihood, build_networks
from gen_jax.options import option, read_options


def reparameterize(rng, mean, log_var, num=None):
  """z = mean + exp(log_var / 2) * eps; [B, L] or [num, B, L] when num is set."""
  shape = mean.shape if num is None else (num,) + mean.shape
  eps = jax.random.normal(rng, shape, mean.dtype)
  return mean + jnp.exp(0.5 * log_var) * eps


# -------------------------------------------------------------------- recipe


@dataclasses.dataclass(frozen=True)
class VAEOptions(LatentOptions):
  """The VAE's `model.` keys (module doc)."""
  conditional: bool = False
  beta: float = option(1.0, minimum=0.0)
  dynamic_binarization: bool = False
  log_prob_binarization: str = option("sample", choices=("sample", "expected"))
  importance_samples: int = option(100, minimum=1)
  importance_chunk: int = option(50, minimum=1)

  def __post_init__(self):
    if self.log_prob_binarization == "expected" and not self.dynamic_binarization:
      raise UserError("model.log_prob_binarization='expected' scores grey levels of "
                      "dynamically binarized data: set --config.model.dynamic_binarization=True.")


class VAE(Recipe):
  """Gaussian-latent VAE; one phase `neg_elbo` over encoder and decoder.

  `conditional` (False): the class-conditional VAE, q(z | x, y) and
  p(x | z, y) with the label's one-hot fed to both networks, so
  `log_prob` estimates log p(x | y) (importance-sampled, p(z) = N(0, I)).
  """

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.options = o = read_options(VAEOptions, config, "model")
    self.num_classes = label_classes(o.conditional, spec, "vae")
    self.sample_inputs = ("label",) if self.num_classes else ()
    self.latent_dim = o.latent_dim
    self.likelihood = Likelihood(spec, o.dynamic_binarization)
    self.encoder, self.decoder = build_networks(o, spec, self.likelihood,
                                                2 * self.latent_dim)
    self.phases = (Phase("neg_elbo", self._loss, ("encoder", "decoder")),)

  def init(self, rng, example_batch):
    del example_batch
    k_enc, k_dec = jax.random.split(rng)
    x = jnp.zeros((1,) + tuple(self.spec.event_shape), jnp.float32)
    z = jnp.zeros((1, self.latent_dim + self.num_classes), jnp.float32)
    label = jnp.zeros((1,), jnp.int32) if self.num_classes else None
    return {"params": {"encoder": self.encoder.init(k_enc, x, self._onehot(label))["params"],
                       "decoder": self.decoder.init(k_dec, z)["params"]},
            "state": {}}

  def _onehot(self, label):
    """[B] labels -> [B, K] one-hot (None for an unconditional VAE)."""
    return jax.nn.one_hot(label, self.num_classes) if self.num_classes else None

  def posterior(self, params, x, label=None):
    """Data-encoded x [B, *E] (, label [B]) -> (mean, log_var), each [B, L]."""
    h = self.encoder.apply({"params": params["encoder"]},
                           self.likelihood.network_input(x), self._onehot(label))
    return h[:, :self.latent_dim], h[:, self.latent_dim:]

  def decode(self, params, z, label=None):
    """z [..., L] (, label [B] matching z's last batch axis) -> outputs [..., *E, P]."""
    lead = z.shape[:-1]
    if self.num_classes:
      onehot = jnp.broadcast_to(self._onehot(label), lead + (self.num_classes,))
      z = jnp.concatenate([z, onehot], -1)
    out = self.decoder.apply({"params": params["decoder"]}, z.reshape(-1, z.shape[-1]))
    return out.reshape(lead + out.shape[1:])

  def features(self, variables, x, label=None):
    """Frozen representation for probes: the posterior mean [B, L]."""
    return self.posterior(variables["params"], x, label)[0]

  def elbo_terms(self, params, x, rng, label=None):
    """(reconstruction -log p(x|z), KL) per example, [B] each, one z sample."""
    mean, log_var = self.posterior(params, x, label)
    z = reparameterize(rng, mean, log_var)
    recon = -self.likelihood.log_prob(self.decode(params, z, label), x)
    kl = gaussian_kl_standard(mean, log_var).sum(-1)
    return recon, kl

  def _loss(self, params, state, batch, rng, step):
    k_bin, k_z = jax.random.split(rng)
    x = self.likelihood.binarize(k_bin, batch["x"])
    recon, kl = self.elbo_terms(params, x, k_z, batch_label(batch, self.num_classes, "vae"))
    metrics = {"elbo": -jnp.mean(recon + kl), "recon_nats": jnp.mean(recon),
               "kl_nats": jnp.mean(kl)}
    return jnp.mean(recon + self.options.beta * kl), (metrics, state)

  def importance_log_prob(self, params, x, rng, num_samples, label=None):
    """[B] importance-sampled log p(x) (log p(x | y) given `label`) with
    q(z | x (, y)) as the proposal."""
    mean, log_var = self.posterior(params, x, label)

    def log_weights(key, n):  # [n, B]
      z = reparameterize(key, mean, log_var, n)                       # [n, B, L]
      log_q = gaussian_log_prob(z, mean, 0.5 * log_var).sum(-1)
      log_prior = gaussian_log_prob(z, 0.0, 0.0).sum(-1)
      log_lik = self.likelihood.log_prob(self.decode(params, z, label), x)   # [n, B]
      return log_lik + log_prior - log_q

    return importance_log_likelihood(log_weights, rng, num_samples,
                                     self.options.importance_chunk)

  def log_prob(self, variables, batch, rng=None):
    """[B] importance-sampled estimate of log p(x) (needs `rng`); with
    log_prob_binarization='expected', of the grey levels' expected
    log-likelihood bound (see the module docstring)."""
    if rng is None:
      raise ValueError("the VAE's log_prob is an importance-sampled estimate; pass rng")
    k_bin, k_is = jax.random.split(rng)
    x = batch["x"]
    if self.options.log_prob_binarization == "sample":
      x = self.likelihood.binarize(k_bin, x)
    return self.importance_log_prob(variables["params"], x, k_is,
                                    self.options.importance_samples,
                                    batch_label(batch, self.num_classes, "vae"))

  def eval_metrics(self, variables, batch, rng):
    k_bin, k_elbo, k_is = jax.random.split(rng, 3)
    params = variables["params"]
    x = self.likelihood.binarize(k_bin, batch["x"])
    label = batch_label(batch, self.num_classes, "vae")
    recon, kl = self.elbo_terms(params, x, k_elbo, label)
    nll = -self.importance_log_prob(params, x, k_is, self.options.importance_samples, label)
    metrics = {"nll_nats": nll, "neg_elbo_nats": recon + kl,
               "recon_nats": recon, "kl_nats": kl}
    if self.spec.is_image:
      metrics["bits_per_dim"] = nats_to_bits_per_dim(nll, self.spec.num_dims)
    return metrics

  def sample(self, variables, rng, num, inputs=None):
    k_z, k_x = jax.random.split(rng)
    z = jax.random.normal(k_z, (num, self.latent_dim))
    label = sample_labels(inputs, num, self.num_classes)
    return self.likelihood.sample(k_x, self.decode(variables["params"], z, label))

  def write_pictures(self, variables, rng, batch, directory, step):
    from gen_jax.pictures import latent as latent_pictures  # pylint: disable=import-outside-toplevel
    params = variables["params"]
    x = jnp.asarray(batch["x"])
    if self.likelihood.dynamic_binarization:
      x = self.likelihood.binarize(rng, x)
    label = batch_label(batch, self.num_classes, "vae")
    codes = self.features(variables, x, label)                       # [N, L]
    if self.num_classes:   # pictures decode with the first example's class
      fixed = lambda z: jnp.full(z.shape[:1], label[0], jnp.int32)
      decode_mean = lambda z: np.asarray(self.likelihood.mean(
          self.decode(params, z, fixed(z))))
    else:
      decode_mean = lambda z: np.asarray(self.likelihood.mean(self.decode(params, z)))
    latent_pictures.write_all(
        directory, step, self.spec, np.asarray(x), np.asarray(codes), decode_mean,
        labels=batch.get("label"), prior_samples=None,
        means=decode_mean(jax.random.normal(rng, (64, self.latent_dim))))
