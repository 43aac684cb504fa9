r"""StarGAN on attribute digits at 28x28, with the recipe that keeps the digit.

Command:
  nice -n 10 python -m experiments.train \
      --config=experiments/configs/stargan_mnist_attributes_28.py \
      --workdir=workdirs/stargan_mnist_attributes_28
  python -m experiments.translate --workdir=workdirs/stargan_mnist_attributes_28 \
      --input=eval --output=workdirs/stargan_mnist_attributes_28/blue_thick \
      --target=colour=blue,thickness=thick

The data, networks, optimiser and metrics of `stargan_mnist_attributes.py`
(16 attribute domains: four stroke colours x thin/thick x black/white
background), whose docstring records the runs that led here. Changed from
it, and so from the paper's objective (Choi et al. 2018):
  data.image_size 28 (the MNIST digits' own size; at 16x16 the digit
    classifier's ceiling, 0.950, is the goal itself);
  model.code_norm: the target code scales and shifts every instance norm
    of G (StarGAN v2's adaptive instance norm), not only the input planes;
  model.critic="per_domain", model.adversarial="lsgan", gp_weight 0,
    n_critic 1: one least-squares real/fake head per domain, CycleGAN's game;
  model.structure_weight 5, structure_tolerance 1: the translation's
    luminance edges must lie within a pixel of the input's, whatever their
    contrast or sign (`structure_loss`; not in the paper). Without it the
    generator redraws the digit whenever it inverts the background; with the
    cosine form (tolerance 0) a thickened stroke costs as much as another
    digit, and thickness is not learned.
The classifier term (lambda_cls 1), cycle term (lambda_rec 10), the identity
term (5), Adam 5e-4 with betas (0.5, 0.999) and the rate decayed linearly
to zero over the second half are the base config's.

Goal: attribute accuracy >= 95% and digit preservation >= 95%,
judged by LeNet-5 classifiers trained on real rendered images (ceilings:
their accuracy on the real test images). Test split, n=1,000 source digits
x 16 targets, standard errors over source digits. 3,000 steps (the rate
decays from step 1,500), no checkpoint selection: the last step is reported.

Measured (2026-12-02, seed 0, 3,000 steps in 94 min on the 2-core CPU
beside another training, a test run at the end; about 1.0 s a step alone;
the first evaluation also trains the four 28x28 classifiers, about 40 min,
which are then cached in $GEN_JAX_CACHE_DIR; 1,470,816 parameters, 1,246,464
of them in G (code_norm adds its scales and shifts), the rest in D):
  step 3,000 (reported): attribute accuracy 0.963 +- 0.003 (colour 1.000,
    thickness 0.963, background 1.000; ceiling 0.987), digit preservation
    0.971 +- 0.004 (0.972 when the background flips, 0.970 kept; ceiling
    0.971), L1 to the exact translation 0.020 (untranslated input 0.481),
    PSNR 23.2 dB (11.5 dB), cycle L1 0.017. Both goals met.
  step 1,500: attribute accuracy 0.965 +- 0.002, digit preservation 0.967
    +- 0.004, L1 to truth 0.022, PSNR 22.2 dB.
Seed 1 (--config.seed=1, 3,000 steps in 89 min beside a test run and
another training), step 3,000: attribute accuracy 0.960 +- 0.003 (thickness
0.960), digit preservation 0.971 +- 0.004 (0.971 when the background flips,
0.970 kept), L1 to truth 0.020, PSNR 23.1 dB, cycle L1 0.017. Over the two
seeds: attribute accuracy 0.962, digit preservation 0.971.
The same flags as flags on `stargan_mnist_attributes.py` (this run's
command): --config.data.image_size=28 --config.model.code_norm=True
--config.model.critic=per_domain --config.model.adversarial=lsgan
--config.model.gp_weight=0 --config.model.n_critic=1
--config.model.structure_weight=5 --config.model.structure_scale=1
--config.model.structure_tolerance=1 --config.model.cls_weight=1
--config.eval.every_steps=1500.
At 16x16 (2026-12-06, this config with --config.data.image_size=16
--config.eval.every_steps=1500, seed 0, 3,000 steps in 36 min beside
another training and a test run) the recipe falls short: attribute
accuracy 0.960 +- 0.003 (ceiling 1.000), digit preservation 0.565 +- 0.007
(ceiling 0.950; 0.233 when the background flips, 0.897 when kept), L1 to
truth 0.047, PSNR 19.6 dB. Against the pairwise CycleGAN in the README's
table (`experiments.compare_translation`) it keeps the digit 0.30 / 0.15
where the CycleGAN keeps 0.86 / 0.84.
"""

from experiments.configs import stargan_mnist_attributes


def get_config():
  c = stargan_mnist_attributes.get_config()
  c.data.image_size = 28
  c.model.code_norm = True
  c.model.critic = "per_domain"
  c.model.adversarial = "lsgan"
  c.model.gp_weight = 0.0
  c.model.n_critic = 1
  c.model.structure_weight = 5.0
  c.model.structure_tolerance = 1
  return c
