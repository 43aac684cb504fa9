r"""Order-k Markov chain over raster-ordered binary digits pixels.

Command:
  python -m experiments.train --config=experiments/configs/markov_digits.py \
      --workdir=workdirs/markov_digits [--config.model.order=2]

Runtime: under 15 s on a 2-core x86 CPU.
Expected (measured, 1,500 steps, seed 0, digits test split, n=300):
order 1: 23.83 ± 0.22 nats, order 2: 23.15 ± 0.21, order 4: 22.75 ± 0.20;
for comparison FVSBN (quickstart) 18.70 and independent pixels 25.87. Our
own figures: there is no paper figure for this dataset.

History and ablations: docs/explicit.md
"""

from experiments.configs import quickstart


def get_config():
  c = quickstart.get_config()
  c.model.name = "markov"
  c.model.order = 1
  c.train.learning_rate = 3e-2
  return c
