"""Adversarial autoencoder (Makhzani et al., 2016, "Adversarial Autoencoders").

A deterministic encoder z = f(x), a decoder p(x | z) (the VAE's likelihoods,
`gen_jax.nn.latent`), and a discriminator D(z) that tells prior samples
from encodings. Three phases per step:
  reconstruction        (encoder + decoder): E[-log p(x | f(x))]
  latent_discriminator  (discriminator):     BCE(D(z_prior), 1) + BCE(D(f(x)), 0)
  encoder_as_generator  (encoder):           BCE(D(f(x)), 1)
The prior only has to be sampled (no density or KL), so any `PRIORS` entry
works: 'gaussian', 'mixture10' (10 Gaussians on a circle, 2-D),
'swiss_roll' (2-D), 'uniform'.

Model config keys (`AAEOptions`): latent_dim, prior, encoder ('mlp' |
'conv'), hidden, channels, activation, disc_hidden, recon_weight.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.losses import discriminator_loss, generator_loss
from gen_jax.models.base import Phase, Recipe
from gen_jax.nn.latent import LatentOptions, Likelihood, build_networks
from gen_jax.nn import MLP
from gen_jax.options import option, read_options

# ------------------------------------------------------------------ priors
# Each prior: (rng, num, dim) -> [num, dim] samples.

MIXTURE_RADIUS, MIXTURE_STD, MIXTURE_MODES = 4.0, 0.5, 10


def _need_2d(name, dim):
  if dim != 2:
    raise UserError(f"model.prior={name!r} is a 2-D prior; set "
                    "--config.model.latent_dim=2 or use prior 'gaussian' or 'uniform'.")


def gaussian_prior(rng, num, dim):
  return jax.random.normal(rng, (num, dim))


def uniform_prior(rng, num, dim):
  """Uniform on the box [-2, 2]^dim."""
  return jax.random.uniform(rng, (num, dim), minval=-2.0, maxval=2.0)


def mixture_centres(num_modes=MIXTURE_MODES, radius=MIXTURE_RADIUS):
  """[M, 2] centres equally spaced on a circle."""
  angles = 2 * jnp.pi * jnp.arange(num_modes) / num_modes
  return radius * jnp.stack([jnp.cos(angles), jnp.sin(angles)], -1)


def mixture10_prior(rng, num, dim):
  """Equal mixture of 10 isotropic Gaussians (std 0.5) on a circle of radius 4."""
  _need_2d("mixture10", dim)
  k_mode, k_noise = jax.random.split(rng)
  modes = jax.random.randint(k_mode, (num,), 0, MIXTURE_MODES)
  return mixture_centres()[modes] + MIXTURE_STD * jax.random.normal(k_noise, (num, 2))


def swiss_roll_prior(rng, num, dim):
  """A 2-D swiss roll: radius grows with the angle, 1.5 turns, small noise."""
  _need_2d("swiss_roll", dim)
  k_t, k_noise = jax.random.split(rng)
  t = jnp.sqrt(jax.random.uniform(k_t, (num,)))          # uniform along the area
  angle = 3 * jnp.pi * t
  radius = 4.0 * t
  points = radius[:, None] * jnp.stack([jnp.cos(angle), jnp.sin(angle)], -1)
  return points + 0.1 * jax.random.normal(k_noise, (num, 2))


PRIORS = {"gaussian": gaussian_prior, "uniform": uniform_prior,
          "mixture10": mixture10_prior, "swiss_roll": swiss_roll_prior}


def make_prior(name: str, dim: int):
  """(rng, num) -> [num, dim] samples of the prior called `name`."""
  if name not in PRIORS:
    raise UserError(f"unknown prior {name!r}; choose --config.model.prior from "
                    f"{sorted(PRIORS)}.")
  fn = PRIORS[name]
  fn(jax.random.PRNGKey(0), 1, dim)   # validates the dimension eagerly
  return lambda rng, num: fn(rng, num, dim)


# ------------------------------------------------------------------ recipe


@dataclasses.dataclass(frozen=True)
class AAEOptions(LatentOptions):
  """The AAE's `model.` keys (module doc)."""
  prior: str = "gaussian"             # a `PRIORS` name, checked by `make_prior`
  recon_weight: float = 1.0
  disc_hidden: tuple[int, ...] = option((256, 256), minimum=1)


