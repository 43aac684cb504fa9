"""The `translation` evaluator: unpaired image translation between two named
sources (domains) a and b, through the `Translator` protocol (CycleGAN).

  c.evals.translation = ml_collections.ConfigDict(dict(kind="labels"))

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
FID. Classifiers and reference statistics depend only on the train data,
floors and ceilings on the split too: each computed once per `cache`.

Options: `kind` ("labels" or "domain"), `num_examples` (train and eval rows
read per domain; None: all), `classifier_steps`. The recipe translates row
by row through `translate` (target [N, 1]: 1 to domain b, 0 to domain a),
`translate_in_chunks` of 256 rows at a time.
"""

import dataclasses
import functools
from typing import Callable, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.errors import UserError
from gen_jax.eval import classifier as clf
from gen_jax.eval.evaluator import Evaluator
from gen_jax.eval.gan_metrics import as_unit_images
from gen_jax.models.base import Translator, require
from gen_jax.options import option

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
    shared = clf.train_classifier(x, y, 2, steps=steps, task="domain (a or b)")
    return {"a": shared, "b": shared}
  return {d: clf.train_classifier(images[d], trains[d]["label"], specs[d].num_classes,
                                  steps=steps, task=f"domain {d}'s label") for d in "ab"}


def prepare_classifiers(kind: str, specs, train_sources, steps: int,
                        limit: int | None) -> dict:
  """What depends on the train data only: the classifiers and, per target
  domain, the reference statistics of its train images."""
  trains = {d: read_all(train_sources[d], limit) for d in "ab"}
  classifiers = train_classifiers(kind, specs, trains, steps)
  references = {t: clf.gaussian_stats(classifiers[t].logits_and_features(
      as_unit_images(trains[t]["x"], specs[t]))[1]) for _, t in DIRECTIONS.values()}
  return {"classifiers": classifiers, "references": references}


def prepare_split(kind: str, specs, trained: dict, eval_sources,
                  limit: int | None) -> dict:
  """What one evaluated split adds: its rows, and per target domain the
  ceiling, the untranslated rate and the real-data floor."""
  evals = {d: read_all(eval_sources[d], limit) for d in "ab"}
  size = min(len(evals["a"]["x"]), len(evals["b"]["x"]))
  targets = {}
  for s, t in DIRECTIONS.values():
    c = trained["classifiers"][t]
    real = as_unit_images(evals[t]["x"], specs[t])
    logits, feats = c.logits_and_features(real)
    as_is = c.predict(as_unit_images(evals[s]["x"], specs[s]))
    targets[t] = {
        "classifier": c, "reference": trained["references"][t],
        "ceiling": float(np.mean(logits.argmax(-1) == truth(kind, evals[t], t))),
        "untranslated": float(np.mean(as_is == expected(kind, evals[s], s, t))),
        "floor": clf.frechet_distance(*clf.gaussian_stats(feats[:size]),
                                      *trained["references"][t])}
  return {"evals": evals, "targets": targets, "size": size}


def translation_metrics(translate: Callable[[str, np.ndarray], np.ndarray], specs,
                        train_sources, eval_sources, cache: dict, kind: str = "labels",
                        classifier_steps: int = 2000,
                        max_examples: int | None = None) -> dict[str, float]:
  """The module's metrics for `translate(direction, images) -> images`
  (numpy, data encoding); `cache` keeps what depends on the data only."""
  if "trained" not in cache:
    cache["trained"] = prepare_classifiers(kind, specs, train_sources, classifier_steps,
                                           max_examples)
  split_key = ("split",) + tuple(id(eval_sources[d]) for d in "ab")
  if split_key not in cache:
    cache[split_key] = prepare_split(kind, specs, cache["trained"], eval_sources,
                                     max_examples)
  prepared = cache[split_key]
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


# ------------------------------------------------------------ translating


