r"""Class-conditional VAE (label one-hot into encoder and decoder) on MNIST
digits as grey levels in [0, 1], dynamically binarized in training;
log p(x | y) is importance-sampled (k=100; more with
--config.model.importance_samples). The Bayes classifier and its rejection
score the grey levels as Bernoulli targets (model.log_prob_binarization =
'expected': a deterministic lower bound on E_{b ~ Bernoulli(x)} log p(b | y),
see gen_jax/models/vae.py) instead of one random binarization of each image.
Data: `mnist_small` with a validation slice (see mnist_small_training.py).

Commands:
  python -m experiments.train --config=experiments/configs/conditional_vae_mnist.py \
      --workdir=workdirs/conditional_vae_mnist
  python -m experiments.classify --workdir=workdirs/conditional_vae_mnist
  python -m experiments.sample --config=experiments/configs/conditional_vae_mnist.py \
      --workdir=workdirs/conditional_vae_mnist --labels=0,1,2,3,4,5,6,7,8,9

Measured (seed 0, 2-core CPU shared with other jobs): 3 min 20 s for the
20,000 steps, 3 min 56 s for experiments.classify (LeNet-5 baseline
included). Validation (nll_nats, k=100, every 500 steps) selects step 14,000
(96.45 nats; it rises after: the 3,500 training images overfit): test
-log p(x | y) 98.82 ± 0.97 nats (n=1,000, k=100, sampled binarization).
Bayes classifier on the 1,000 test images: accuracy 0.962 ± 0.006 against
0.978 ± 0.005 for LeNet-5 on the same float images -- 1.6 points below, so
within a 2-point goal on the point estimate, though the gap's own
standard error (~0.8 point) does not exclude more; rejection AUROC (max_y
log p(x | y)) 0.989 constant, 1.000 inverted, 0.988 letters, 1.000 noise,
1.000 digits: >= 0.95 on every set (goal met). At 5% false rejection on
validation: coverage 0.948, accuracy 0.971 on the accepted.

How it was chosen (validation only: 500 images, accuracy ± 0.007-0.011;
AUROC against the outlier sets with `inverted` made from validation):
  6,000 steps (the old config), one binarization    0.932
  same, scores averaged over 5 binarizations         0.942
  20,000 steps (best step 14,000), one binarization  0.962
  same, grey levels ('expected')                     0.972 (AUROC >= 0.989)
  + adamw weight decay 0.05 (best 14,000), grey      0.968
  hidden (500, 500), 20,000 steps (best 3,000), grey 0.944
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
  c.model.log_prob_binarization = "expected"   # classify the grey levels, not one draw
  c.train.num_steps = 20000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  c.train.steps_per_dispatch = 10              # small MLPs: hide per-step dispatch
  return c
