r"""PixelCNN on the 8x8 scikit-learn digits as 17-level categorical pixels
(17-way softmax): a CPU-sized demo.

Command:
  python -m experiments.train --config=experiments/configs/pixelcnn_digits.py \
      --workdir=workdirs/pixelcnn_digits

Runtime: about 25 s on a 2-core x86 CPU.
Expected (measured, seed 0, fixed 300-image digits test split): 81.45 ±
0.70 nats (1.83 bits/dim) at 1,000 steps (longer training overfits). Our
own figure: there is no paper number for this dataset.

History and ablations: docs/explicit.md
"""

from gen_jax.train import base_config


def get_config():
  c = base_config()
  c.model.name = "pixelcnn"
  c.model.features = 32
  c.model.num_blocks = 4
  c.model.first_kernel = 5
  c.model.out_features = 64
  c.model.sampler = "cached"
  c.data.name = "digits"
  c.data.encoding = "categorical"
  c.train.num_steps = 1000
  c.train.batch_size = 64
  c.train.learning_rate = 3e-3
  c.eval.every_steps = 500
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 500
  c.sample.num = 100
  return c
