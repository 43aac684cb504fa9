r"""class-conditional Gated PixelCNN on binarized 8x8 scikit-learn digits
(sample i is drawn for class i mod 10): a CPU-sized demo.

Command:
  python -m experiments.train --config=experiments/configs/gated_pixelcnn_digits.py \
      --workdir=workdirs/gated_pixelcnn_digits

Runtime: about 30 s on a 2-core x86 CPU (measured: 93 s for 2,000 steps with a
training job running beside it).
Expected (measured, seed 0, fixed 300-image digits test split): 16.30 ± 0.35
nats (0.36 bits/dim) at 500 steps, conditioned on the true label; FVSBN
(quickstart.py, unconditional) 18.70. This small conditional model overfits the
1,497 training images quickly (train 7.1 nats, test 26.75 at 2,000 steps),
hence 500 steps. Our own figure: there is no paper number for this dataset.

History and ablations: docs/explicit.md
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
  c.train.num_steps = 500
  c.train.batch_size = 64
  c.train.learning_rate = 3e-3
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
