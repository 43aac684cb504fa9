r"""Class-conditional DCGAN on scikit-learn digits (8x8, floats in [0, 1]).

Command:
  python -m experiments.train --config=experiments/configs/cgan_digits.py \
      --workdir=workdirs/cgan_digits
  python -m experiments.sample --config=experiments/configs/cgan_digits.py \
      --workdir=workdirs/cgan_digits --labels=0,1,2,3,4,5,6,7,8,9

The DCGAN of `dcgan_digits.py` told the label (Mirza & Osindero 2014): G
reads a 32-d label embedding beside z, D a projection of its features onto a
label embedding (Miyato & Koyama 2018); `--config.model.conditioning=concat`
gives D one-hot label maps beside the image instead. Fake batches take the
real batch's labels.

Metrics (`mlp256-128_*`, the in-repo classifier trained on the train split):
`conditioning_accuracy` (the classifier finds the asked class in the sample)
beside its accuracy on real test digits, and `classwise_frechet` beside the
same for real test digits. Runtime and figures: README, "Conditional GAN".
"""

import ml_collections

from experiments.configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.conditional = True
  c.model.conditioning = "projection"
  c.model.label_embed_dim = 32
  metrics = dict(num_examples=300, classifier_steps=2000)   # the test split's size:
  c.evals.sample_quality = ml_collections.ConfigDict(metrics)   # floor and samples match
  c.evals.conditioning = ml_collections.ConfigDict(metrics)
  c.train.num_steps = 4000
  c.eval.every_steps = 1000
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  return c
