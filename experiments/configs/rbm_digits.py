r"""RBM (100 binary hidden units, CD-3) on the binary 8x8 digits.

Command:
  python -m experiments.train --config=experiments/configs/rbm_digits.py \
      --workdir=workdirs/rbm_digits

Runtime: 36 s on a 2-core x86 CPU under load: the 3,000 steps take a few
seconds, each of the three evaluations about 9 s, nearly all of it the AIS
estimate of log Z (14,500 intermediate distributions, 100 runs, as in
Salakhutdinov & Murray 2008).
Expected (measured, seed 0, step 3,000, n=300): test NLL 16.43 ± 0.26 nats;
AIS log Z = 106.226 ± 0.016 (its error adds to every image alike). Our own
figure; there is no paper figure for this dataset.

History and ablations: docs/rbm.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "rbm"
  c.model.hidden = 100
  c.model.persistent = False         # CD-k: chains start at the batch
  c.model.cd_k = 3
  c.model.momentum = 0.5             # SGD momentum 0.5, then 0.9 (as in the paper)
  c.model.final_momentum = 0.9
  c.model.momentum_switch_step = 75  # 5 epochs of 15 batches
  c.model.learning_rate_decay_steps = 3000   # linear to 0
  c.model.weight_decay = 1e-4
  c.model.sample_burn_in = 1000
  c.model.sample_thinning = 10
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.train.num_steps = 3000
  c.train.batch_size = 100
  c.train.optimizer = "sgd"
  c.train.learning_rate = 0.05
  c.train.log_every_steps = 100
  c.eval.every_steps = 1000
  c.checkpoint.every_steps = 1000
  c.sample.every_steps = 1000
  c.sample.num = 100
  c.evals.ais = ml_collections.ConfigDict(dict(
      log_z="ais", ais_steps=14_500, ais_runs=100))   # Salakhutdinov & Murray's schedule
  return c
