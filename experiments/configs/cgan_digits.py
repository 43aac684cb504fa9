r"""Class-conditional DCGAN on scikit-learn digits (8x8, floats in [0, 1]).

Command:
  python -m experiments.train --config=experiments/configs/cgan_digits.py \
      --workdir=workdirs/cgan_digits
  python -m experiments.sample --config=experiments/configs/cgan_digits.py \
      --workdir=workdirs/cgan_digits --labels=0,1,2,3,4,5,6,7,8,9

The DCGAN of `dcgan_digits.py` told the label: G reads a 32-d label
embedding beside z, D projects its features onto a label embedding
(`--config.model.conditioning=concat`: one-hot label maps instead).
Metrics (`mlp256-128_*`): conditioning accuracy and class-wise Frechet
distance, each beside the real test digits'.

Runtime: 8.5 min on a 2-core x86 CPU (4,000 steps).
Expected: conditioning accuracy 0.990 (n=300; the classifier on real test
digits 0.990), class-wise FD 24.0 (floor 19.1), FD 7.76 (floor 5.82).
No paper figure for these data (Mirza & Osindero 2014; Miyato & Koyama 2018).
History and ablations: docs/gan.md
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
