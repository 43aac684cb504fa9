r"""The flat baseline of the Progressive GAN ablation on MNIST 32x32.

Command:
  python -m experiments.train --config=experiments/configs/progan_mnist_flat.py \
      --workdir=workdirs/progan_mnist_flat

`progan_mnist.py` with `model.progressive=False`: the same final G and D,
every layer trained at 32x32 from the first step, no fade, for the same
112,000 images (Karras et al. 2018, Table 1's non-progressive rows).

Runtime: about 33 min alone on a 2-core x86 CPU (31.1 min of training steps).
Expected (seeds 0-2, mean +- s.d.): SWD_32 16.1 +- 0.4, FD_32 107.1 +- 15.9.
History and ablations: docs/progan.md
"""

from experiments.configs import progan_mnist


def get_config():
  c = progan_mnist.get_config()
  c.model.progressive = False
  return c
