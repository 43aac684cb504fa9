r"""Class-conditional PixelCNN p(x | y) (conditional biases, van den Oord et al.
2016b) on binarized 28x28 MNIST digits; a small model sized for a CPU.
Data: `mnist_small` with a validation slice (see mnist_small_training.py).

Commands:
  python -m experiments.train --config=experiments/configs/conditional_pixelcnn_mnist.py \
      --workdir=workdirs/conditional_pixelcnn_mnist
  python -m experiments.classify --workdir=workdirs/conditional_pixelcnn_mnist
  python -m experiments.sample --config=experiments/configs/conditional_pixelcnn_mnist.py \
      --workdir=workdirs/conditional_pixelcnn_mnist --labels=0,1,2,3,4,5,6,7,8,9

Runtime and expected figures: see MEASURED below (our own figures on this
5,000-image subset; the papers report full-MNIST figures only).
"""

from experiments.configs.mnist_small_training import mnist_small_config

MEASURED = "not yet measured"


def get_config():
  c = mnist_small_config("binary")
  c.model.name = "pixelcnn"
  c.model.features = 32
  c.model.num_blocks = 5
  c.model.first_kernel = 7
  c.model.kernel = 3
  c.model.out_features = 64
  c.model.conditional = True
  c.model.sampler = "cached"
  c.train.num_steps = 3000
  c.train.batch_size = 32
  c.train.learning_rate = 1e-3
  c.train.grad_clip_norm = 1.0
  c.eval.batch_size = 100
  return c
