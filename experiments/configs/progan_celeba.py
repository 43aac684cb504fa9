r"""Progressive GAN on CelebA at 128x128 with the paper's settings.

Command (needs TFDS `celeb_a` as array_record, docs/training.md):
  python -m experiments.train --config=experiments/configs/progan_celeba.py \
      --workdir=workdirs/progan_celeba --config.data.data_dir=DIR

Karras et al. 2018 (ICLR), Sec. 4 and Appendix A, truncated at 128x128: G
and D with 512 channels at 4-32 pixels, 256 at 64, 128 at 128; 800k images
per fade and per stable stage; minibatch 16; WGAN-GP (10) with drift 0.001;
Adam(1e-3, betas (0, 0.99)) reset at every new stage as the official code
does; an EMA of G at 0.999. Faces centre-cropped and resized to 128.

Runtime: not measured (one step on mock data in the tests); many GPU-days
at the paper's length (the paper: about 4 days on 8 Tesla V100s for
1024x1024 CelebA-HQ).
Expected: the paper reports SWD and MS-SSIM for CelebA at 128x128 per
configuration (Table 1).
History and ablations: docs/progan.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.data.name = "celeb_a"
  c.data.encoding = "float"
  c.data.image_size = 128
  c.data.train_split = "train"
  c.data.validation_split = "validation"
  c.data.eval_split = "test"
  c.model.name = "progan"
  c.model.progressive = True
  c.model.channels = (512, 512, 512, 512, 256, 128)
  c.model.batch_sizes = (16,) * 6
  c.model.fade_images = 800_000
  c.model.stable_images = 800_000
  c.model.gp_weight = 10.0
  c.model.drift = 0.001
  c.model.reset_optimizers = True    # the official code's reset_opt_for_new_lod
  c.model.d_steps = 1
  c.model.noise_dim = 512
  c.evals.stage_quality = ml_collections.ConfigDict(
      dict(num_examples=10_000, swd_images=10_000))
  c.train.num_steps = 11 * 50_000   # 8.8M images of 16
  c.train.batch_size = 16
  c.train.learning_rate = 1e-3
  c.train.b1 = 0.0
  c.train.b2 = 0.99
  c.train.ema_decay = 0.999
  c.train.log_every_steps = 500
  c.eval.every_steps = 10_000_000   # stage ends only
  c.eval.selection_metric = "swd_128px"
  c.checkpoint.every_steps = 10_000
  c.sample.every_steps = 10_000_000
  c.sample.num = 64
  return c
