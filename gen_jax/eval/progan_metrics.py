"""Stage-end metrics of a growing GAN at the stage's resolution r.

- `swd_<r>px`: sliced Wasserstein distance x 1e3 (`gen_jax.eval.swd`) between
  samples and as many real eval images box-filtered to r, beside
  `swd_<r>px_real_floor` (real train images against the same eval images).
- `<clf>_frechet_<r>px`: Frechet distance in the in-repo classifier's
  features (trained on the full-size train split) between samples and the
  train images box-filtered to r, both brought back to full size by nearest
  upsampling, beside `..._real_floor` for the eval images treated alike.
- `<clf>_confidence_<r>px`: the classifier's mean top-class probability on
  the samples, and `<clf>_class_coverage_<r>px`: the effective number of
  classes among its predictions (exp of their entropy) over the number of
  classes (1: every class equally often, 1/K: one class); each beside
  `..._real` for the eval images treated alike.

Evaluator `stage_quality` (`StageQuality`): these metrics for the samples of
the recipe of the stage under evaluation, r being the samples' own size.
"""

import dataclasses

import jax
import numpy as np

from gen_jax.eval import classifier as clf
from gen_jax.eval import gan_metrics, swd
from gen_jax.eval.evaluator import SAMPLE_KEY, Evaluator, sample_in_chunks
from gen_jax.options import option


def box_filter(images: np.ndarray, size: int) -> np.ndarray:
  """[N, H, W, C] -> [N, size, size, C], mean over blocks."""
  n, h, w, c = images.shape
  f = h // size
  return images.reshape(n, size, f, size, f, c).mean((2, 4))


def to_full(images: np.ndarray, size: int) -> np.ndarray:
  """Nearest upsampling of [N, r, r, C] to [N, size, size, C]."""
  f = size // images.shape[1]
  return np.repeat(np.repeat(images, f, 1), f, 2)


def confidence_and_coverage(logits: np.ndarray) -> tuple[float, float]:
  """Mean top-class probability of [N, K] logits, and the effective number
  of predicted classes (exp of the entropy of the argmax histogram) over K."""
  logits = np.asarray(logits, np.float64)
  probs = np.exp(logits - logits.max(1, keepdims=True))
  probs /= probs.sum(1, keepdims=True)
  counts = np.bincount(logits.argmax(1), minlength=logits.shape[1])
  freq = counts[counts > 0] / len(logits)
  return float(probs.max(1).mean()), float(np.exp(-np.sum(freq * np.log(freq))) / logits.shape[1])


def stage_metrics(spec, samples: np.ndarray, size: int, train_source, eval_source,
                  cache: dict, classifier_steps: int, swd_images: int) -> dict[str, float]:
  """Metrics of `samples` [N, r, r, C] (data encoding) at resolution `size` = r."""
  full = spec.event_shape[0]
  unit = lambda x: gan_metrics.as_unit_images(x, spec)
  samples = unit(samples)
  n = min(len(samples), swd_images)
  real = unit(eval_source.get(np.arange(min(len(eval_source), len(samples))))["x"])
  train = unit(train_source.get(np.arange(min(len(train_source), 4000)))["x"])
  real_r, train_r = box_filter(real, size), box_filter(train, size)
  out = {}
  key = ("progan_floor", size, id(eval_source))
  if key not in cache:
    floor = swd.sliced_wasserstein_distance(train_r[:n], real_r[:n], seed=1)["swd"]
    cache[key] = {f"swd_{size}px_real_floor": floor}
    if spec.num_classes:
      classifier = gan_metrics.get_classifier(spec, train_source, cache, classifier_steps)
      reference = clf.gaussian_stats(
          classifier.logits_and_features(to_full(train_r, full))[1])
      cache[("progan_reference", size)] = reference
      real_logits, real_features = classifier.logits_and_features(to_full(real_r, full))
      name = classifier.name
      cache[key][f"{name}_frechet_{size}px_real_floor"] = clf.frechet_distance(
          *clf.gaussian_stats(real_features), *reference)
      confidence, coverage = confidence_and_coverage(real_logits)
      cache[key][f"{name}_confidence_{size}px_real"] = confidence
      cache[key][f"{name}_class_coverage_{size}px_real"] = coverage
  out.update(cache[key])
  out[f"swd_{size}px"] = swd.sliced_wasserstein_distance(real_r[:n], samples[:n], seed=1)["swd"]
  if spec.num_classes:
    classifier = gan_metrics.get_classifier(spec, train_source, cache, classifier_steps)
    logits, features = classifier.logits_and_features(to_full(samples, full))
    out[f"{classifier.name}_frechet_{size}px"] = clf.frechet_distance(
        *clf.gaussian_stats(features), *cache[("progan_reference", size)])
    confidence, coverage = confidence_and_coverage(logits)
    out[f"{classifier.name}_confidence_{size}px"] = confidence
    out[f"{classifier.name}_class_coverage_{size}px"] = coverage
  return out


@dataclasses.dataclass(frozen=True)
class StageOptions:
  num_examples: int = option(2500, minimum=1)      # samples (at most the split's size)
  classifier_steps: int = option(2000, minimum=1)  # the metric classifier's training
  swd_images: int = option(1000, minimum=1)        # images per side of the SWD


class StageQuality(Evaluator):
  """`stage_metrics` of as many samples as `num_examples` (at most the
  evaluated split's size), at the resolution the samples come in."""
  Options = StageOptions

  def prepare(self, recipe, train, split):
    del recipe, split
    if self.spec.num_classes:
      gan_metrics.get_classifier(self.spec, train, self.cache, self.options.classifier_steps)

  def __call__(self, recipe, variables, key, data):
    self.prepare(recipe, data.train, data.split)
    num = min(self.options.num_examples, len(data.split))
    samples = sample_in_chunks(recipe, variables, jax.random.fold_in(key, SAMPLE_KEY), num)
    return stage_metrics(self.spec, samples, samples.shape[1], data.train, data.split,
                         self.cache, self.options.classifier_steps, self.options.swd_images)
