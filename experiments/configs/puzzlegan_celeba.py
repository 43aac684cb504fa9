r"""Puzzle-GAN on CelebA faces at 64x64 (TFDS `celeb_a`), the paper's setting.

Command:
  python -m experiments.train --config=experiments/configs/puzzlegan_celeba.py \
      --workdir=workdirs/puzzlegan_celeba
  python -m experiments.sample --config=experiments/configs/puzzlegan_celeba.py \
      --workdir=workdirs/puzzlegan_celeba --patches_from=face.png   # 64x64 RGB

Lee et al., ECCV 2018, and the authors' code (github.com/hellbell/KeyPatchGan):
faces cropped and resized to 64x64, three key patches (here the three
highest-variance 16x16 windows), Adam(2e-4, beta1=0.5), batch 64, z of
128, 25 epochs. Metrics (`puzzle`): mask IoU and L1 beside random placement.
Needs TFDS `celeb_a` in $HOME/tensorflow_datasets, TFDS_DATA_DIR or
--config.data.data_dir.

Runtime: not measured (one step on mock data in the tests).
Expected: the paper shows pictures and user studies, no figure to match.
History and ablations: docs/puzzlegan.md
"""

from experiments.configs import puzzlegan_digits


def get_config():
  c = puzzlegan_digits.get_config()
  c.data.name = "celeb_a"
  c.data.encoding = "float"
  c.data.image_size = 64
  c.model.patch_size = 16
  c.model.noise_dim = 128
  c.model.embed_dim = 128
  c.model.features = 64
  c.model.d_features = 64
  c.evals.puzzle.num_examples = 1024
  c.train.num_steps = 63600     # 25 epochs of 162,770 images at batch 64 (the authors' code)
  c.train.batch_size = 64
  c.train.ema_decay = 0.999
  c.eval.every_steps = 5000
  c.eval.num_examples = 1024
  c.checkpoint.every_steps = 2500
  c.sample.every_steps = 2500
  c.sample.num = 16
  return c
