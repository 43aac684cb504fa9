"""Set-level sample metrics of an implicit model, chosen by what the spec says.

- a known Gaussian mixture (`spec.mode_centres`): PacGAN mode metrics
  (`modes.mixture_mode_metrics`).
- a label made of per-channel classes (`spec.label_factors`, stacked digits):
  modes captured out of K^C, labelled by the in-repo classifier per channel,
  with the same count on real test data.
- other labeled images: the in-repo classifier's Frechet distance to the
  train split and its score, each beside the real-data floor (test split).

Metric names carry the classifier's name (e.g. `mlp256-128_frechet`).
"""

from typing import Callable

import jax
import numpy as np

from gen_jax.eval import classifier as clf
from gen_jax.eval import modes


def _all(source) -> dict:
  return source.get(np.arange(len(source)))


def as_unit_images(x: np.ndarray, spec) -> np.ndarray:
  """Images in the data encoding -> float32 in [0, 1]."""
  x = np.asarray(x, np.float32)
  return x / (spec.num_levels - 1) if spec.num_levels else x


def stack_factors(spec) -> tuple[int, int]:
  """(classes per channel, channels) of a stacked dataset."""
  factors = spec.label_factors
  if len(set(factors)) != 1 or len(factors) != spec.event_shape[-1]:
    raise ValueError(f"label_factors {factors} must be one class count per channel")
  return factors[0], len(factors)


def channel_labels(labels: np.ndarray, per_channel: int, channels: int) -> np.ndarray:
  """Stacked labels [N] -> per-channel labels [N, C] (channel 0 most significant)."""
  powers = per_channel ** np.arange(channels - 1, -1, -1)
  return (np.asarray(labels)[:, None] // powers) % per_channel


def get_classifier(spec, train_source, cache: dict, steps: int) -> clf.Classifier:
  """The in-repo classifier for `spec`, trained once and cached."""
  if "classifier" not in cache:
    data = _all(train_source)
    images, labels = as_unit_images(data["x"], spec), data["label"]
    num_classes = spec.num_classes
    if spec.label_factors:
      num_classes, channels = stack_factors(spec)
      images = modes.split_channels(images)
      labels = channel_labels(labels, num_classes, channels).reshape(-1)
    cache["classifier"] = clf.train_classifier(images, labels, num_classes, steps=steps)
  return cache["classifier"]


def classwise_frechet(classifier: clf.Classifier, images: np.ndarray, labels: np.ndarray,
                      reference: np.ndarray, reference_labels: np.ndarray,
                      num_classes: int) -> float:
  """Mean over classes k of the Frechet distance between the classifier
  features of `images` of class k and those of `reference` of class k."""
  feats = classifier.logits_and_features(images)[1]
  ref_feats = classifier.logits_and_features(reference)[1]
  return float(np.mean([
      clf.frechet_distance(*clf.gaussian_stats(feats[labels == k]),
                           *clf.gaussian_stats(ref_feats[reference_labels == k]))
      for k in range(num_classes)]))


def conditional_metrics(spec, sampler: Callable[[jax.Array, int], np.ndarray],
                        rng: jax.Array, num: int, train_source, eval_source,
                        cache: dict, classifier_steps: int = 2000) -> dict[str, float]:
  """Metrics of a class-conditional sampler, whose sample i has label i % K:

  - `<clf>_conditioning_accuracy`: how often the classifier finds the asked
    class in the sample (its accuracy on real test images beside it);
  - `<clf>_classwise_frechet`: the class-wise Frechet distance to the train
    split, averaged over classes, beside the same for as many real test images.
  """
  classifier = get_classifier(spec, train_source, cache, classifier_steps)
  name, k = classifier.name, spec.num_classes
  train = _all(train_source)
  train_images = as_unit_images(train["x"], spec)
  floor_key = ("conditional_floor", id(eval_source))
  if floor_key not in cache:
    test = _all(eval_source)
    test_images = as_unit_images(test["x"], spec)
    cache[floor_key] = {
        f"{name}_conditioning_accuracy_real_test":
            float((classifier.predict(test_images) == test["label"]).mean()),
        f"{name}_classwise_frechet_real_floor": classwise_frechet(
            classifier, test_images, test["label"], train_images, train["label"], k)}
  num = min(num, len(eval_source))
  labels = np.arange(num) % k
  samples = as_unit_images(sampler(rng, num), spec)
  return {f"{name}_conditioning_accuracy":
              float((classifier.predict(samples) == labels).mean()),
          f"{name}_classwise_frechet": classwise_frechet(
              classifier, samples, labels, train_images, train["label"], k),
          **cache[floor_key]}


def sample_metrics(spec, sampler: Callable[[jax.Array, int], np.ndarray],
                   rng: jax.Array, num: int, train_source, eval_source,
                   cache: dict, classifier_steps: int = 2000) -> dict[str, float]:
  """Metrics of `sampler(rng, n)` (samples in the data encoding) for `spec`."""
  if spec.mode_centres is not None:
    centres = np.asarray(spec.mode_centres, np.float32)
    return modes.mixture_mode_metrics(sampler(rng, num), centres, spec.mode_std)
  if not spec.is_image or not spec.num_classes:
    return {}
  classifier = get_classifier(spec, train_source, cache, classifier_steps)
  name = classifier.name
  floor_key = ("floor", id(eval_source))   # validation and test each have their own
  test = _all(eval_source)
  test_images = as_unit_images(test["x"], spec)
  if spec.label_factors:
    per_channel, channels = stack_factors(spec)

    def mode_ids(images):
      pred = classifier.predict(modes.split_channels(images))
      return modes.stacked_mode_ids(pred.reshape(-1, channels), per_channel)

    if floor_key not in cache:
      real = modes.discrete_mode_metrics(mode_ids(test_images), spec.num_classes)
      truth = channel_labels(test["label"], per_channel, channels).reshape(-1)
      acc = float((classifier.predict(modes.split_channels(test_images)) == truth).mean())
      cache[floor_key] = {f"{name}_num_modes_real_test": real["num_modes"],
                        f"{name}_reverse_kl_real_test": real["reverse_kl"],
                        f"{name}_channel_test_accuracy": acc}
    samples = as_unit_images(sampler(rng, num), spec)
    fake = modes.discrete_mode_metrics(mode_ids(samples), spec.num_classes)
    return {f"{name}_num_modes": fake["num_modes"],
            f"{name}_reverse_kl": fake["reverse_kl"], **cache[floor_key]}
  if floor_key not in cache:
    train_feats = classifier.logits_and_features(as_unit_images(_all(train_source)["x"], spec))[1]
    cache["reference"] = clf.gaussian_stats(train_feats)
    real = clf.quality_metrics(classifier, test_images, cache["reference"])
    acc = float((classifier.predict(test_images) == test["label"]).mean())
    cache[floor_key] = {f"{name}_frechet_real_floor": real["frechet"],
                      f"{name}_score_real_floor": real["score"],
                      f"{name}_test_accuracy": acc}
  # As many samples as the floor uses test images: the FD's bias matches.
  samples = as_unit_images(sampler(rng, min(num, len(test_images))), spec)
  fake = clf.quality_metrics(classifier, samples, cache["reference"])
  return {f"{name}_frechet": fake["frechet"], f"{name}_score": fake["score"],
          **cache[floor_key]}