class AAE(Recipe):
  """Deterministic encoder matched to a sampled prior by a latent discriminator."""

  def __init__(self, config, spec):
    super().__init__(config, spec)
    self.options = o = read_options(AAEOptions, config, "model")
    self.latent_dim = o.latent_dim
    self.prior = make_prior(o.prior, self.latent_dim)
    self.likelihood = Likelihood(spec)
    self.encoder, self.decoder = build_networks(o, spec, self.likelihood,
                                                self.latent_dim)
    self.discriminator = MLP(o.disc_hidden, 1, "leaky_relu")
    self.phases = (
        Phase("reconstruction", self._reconstruction_loss, ("encoder", "decoder")),
        Phase("latent_discriminator", self._discriminator_loss, ("discriminator",)),
        Phase("encoder_as_generator", self._generator_loss, ("encoder",)),
    )

  def init(self, rng, example_batch):
    del example_batch
    k_enc, k_dec, k_disc = jax.random.split(rng, 3)
    x = jnp.zeros((1,) + tuple(self.spec.event_shape), jnp.float32)
    z = jnp.zeros((1, self.latent_dim), jnp.float32)
    return {"params": {"encoder": self.encoder.init(k_enc, x)["params"],
                       "decoder": self.decoder.init(k_dec, z)["params"],
                       "discriminator": self.discriminator.init(k_disc, z)["params"]},
            "state": {}}

  def encode(self, params, x):
    """Data-encoded x [B, *E] -> codes [B, L]."""
    return self.encoder.apply({"params": params["encoder"]},
                              self.likelihood.network_input(x))

  def decode(self, params, z):
    return self.decoder.apply({"params": params["decoder"]}, z)

  def critic(self, params, z):
    """z [B, L] -> [B] logits of 'drawn from the prior'."""
    return self.discriminator.apply({"params": params["discriminator"]}, z)[:, 0]

  def features(self, variables, x):
    """Frozen representation for probes: the code f(x) [B, L]."""
    return self.encode(variables["params"], x)

  def recon_nll(self, params, x):
    return -self.likelihood.log_prob(self.decode(params, self.encode(params, x)), x)

  def _reconstruction_loss(self, params, state, batch, rng, step):
    del rng
    nll = jnp.mean(self.recon_nll(params, batch["x"]))
    return self.options.recon_weight * nll, ({"recon_nats": nll}, state)

  def _discriminator_loss(self, params, state, batch, rng, step):
    codes = self.encode(params, batch["x"])
    real = self.critic(params, self.prior(rng, codes.shape[0]))
    fake = self.critic(params, codes)
    loss = discriminator_loss(real, fake)
    acc = 0.5 * (jnp.mean(real > 0) + jnp.mean(fake < 0))
    return loss, ({"disc_accuracy": acc}, state)

  def _generator_loss(self, params, state, batch, rng, step):
    del rng
    fake = self.critic(params, self.encode(params, batch["x"]))
    loss = generator_loss(fake, "non_saturating")
    return loss, ({}, state)

  def eval_metrics(self, variables, batch, rng):
    params = variables["params"]
    codes = self.encode(params, batch["x"])
    real = self.critic(params, self.prior(rng, codes.shape[0]))
    fake = self.critic(params, codes)
    return {"recon_nats": self.recon_nll(params, batch["x"]),
            "disc_accuracy": 0.5 * ((real > 0).astype(jnp.float32) +
                                    (fake < 0).astype(jnp.float32))}

  def sample(self, variables, rng, num, inputs=None):
    k_z, k_x = jax.random.split(rng)
    out = self.decode(variables["params"], self.prior(k_z, num))
    return self.likelihood.sample(k_x, out)

  def write_pictures(self, variables, rng, batch, directory, step):
    from gen_jax.pictures import latent as latent_pictures  # pylint: disable=import-outside-toplevel
    params = variables["params"]
    x = np.asarray(batch["x"])
    codes = np.asarray(self.features(variables, jnp.asarray(x)))
    decode_mean = lambda z: np.asarray(self.likelihood.mean(self.decode(params, z)))
    prior = np.asarray(self.prior(rng, 2000))
    latent_pictures.write_all(directory, step, self.spec, x, codes, decode_mean,
                              labels=batch.get("label"), prior_samples=prior,
                              means=decode_mean(prior[:64]), scatter_always=True,
                              manifold_range=(float(prior.min()), float(prior.max())))
