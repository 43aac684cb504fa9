r"""InfoGAN on scikit-learn digits (8x8 gray levels in [0, 1]).

Command:
  python -m experiments.train --config=experiments/configs/infogan_digits.py \
      --workdir=workdirs/infogan_digits
  python -m experiments.evaluate --config=experiments/configs/infogan_digits.py \
      --workdir=workdirs/infogan_digits

Codes: one categorical of 10 and two continuous in [-1, 1] beside 16-d
noise; the DCGAN players of dcgan_digits; a Q head (128 LeakyReLU units) on
D's trunk. Pictures under samples/: codes_categorical (row = category),
codes_continuous_{0,1} (row = category, columns sweep the code over [-2, 2]).

`categorical_code_accuracy`: Q's category for each real test digit against
its label under the best one-to-one matching (Hungarian). Published on
MNIST (Chen et al. 2016): 5% error, i.e. 95% accuracy.

Measured (seed 0, 5,000 steps, ~16 min on a shared 2-core CPU):
categorical_code_accuracy 0.743 on the 300 test digits (0.583 at 2,500
steps; codes for 1/2/5 merge, others are clean digits);
mlp256-128_frechet 7.26 (real floor 5.82), mlp256-128_score 9.33 (real
floor 9.68).
"""

import ml_collections

from experiments.configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.model.name = "infogan"
  c.model.noise_dim = 16
  c.model.num_categories = 10
  c.model.num_continuous = 2
  c.model.info_weight = 1.0
  c.model.continuous_weight = 0.1
  c.model.q_hidden = 128
  c.evals.codes = ml_collections.ConfigDict()   # beside dcgan_digits' sample_quality
  c.train.num_steps = 5000
  return c
