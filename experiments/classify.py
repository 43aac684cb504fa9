"""Bayes-rule classification with a class-conditional density, with rejection.

  python -m experiments.classify --workdir=workdirs/conditional_nade_digits \
      [--false_rejection=0.05] [--outliers=letters,noise] [--num_examples=N]

Reads the workdir's config.json and its validation-selected checkpoint (the
latest one where none was kept) of a class-conditional explicit model
(`--config.model.conditional=True`), computes log p(x | y) for
every class on the test split, predicts argmax_y log p(x | y) + log p(y)
(the prior from training label counts) and writes `classify.json`:
accuracy ± s.e.; for each rejection rule (max_y log p(x | y), or log p(x))
a threshold set on held-out in-distribution data for the target
false-rejection rate, the coverage and accuracy on the accepted test inputs,
and the rejection AUROC on every outlier set; the same for a discriminative
baseline of similar size (rejection by its max-softmax probability).
Pictures: `classify_coverage.png` (accuracy against coverage) and
`classify_histograms.png` (max_y log p(x | y), in-distribution vs outliers).
"""

import json
import os

from absl import flags

from experiments import common
from gen_jax.errors import UserError

FALSE_REJECTION = flags.DEFINE_float("false_rejection", 0.05, "Target share of "
                                     "held-out in-distribution inputs rejected.")
OUTLIERS = common.OUTLIERS
NUM_EXAMPLES = common.NUM_EXAMPLES
BASELINE_STEPS = flags.DEFINE_integer("baseline_steps", 2000, "Training steps of "
                                      "the discriminative baseline.")


def class_table(exp, x, batch_size=256):
  """[N, K] log p(x | y = k) for data-encoded x, in jitted batches."""
  import jax  # pylint: disable=import-outside-toplevel
  import numpy as np  # pylint: disable=import-outside-toplevel
  from gen_jax.models.base import class_log_probs  # pylint: disable=import-outside-toplevel
  fn = jax.jit(lambda v, xb, key: class_log_probs(exp.recipe, v, {"x": xb}, key))
  variables = exp.variables()
  key = jax.random.fold_in(exp.keys["eval"], exp.step)
  parts = [np.asarray(fn(variables, x[i:i + batch_size], jax.random.fold_in(key, i)))
           for i in range(0, len(x), batch_size)]
  return np.concatenate(parts).astype(np.float64)


def held_out_split(exp):
  """(name, source) of the in-distribution data that sets the thresholds."""
  if exp.data.validation is not None:
    return "validation", exp.data.validation
  return "train (no validation split: thresholds seen in training, optimistic)", exp.train_source


def take(source, limit):
  import numpy as np  # pylint: disable=import-outside-toplevel
  n = len(source) if limit is None else min(limit, len(source))
  return source.get(np.arange(n))


def unit_images(x, spec):
  import numpy as np  # pylint: disable=import-outside-toplevel
  x = np.asarray(x, np.float32)
  return x / (spec.num_levels - 1) if spec.num_levels else x


def check_model(exp, workdir):
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train it first.")
  from gen_jax.models.base import Density  # pylint: disable=import-outside-toplevel
  if not isinstance(exp.recipe, Density) or "label" not in exp.recipe.sample_inputs:
    raise UserError(
        f"model {exp.config.model.name!r} in {workdir} is not a class-conditional "
        "explicit model: the Bayes classifier needs log p(x | y). Train one with "
        "--config.model.conditional=True (nade, pixelcnn, gated_pixelcnn, vae).")


