"""Metrics of unpaired image translation between domains a and b.

For each direction s -> t ("ab": G(a), "ba": F(b)) the translations of s's
eval images are judged by an in-repo classifier (`gen_jax.eval.classifier`:
LeNet-5 for 28x28 and larger, else an MLP) trained on real images:

kind "labels" (both domains carry the same classes, e.g. MNIST <-> digits),
a classifier per target domain t, trained on t's labelled train split:
  <clf>_<st>_label_accuracy   its accuracy on the translations, scored
                              against the source images' own labels (label
                              preservation);
  <clf>_<st>_label_ceiling    its accuracy on t's real eval images;
  <clf>_<st>_label_untranslated  its accuracy on s's eval images as they are
                              (what translating must beat to be of use).
kind "domain" (no shared labels, e.g. horse2zebra): one classifier of a vs
b trained on both train splits:
  <clf>_<st>_domain_accuracy  the fraction of translations it puts in t;
  <clf>_<st>_domain_ceiling   the fraction of t's real eval images it does;
  <clf>_<st>_domain_untranslated  the fraction of s's eval images it does.
Both kinds:
  <clf>_<st>_frechet          Frechet distance of the translations to t's
                              train images, in that classifier's features;
  <clf>_<st>_frechet_real_floor  the same for t's real eval images.
The two Frechet distances use the same number of images (the smaller eval
split), so their small-sample bias matches. Not comparable with Inception
FID. Classifiers, floors and ceilings depend only on the data: computed
once per `cache`.
"""

from typing import Callable

import numpy as np

from gen_jax.eval import classifier as clf
from gen_jax.eval.gan_metrics import as_unit_images

DIRECTIONS = {"ab": ("a", "b"), "ba": ("b", "a")}   # source, target
DOMAIN_INDEX = {"a": 0, "b": 1}


def read_all(source, limit: int | None = None) -> dict[str, np.ndarray]:
  """The first `limit` (None: all) examples of a source, numpy."""
  n = len(source) if limit is None else min(limit, len(source))
  return source.get(np.arange(n))


def truth(kind: str, data: dict, domain: str) -> np.ndarray:
  """[N] the class a correct classifier gives these images of `domain`."""
  if kind == "labels":
    return np.asarray(data["label"])
  return np.full(len(data["x"]), DOMAIN_INDEX[domain])


def expected(kind: str, data: dict, source: str, target: str) -> np.ndarray:
  """[N] the right answer on translations s -> t of `data` (images of s): the
  source label (kind "labels"), or "t" (a domain classifier)."""
  if kind == "labels":
    return truth(kind, data, source)
  return np.full(len(data["x"]), DOMAIN_INDEX[target])


def train_classifiers(kind: str, specs, trains: dict, steps: int) -> dict:
  """{domain: Classifier} judging images of that domain (kind "domain":
  one a-vs-b classifier shared by both)."""
  images = {d: as_unit_images(trains[d]["x"], specs[d]) for d in "ab"}
  if kind == "domain":
    x = np.concatenate([images["a"], images["b"]])
    y = np.concatenate([truth(kind, trains[d], d) for d in "ab"])
    shared = clf.train_classifier(x, y, 2, steps=steps)
    return {"a": shared, "b": shared}
  return {d: clf.train_classifier(images[d], trains[d]["label"], specs[d].num_classes,
                                  steps=steps) for d in "ab"}


def prepare(kind: str, specs, train_sources, eval_sources, steps: int,
            limit: int | None) -> dict:
  """What every evaluation shares: eval data, classifiers, per-target
  reference statistics, ceilings and floors."""
  trains = {d: read_all(train_sources[d], limit) for d in "ab"}
  evals = {d: read_all(eval_sources[d], limit) for d in "ab"}
  classifiers = train_classifiers(kind, specs, trains, steps)
  size = min(len(evals["a"]["x"]), len(evals["b"]["x"]))
  targets = {}
  for s, t in DIRECTIONS.values():
    c = classifiers[t]
    reference = clf.gaussian_stats(
        c.logits_and_features(as_unit_images(trains[t]["x"], specs[t]))[1])
    real = as_unit_images(evals[t]["x"], specs[t])
    logits, feats = c.logits_and_features(real)
    as_is = c.predict(as_unit_images(evals[s]["x"], specs[s]))
    targets[t] = {
        "classifier": c, "reference": reference,
        "ceiling": float(np.mean(logits.argmax(-1) == truth(kind, evals[t], t))),
        "untranslated": float(np.mean(as_is == expected(kind, evals[s], s, t))),
        "floor": clf.frechet_distance(*clf.gaussian_stats(feats[:size]), *reference)}
  return {"evals": evals, "targets": targets, "size": size}


def translation_metrics(translate: Callable[[str, np.ndarray], np.ndarray], specs,
                        train_sources, eval_sources, cache: dict, kind: str = "labels",
                        classifier_steps: int = 2000,
                        max_examples: int | None = None) -> dict[str, float]:
  """The module's metrics for `translate(direction, images) -> images`
  (numpy, data encoding); `cache` keeps what depends on the data only."""
  if "prepared" not in cache:
    cache["prepared"] = prepare(kind, specs, train_sources, eval_sources,
                                classifier_steps, max_examples)
  prepared = cache["prepared"]
  out = {}
  for direction, (s, t) in DIRECTIONS.items():
    target = prepared["targets"][t]
    c = target["classifier"]
    source = prepared["evals"][s]
    fake = as_unit_images(translate(direction, source["x"]), specs[t])
    logits, feats = c.logits_and_features(fake)
    stats = clf.gaussian_stats(feats[:prepared["size"]])
    what = "label" if kind == "labels" else "domain"
    prefix = f"{c.name}_{direction}"
    out[f"{prefix}_{what}_accuracy"] = float(
        np.mean(logits.argmax(-1) == expected(kind, source, s, t)))
    out[f"{prefix}_{what}_ceiling"] = target["ceiling"]
    out[f"{prefix}_{what}_untranslated"] = target["untranslated"]
    out[f"{prefix}_frechet"] = clf.frechet_distance(*stats, *target["reference"])
    out[f"{prefix}_frechet_real_floor"] = target["floor"]
  return out
