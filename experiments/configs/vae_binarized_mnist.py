r"""VAE on fixed-binarization MNIST, the IWAE paper's one-layer architecture.

50 Gaussian latents; encoder 784-200-200-(2x50), decoder 50-200-200-784,
tanh; Bernoulli decoder; k=1 training (the plain VAE).

Commands (train, then the reported k=5000 importance-sampled estimate):
  python -m experiments.train --config=experiments/configs/vae_binarized_mnist.py \
      --workdir=workdirs/vae_bmnist \
      --config.data.data_dir=$HOME/tensorflow_datasets
  python -m experiments.evaluate --config=experiments/configs/vae_binarized_mnist.py \
      --workdir=workdirs/vae_bmnist --checkpoint=best \
      --config.data.data_dir=$HOME/tensorflow_datasets \
      --config.model.importance_samples=5000 --config.eval.num_examples=10000

Runtime: about 45 min for the 500,000 steps on an idle 2-core AMD EPYC CPU
(about 200 steps/s); the k=5000 evaluation of the 10,000 test images 17 min.
Reproduce: python -m experiments.reproduce --table=latent --rows=vae_mnist
--data_dir=$HOME/tensorflow_datasets.
Published: -log p(x) 88.71 nats (Burda et al. 2016, Table 1, VAE, k=1;
batch 20, learning rate decayed from 1e-3 to 1e-4 over 3,280 epochs).
Measured (seed 0, step 450,000 selected on validation): 89.77 +- 0.25 nats
(k=5000, all 10,000 test images), negative ELBO 97.62; the validation curve
is flat from step 250,000 on.
History and ablations: docs/latent.md
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "vae"
  c.model.latent_dim = 50
  c.model.encoder = "mlp"
  c.model.hidden = (200, 200)
  c.model.channels = (32, 64)
  c.model.activation = "tanh"
  c.model.beta = 1.0
  c.model.dynamic_binarization = False
  c.model.importance_samples = 100     # training-time eval; 5000 for the reported number
  c.model.importance_chunk = 50
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.data.train_split = "train"
  c.data.validation_split = "validation"   # watched; selects the checkpoint
  c.data.eval_split = "test"               # reported once, for that checkpoint
  c.train.num_steps = 500_000              # 1,000 epochs
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  c.train.log_every_steps = 500
  c.eval.every_steps = 10_000
  c.eval.batch_size = 500
  c.eval.num_examples = 2000           # training-time eval on a subset
  c.checkpoint.every_steps = 2000
  c.checkpoint.max_to_keep = 2
  c.sample.every_steps = 10_000
  c.sample.num = 64
  return c
