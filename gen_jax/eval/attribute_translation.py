"""The `attribute_translation` evaluator: many-domain attribute translation
(StarGAN) against ground truth, through the `Translator` protocol.

  c.evals.attribute_translation = ml_collections.ConfigDict(dict(
      preserved=("digit",), num_examples=1000))

The translated attributes are the recipe's `translation_groups`; the
preserved features (option `preserved`, class features of the data that are
not translated) are the ones a translation must keep. Each eval image is translated to every target: every combination of the
translated attributes' classes (`all_targets`; attribute digits: 4 colours x
thin/thick x black/white = 16). The translations are judged by in-repo
classifiers (`gen_jax.eval.classifier`: LeNet-5 from 16x16 up, else an MLP),
one per attribute and one per preserved feature, trained on real images:
the train split, or where the data carries the attribute-free digit
(`digit_image`, attribute digits) each train digit rendered anew under
`RENDERS` random attribute vectors, so the classifiers see every composition.

  <clf>_attribute_accuracy     the fraction of translations whose every
                               attribute the classifiers find to be the target;
  <clf>_<attribute>_accuracy   the same for one attribute;
  <clf>_<feature>_preservation the fraction whose preserved feature (e.g. the
                               digit) is still the source image's;
  <clf>_<feature>_preservation_when_<attribute>_changes / _is_kept
                               the same over the targets that change that
                               attribute from the source's class, or keep it;
  ..._ceiling                  beside each, the same classifiers on the real
                               eval images with their own labels;
  ..._stderr                   the standard error over source images (each
                               one's mean over its targets).
Where the data gives the exact translation (`digit_image`: `render` of the
digit with the target attributes, `attribute_digits.translation_truth`):
  l1_to_truth                  mean |translation - truth| per pixel, in [0, 1];
  psnr_to_truth                mean over translations of 10 log10(1 / MSE), in
                               dB, each capped at 100 dB (an exact translation);
  l1_untranslated, psnr_untranslated  the same for the input image itself
                               (what ignoring the target scores).
And `translation_num_examples` (source images), `translation_targets`.
Classifiers depend on the train data and the attributes only (the recipe's
`translation_groups`), ceilings on the split too: each computed once per
evaluator, the classifiers in `prepare` (or loaded from the disk cache).

Options: `num_examples` (eval rows; None: all), `classifier_steps`,
`classifier_examples` (train rows for the classifiers; None: all),
`preserved`.
"""

import dataclasses
import itertools
from typing import Callable, Mapping, Sequence

import numpy as np

from gen_jax.errors import UserError
from gen_jax.eval import classifier as clf
from gen_jax.eval.evaluator import Evaluator
from gen_jax.eval.gan_metrics import as_unit_images
from gen_jax.eval.translation import read_all, translate_in_chunks
from gen_jax.models.base import Translator, require
from gen_jax.nn.translation import class_features, truth_renderer
from gen_jax.options import option

RENDERS = 8               # renderings of each train digit for the classifiers
RENDER_SEED = 20180101
MSE_FLOOR = 1e-10         # PSNR cap: 100 dB


# ------------------------------------------------------------ pixel metrics


def l1_per_image(images: np.ndarray, truth: np.ndarray) -> np.ndarray:
  """[N] mean |images - truth| over each image's entries."""
  diff = np.abs(np.asarray(images, np.float64) - np.asarray(truth, np.float64))
  return diff.reshape(len(diff), -1).mean(-1)


def psnr_per_image(images: np.ndarray, truth: np.ndarray) -> np.ndarray:
  """[N] 10 log10(1 / MSE) in dB for images in [0, 1]; MSE floored at MSE_FLOOR."""
  diff = np.asarray(images, np.float64) - np.asarray(truth, np.float64)
  mse = (diff ** 2).reshape(len(diff), -1).mean(-1)
  return 10.0 * np.log10(1.0 / np.maximum(mse, MSE_FLOOR))


