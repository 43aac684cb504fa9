r"""StarGAN on CelebA at 128x128 (TFDS `celeb_a`), the paper's setting.

Command (needs TFDS `celeb_a` prepared in array_record format, see README):
  python -m experiments.train --config=experiments/configs/stargan_celeba.py \
      --workdir=workdirs/stargan_celeba --config.data.data_dir=DIR
  python -m experiments.translate --workdir=workdirs/stargan_celeba \
      --input=face.png --output=blond --resize \
      --target=hair=Blond_Hair,male=false,young=true

Data: celeb_a's train split (162,770 faces; TFDS test split: 19,962),
centre-cropped to 178x178 and resized to 128x128 as in the paper, float
RGB. Attributes (`data.attributes`, read from celeb_a's 40 boolean
attributes): `hair` an exclusive group of Black_Hair, Blond_Hair and
Brown_Hair (faces with none of them, e.g. grey or bald, have class -1: no
hair term in their classification loss and an all-zero hair code), `male`
and `young` binary.

The paper's setting (Choi et al. 2018, section 4 and appendix; the authors'
code): generator with 64 base features and 6 residual blocks, a
discriminator of 6 stride-2 layers from 64 features (2x2 at 128 px),
WGAN-GP with lambda_gp 10, lambda_cls 1, lambda_rec 10, n_critic 5, Adam
1e-4 with betas (0.5, 0.999), batch 16, 200,000 iterations with the rate
decayed linearly to zero over the last 100,000. An iteration of the paper's
code is one critic update on one batch, the generator updating every 5th:
here a step is 5 critic updates on 5 fresh batches and one generator
update, so 40,000 steps read the same 200,000 batches (20 epochs) and make
the same updates, decaying from step 20,000. Differences: targets are drawn
uniformly per attribute (the paper's code permutes the batch's labels), no
random horizontal flips (not in this data pipeline), the TFDS test split
rather than 2,000 held-out training faces.

Metrics (`c.evals.attribute_translation`): LeNet-5 attribute classifiers
(hair, male, young) trained on
20,000 train faces, their accuracy on the 12 targets' translations of
1,000 test faces and on the real test faces (the ceiling); no ground truth
on real faces, so no L1 / PSNR.

The paper reports CelebA only through an Amazon Mechanical Turk study
(Tables 1 and 2: StarGAN preferred most often for hair colour, gender and
age, alone and combined); on RaFD expressions (Table 3) a classifier's
error on its translations is 2.12% (CycleGAN 5.99%, real images 0.45%).
Expected time: not measured (no GPU and no CelebA on the development
machine; the config trains one step on TFDS mock data in the tests). The
run makes 200,000 critic and 40,000 generator updates of 128-px networks at
batch 16: hours on one current data-centre GPU (an estimate, not a figure
from the paper or a measurement).
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
