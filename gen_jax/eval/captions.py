"""Caption accuracy of a text-to-image sampler, and its Frechet distance:
the "captions" evaluator (`CaptionAccuracy`, `config.evals.captions`).

The attributes a caption names are the spec's scalar class features other
than `held_out` and `evaluator` (attribute digits: digit, colour, thickness,
background). One in-repo classifier per attribute (LeNet-5 from 16x16 up;
`classifier.train_classifier`, trained on the train split's images and the
eval rows with `evaluator` = 1, which hold every composition) reads each
generated image; an image is right on an attribute when the classifier finds
the captioned value, and right on the caption when it is right on every
attribute. The sampler draws one image per remaining eval row from the
row's first caption; rows with `held_out` = 1 (compositions never seen in
training) are reported apart (`_held_out`).

Figures, each beside the classifiers' own accuracy on the real eval images
(`real_caption_accuracy...`, the ceiling):
  caption_accuracy[_held_out]            every attribute right
  caption_<attribute>_accuracy[_held_out]
  <clf>_<first attribute>_frechet        Frechet distance of the samples to
                                         the train images in that classifier's
                                         features, beside `_real_floor` (the
                                         eval images themselves).

The evaluator draws through `sample` only, with inputs {"captions": [n, 1,
L]} (each row's first caption), 500 at a time, chunk i with fold_in(key, i).
Options: `num_examples` (2000: eval rows drawn), `classifier_steps` (2000).
"""

import dataclasses
from typing import Callable

import jax
import numpy as np

from gen_jax.errors import UserError
from gen_jax.eval import classifier as clf
from gen_jax.eval.evaluator import SAMPLE_KEY, Evaluator, sample_in_chunks
from gen_jax.eval.gan_metrics import as_unit_images
from gen_jax.options import option


def caption_attributes(spec) -> list:
  """The scalar class features a caption describes."""
  return [f for f in spec.features if f.shape == () and f.num_classes
          and f.name not in ("held_out", "evaluator", "label")]


def _all(source) -> dict:
  return source.get(np.arange(len(source)))


def attribute_classifier(spec, num_classes: int):
  """LeNet-5 for images of 16x16 or more (an MLP reads 16x16 colour digits
  at only ~88%), else the default choice of `classifier.classifier_for`."""
  if spec.event_shape[0] >= 16:
    return "lenet5", clf.LeNet(num_classes)
  return None


def attribute_classifiers(spec, train_source, extra_rows: dict | None, cache: dict,
                          steps: int) -> dict:
  """{attribute: Classifier}, trained once on the train split (and
  `extra_rows`) and cached."""
  if "classifiers" not in cache:
    data = _all(train_source)
    if extra_rows is not None:
      data = {k: np.concatenate([data[k], extra_rows[k]]) for k in data if k in extra_rows}
    images = as_unit_images(data["x"], spec)
    cache["classifiers"] = {
        f.name: clf.train_classifier(images, data[f.name], f.num_classes, steps=steps,
                                     named_module=attribute_classifier(spec, f.num_classes),
                                     task=f.name)
        for f in caption_attributes(spec)}
  return cache["classifiers"]


def split_classifiers(spec, train_source, eval_source, cache: dict, steps: int) -> dict:
  """`attribute_classifiers` on the train split and the eval split's rows
  marked `evaluator` (held out from the scored rows)."""
  rows = _all(eval_source)
  evaluator = rows.get("evaluator", np.zeros(len(rows["x"]), np.int32)) == 1
  extra = {k: v[evaluator] for k, v in rows.items()} if evaluator.any() else None
  return attribute_classifiers(spec, train_source, extra, cache, steps)


def agreement(classifiers: dict, images: np.ndarray, rows: dict) -> dict[str, np.ndarray]:
  """{attribute: [N] bool} the classifier agrees with the row's value, and
  "caption": all of them."""
  right = {name: c.predict(images) == rows[name] for name, c in classifiers.items()}
  right["caption"] = np.all(list(right.values()), axis=0)
  return right


