r"""CycleGAN on horse2zebra at 256x256 with the paper's settings (TFDS `cycle_gan/horse2zebra`).

Command (needs the TFDS data as array_record, docs/training.md):
  python -m experiments.train --config=experiments/configs/cyclegan_horse2zebra.py \
      --workdir=workdirs/cyclegan_horse2zebra --config.data.data_dir=DIR
  python -m experiments.translate --workdir=workdirs/cyclegan_horse2zebra \
      --input=horse.png --output=zebras --resize

Zhu et al. 2017, section 4 and appendix 7: ResNet generators (64 features,
9 blocks), 70x70 PatchGANs, LSGAN losses, cycle weight 10, identity 0.5 x
10 (--config.model.identity_weight=0 drops it), a pool of 50, Adam 2e-4
(beta1 0.5), batch 1, 100 epochs constant and 100 decaying (266,800 steps).
Metrics (`translation`, kind="domain"): an a-vs-b LeNet-5 puts each
translation in a domain; Frechet distances beside the real-data floor.

Runtime: not measured (one step on mock data in the tests; a step takes
seconds on a CPU, so a GPU job).
Expected: no figure; the paper reports FCN scores and user studies.
History and ablations: docs/translation.md
"""

import ml_collections

from gen_jax.train import base_config

TRAIN_A, TRAIN_B = 1067, 1334


def get_config():
  c = base_config()
  c.model.name = "cyclegan"
  c.model.g_features = 64
  c.model.num_blocks = 9
  c.model.d_features = 64
  c.model.d_layers = 3
  c.model.cycle_weight = 10.0
  c.model.identity_weight = 0.5
  c.model.pool_size = 50
  c.model.decay_start_step = 100 * TRAIN_B
  c.data.name = "cycle_gan/horse2zebra"
  c.data.encoding = "float"
  c.data.image_size = 256
  c.data.sources = ml_collections.ConfigDict({
      "a": {"train_split": "trainA", "eval_split": "testA"},
      "b": {"train_split": "trainB", "eval_split": "testB"}})
  c.train.num_steps = 200 * TRAIN_B
  c.train.batch_size = 1
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.log_every_steps = 100
  c.eval.every_steps = 20 * TRAIN_B
  c.eval.batch_size = 8
  c.checkpoint.every_steps = 5000
  c.sample.every_steps = 5000
  c.sample.num = 8
  c.evals.translation = ml_collections.ConfigDict(dict(
      kind="domain", classifier_steps=2000, num_examples=1000))
  return c
