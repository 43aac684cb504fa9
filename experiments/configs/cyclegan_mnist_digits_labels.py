r"""CycleGAN between MNIST and the scikit-learn digits, with the class labels
of both domains (not the paper's objective): label preservation >= 90%.

Command:
  python -m experiments.train \
      --config=experiments/configs/cyclegan_mnist_digits_labels.py \
      --workdir=workdirs/cyclegan_mnist_digits_labels

`cyclegan_mnist_digits` (the paper's objective) plus three changes, each
measured there: the digits framed as MNIST frames its own (20x20 in 28x28),
a PatchGAN that sees the whole digit (d_layers=2: receptive field 34 px)
and `model.label_weight=1`: a classifier per domain (an MLP, c_a and c_b)
trains on that domain's real labelled images beside the discriminators, and
each translation must be classified by the target domain's classifier as
its input's label (a class-consistency term like CyCADA's semantic loss,
Hoffman et al. 2018). Training stays unpaired: no image has a partner in
the other domain, but every image's digit is known. Label preservation is
measured by other classifiers (LeNet-5s trained for evaluation on each
domain's real training images), not by c_a and c_b.

Measured on the 2-core CPU (2,000 steps, 16 to 17 min each beside another
run; the last step, no checkpoint selection; test split, a->b n=1,000 MNIST
digits, b->a n=300 digits, standard errors binomial; ceilings: the LeNet-5
on real target test images, 0.993 a->b and 0.974 b->a; the untranslated
inputs 0.419 and 0.727):

  seed  a->b label      b->a label      FD a->b  FD b->a  cycle L1 a / b
  0     0.915 +- 0.009  0.930 +- 0.015  55.3     45.3     0.039 / 0.027
  1     0.908 +- 0.009  0.960 +- 0.011  49.7     44.2     0.038 / 0.027
  2     0.926 +- 0.008  0.940 +- 0.014  51.6     48.4     0.038 / 0.027
  mean  0.916 (sd 0.009) 0.943 (sd 0.015)

(FD: Frechet distance in the LeNet-5's features against the real target
test images; real floors 15.1 and 17.1.) Seeds 1 and 2: this config with
--config.seed=1 / 2; seed 0 ran as flags on `cyclegan_mnist_digits`
(--config.data.sources.b.image_size=20 --config.data.sources.b.pad_to=28
--config.model.d_layers=2 --config.model.label_weight=1), the same settings.
At step 1,000 the three seeds stood at 0.906 / 0.908 / 0.916 (a->b) and
0.967 / 0.970 / 0.940 (b->a).
Without the labels (`cyclegan_mnist_digits` with the framing and
d_layers=2, seed 0): 0.555 and 0.737. With the labels and the 16-px
PatchGAN (d_layers=1, seed 0): 0.893 and 0.970, FD 100.9 and 95.1.
Without the framing (the digits upsampled to fill 28x28, as in
`cyclegan_mnist_digits`; that config with --config.model.d_layers=2
--config.model.label_weight=1, seed 0, 2,000 steps in 10 min alone):
0.907 and 0.913 (ceilings 0.987 and 0.974; untranslated 0.222 and 0.463),
FD 145.8 (floor 29.6) and 45.4 (floor 17.1): the goal holds, the framing
mostly brings the Frechet distance down.
"""

from experiments.configs import cyclegan_mnist_digits


def get_config():
  c = cyclegan_mnist_digits.get_config()
  c.data.sources.b.image_size = 20
  c.data.sources.b.pad_to = 28
  c.model.d_layers = 2
  c.model.label_weight = 1.0
  return c
