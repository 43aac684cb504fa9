r"""NADE (H=500, tied weights, sigmoid units) on the fixed binarized MNIST.

Command:
  python -m experiments.train --config=experiments/configs/nade_binarized_mnist.py \
      --workdir=workdirs/nade_binarized_mnist \
      --config.data.data_dir=../shared/tensorflow_datasets

Published: 88.86 nats test NLL (Larochelle & Murray 2011, Table 2, H=500,
SGD); 88.33 nats (Uria et al. 2016, JMLR, Table 2).

Measured (NOT converged): 94.17 nats (0.173 bits/dim) on the full 10,000
image test split after only 3,000 steps (6 epochs) of the 200,000 set here
(98.39 nats at step 2,000), 56 min wall on a 2-core CPU shared with four
other training jobs (load average 10-16, 0.6-1.6 steps/s; about 0.4 s per
step on an idle core). The run was stopped at its step-3,000 checkpoint and
evaluated with
  python -m experiments.evaluate --config=experiments/configs/nade_binarized_mnist.py \
      --workdir=workdirs/nade_binarized_mnist \
      --config.data.data_dir=../shared/tensorflow_datasets
Rerunning the train command resumes it; the paper figure needs the full
schedule (a GPU, or many CPU hours). Evaluating the 10k test images takes
about 16 s.

Measured: 94.17 nats test at step 3000 (not converged), seed 0.
"""

from gen_jax.train import base_config


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