# ------------------------------------------------------------------ targets


def all_targets(num_classes: Sequence[int]) -> np.ndarray:
  """[T, G] int32: every combination of G attributes' classes, the last fastest."""
  return np.asarray(list(itertools.product(*(range(k) for k in num_classes))),
                    np.int32).reshape(-1, len(num_classes))


# -------------------------------------------------------------- classifiers


def classifier_module(image_shape, num_classes: int):
  """LeNet-5 for images of 16x16 and more (it needs 12), else the default."""
  if min(image_shape[:2]) >= 16:
    return "lenet5", clf.LeNet(num_classes)
  return clf.classifier_for(image_shape, num_classes)


def training_set(rows: dict, attributes: dict[str, int], preserved: Sequence[str], render,
                 seed: int = RENDER_SEED):
  """(images [M, H, W, C], {feature: [M] labels}) to train the classifiers
  on: the rows as they are, or with `render` each row drawn RENDERS times
  under uniformly random classes of the attributes (preserved features keep
  the row's own)."""
  features = list(attributes) + list(preserved)
  if render is None:
    return rows["x"], {f: np.asarray(rows[f]) for f in features}
  rng = np.random.default_rng(seed)
  n = len(rows["x"])
  images, labels = [], {f: [] for f in features}
  for _ in range(RENDERS):
    drawn = {a: rng.integers(0, k, n).astype(np.int32) for a, k in attributes.items()}
    images.append(render(rows, drawn))
    for f in features:
      labels[f].append(drawn[f] if f in drawn else np.asarray(rows[f]))
  return np.concatenate(images), {f: np.concatenate(v) for f, v in labels.items()}


def train_classifiers(images: np.ndarray, labels: dict[str, np.ndarray],
                      features: dict[str, int], steps: int) -> dict[str, clf.Classifier]:
  """{feature: Classifier} on the rows whose label is a class (not -1)."""
  out = {}
  for f, k in features.items():
    keep = labels[f] >= 0
    named = classifier_module(images.shape[1:], k)
    out[f] = clf.train_classifier(images[keep], labels[f][keep], k, steps=steps,
                                  named_module=named, task=f)
  return out


