"""Data and training settings shared by the PixelCNN / PixelRNN paper configs."""

from gen_jax.train import base_config

# dataset -> (encoding, num_steps, batch_size)
SETTINGS = {
    "binarized_mnist": ("binary", 150_000, 64),
    "cifar10": ("categorical", 300_000, 32),    # 256-way softmax per channel
}


def pixel_config(dataset: str):
  """`base_config()` with the data, optimizer and schedule of `dataset`."""
  encoding, num_steps, batch_size = SETTINGS[dataset]
  c = base_config()
  c.data.name = dataset
  c.data.encoding = encoding
  c.data.eval_split = "test"
  c.train.num_steps = num_steps
  c.train.batch_size = batch_size
  c.train.learning_rate = 1e-3
  c.train.grad_clip_norm = 1.0
  c.train.log_every_steps = 100
  c.eval.every_steps = 10_000
  c.eval.batch_size = 256
  c.checkpoint.every_steps = 1_000
  c.sample.every_steps = 10_000
  c.sample.num = 64
  return c
