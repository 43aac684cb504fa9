"""NADE (H=500, tied weights, sigmoid units) on the fixed binarized MNIST.

Command:
  python -m experiments.train --config=experiments/configs/nade_binarized_mnist.py \
      --workdir=workdirs/nade_binarized_mnist \
      --config.data.data_dir=../shared/tensorflow_datasets

Published: 88.86 nats test NLL (Larochelle & Murray 2011, Table 2, H=500,
SGD); 88.33 nats (Uria et al. 2016, JMLR, Table 2).
Measured: see MEASURED below (filled in from the run recorded there).
"""

from gen_jax.train import base_config

MEASURED = "not yet measured"


def get_config():
  c = base_config()
  c.model.name = "nade"
  c.model.hidden = 500
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.data.eval_split = "test"
  c.train.num_steps = 200_000
  c.train.batch_size = 100
  c.train.learning_rate = 1e-3
  c.train.log_every_steps = 100
  c.eval.every_steps = 2_000
  c.eval.batch_size = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 2_000
  c.sample.num = 64
  return c
