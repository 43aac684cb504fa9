r"""class-conditional Gated PixelCNN on binarized 8x8 scikit-learn digits
(sample i is drawn for class i mod 10): a CPU-sized demo.

Command:
  python -m experiments.train --config=experiments/configs/gated_pixelcnn_digits.py \
      --workdir=workdirs/gated_pixelcnn_digits

Runtime: a few minutes on 2 CPU cores (not timed on an idle machine).
Expected: no paper figure exists for this dataset; compare the test NLL on
the fixed 300-image digits split with quickstart.py (FVSBN, about 23 nats
binarized).
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "gated_pixelcnn"
  c.model.features = 32
  c.model.num_layers = 4
  c.model.kernel = 3
  c.model.out_features = 64
  c.model.conditional = True
  c.model.sampler = "cached"
  c.data.name = "digits"
  c.data.encoding = "binary"
  c.train.num_steps = 2000
  c.train.batch_size = 64
  c.train.learning_rate = 3e-3
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
