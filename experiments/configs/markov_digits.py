r"""Order-k Markov chain over raster-ordered binary digits pixels.

Command:
  python -m experiments.train --config=experiments/configs/markov_digits.py \
      --workdir=workdirs/markov_digits [--config.model.order=2]

Runtime: under 15 s on 2 CPU cores.
Expected (measured on 2 CPU cores, 1,500 steps, seed 0, digits test split):
order 1: 23.8 nats, order 2: 23.2, order 4: 22.8; for comparison FVSBN
(quickstart) 18.7 and independent pixels 25.9. These are our own
measurements: there is no paper figure for this dataset.
"""

from experiments.configs import quickstart


def get_config():
  c = quickstart.get_config()
  c.model.name = "markov"
  c.model.order = 1
  c.train.learning_rate = 3e-2
  return c
