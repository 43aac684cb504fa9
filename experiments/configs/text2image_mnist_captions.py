r"""Text-to-image GAN (GAN-CLS) on captioned attribute digits.

Command:
  python -m experiments.train \
      --config=experiments/configs/text2image_mnist_captions.py \
      --workdir=workdirs/text2image_mnist_captions
  python -m experiments.sample \
      --config=experiments/configs/text2image_mnist_captions.py \
      --workdir=workdirs/text2image_mnist_captions --caption="a thin green two"

Data: `attribute_digits` at 16x16, four colours, thin or thick, on black or
white, five captions each; some digit-colour pairs are held out of training.
Reed et al. 2016's GAN-CLS with a GRU text encoder trained end to end,
the projection D with batch norm (the paper's replicated caption drew
blobs), GAN-INT off, an EMA of G at 0.99, 10,000 steps.
Metric (`captions`): caption accuracy, all four attribute classifiers
agreeing with the caption, on seen and held-out compositions.

Runtime: about an hour on a 2-core x86 CPU under load, plus ~5 min per eval.
Expected (seed 0, step 10,000): caption accuracy 0.953 +- 0.005 seen
(n=1,799; goal 0.90), 0.453 +- 0.035 held out (n=201). The paper reports
samples only (CUB, Oxford-102).
History and ablations: docs/text2image.md
"""

import ml_collections

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "text2image"
  c.model.noise_dim = 64
  c.model.features = 32
  c.model.text_encoder = "gru"
  c.model.word_dim = 64
  c.model.text_dim = 128
  c.model.compressed_dim = 128
  c.model.discriminator = "projection"
  c.model.d_batch_norm = True
  c.model.interpolation_weight = 0.0
  c.evals.captions = ml_collections.ConfigDict(dict(num_examples=2000, classifier_steps=2000))
  c.data.name = "attribute_digits"
  c.data.encoding = "float"
  c.data.image_size = 16
  c.train.num_steps = 10000
  c.train.batch_size = 64
  c.train.learning_rate = 2e-4
  c.train.b1 = 0.5
  c.train.ema_decay = 0.99
  c.train.log_every_steps = 100
  c.eval.every_steps = 5000
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1000
  c.sample.num = 64
  return c
