r"""StarGAN on CelebA at 128x128 (TFDS `celeb_a`), the paper's setting.

Command (needs TFDS `celeb_a` as array_record, docs/training.md):
  python -m experiments.train --config=experiments/configs/stargan_celeba.py \
      --workdir=workdirs/stargan_celeba --config.data.data_dir=DIR
  python -m experiments.translate --workdir=workdirs/stargan_celeba \
      --input=face.png --output=blond --resize \
      --target=hair=Blond_Hair,male=false,young=true

Attributes: `hair` (black / blond / brown, exclusive), `male`, `young`.
Choi et al. 2018: G of 64 features and 6 blocks, D of 6 stride-2 layers,
WGAN-GP (10), lambda_cls 1, lambda_rec 10, n_critic 5, Adam 1e-4 (0.5,
0.999), batch 16; a step is 5 critic updates and one G update, so 40,000
steps are the paper's 200,000 iterations. Metrics: LeNet-5 attribute
classifiers on 1,000 test faces' translations, beside real faces.

Runtime: not measured (one step on mock data in the tests); hours on one
current data-centre GPU (an estimate).
Expected: the paper reports CelebA by user study only (Tables 1 and 2).
History and ablations: docs/translation.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "stargan"
  c.model.attributes = ("hair", "male", "young")
  c.model.g_features = 64
  c.model.num_blocks = 6
  c.model.d_features = 64
  c.model.d_layers = 6
  c.model.gp_weight = 10.0
  c.model.cls_weight = 1.0
  c.model.rec_weight = 10.0
  c.model.n_critic = 5
  c.model.decay_start_step = 20_000
  c.data.name = "celeb_a"
  c.data.encoding = "float"
  c.data.image_size = 128
  c.data.attributes = ml_collections.ConfigDict({
      "hair": ("Black_Hair", "Blond_Hair", "Brown_Hair"), "male": "Male", "young": "Young"})
  c.train.num_steps = 40_000
  c.train.batch_size = 16
  c.train.learning_rate = 1e-4
  c.train.b1 = 0.5
  c.train.b2 = 0.999
  c.train.log_every_steps = 100
  c.eval.every_steps = 10_000
  c.eval.batch_size = 64
  c.eval.num_examples = 1000
  c.eval.selection_metric = "cycle_l1"
  c.checkpoint.every_steps = 2000
  c.sample.every_steps = 2000
  c.sample.num = 8
  c.evals.attribute_translation = ml_collections.ConfigDict(dict(
      classifier_steps=2000, num_examples=1000, classifier_examples=20_000))
  return c
