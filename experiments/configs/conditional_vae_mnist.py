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

Measured (seed 0, 2-core CPU): 54 s for the 6,000 steps; validation selects
the last step (97.24 nats, k=100): test -log p(x | y) 98.84 ± 0.89 nats
(n=1,000, k=100, dynamically binarized: a stochastic estimate).
Bayes classifier (k=100 per class): accuracy 0.932 ± 0.008 against
0.978 ± 0.005 for LeNet-5 on the same float images; rejection AUROC 1.000
on noise, inverted and digits, 0.985 on constant, 0.929 on letters.
"""

from experiments.configs.mnist_small_training import mnist_small_config


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