def summarize(right: dict, held_out: np.ndarray, prefix: str) -> dict[str, float]:
  """Mean agreement on seen rows and on held-out rows (when there are any)."""
  out = {}
  for name, ok in right.items():
    key = f"{prefix}caption_accuracy" if name == "caption" else f"{prefix}caption_{name}_accuracy"
    if (~held_out).any():
      out[key] = float(ok[~held_out].mean())
    if held_out.any():
      out[f"{key}_held_out"] = float(ok[held_out].mean())
  return out


def caption_metrics(spec, sampler: Callable[[jax.Array, np.ndarray], np.ndarray],
                    rng: jax.Array, num: int, train_source, eval_source, cache: dict,
                    classifier_steps: int = 2000) -> dict[str, float]:
  """The module's figures for `sampler(rng, captions [N, L]) -> images`."""
  if not caption_attributes(spec):
    return {}
  classifiers = split_classifiers(spec, train_source, eval_source, cache, classifier_steps)
  rows = _all(eval_source)
  evaluator = rows.get("evaluator", np.zeros(len(rows["x"]), np.int32)) == 1
  rows = {k: v[~evaluator][:num] for k, v in rows.items()}
  held_out = rows.get("held_out", np.zeros(len(rows["x"]), np.int32)) == 1
  first = next(iter(classifiers))
  name = f"{classifiers[first].name}_{first}"
  floor_key = ("floor", id(eval_source))
  if floor_key not in cache:
    train_images = as_unit_images(_all(train_source)["x"], spec)
    cache["reference"] = clf.gaussian_stats(
        classifiers[first].logits_and_features(train_images)[1])
    real = as_unit_images(rows["x"], spec)
    real_feats = classifiers[first].logits_and_features(real)[1]
    cache[floor_key] = {
        **summarize(agreement(classifiers, real, rows), held_out, "real_"),
        f"{name}_frechet_real_floor": clf.frechet_distance(
            *clf.gaussian_stats(real_feats), *cache["reference"])}
  samples = as_unit_images(sampler(rng, np.asarray(rows["captions"])[:, 0]), spec)
  feats = classifiers[first].logits_and_features(samples)[1]
  return {**summarize(agreement(classifiers, samples, rows), held_out, ""),
          f"{name}_frechet": clf.frechet_distance(*clf.gaussian_stats(feats),
                                                  *cache["reference"]),
          "caption_num_held_out": float(held_out.sum()),
          "caption_num_seen": float((~held_out).sum()),
          **cache[floor_key]}


# ------------------------------------------------------------ the evaluator


@dataclasses.dataclass(frozen=True)
class CaptionOptions:
  num_examples: int = option(2000, minimum=1)       # eval rows drawn from their captions
  classifier_steps: int = option(2000, minimum=1)   # each attribute classifier's training


def caption_sampler(recipe, variables):
  """sampler(rng, captions [N, L]) -> images [N, *event] (numpy): `sample`
  with inputs {"captions": [n, 1, L]}, 500 at a time, chunk i with
  fold_in(rng, i)."""
  def sampler(rng, captions):
    captions = np.asarray(captions)[:, None]                          # [N, 1, L]
    return sample_in_chunks(recipe, variables, rng, len(captions),
                            lambda start, size: {"captions": captions[start:start + size]})
  return sampler


class CaptionAccuracy(Evaluator):
  """A text-to-image model's caption accuracy (seen and held-out
  compositions) and Frechet distance (module doc). The attribute classifiers
  also learn from the first evaluated split's `evaluator` rows."""
  Options = CaptionOptions

  def prepare(self, recipe, train, split):
    del recipe
    if caption_attributes(self.spec):
      split_classifiers(self.spec, train, split, self.cache, self.options.classifier_steps)

  def __call__(self, recipe, variables, key, data):
    if "captions" not in recipe.sample_inputs:
      raise UserError("evaluator 'captions' needs a model that draws from captions "
                      "('captions' in its sample_inputs, e.g. model.name=text2image); "
                      "remove --config.evals.captions.")
    return caption_metrics(self.spec, caption_sampler(recipe, variables),
                           jax.random.fold_in(key, SAMPLE_KEY), self.options.num_examples,
                           data.train, data.split, self.cache, self.options.classifier_steps)