def judge(classifiers: dict, images: np.ndarray, expected: dict[str, np.ndarray]
          ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
  """{feature: (correct [N] bool, valid [N] bool)}: each classifier's answer
  on `images` (data in [0, 1]) against `expected` (-1: no answer expected)."""
  out = {}
  for f, c in classifiers.items():
    want = np.asarray(expected[f])
    out[f] = (c.predict(images) == want, want >= 0)
  return out


def accuracy(correct: np.ndarray, valid: np.ndarray) -> float:
  return float(np.sum(correct & valid) / max(np.sum(valid), 1))


def joint(judged: dict, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
  """(every named feature correct, every one valid), per image."""
  correct = np.all([judged[n][0] for n in names], axis=0)
  valid = np.all([judged[n][1] for n in names], axis=0)
  return correct, valid


def prepare(spec, attributes: dict[str, int], preserved: dict[str, int], train_source,
            eval_source, steps: int, limit: int | None, train_limit: int | None,
            classifiers: dict | None = None) -> dict:
  """Eval rows (the first `limit`), classifiers (trained on the first
  `train_limit` train rows, unless `classifiers` of an earlier `prepare` are
  given) and their ceilings on the real eval images."""
  render = truth_renderer(spec, list(attributes))
  features = {**attributes, **preserved}
  if classifiers is None:
    classifiers = fit_classifiers(spec, attributes, preserved, train_source, steps,
                                  train_limit)
  rows = read_all(eval_source, limit)
  judged = judge(classifiers, as_unit_images(rows["x"], spec), rows)
  ceilings = {f: accuracy(*judged[f]) for f in features}
  ceilings["attribute"] = accuracy(*joint(judged, list(attributes)))
  return {"rows": rows, "classifiers": classifiers, "ceilings": ceilings, "render": render,
          "name": next(iter(classifiers.values())).name}


def fit_classifiers(spec, attributes: dict[str, int], preserved: dict[str, int],
                    train_source, steps: int, train_limit: int | None) -> dict:
  """{feature: Classifier} on the first `train_limit` train rows (rendered
  under random attributes where the data can draw them)."""
  render = truth_renderer(spec, list(attributes))
  train_rows = read_all(train_source, train_limit)
  images, labels = training_set(train_rows, attributes, list(preserved), render)
  return train_classifiers(as_unit_images(images, spec), labels,
                           {**attributes, **preserved}, steps)


def mean_and_stderr(per_source: np.ndarray) -> tuple[float, float]:
  """Mean and standard error of [N] per-source-image values (NaNs skipped)."""
  v = per_source[np.isfinite(per_source)]
  if not len(v):
    return float("nan"), float("nan")
  return float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0)


def rates(correct: np.ndarray, valid: np.ndarray) -> np.ndarray:
  """[N] per source image: the fraction of its valid targets judged correct
  (correct, valid: [T, N]); NaN where none is valid."""
  counted = valid.sum(0)
  with np.errstate(invalid="ignore", divide="ignore"):
    return np.where(counted > 0, (correct & valid).sum(0) / counted, np.nan)


def translation_metrics(translate: Callable[[np.ndarray, np.ndarray], np.ndarray], spec,
                        attributes: dict[str, int], preserved: dict[str, int],
                        train_source, eval_source, cache: dict,
                        classifier_steps: int = 2000, max_examples: int | None = None,
                        classifier_examples: int | None = None,
                        targets: np.ndarray | None = None) -> dict[str, float]:
  """The module's metrics for `translate(images, targets [N, G]) -> images`
  (numpy, data encoding; targets index the classes of `attributes`, an
  ordered {name: classes}); `preserved`: {feature: classes} to keep;
  `max_examples` eval rows, `classifier_examples` train rows (None: all);
  `targets` [T, G]: the targets to translate to (None: `all_targets`); a
  class of -1 keeps each row's own class of that attribute (a domain that
  names only some attributes)."""
  if "prepared" not in cache:
    cache["prepared"] = prepare(spec, attributes, preserved, train_source, eval_source,
                                classifier_steps, max_examples, classifier_examples)
  p = cache["prepared"]
  rows, render, names = p["rows"], p["render"], list(attributes)
  n = len(rows["x"])
  per = {}   # name -> [T, N] values (or (correct, valid) pairs)
  if targets is None:
    targets = all_targets(list(attributes.values()))
  targets = np.asarray(targets, np.int32).reshape(-1, len(names))
  for target in targets:
    wanted = {a: np.asarray(rows[a], np.int32) if target[g] < 0 else
              np.full(n, target[g], np.int32) for g, a in enumerate(names)}
    fake = translate(rows["x"], np.stack([wanted[a] for a in names], -1))   # targets [N, G]
    judged = judge(p["classifiers"], as_unit_images(fake, spec),
                   {**wanted, **{f: rows[f] for f in preserved}})
    judged["attribute"] = joint(judged, names)
    for key, pair in judged.items():
      per.setdefault(key, []).append(pair)
    if render is not None:
      truth = render(rows, wanted)
      for key, value in (("l1_to_truth", l1_per_image(fake, truth)),
                         ("psnr_to_truth", psnr_per_image(fake, truth)),
                         ("l1_untranslated", l1_per_image(rows["x"], truth)),
                         ("psnr_untranslated", psnr_per_image(rows["x"], truth))):
        per.setdefault(key, []).append(value)
  out = {"translation_num_examples": n, "translation_targets": len(per["attribute"])}
  prefix = p["name"]
  for key, values in per.items():
    if isinstance(values[0], tuple):
      correct = np.stack([c for c, _ in values])
      valid = np.stack([v for _, v in values])
      kind = "preservation" if key in preserved else "accuracy"
      name = f"{prefix}_{key}_{kind}"
      out[name], out[f"{name}_stderr"] = mean_and_stderr(rates(correct, valid))
      out[f"{prefix}_{key}_ceiling"] = p["ceilings"][key]
    else:
      out[key], out[f"{key}_stderr"] = mean_and_stderr(np.mean(values, axis=0))
  for f in preserved:
    correct = np.stack([c for c, _ in per[f]])
    valid = np.stack([v for _, v in per[f]])
    for g, a in enumerate(names):
      named = targets[:, g:g + 1]                                         # [T, 1]
      changes = (named >= 0) & (named != np.asarray(rows[a])[None])       # [T, N]
      for when, mask in (("changes", changes), ("is_kept", ~changes)):
        out[f"{prefix}_{f}_preservation_when_{a}_{when}"] = accuracy(correct, valid & mask)
  return out


# -------------------------------------------------------------- evaluator


@dataclasses.dataclass(frozen=True)
class AttributeOptions:
  num_examples: int | None = option(None, minimum=1)         # eval rows (None: all)
  classifier_steps: int = option(2000, minimum=1)            # each classifier's training
  classifier_examples: int | None = option(None, minimum=1)  # train rows (None: all)
  preserved: tuple[str, ...] = ()                             # features a translation keeps


def check_preserved(spec, preserved: Sequence[str], translated: Sequence[str] = ()) -> None:
  """A UserError unless every preserved feature is a class feature of the
  data that is not translated."""
  known = class_features(spec)
  bad = [p for p in preserved if p not in known or p in translated]
  if bad:
    raise UserError(f"--config.evals.attribute_translation.preserved: {bad} must be "
                    f"class features of {spec.name!r} that are not translated "
                    f"({', '.join(known)}).")


class AttributeTranslation(Evaluator):
  """Attribute accuracy, preservation and ground-truth L1 / PSNR of a
  translator's translations of each eval image to every target."""
  Options = AttributeOptions

  def __init__(self, options, spec):
    if isinstance(spec, Mapping):
      raise UserError("evaluator 'attribute_translation' judges one source with "
                      "attributes; remove --config.evals.attribute_translation "
                      "(translation judges two named sources).")
    check_preserved(spec, options.preserved)
    super().__init__(options, spec)

  def features(self, recipe) -> tuple[dict[str, int], dict[str, int]]:
    """({translated attribute: classes}, {preserved feature: classes})."""
    require(recipe, Translator, "evaluator 'attribute_translation'")
    attributes = dict(recipe.translation_groups)
    check_preserved(self.spec, self.options.preserved, list(attributes))
    return attributes, {p: self.spec.feature(p).num_classes for p in self.options.preserved}

  def prepare(self, recipe, train, split):
    del split
    if "classifiers" not in self.cache:
      o = self.options
      self.cache["classifiers"] = fit_classifiers(
          self.spec, *self.features(recipe), train, o.classifier_steps,
          o.classifier_examples)

  def prepared(self, attributes: dict[str, int], preserved: dict[str, int], train,
               split) -> dict:
    """`prepare`'s classifiers (once) and ceilings (once per split)."""
    o = self.options
    key = ("split", id(split))
    if key not in self.cache:
      self.cache[key] = prepare(
          self.spec, attributes, preserved, train, split, o.classifier_steps,
          o.num_examples, o.classifier_examples, classifiers=self.cache.get("classifiers"))
      self.cache["classifiers"] = self.cache[key]["classifiers"]
    return self.cache[key]

  def __call__(self, recipe, variables, key, data):
    del key
    attributes, preserved = self.features(recipe)
    cache = {"prepared": self.prepared(attributes, preserved, data.train, data.split)}
    translate = lambda images, targets: translate_in_chunks(recipe, variables, images,
                                                            targets)
    return translation_metrics(translate, self.spec, attributes, preserved, None, None,
                               cache, classifier_steps=self.options.classifier_steps)
