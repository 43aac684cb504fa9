"""Supervised references of Puzzle-GAN find placement and label when the
patches hold them."""

import numpy as np

from gen_jax.eval.puzzle_reference import supervised_references
from gen_jax.nn.puzzle import KeyPatches, PuzzleGenerator

CHECKER = np.indices((3, 3)).sum(0) % 2 == 0            # 5 ones: label 0's pattern


def telling_images(labels: np.ndarray) -> np.ndarray:
  """8x8: label 0 a checkerboard at the top left, label 1 its complement at
  the bottom right; the highest-variance 3x3 window is exactly the pattern."""
  x = np.zeros((len(labels), 8, 8, 1), np.float32)
  x[labels == 0, :3, :3, 0] = CHECKER
  x[labels == 1, 5:, 5:, 0] = ~CHECKER
  return x


def test_references_find_placement_and_label_when_the_patches_tell_them():
  # A Puzzle-GAN's settings: one 3x3 key patch, its generator, z of 2, BCE.
  settings = (KeyPatches(1, 3), PuzzleGenerator((8, 8, 1), features=4, embed_dim=8), 2, "bce")
  rng = np.random.default_rng(0)
  splits = {}
  for name, n in (("train", 256), ("validation", 64), ("test", 100)):
    labels = rng.integers(0, 2, n)
    splits[name] = (telling_images(labels), labels)
  out = supervised_references(*settings, splits, 2, steps=300, eval_every=100, batch_size=32,
                              learning_rate=1e-2)
  assert out["num_test"] == 100
  share = max(np.mean(splits["test"][1] == k) for k in (0, 1))
  assert out["fixed_mask_iou"] <= share + 1e-6          # one window of the two at best
  assert out["reference_mask_iou"] > 0.95
  assert out["reference_label_accuracy"] == 1.0
  assert out["majority_class_accuracy"] <= share + 1e-6
  assert out["reference_mask_step"] in (100, 200, 300)
  unlabelled = {k: (x, None) for k, (x, _) in splits.items()}
  placement = supervised_references(*settings, unlabelled, None, steps=4, eval_every=2)
  assert set(placement) == {"reference_mask_iou", "reference_mask_iou_stderr",
                            "reference_mask_step", "fixed_mask_iou", "num_test"}
