r"""RBM (100 binary hidden units, CD-3) on the binary 8x8 digits.

Command:
  python -m experiments.train --config=experiments/configs/rbm_digits.py \
      --workdir=workdirs/rbm_digits

Runtime: 36 s wall on a 2-core CPU shared with other jobs (load average
~5): the 3,000 training steps take a few seconds, each of the three
evaluations about 9 s, nearly all of it the AIS estimate of log Z
(14,500 intermediate distributions, 100 runs, as in Salakhutdinov & Murray
2008).

Measured (seed 0, step 3,000, the whole 300-image test split): test NLL
16.43 +- 0.26 nats; AIS log Z = 106.226 +- 0.016 (16.425380859375, the same
digits before and after the AIS estimate moved from the model into the
`ais` evaluator; the figure given here before, 16.45 with log Z 106.373,
does not reproduce with either). Our own
figure; there is no paper figure for this dataset. For comparison on the
same binary digits: FVSBN 18.70 +- 0.23, NADE (H=500) 17.38, order-agnostic
NADE 16.79 +- 0.25 (2 orderings) and 16.55 (16). The +- is the standard
error over test images; log Z's own error (0.016) adds to every image alike.

Choices, from one run each on a validation split (train[300:] for
training, train[:300] for validation, 3,000 steps unless noted): CD-3
16.15, CD-1 16.32 (16.56 at 10,000 steps), CD-1 at learning rate 0.1
16.22, PCD-1 with 100 chains 17.22 (16.39 at 10,000 steps), PCD-1 at 0.02
17.35. PCD with this config (--config.model.persistent=True
--config.model.cd_k=1 --config.model.num_chains=100) reached 17.68 +- 0.27
test nats. The learning rate decays linearly to 0 at the last step; most of
the gain comes late (17.44 at step 1,000, 16.69 at 2,000).

AIS checks: the same config with 20 hidden units, whose log Z can be
enumerated exactly, gave AIS 69.741 +- 0.010 against the exact 69.746
(test NLL 17.862 by AIS, 17.867 exact). On a 100-unit model, 7x more
intermediate distributions (100,000) or 10x more runs (1,000) moved the
estimate by less than 0.03 nats.
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
