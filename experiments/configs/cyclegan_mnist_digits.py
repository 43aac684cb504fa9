r"""CycleGAN between MNIST digits (a) and scikit-learn's digits upsampled to 28x28 (b).

Command:
  python -m experiments.train --config=experiments/configs/cyclegan_mnist_digits.py \
      --workdir=workdirs/cyclegan_mnist_digits
  python -m experiments.translate --workdir=workdirs/cyclegan_mnist_digits \
      --input=eval --output=workdirs/cyclegan_mnist_digits/translated_ab

Data: a = `mnist_small` (4,000 / 1,000 28x28 digits), b = `digits` (1,497 /
300 8x8 digits upsampled to 28x28), unpaired. The paper's objective (Zhu et
al. 2017) scaled down: generators of 16 features and 3 blocks, PatchGANs
with one stride-2 layer, batch 16, 2,000 steps. Metric: label preservation
by a LeNet-5 trained on the target domain, beside its ceiling.

Runtime: about 35 min on a 2-core x86 CPU under load.
Expected (seed 0): label preservation a->b 0.386, b->a 0.553 (ceilings
0.987 / 0.974), cycle L1 0.028 / 0.037: the cycle holds, the digit often
changes. The 90% goal needs both domains' labels:
`cyclegan_mnist_digits_labels.py`. No paper figure for digits.
History and ablations: docs/translation.md
"""

import ml_collections
from ml_collections import config_dict

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "cyclegan"
  c.model.g_features = 16
  c.model.num_blocks = 3
  c.model.d_features = 16
  c.model.d_layers = 1
  c.model.cycle_weight = 10.0
  c.model.identity_weight = 0.5
  c.model.label_weight = 0.0
  c.model.pool_size = 50
  c.model.decay_start_step = 1000
  c.data.encoding = "float"
  c.data.sources = ml_collections.ConfigDict({
      "a": {"name": "mnist_small"},
      "b": {"name": "digits", "image_size": 28,
            "pad_to": config_dict.placeholder(int)}})
  c.train.num_steps = 2000
  c.train.batch_size = 16
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 100
  c.eval.every_steps = 1000
  c.eval.batch_size = 256
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 32
  c.evals.translation = ml_collections.ConfigDict(dict(kind="labels", classifier_steps=2000))
  return c
