r"""RBM with 500 hidden units trained by CD-25 on the fixed binarized MNIST.

k grows from 1 to 25 over the first 50,000 steps; SGD with momentum 0.5,
then 0.9; learning rate 0.05 decayed linearly to 0; 200,000 steps of 100.
AIS with the paper's 14,500 intermediate distributions and 100 runs.

Command:
  python -m experiments.train --config=experiments/configs/rbm_binarized_mnist.py \
      --workdir=workdirs/rbm_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets

Runtime (estimated, the full schedule has not been run): about 5 h on a
2-core x86 CPU under load (about 12 CD-25 steps/s, 80 s per AIS evaluation).
Published: about 86.34 nats test NLL for CD25(500) (Salakhutdinov & Murray
2008, "On the quantitative analysis of deep belief networks"; their own
stochastic binarization, so not strictly comparable).
Measured, short run only (seed 0, 12,000 steps with k ramped over them,
14 min): 88.30 ± 0.52 nats on the first 2,000 test images, AIS log Z
475.72 ± 0.10.

History and ablations: docs/rbm.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "rbm"
  c.model.hidden = 500
  c.model.persistent = False         # CD: chains start at the data
  c.model.cd_k = 1                   # CD-1, growing to ...
  c.model.cd_k_final = 25            # ... CD-25
  c.model.cd_k_ramp_steps = 50_000
  c.model.momentum = 0.5
  c.model.final_momentum = 0.9
  c.model.momentum_switch_step = 2_500   # 5 epochs of 500 batches
  c.model.learning_rate_decay_steps = 200_000   # linear to 0
  c.model.weight_decay = 2e-4
  c.model.sample_burn_in = 1000
  c.model.sample_thinning = 20
  c.data.name = "binarized_mnist"
  c.data.encoding = "binary"
  c.data.validation_split = "validation"   # watched; selects the checkpoint
  c.data.eval_split = "test"               # reported once, for that checkpoint
  c.train.num_steps = 200_000
  c.train.batch_size = 100
  c.train.optimizer = "sgd"
  c.train.learning_rate = 0.05
  c.train.log_every_steps = 500
  c.eval.every_steps = 10_000
  c.eval.batch_size = 500
  c.checkpoint.every_steps = 2_000
  c.sample.every_steps = 10_000
  c.sample.num = 64
  c.evals.ais = ml_collections.ConfigDict(dict(
      log_z="ais", ais_steps=14_500, ais_runs=100))   # Salakhutdinov & Murray's schedule
  return c
