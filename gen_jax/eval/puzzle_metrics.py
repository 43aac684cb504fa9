"""Metrics of completing images from their key patches (Puzzle-GAN), and the
"puzzle" evaluator.

For each run (the model, a baseline), given its completions of the eval
images x:

- `<run>_mask_iou`: the mean IoU of its mask (> 1/2) with the true patch mask;
- `<run>_l1`: mean |completion - x| per pixel, in [0, 1] units;
- with labelled data, through the in-repo classifier (`gan_metrics`):
  `<clf>_<run>_label_agreement` (the classifier gives the completion the
  original's label) and `<clf>_<run>_frechet` (Frechet distance of the
  completions' features to the train split's), beside `<clf>_test_accuracy`
  on the originals and `<clf>_frechet_real_floor` (as many originals).

The `Completion` evaluator runs the model (`Completer.complete`) and the
baseline `random_placement` (the true patches pasted at random
non-overlapping positions on the mean train image), and adds
`fixed_mask_iou`: the IoU of the best input-independent mask (`fixed_mask`
of the train split's true masks), the floor that a generator ignoring its
patches reaches.
"""

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.eval import classifier as clf
from gen_jax.eval import gan_metrics
from gen_jax.eval.evaluator import SAMPLE_KEY, Evaluator, whole
from gen_jax.models.base import Completer, require
from gen_jax.nn import puzzle
from gen_jax.options import option

FIXED_MASK_EXAMPLES = 2000   # train images whose true masks give the fixed mask


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


# ------------------------------------------------------------ the baseline


def random_placement(key_patches: puzzle.KeyPatches, to_model, x: jax.Array,
                     canvas: jax.Array, rng: jax.Array) -> dict:
  """The baseline's completions of images x [B, H, W, C] (data encoding):
  {"image": x's key patches pasted at random non-overlapping corners on
  `canvas` [H, W, C], "mask": those windows, "true_mask": the true ones};
  the key patches are chosen on to_model(x), as the model's are."""
  k_sel, k_place = jax.random.split(rng)
  b, h, w = x.shape[:3]
  corners = key_patches.corners(to_model(x), k_sel)
  patches = puzzle.crop_patches(x, corners, key_patches.size)
  where = key_patches.random_corners(k_place, b, h, w)
  canvas = jnp.broadcast_to(canvas, x.shape)
  return {"image": puzzle.paste_patches(canvas, patches, where),
          "mask": puzzle.patch_mask(where, key_patches.size, h, w),
          "true_mask": puzzle.patch_mask(corners, key_patches.size, h, w)}


@functools.lru_cache(maxsize=None)
def jitted_complete(recipe):
  """`recipe.complete` jitted, once per recipe."""
  return jax.jit(recipe.complete)


def complete_in_chunks(recipe, variables, x: np.ndarray, rng: jax.Array,
                       chunk: int = 500) -> dict:
  """`Completer.complete` over numpy images [N, H, W, C], `chunk` at a time
  (the chunk at row i with fold_in(rng, i)); numpy results."""
  complete = jitted_complete(recipe)
  parts = [jax.device_get(complete(variables, jnp.asarray(x[i:i + chunk], jnp.float32),
                                   jax.random.fold_in(rng, i)))
           for i in range(0, len(x), chunk)]
  return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0]}


# ------------------------------------------------------------ the evaluator


@dataclasses.dataclass(frozen=True)
class CompletionOptions:
  num_examples: int = option(1000, minimum=1)       # eval images completed
  classifier_steps: int = option(2000, minimum=1)   # the metric classifier's training


class Completion(Evaluator):
  """A `Completer`'s mask IoU, L1, label agreement and Frechet distance,
  each beside the random-placement baseline's, and `fixed_mask_iou` (module
  doc). The patch settings are the model's (`Completer.key_patches`)."""
  Options = CompletionOptions

  def prepare(self, recipe, train, split):
    del recipe, split
    if self.spec.num_classes:
      gan_metrics.get_classifier(self.spec, train, self.cache, self.options.classifier_steps)

  def __call__(self, recipe, variables, key, data):
    require(recipe, Completer, "evaluator 'puzzle'")
    rng = jax.random.fold_in(key, SAMPLE_KEY)
    rows = data.split.get(np.arange(min(self.options.num_examples, len(data.split))))
    x = np.asarray(rows["x"], np.float32)
    baseline = self.baseline(recipe.key_patches)
    canvas = jnp.asarray(self.mean_image(data.train))
    runs = {"puzzle": complete_in_chunks(recipe, variables, x, rng),
            "baseline": jax.device_get(baseline(jnp.asarray(x), canvas,
                                                jax.random.fold_in(rng, 1)))}
    metrics = completion_metrics(self.spec, runs, x, rows.get("label"), data.train,
                                 self.cache, self.options.classifier_steps)
    true_masks = runs["baseline"]["true_mask"]
    constant = jnp.broadcast_to(self.fixed_mask(baseline, data.train, rng), true_masks.shape)
    metrics["fixed_mask_iou"] = float(puzzle.mask_iou(constant, true_masks).mean())
    return metrics

  def baseline(self, key_patches: puzzle.KeyPatches):
    """`random_placement` with the model's key patches, jitted once."""
    key = ("baseline", key_patches)
    if key not in self.cache:
      self.cache[key] = jax.jit(functools.partial(random_placement, key_patches,
                                                  self.spec.to_model))
    return self.cache[key]

  def mean_image(self, train) -> np.ndarray:
    """The mean train image [H, W, C] (cached): the baseline's canvas."""
    if "mean_image" not in self.cache:
      self.cache["mean_image"] = np.asarray(whole(train)["x"], np.float32).mean(0)
    return self.cache["mean_image"]

  def fixed_mask(self, baseline, train, rng) -> np.ndarray:
    """`fixed_mask` of the first train images' true masks (cached, from the
    first evaluation's key)."""
    if "fixed_mask" not in self.cache:
      x = np.asarray(train.get(np.arange(min(FIXED_MASK_EXAMPLES, len(train))))["x"],
                     np.float32)
      masks = jax.device_get(baseline(jnp.asarray(x), jnp.asarray(x[0]), rng)["true_mask"])
      self.cache["fixed_mask"] = puzzle.fixed_mask(masks)
    return self.cache["fixed_mask"]
