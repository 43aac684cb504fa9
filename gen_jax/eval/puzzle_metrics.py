"""Metrics of completing images from their key patches (Puzzle-GAN).

For each run (the model, a baseline), given its completions of the eval
images x:

- `<run>_mask_iou`: the mean IoU of its mask (> 1/2) with the true patch mask;
- `<run>_l1`: mean |completion - x| per pixel, in [0, 1] units;
- with labelled data, through the in-repo classifier (`gan_metrics`):
  `<clf>_<run>_label_agreement` (the classifier gives the completion the
  original's label) and `<clf>_<run>_frechet` (Frechet distance of the
  completions' features to the train split's), beside `<clf>_test_accuracy`
  on the originals and `<clf>_frechet_real_floor` (as many originals).
"""

import numpy as np

from gen_jax.eval import classifier as clf
from gen_jax.eval import gan_metrics


def mask_iou(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
  """[N] IoU of binary masks (> 1/2) [N, H, W, 1]; 1 when both are empty."""
  pred, true = np.asarray(pred) > 0.5, np.asarray(true) > 0.5
  inter = (pred & true).sum((1, 2, 3))
  union = (pred | true).sum((1, 2, 3))
  return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def completion_metrics(spec, runs: dict, x: np.ndarray, labels, train_source,
                       cache: dict, classifier_steps: int = 2000) -> dict[str, float]:
  """`runs`: {name: {"image", "mask", "true_mask"}} numpy completions of x."""
  out = {}
  units = lambda v: gan_metrics.as_unit_images(v, spec)
  for name, run in runs.items():
    out[f"{name}_mask_iou"] = float(mask_iou(run["mask"], run["true_mask"]).mean())
    out[f"{name}_l1"] = float(np.abs(units(run["image"]) - units(x)).mean())
  if labels is None or not spec.num_classes:
    return out
  classifier = gan_metrics.get_classifier(spec, train_source, cache, classifier_steps)
  name = classifier.name
  if "puzzle_reference" not in cache:
    train_x = train_source.get(np.arange(len(train_source)))["x"]
    cache["puzzle_reference"] = clf.gaussian_stats(
        classifier.logits_and_features(units(train_x))[1])
  reference = cache["puzzle_reference"]
  labels = np.asarray(labels)
  out[f"{name}_test_accuracy"] = float((classifier.predict(units(x)) == labels).mean())
  out[f"{name}_frechet_real_floor"] = clf.quality_metrics(classifier, units(x),
                                                          reference)["frechet"]
  for run_name, run in runs.items():
    images = units(run["image"])
    out[f"{name}_{run_name}_label_agreement"] = float(
        (classifier.predict(images) == labels).mean())
    out[f"{name}_{run_name}_frechet"] = clf.quality_metrics(classifier, images,
                                                            reference)["frechet"]
  return out
