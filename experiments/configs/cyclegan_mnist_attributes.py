r"""CycleGAN between two domains of the attribute digits, beside StarGAN.

Command:
  nice -n 10 python -m experiments.train \
      --config=experiments/configs/cyclegan_mnist_attributes.py \
      --workdir=workdirs/cyclegan_mnist_attributes
  python -m experiments.compare_translation \
      --cyclegan=workdirs/cyclegan_mnist_attributes \
      --stargan=workdirs/stargan_mnist_attributes

Data: `attribute_digits` at 16x16 RGB (the StarGAN config's data) with a
fixed `domain` per source: a = red, thin stroke, black background; b =
blue, thick stroke, white background, the pair that changes all three
attributes. Each source draws every one of the 4,000 train digits once
(the same digits in both domains, but each source is shuffled on its own
and CycleGAN never sees which rows match: training is unpaired); the test
split holds the 1,000 test digits of each domain, with their grey digit
(`digit_images`), so the exact translation is known.

The side-by-side with StarGAN (the comparison table, after the StarGAN paper's
Table 3, which compared one StarGAN with CycleGANs trained per pair of
RaFD expressions): `experiments.compare_translation` translates the same
test digits a -> b and b -> a with both models and scores them with the
same classifiers as `gen_jax.eval.attribute_translation` (L1 and PSNR to the
exact translation, attribute accuracy, digit preservation), beside the
parameter counts and training times. Figures: the README ("StarGAN against
a pairwise CycleGAN").

Measured (seed 0, this config, 3,000 steps: 62 min on the 2-core CPU
beside two or three other trainings; 2.49 M parameters, 2.16 M in the two
generators), 1,000 test digits per direction, judged by the comparison's
LeNet-5 classifiers: a -> b attribute accuracy 0.996 +- 0.002, digit
preservation 0.861 +- 0.011 (the classifiers on real b images: 0.990 and
0.938), L1 to the exact translation 0.030, PSNR 24.2 dB; b -> a 0.999 +-
0.001, 0.839 +- 0.012 (real a: 0.996, 0.955), L1 0.014, PSNR 25.4 dB; cycle
L1 0.012 (a) and 0.025 (b). StarGAN on the same digits: digit preservation
0.013 / 0.022 (README, "StarGAN against a pairwise CycleGAN").

The paper's setting (Zhu et al. 2017) for everything but size: LSGAN
losses, cycle weight 10, identity 0.5 x 10, a pool of 50 past fakes,
Adam 2e-4 with beta1 0.5, constant then linearly decayed to zero from half
the run. Sized like the StarGAN config (generators of 32 base features and
3 residual blocks, PatchGANs from 32 features), batch 16, 3,000 steps.
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