@functools.lru_cache(maxsize=None)
def jitted_translate(recipe):
  """`recipe.translate` jitted, once per recipe."""
  return jax.jit(recipe.translate)


def translate_in_chunks(recipe, variables, images: np.ndarray, targets: np.ndarray,
                        chunk: int = 256) -> np.ndarray:
  """Host side: a `Translator`'s translations of images [N, H, W, C] (data
  encoding) to targets [N, G] class indices, `chunk` rows a call -> numpy
  [N, H, W, C]."""
  translate = jitted_translate(recipe)
  parts = [np.asarray(translate(variables, jnp.asarray(images[i:i + chunk], jnp.float32),
                                jnp.asarray(targets[i:i + chunk], jnp.int32)))
           for i in range(0, len(images), chunk)]
  if not parts:
    return np.zeros((0,) + tuple(np.shape(images)[1:]), np.float32)
  return np.concatenate(parts)


def domain_translator(recipe, variables) -> Callable[[str, np.ndarray], np.ndarray]:
  """translate(direction, images) for `translation_metrics`: "ab" asks for
  domain b (target 1), "ba" for domain a (target 0)."""
  def translate(direction, images):
    target = DOMAIN_INDEX[DIRECTIONS[direction][1]]
    return translate_in_chunks(recipe, variables, images,
                               np.full((len(images), 1), target, np.int32))
  return translate


# -------------------------------------------------------------- evaluator


KINDS = ("labels", "domain")


@dataclasses.dataclass(frozen=True)
class TranslationOptions:
  kind: str = option("labels", choices=KINDS)          # labels: label preservation; domain: a vs b
  num_examples: int | None = option(None, minimum=1)   # train and eval rows per domain (None: all)
  classifier_steps: int = option(2000, minimum=1)      # each metric classifier's training


def check_domains(spec, kind: str) -> None:
  """A UserError unless `spec` names two domains a and b and, for kind
  "labels", both carry the same classes."""
  if not isinstance(spec, Mapping) or set(spec) != {"a", "b"}:
    raise UserError("evaluator 'translation' judges translations between two named "
                    "sources a and b (config.data.sources); remove --config.evals."
                    "translation (attribute_translation judges one source's attributes).")
  if kind != "labels":
    return
  classes = [s.feature("label") and s.feature("label").num_classes for s in
             (spec["a"], spec["b"])]
  if not classes[0] or classes[0] != classes[1]:
    raise UserError(
        "--config.evals.translation.kind='labels' (label preservation) needs both "
        "domains labelled with the same classes (e.g. digits 0-9); got "
        f"{classes[0]} and {classes[1]} classes. Use "
        "--config.evals.translation.kind=domain (an A-vs-B classifier).")


class Translation(Evaluator):
  """Label preservation (or domain accuracy) and Frechet distances of a
  two-domain translator's translations, each beside its real-data ceiling
  or floor (see the module doc)."""
  Options = TranslationOptions

  def __init__(self, options, spec):
    check_domains(spec, options.kind)
    super().__init__(options, spec)

  def prepare(self, recipe, train, split):
    del recipe, split
    if "trained" not in self.cache:
      self.cache["trained"] = prepare_classifiers(
          self.options.kind, self.spec, train, self.options.classifier_steps,
          self.options.num_examples)

  def __call__(self, recipe, variables, key, data):
    del key
    require(recipe, Translator, "evaluator 'translation'")
    if tuple(recipe.translation_groups) != (("domain", 2),):
      raise UserError("evaluator 'translation' needs a translator between two domains "
                      "(translation_groups (('domain', 2),)); this model translates "
                      f"{recipe.translation_groups}. Use evaluator attribute_translation.")
    self.prepare(recipe, data.train, data.split)
    return translation_metrics(domain_translator(recipe, variables), self.spec, data.train,
                               data.split, self.cache, kind=self.options.kind,
                               classifier_steps=self.options.classifier_steps,
                               max_examples=self.options.num_examples)
