r"""CycleGAN between MNIST and the scikit-learn digits, with the class labels
of both domains (not the paper's objective): label preservation >= 90%.

Command:
  python -m experiments.train \
      --config=experiments/configs/cyclegan_mnist_digits_labels.py \
      --workdir=workdirs/cyclegan_mnist_digits_labels

`cyclegan_mnist_digits` with the digits framed as MNIST frames its own
(20x20 in 28x28), a PatchGAN that sees the whole digit (d_layers=2) and
`model.label_weight=1`: a classifier per domain trains on its real labelled
images, and each translation must be classified as its input's label (like
CyCADA's semantic loss, Hoffman et al. 2018). Training stays unpaired.

Runtime: 16 to 17 min on a 2-core x86 CPU under load (2,000 steps).
Expected (seeds 0-2, last step, LeNet-5s trained for evaluation): label
preservation a->b 0.916 (sd 0.009, n=1,000 each), b->a 0.943 (sd 0.015,
n=300 each); ceilings 0.993 / 0.974. No paper figure for digits.
History and ablations: docs/translation.md
"""

from experiments.configs import cyclegan_mnist_digits


def get_config():
  c = cyclegan_mnist_digits.get_config()
  c.data.sources.b.image_size = 20
  c.data.sources.b.pad_to = 28
  c.model.d_layers = 2
  c.model.label_weight = 1.0
  return c
