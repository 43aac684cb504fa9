r"""gated_pixelcnn on binarized MNIST (the fixed Salakhutdinov & Murray 2008
binarization), Bernoulli outputs.

Architecture: 15 gated layers (vertical + horizontal stacks, 7x7 / 1x7), 64
features.

Command:
  python -m experiments.train --config=experiments/configs/gated_pixelcnn_binarized_mnist.py \
      --workdir=workdirs/gated_pixelcnn_binarized_mnist \
      --config.data.data_dir=../shared/tensorflow_datasets

Hardware / runtime: sized for one accelerator (GPU or TPU VM); not run to
completion here (the development machine is a 2-core CPU).
Published: no published binarized-MNIST figure for Gated PixelCNN; compare
with PixelCNN's 81.30 nats (van den Oord, Kalchbrenner & Kavukcuoglu 2016,
Pixel Recurrent Neural Networks (ICML), Table 4).

Measured: not yet run. This config is sized for an accelerator; the
development sessions so far had only a 2-core CPU, so there is no measured
figure yet.
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "gated_pixelcnn"
  c.model.features = 64
  c.model.num_layers = 15
  c.model.kernel = 7
  c.model.out_features = 128
  c.model.conditional = False    # True: condition on batch['label']
  c.model.sampler = "cached"     # exact; 'scan' recomputes the whole network
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.data.eval_split = "test"
  c.train.num_steps = 150_000
  c.train.batch_size = 64
  c.train.learning_rate = 1e-3
  c.train.grad_clip_norm = 1.0
  c.train.log_every_steps = 100
  c.eval.every_steps = 10_000
  c.eval.batch_size = 256
  c.checkpoint.every_steps = 1_000
  c.sample.every_steps = 10_000
  c.sample.num = 64
  return c
