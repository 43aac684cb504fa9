r"""DCGAN on CelebA faces at 64x64 (TFDS `celeb_a`, center-cropped, resized).

Command:
  python -m experiments.train --config=experiments/configs/dcgan_celeba.py \
      --workdir=workdirs/dcgan_celeba

The paper's architecture (Radford et al. 2016): G from 100-d z to 4x4x1024,
then 512, 256, 128 channels and RGB; D 64..512 channels, LeakyReLU 0.2;
Adam(2e-4, beta1=0.5), batch 128. celeb_a has no class label, so no
classifier metrics: judge the grids under workdirs/dcgan_celeba/samples.
Needs TFDS `celeb_a` in $HOME/tensorflow_datasets, TFDS_DATA_DIR or
--config.data.data_dir.

Runtime: not measured (one step on mock data in the tests); the paper
trains a few epochs of about 1,500 steps at batch 128.
Expected: no figure; the paper shows samples.
History and ablations: docs/gan.md
"""

import ml_collections

from experiments.configs import dcgan_digits


def get_config():
  c = dcgan_digits.get_config()
  c.data.name = "celeb_a"
  c.data.encoding = "float"
  c.data.image_size = 64
  c.model.noise_dim = 100
  c.model.features = 64     # G: 4x4x1024 -> 512 -> 256 -> 128 -> RGB; D: 64..512
  c.evals = ml_collections.ConfigDict()   # no labels: no sample metrics
  c.train.num_steps = 8000
  c.train.batch_size = 128
  c.train.log_every_steps = 100
  c.eval.every_steps = 2000
  c.eval.num_examples = 1024
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.sample.num = 64
  return c
