r"""Order-agnostic deep NADE (2 x 500 ReLU layers) on the fixed binarized MNIST.

Trained over random orderings with the mask as input (Uria, Murray &
Larochelle 2014); evaluated as an ensemble over `model.num_orderings`
orderings (log-mean-exp of the exact per-ordering log-likelihoods; ordering
0 is raster order, the others come from `model.ordering_seed`).

Command:
  python -m experiments.train --config=experiments/configs/eonade_binarized_mnist.py \
      --workdir=workdirs/eonade_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets
  # final ensemble evaluation (paper: 128 orderings):
  python -m experiments.evaluate --config=experiments/configs/eonade_binarized_mnist.py \
      --workdir=workdirs/eonade_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets \
      --config.model.num_orderings=128

Cost: training steps are cheap (one MLP pass per example), but an exact
log-likelihood needs one pass per dimension: 784 passes per ordering, so a
full 10k-image test evaluation with K orderings costs about 784 K times a
training epoch's forward passes. During training the evaluation therefore
uses 2 orderings on 1,000 test images.

Published: 85.10 nats with 2 hidden layers and an ensemble of 128 orderings
(Uria, Murray & Larochelle 2014, Table 1 / Uria et al. 2016, Table 2);
86.64 nats for one ordering.

Measured on binarized MNIST (short CPU run, far from converged): 11,000
steps (18 epochs of the 500,000 set here), 9 min wall on a shared 2-core
CPU (about 25 steps/s), then experiments.evaluate on the first 1,000 test
images (eval.num_examples=1000): 114.31 nats with 1 ordering (35 s),
99.51 nats with --config.model.num_orderings=8 (124 s); 104.42 nats with
the default 2 orderings at step 10,000. The paper trains for far longer. Measured on binary digits (8x8, 300 test images), 3,000
steps, seed 0, same model, 99 s wall on a loaded 2-core CPU:
  python -m experiments.train --config=experiments/configs/eonade_binarized_mnist.py \
      --workdir=workdirs/eonade_binary_digits --config.data.name=digits \
      --config.train.num_steps=3000 --config.eval.num_examples=300 \
      --config.data.validation_split=
  (the empty validation split: the digits have none; 36 s on an idle 2-core CPU)
  then experiments.evaluate with --config.model.num_orderings=K:
  K=1: 17.15 nats, K=2: 16.79 +- 0.25 (n=300), K=16: 16.55 (NADE H=500, same data and
  steps, via nade_binarized_mnist.py --config.data.name=digits: 17.38).

Measured: K=8: 99.51 nats, K=1: 114.31 nats (1k test images, step 11000, not
converged). That run watched the test subset; the config now watches the
validation split (2 orderings, first 1,000 images) and reports test for the
best validation step (evaluate it with --checkpoint=best). num_steps is
11,000, where the figures above were taken.
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "eonade"
  c.model.hidden = 500
  c.model.num_layers = 2
  c.model.num_orderings = 2
  c.model.ordering_seed = 0
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.data.validation_split = "validation"   # watched; selects the checkpoint
  c.train.num_steps = 11_000               # where the measured figure was taken
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  c.train.log_every_steps = 200
  c.eval.every_steps = 10_000
  c.eval.batch_size = 100
  c.eval.num_examples = 1_000
  c.checkpoint.every_steps = 1_000
  c.sample.every_steps = 10_000
  c.sample.num = 16
  return c
