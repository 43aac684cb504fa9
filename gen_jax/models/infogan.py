"""InfoGAN: interpretable codes by maximizing a mutual-information bound.

Chen et al. 2016. The generator input is noise z beside codes c: one
categorical of `num_categories` (one-hot) and `num_continuous` uniform on
[-1, 1]. A Q head on the discriminator's trunk features predicts c from
G(z, c); L_I = E[-log Q(c | G(z, c))] (cross-entropy for the categorical,
unit-variance Gaussian for the continuous codes) lower-bounds H(c) - I(c; G)
and is added with weight `model.info_weight` to the generator phase (which
updates `generator` and `q_head`) and to the discriminator phase (which
updates the shared trunk). The players are DCGAN's (`gen_jax.nn.dcgan`),
built as model 'dcgan' builds them. Evaluators: `sample_quality`, and
`codes` (Q's category of real data read as its class, `classify`).
"""

import dataclasses
import os

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.models.base.adversarial import AdversarialOptions, AdversarialRecipe
from gen_jax.nn.dcgan import (DCGANDiscriminator, DCGANGenerator, GeneratorMLP, apply_player,
                              split_state)
from gen_jax.optim import make_optimizer
from gen_jax.options import option
from gen_jax.pictures import image_grid, save_png, to_uint8_images


@dataclasses.dataclass(frozen=True)
class InfoGANOptions(AdversarialOptions):
  features: int = option(32, minimum=1)          # D's first-stage channels (and G's, unless set)
  generator_features: int = option(0, minimum=0)  # G's last-stage channels (0: `features`)
  dense: int = option(0, minimum=0)              # > 0: a dense layer of this width in each
                                                 # player (Chen et al.'s MNIST players: 1024)
  generator_learning_rate: float = option(0.0, minimum=0)   # G and Q's Adam rate
                                                 # (0: train.learning_rate, as D's)
  num_categories: int = option(10, minimum=1)    # values of the categorical code
  num_continuous: int = option(2, minimum=0)     # continuous codes, U[-1, 1]
  info_weight: float = option(1.0, minimum=0)    # L_I's weight in both phases
  continuous_weight: float = option(0.1, minimum=0)   # the continuous codes' share of L_I
  q_hidden: int = option(128, minimum=1)         # the Q head's hidden width


