r"""RBM with 500 hidden units trained by CD-25 on the fixed binarized MNIST.

Command:
  python -m experiments.train --config=experiments/configs/rbm_binarized_mnist.py \
      --workdir=workdirs/rbm_binarized_mnist \
      --config.data.data_dir=$HOME/tensorflow_datasets

Published: about -86.34 nats average test log-probability for an RBM with
500 hidden units trained by CD-25, log Z estimated by AIS (Salakhutdinov &
Murray 2008, "On the quantitative analysis of deep belief networks", the
CD25(500) model), i.e. a test NLL of about 86.34 nats. The binarized images
differ slightly: the paper binarized MNIST stochastically itself, with its
own training set, while `binarized_mnist` is the fixed binarization
distributed by Larochelle & Murray (2011) with a 50,000 / 10,000 / 10,000
train / validation / test split; figures on the two are close but not
strictly comparable.

Schedule: k grows linearly from 1 to 25 (CD-1 -> CD-25) over the first
50,000 steps (one fixed 25-sweep scan; sweeps past the current k are
skipped); SGD with momentum 0.5 for the first 5 epochs, then 0.9; learning
rate 0.05 decayed linearly to 0 at the last step; L2 weight decay 2e-4 on
W. The growing k and the momentum switch follow the paper's description;
learning rate, weight decay, batch size and length (200,000 steps of 100,
400 epochs) are our choices. AIS: the paper's 14,500 intermediate
distributions (500 / 4,000 / 10,000 uniform steps on [0, .5], [.5, .9],
[.9, 1]) and 100 runs, from a base-rate RBM whose visible biases are the
logits of the training pixel means (kept in the model state). Validation
is evaluated every 10,000 steps and selects the checkpoint; test is
reported once.

Expected runtime (not measured for the full length): on a 2-core CPU shared
with other jobs, CD-25 steps run at about 12 per second and one full AIS
evaluation takes about 80 s, so the 200,000 steps take about 5 h. A GPU
should be much faster (not measured).

Measured, SHORT RUN only (seed 0, NOT the full schedule): 12,000 steps (24
epochs) with k ramped 1 -> 25 over those 12,000 steps and the learning
rate decayed to 0 at 12,000, full AIS (14,500 x 100):
  python -m experiments.train --config=experiments/configs/rbm_binarized_mnist.py \
      --workdir=workdirs/rbm_bmnist_12k \
      --config.data.data_dir=$HOME/tensorflow_datasets \
      --config.train.num_steps=12000 --config.model.cd_k_ramp_steps=12000 \
      --config.model.learning_rate_decay_steps=12000 \
      --config.eval.num_examples=2000 --config.eval.every_steps=12000 \
      --config.sample.every_steps=12000
test NLL 88.30 +- 0.52 nats (0.162 bits/dim) on the first 2,000 test
images (validation, first 2,000: 90.42 +- 0.54), AIS log Z = 475.72 +-
0.10; 14 min wall on that CPU (11 min training, the rest two AIS
evaluations and checkpoints). A 3,000-step run (AIS with 2,000
intermediate distributions, first 1,000 test images) gave 101.6 +- 0.9.
The full schedule has not been run.
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
