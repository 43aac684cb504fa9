"""Data and training settings shared by the PixelCNN / PixelRNN paper configs."""

from gen_jax.train import base_config

# dataset -> (encoding, num_steps, batch_size, train split, validation split)
SETTINGS = {
    "binarized_mnist": ("binary", 150_000, 64, "train", "validation"),
    # 256-way softmax per channel; CIFAR-10 has no validation split: the last
    # 5,000 training images are held out (a fixed slice).
    "cifar10": ("categorical", 300_000, 32, "train[:45000]", "train[45000:]"),
}


def pixel_config(dataset: str):
  """`base_config()` with the data, optimizer and schedule of `dataset`."""
  encoding, num_steps, batch_size, train_split, validation_split = SETTINGS[dataset]
  c = base_config()
  c.data.name = dataset
  c.data.encoding = encoding
  c.data.train_split = train_split
  c.data.validation_split = validation_split   # watched; selects the checkpoint
  c.data.eval_split = "test"                   # reported once, for that checkpoint
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
