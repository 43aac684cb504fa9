r"""Adversarial autoencoder on binarized digits (8x8) with a 2-D latent and a
mixture of 10 Gaussians on a circle as the prior (Makhzani et al., 2016).

Command:
  python -m experiments.train --config=experiments/configs/aae_digits.py \
      --workdir=workdirs/aae_digits

Pictures under samples/: latent_step_*.png (test encodings coloured by label
over prior samples), manifold, reconstructions, traversal.

Runtime: about 85 s on a 2-core x86 CPU under load (measured).
Expected (measured, seed 0; no paper figure for this dataset): the
encodings fill the ten prior modes, same digits in the same mode; test
reconstruction -log p(x | f(x)) 19.91 ± 0.77 nats (n=300; docs/results/latent.md),
latent
discriminator accuracy about 0.68 (0.5 is a perfect match to the prior).
Linear probe on the codes: 0.617, vs 0.927 on the raw pixels.

History and ablations: docs/latent.md
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "aae"
  c.model.latent_dim = 2
  c.model.prior = "mixture10"
  c.model.encoder = "mlp"
  c.model.hidden = (256, 256)
  c.model.channels = (32, 64)
  c.model.activation = "relu"
  c.model.disc_hidden = (256, 256)
  c.model.recon_weight = 1.0
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.train.num_steps = 5000
  c.train.batch_size = 100
  c.train.learning_rate = 5e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 250
  c.eval.every_steps = 1000
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.sample.num = 300
  return c