def main(argv):
  del argv
  common.start(multihost_ok=False)
  if not common.WORKDIR.value:
    raise UserError("--workdir is required: a trained class-conditional workdir.")
  if not 0.0 < FALSE_REJECTION.value < 1.0:
    raise UserError(f"--false_rejection={FALSE_REJECTION.value} must lie in (0, 1).")
  workdir = common.WORKDIR.value
  if not os.path.isdir(workdir):
    raise UserError(f"workdir {workdir} does not exist; train first.")
  # pylint: disable=import-outside-toplevel
  import numpy as np
  from gen_jax.data import outliers as outlier_lib
  from gen_jax.eval import bayes
  from gen_jax.eval import classifier as clf
  from gen_jax.train import Experiment
  config = common.load_config(workdir)
  exp = Experiment(config, workdir, read_only=True)
  check_model(exp, workdir)
  checkpoint = "best" if exp.restore_best() else "latest"   # validation-selected if kept
  spec = exp.spec
  num_classes = spec.feature("label").num_classes
  limit = NUM_EXAMPLES.value

  train = take(exp.train_source, None)
  test = take(exp.eval_source, limit)
  held_name, held_source = held_out_split(exp)
  held = take(held_source, limit)
  sets = outlier_lib.outlier_sets(spec, test, OUTLIERS.value, limit)

  prior = bayes.log_prior(train["label"], num_classes)
  table = {"test": class_table(exp, test["x"]), "held_out": class_table(exp, held["x"])}
  for name, x in sets.items():
    table[name] = class_table(exp, x)
  correct = np.argmax(bayes.posterior(table["test"], prior), 1) == test["label"]
  acc, se = bayes.accuracy_with_stderr(correct)
  result = {"workdir": workdir, "step": exp.step, "checkpoint": checkpoint,
            "num_test": len(correct),
            "held_out_split": held_name, "num_held_out": len(held["label"]),
            "false_rejection_target": FALSE_REJECTION.value,
            "accuracy": acc, "accuracy_stderr": se, "rules": {}}
  scores = {k: bayes.scores(t, prior) for k, t in table.items()}
  for rule in bayes.SCORES:
    threshold = bayes.threshold_for(scores["held_out"][rule], FALSE_REJECTION.value)
    report = bayes.rejection_report(scores["test"][rule], correct, threshold)
    report["threshold"] = threshold
    report["auroc"] = {name: bayes.rejection_auroc(scores["test"][rule], scores[name][rule])
                       for name in sets}
    result["rules"][rule] = report

  # The discriminative baseline: the in-repo classifier, same train split.
  baseline = clf.train_classifier(unit_images(train["x"], spec), train["label"],
                                  num_classes, steps=BASELINE_STEPS.value)
  probs = lambda x: clf_softmax(baseline, unit_images(x, spec))
  base_correct = probs(test["x"]).argmax(1) == test["label"]
  b_acc, b_se = bayes.accuracy_with_stderr(base_correct)
  msp = {k: probs(v).max(1) for k, v in [("test", test["x"]), ("held_out", held["x"]),
                                         *sets.items()]}
  b_threshold = bayes.threshold_for(msp["held_out"], FALSE_REJECTION.value)
  result["baseline"] = {
      "name": baseline.name, "accuracy": b_acc, "accuracy_stderr": b_se,
      "rule": "max_softmax", "threshold": b_threshold,
      **bayes.rejection_report(msp["test"], base_correct, b_threshold),
      "auroc": {name: bayes.rejection_auroc(msp["test"], msp[name]) for name in sets}}

  write_pictures(workdir, scores, correct, msp, base_correct, list(sets))
  with open(os.path.join(workdir, "classify.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, indent=2)
  print(format_report(result))


def clf_softmax(classifier, images):
  import scipy.special  # pylint: disable=import-outside-toplevel
  return scipy.special.softmax(classifier.logits_and_features(images)[0], axis=1)


def format_report(result) -> str:
  lines = [f"Bayes classifier, {result['workdir']} ({result['checkpoint']} checkpoint, "
           f"step {result['step']}), "
           f"{result['num_test']} test images: accuracy {result['accuracy']:.4f} "
           f"± {result['accuracy_stderr']:.4f}; baseline {result['baseline']['name']}: "
           f"{result['baseline']['accuracy']:.4f} ± {result['baseline']['accuracy_stderr']:.4f}",
           f"thresholds at {result['false_rejection_target']:.0%} false rejection on "
           f"{result['held_out_split']}"]
  rows = {**result["rules"], "baseline max_softmax": result["baseline"]}
  names = sorted(next(iter(rows.values()))["auroc"])
  lines.append("| rule | coverage | accepted acc. | " + " | ".join(names) + " |")
  lines.append("| --- " * (3 + len(names)) + "|")
  for rule, r in rows.items():
    aurocs = " | ".join(f"{r['auroc'][n]:.3f}" for n in names)
    lines.append(f"| {rule} | {r['coverage']:.3f} | {r['accepted_accuracy']:.4f} | {aurocs} |")
  return "\n".join(lines)


def write_pictures(workdir, scores, correct, msp, base_correct, names):
  """Accuracy against coverage, and histograms of max_y log p(x | y)."""
  # pylint: disable=import-outside-toplevel
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  from gen_jax.eval import bayes
  fig, ax = plt.subplots(figsize=(5, 4))
  for rule in bayes.SCORES:
    cov, acc = bayes.accuracy_coverage_curve(scores["test"][rule], correct)
    ax.plot(cov, acc, label=f"Bayes, {rule}")
  cov, acc = bayes.accuracy_coverage_curve(msp["test"], base_correct)
  ax.plot(cov, acc, "--", label="discriminative, max softmax")
  ax.set_xlabel("coverage (share of test inputs accepted)")
  ax.set_ylabel("accuracy on accepted")
  ax.legend(fontsize=7)
  fig.savefig(os.path.join(workdir, "classify_coverage.png"), dpi=100, bbox_inches="tight")
  plt.close(fig)
  fig, ax = plt.subplots(figsize=(5, 4))
  for name in ["test", *names]:
    ax.hist(scores[name]["max_class_log_lik"], bins=40, alpha=0.5, density=True,
            label=name if name != "test" else "test (in-distribution)")
  ax.set_xlabel("max_y log p(x | y) (nats)")
  ax.legend(fontsize=7)
  fig.savefig(os.path.join(workdir, "classify_histograms.png"), dpi=100, bbox_inches="tight")
  plt.close(fig)


if __name__ == "__main__":
  common.main_with_clear_errors(main)