class InfoGAN(AdversarialRecipe):
  """DCGAN players plus latent codes and a Q head (group `q_head`);
  a `CodeClassifier` (`classify`, `num_categories`) and a `PictureWriter`."""
  Options = InfoGANOptions
  model_name = "infogan"
  generator_groups = ("generator", "q_head")

  def __init__(self, config, spec):
    super().__init__(config, spec)
    if not spec.is_image:
      raise UserError("model 'infogan' needs image data; use model 'gan' for 2-D points.")
    options = self.options
    self.generator = DCGANGenerator(spec.event_shape,
                                    options.generator_features or options.features,
                                    dense=options.dense)
    self.discriminator = DCGANDiscriminator(options.features, dense=options.dense)
    if self.num_classes:
      raise UserError("model 'infogan' learns its categories unsupervised; for "
                      "class-conditional samples use model 'dcgan' with "
                      "--config.model.conditional=True.")
    self.num_categories = options.num_categories
    self.num_continuous = options.num_continuous
    self.q_head = GeneratorMLP((options.q_hidden,),
                               self.num_categories + self.num_continuous,
                               activation="leaky_relu")

  def optimizers(self, train_config):
    """G and the Q head at `generator_learning_rate` when set (Chen et al.
    train G five times faster than D on MNIST); D, as every other group, at
    train.learning_rate (the trainer's default)."""
    rate = self.options.generator_learning_rate
    if not rate:
      return None
    return {g: make_optimizer(train_config, learning_rate=rate) for g in self.generator_groups}

  # z [B, Z], category [B] int32, continuous [B, num_continuous]
  def latent(self, rng, num):
    kz, kc, ku = jax.random.split(rng, 3)
    return {"z": jax.random.normal(kz, (num, self.options.noise_dim)),
            "category": jax.random.randint(kc, (num,), 0, self.num_categories),
            "continuous": jax.random.uniform(ku, (num, self.num_continuous),
                                             minval=-1.0, maxval=1.0)}

  def generator_input(self, latent):
    one_hot = jax.nn.one_hot(latent["category"], self.num_categories)
    return jnp.concatenate([latent["z"], one_hot, latent["continuous"]], -1)

  def init(self, rng, example_batch):
    variables = super().init(jax.random.fold_in(rng, 0), example_batch)
    x = self.to_model(example_batch["x"][:1].repeat(2, 0))
    (_, feats), _ = self.discriminate(variables["params"], variables["state"], x, False)
    q_params, _ = split_state(self.q_head.init(jax.random.fold_in(rng, 1), feats))
    variables["params"]["q_head"] = q_params
    return variables

  def predict_codes(self, params, feats):
    """Q(c | x) from D's trunk features: (category logits [B, K], means [B, U])."""
    out, _ = apply_player(self.q_head, params["q_head"], {}, feats, train=False)
    return out[:, :self.num_categories], out[:, self.num_categories:]

  def info_loss(self, params, feats, latent):
    """L_I = CE(category) + continuous_weight * 0.5 ||c - mu||^2 (scalar)."""
    logits, mean = self.predict_codes(params, feats)
    log_q = jax.nn.log_softmax(logits)
    ce = -jnp.mean(jnp.take_along_axis(log_q, latent["category"][:, None], 1))
    mse = 0.5 * jnp.mean(jnp.sum((latent["continuous"] - mean) ** 2, -1))
    loss = ce + self.options.continuous_weight * mse
    metrics = {"mi_categorical_bound": jnp.log(self.num_categories) - ce,
               "q_continuous_mse": 2.0 * mse / max(self.num_continuous, 1)}
    return self.options.info_weight * loss, metrics

  def discriminator_extra(self, params, feats, latent):
    loss, _ = self.info_loss(params, feats, latent)
    return loss, {}

  def generator_extra(self, params, feats, latent):
    return self.info_loss(params, feats, latent)

  # ------------------------------------------------------------ outputs

  def sample_codes(self, variables, latent):
    """Samples in the data encoding for explicit latents (see `latent`)."""
    out, _ = self.generate(variables["params"], variables["state"], latent, train=False)
    return self.from_model(out)

  def classify(self, variables, x):
    """Most likely category code of real data x [B, *event] (running BN stats)."""
    (_, feats), _ = self.discriminate(variables["params"], variables["state"],
                                      self.to_model(x), False)
    return jnp.argmax(self.predict_codes(variables["params"], feats)[0], -1)

  def code_grids(self, variables, rng, columns: int = 10) -> dict[str, np.ndarray]:
    """Pictures [rows, cols, *event] varying one code along each row.

    "categorical": row r uses category r, columns are noise draws.
    "continuous_j": row r uses category r, columns sweep c_j over [-2, 2]
    (beyond the training range [-1, 1], as in the paper), other inputs fixed.
    """
    k, z_dim = self.num_categories, self.options.noise_dim
    base = self.latent(rng, columns)
    z = jnp.broadcast_to(base["z"][None], (k, columns, z_dim)).reshape(-1, z_dim)
    category = jnp.repeat(jnp.arange(k), columns)
    grids = {"categorical": self.sample_codes(variables, {
        "z": z, "category": category,
        "continuous": jnp.zeros((k * columns, self.num_continuous))})}
    z_row = jnp.broadcast_to(base["z"][:1], (k * columns, z_dim))
    sweep = jnp.tile(jnp.linspace(-2.0, 2.0, columns), k)
    for j in range(self.num_continuous):
      cont = jnp.zeros((k * columns, self.num_continuous)).at[:, j].set(sweep)
      grids[f"continuous_{j}"] = self.sample_codes(
          variables, {"z": z_row, "category": category, "continuous": cont})
    return {name: np.asarray(g).reshape((k, columns) + self.spec.event_shape)
            for name, g in grids.items()}

  def write_pictures(self, variables, rng, batch, directory, step):
    for name, grid in self.code_grids(variables, rng).items():
      k, cols = grid.shape[:2]
      images = to_uint8_images(grid.reshape((k * cols,) + grid.shape[2:]), self.spec)
      picture = image_grid(images, columns=cols)
      save_png(picture, os.path.join(directory, f"codes_{name}_step_{step}.png"),
               scale=max(1, 512 // picture.shape[0]))
