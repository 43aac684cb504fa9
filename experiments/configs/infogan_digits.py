r"""InfoGAN on scikit-learn digits (8x8 gray levels in [0, 1]).

Command:
  python -m experiments.train --config=experiments/configs/infogan_digits.py \
      --workdir=workdirs/infogan_digits
  python -m experiments.evaluate --config=experiments/configs/infogan_digits.py \
      --workdir=workdirs/infogan_digits

Codes: one categorical of 10 and two continuous in [-1, 1] beside 16-d
noise; the DCGAN players of dcgan_digits; a Q head (128 units) on D's
trunk. Pictures under samples/: codes_categorical, codes_continuous_{0,1}.
`categorical_code_accuracy`: Q's category of each real test digit against
its label under the best one-to-one (Hungarian) matching.

Runtime: about 16 min on a 2-core x86 CPU under load (5,000 steps).
Expected (seed 0): categorical code accuracy 0.743 on the 300 test digits.
Paper (MNIST, Chen et al. 2016, Sec. 7.1): 0.95 (5% error).
History and ablations: docs/gan.md
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
