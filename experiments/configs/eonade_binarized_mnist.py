r"""Order-agnostic deep NADE (2 x 500 ReLU layers) on the fixed binarized MNIST.

Trained over random orderings with the mask as input (Uria, Murray &
Larochelle 2014); evaluated as an ensemble over `model.num_orderings`
orderings (during training: 2 orderings on 1,000 validation images).

Commands (train, then the paper's 128-ordering evaluation):
  python -m experiments.train --config=experiments/configs/eonade_binarized_mnist.py \
      --workdir=workdirs/eonade_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets
  python -m experiments.evaluate --config=experiments/configs/eonade_binarized_mnist.py \
      --workdir=workdirs/eonade_binarized_mnist --checkpoint=best \
      --config.data.data_dir=$HOME/tensorflow_datasets \
      --config.model.num_orderings=128

Runtime: 9 min for the 11,000 steps on a 2-core x86 CPU under load; an
exact evaluation costs 784 passes per ordering and image.
Published: 85.10 nats with 128 orderings, 86.64 with one (Uria, Murray &
Larochelle 2014, Table 1).
Measured (seed 0, not converged; first 1,000 test images, s.e. not
recorded): 114.31 nats with 1 ordering, 99.51 with 8.

History and ablations: docs/explicit.md
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
