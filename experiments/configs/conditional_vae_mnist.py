r"""Class-conditional VAE (label one-hot into encoder and decoder) on MNIST
digits as grey levels in [0, 1], dynamically binarized; log p(x | y) is
importance-sampled (k=100 while training, more with
--config.model.importance_samples).
Data: `mnist_small` with a validation slice (see mnist_small_training.py).

Commands:
  python -m experiments.train --config=experiments/configs/conditional_vae_mnist.py \
      --workdir=workdirs/conditional_vae_mnist
  python -m experiments.classify --workdir=workdirs/conditional_vae_mnist
  python -m experiments.sample --config=experiments/configs/conditional_vae_mnist.py \
      --workdir=workdirs/conditional_vae_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures on this
5,000-image subset; the papers report full-MNIST figures only).
"""

from experiments.configs.mnist_small_training import mnist_small_config

MEASURED = "not yet measured"


def get_config():
  c = mnist_small_config("float")
  c.model.name = "vae"
  c.model.latent_dim = 16
  c.model.encoder = "mlp"
  c.model.hidden = (300, 300)
  c.model.activation = "relu"
  c.model.dynamic_binarization = True
  c.model.importance_samples = 100
  c.model.importance_chunk = 50
  c.model.conditional = True
  c.train.num_steps = 6000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  return c
