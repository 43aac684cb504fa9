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

import dataclasses
import functools
from typing import Callable

import jax
import numpy as np

from gen_jax.errors import UserError
from gen_jax.eval import classifier as clf
from gen_jax.eval import modes
from gen_jax.eval.evaluator import (SAMPLE_KEY, Evaluator, cycled_labels, sample_in_chunks,
                                    whole as _all)
from gen_jax.options import option


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
    task = "per-channel label" if spec.label_factors else "label"
    cache["classifier"] = clf.train_classifier(images, labels, num_classes, steps=steps,
                                               task=task)
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


# ------------------------------------------------------------- evaluators


@dataclasses.dataclass(frozen=True)
class SampleOptions:
  num_examples: int = option(2500, minimum=1)      # samples drawn per evaluation
  classifier_steps: int = option(2000, minimum=1)  # the metric classifier's training


def sampler_of(recipe, variables):
  """sampler(rng, n) -> n samples (numpy); a conditional recipe's sample i
  has label i % K."""
  inputs = None
  if "label" in recipe.sample_inputs:
    inputs = cycled_labels(recipe.spec.feature("label").num_classes)
  return functools.partial(sample_in_chunks, recipe, variables, inputs=inputs)


def needs_classifier(spec) -> bool:
  return spec.mode_centres is None and spec.is_image and bool(spec.num_classes)


class SampleQuality(Evaluator):
  """What the data allows: PacGAN's mode metrics on a known mixture, modes
  of stacked digits, else the classifier's Frechet distance and score, each
  beside its real-data floor (see the module doc)."""
  Options = SampleOptions

  def prepare(self, recipe, train, split):
    del recipe, split
    if needs_classifier(self.spec):
      get_classifier(self.spec, train, self.cache, self.options.classifier_steps)

  def __call__(self, recipe, variables, key, data):
    self.prepare(recipe, data.train, data.split)
    return sample_metrics(self.spec, sampler_of(recipe, variables),
                          jax.random.fold_in(key, SAMPLE_KEY), self.options.num_examples,
                          data.train, data.split, self.cache,
                          self.options.classifier_steps)


class Conditioning(Evaluator):
  """A class-conditional sampler's conditioning accuracy and class-wise
  Frechet distance (`conditional_metrics`)."""
  Options = SampleOptions

  def prepare(self, recipe, train, split):
    del recipe, split
    get_classifier(self.spec, train, self.cache, self.options.classifier_steps)

  def __call__(self, recipe, variables, key, data):
    if "label" not in recipe.sample_inputs:
      raise UserError("evaluator 'conditioning' needs a class-conditional model "
                      "(--config.model.conditional=True); remove --config.evals.conditioning.")
    rng = jax.random.fold_in(jax.random.fold_in(key, SAMPLE_KEY), 1)
    return conditional_metrics(self.spec, sampler_of(recipe, variables), rng,
                               self.options.num_examples, data.train, data.split,
                               self.cache, self.options.classifier_steps)
