r"""CycleGAN between two domains of the attribute digits, beside StarGAN.

Command:
  python -m experiments.train \
      --config=experiments/configs/cyclegan_mnist_attributes.py \
      --workdir=workdirs/cyclegan_mnist_attributes
  python -m experiments.compare_translation \
      --cyclegan=workdirs/cyclegan_mnist_attributes \
      --stargan=workdirs/stargan_mnist_attributes

Data: `attribute_digits` at 16x16 RGB, a = red, thin, black background; b =
blue, thick, white (every attribute changes); unpaired, with the exact
translation known. The paper's objective (Zhu et al. 2017), sized like the
StarGAN config (32 features, 3 blocks), batch 16, 3,000 steps.

Runtime: 62 min on a 2-core x86 CPU under load.
Expected (seed 0, n=1,000 per direction): attribute accuracy 0.996 / 0.999,
digit preservation 0.861 / 0.839 (ceilings 0.938 / 0.955), PSNR 24.2 /
25.4 dB. Paper (RaFD, Choi et al. 2018, Table 3): CycleGAN error 5.99%.
History and ablations: docs/translation.md
"""

import ml_collections

from gen_jax.train import base_config

DOMAIN_A = "colour=red,thickness=thin,background=black"
DOMAIN_B = "colour=blue,thickness=thick,background=white"


def get_config():
  c = base_config()
  c.model.name = "cyclegan"
  c.model.g_features = 32
  c.model.num_blocks = 3
  c.model.d_features = 32
  c.model.d_layers = 2
  c.model.cycle_weight = 10.0
  c.model.identity_weight = 0.5
  c.model.pool_size = 50
  c.data.encoding = "float"
  c.data.sources = ml_collections.ConfigDict({
      "a": {"name": "attribute_digits", "image_size": 16, "domain": DOMAIN_A,
            "digit_images": True},
      "b": {"name": "attribute_digits", "image_size": 16, "domain": DOMAIN_B,
            "digit_images": True}})
  c.train.num_steps = 3000
  c.train.batch_size = 16
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 100
  c.eval.every_steps = 1000
  c.eval.batch_size = 200
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 16
  c.evals.translation = ml_collections.ConfigDict(dict(kind="domain", classifier_steps=2000))
  return c
