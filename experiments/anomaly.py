r"""Anomaly detection with an explicit density model: AUROC per score and outlier set.

  python -m experiments.anomaly --workdir=W [--outliers=letters,noise,...] \
      [--background=W2 [--train_background] [--perturb_rate=0.2]] \
      [--num_examples=N] [--typicality_batch=1,10] [--normal_classes=3]

Reads W's config.json and its validation-selected checkpoint (the latest
where none was kept), computes -log p(x) for the in-distribution test split
and for every outlier set made on the machine (`gen_jax/data/outliers.py`:
letters, noise, constant, inverted, the other digit set; all by default), and
scores them (`gen_jax/eval/anomaly.py`):

  nll, bits_per_dim   the raw likelihood (they rank identically here)
  likelihood_ratio    with --background=W2: NLL minus the NLL of a background
                      model, the same config trained on inputs with a share
                      model.perturb_rate of pixels replaced by uniform noise
                      (Ren et al. 2019); --train_background trains it in W2
                      from W's config.json with --perturb_rate (default 0.2).
                      (`--config.model.perturb_rate=0.2` on experiments.train
                      is refused for configs that do not set the key, which
                      is all of them: overrides must name existing keys.)
  complexity          NLL in bits minus the input's PNG length (Serra et al. 2020)
  complexity_webp, complexity_g4, complexity_best
                      the same with lossless WebP, with CCITT Group 4 (binary
                      data), and with the shortest of them per image
                      (`gen_jax.eval.anomaly`)
  typicality_m<M>     |mean NLL of a batch of M - entropy estimate|, on disjoint
                      batches (Nalisnick et al. 2019), for each M of
                      --typicality_batch (default 1 and 10; M=1 scores single
                      inputs); the entropy is the mean NLL of the validation
                      split, or of the train split without one (optimistic
                      for a model that overfits: its test NLL sits above it)

Writes W/anomaly.json (AUROC, AUPRC and FPR at 95% TPR for every score and
outlier set; outliers are the positive class) and W/anomaly_roc.png (ROC
curves), and prints the AUROC table.

One-class detection: --normal_classes=3 makes the test images of class 3 the
in-distribution set and adds `other_classes`, the other nine classes' test
images, as an outlier set. With a class-conditional model
(--config.model.conditional=True) every input is scored by
-log p(x | y in {3}), a density of class 3 alone. The data pipeline has no
label filter, so an unconditional model cannot be trained on one class: for
it the split measures how atypical the other classes are under a model of
all ten, which the output says.
"""

import json
import os
import time

from absl import flags

from experiments import common
from gen_jax.errors import UserError

OUTLIERS = common.OUTLIERS
BACKGROUND = flags.DEFINE_string("background", None, "Workdir of a background model "
                                 "for the likelihood ratio: the same config trained with "
                                 "model.perturb_rate > 0 (see --train_background).")
TRAIN_BACKGROUND = flags.DEFINE_bool("train_background", False, "When --background "
                                     "holds no checkpoint, train it there first: "
                                     "--workdir's config.json with model.perturb_rate "
                                     "set to --perturb_rate.")
PERTURB_RATE = flags.DEFINE_float("perturb_rate", 0.2, "Pixel replacement rate of "
                                  "the background model --train_background trains.")
NUM_EXAMPLES = common.NUM_EXAMPLES
TYPICALITY_BATCH = flags.DEFINE_list("typicality_batch", ["1", "10"], "Batch sizes M "
                                     "of the typicality test, one score "
                                     "typicality_m<M> each (M=1: |NLL - entropy| per input).")
NORMAL_CLASSES = flags.DEFINE_list("normal_classes", None, "One-class split: these "
                                   "classes' test images are in-distribution, the "
                                   "others' are the outlier set `other_classes`.")

TABLE_SCORES = ("nll", "likelihood_ratio", "complexity", "complexity_webp",
                "complexity_g4", "complexity_best")   # then typicality_m<M>


COMPRESSORS = {
    "png": "PNG, Pillow optimize=True, whole file (header not subtracted)",
    "webp": "lossless WebP, Pillow quality=100 method=6, whole file",
    "g4": "CCITT Group 4 in TIFF (Pillow with libtiff), whole file",
    "best": ("per image the shortest of the other codecs, each net of its length "
             "for a blank image, plus log2(K) bits naming the codec")}


def has_checkpoint(workdir: str) -> bool:
  directory = os.path.join(workdir, "checkpoints")
  return os.path.isdir(directory) and any(n.isdigit() for n in os.listdir(directory))


def check_explicit(recipe_cls, name: str, workdir: str) -> None:
  """Refuses a model without log p(x) (not a `Density`)."""
  from gen_jax.models.base import Density  # pylint: disable=import-outside-toplevel
  if not issubclass(recipe_cls, Density):
    raise UserError(
        f"model {name!r} in {workdir} has no tractable log p(x), which every "
        "anomaly score here needs; use an explicit model (fvsbn, nade, eonade, "
        "pixelcnn, gated_pixelcnn, row_lstm, diagonal_bilstm, markov, ...).")


def load_model(workdir: str, flag: str):
  """(Experiment, "best" | "latest") for a trained explicit model's workdir;
  refuses a missing workdir, one without a checkpoint, or an implicit model
  before building anything (nothing is created in the workdir)."""
  # pylint: disable=import-outside-toplevel
  from gen_jax.models import recipe_class
  from gen_jax.train import Experiment
  if not os.path.isdir(workdir):
    raise UserError(f"{flag}={workdir} does not exist; train a model there first "
                    "(python -m experiments.train --config=... --workdir=...).")
  config = common.load_config(workdir)
  check_explicit(recipe_class(config.model.name), config.model.name, workdir)
  if not has_checkpoint(workdir):
    how = ("add --train_background to train it from --workdir's config"
           if flag == "--background" else
           f"python -m experiments.train --config=... --workdir={workdir}")
    raise UserError(f"no checkpoint in {workdir}; train it first ({how}).")
  if config.data.get("sources"):
    raise UserError(f"{workdir} was trained on several data sources; anomaly "
                    "detection reads models of one dataset.")
  exp = Experiment(config, workdir, read_only=True)
  if exp.resumed_from is None:
    raise UserError(f"no checkpoint in {workdir}; train it first.")
  return exp, ("best" if exp.restore_best() else "latest")


def nll_function(exp, classes, log_prior):
  """x [N, *event] (encoded) -> [N] -log p(x) in nats, jitted on padded batches
  of eval.batch_size. A class-conditional model scores -log p(x | y in
  classes) with the training prior restricted to `classes` (None: all)."""
  # pylint: disable=import-outside-toplevel
  import jax
  import jax.numpy as jnp
  import numpy as np
  from gen_jax.models.base import class_log_probs
  recipe = exp.recipe
  if "label" in recipe.sample_inputs:
    chosen = np.arange(len(log_prior)) if classes is None else np.asarray(classes)
    prior = log_prior[chosen] - np.logaddexp.reduce(log_prior[chosen])
    chosen, prior = jnp.asarray(chosen), jnp.asarray(prior, jnp.float32)

    def neg_log_p(v, x, key):
      table = class_log_probs(recipe, v, {"x": x}, key)            # [B, K]
      return -jax.nn.logsumexp(table[:, chosen] + prior, axis=1)
  else:
    def neg_log_p(v, x, key):
      return -recipe.log_prob(v, {"x": x}, key)
  fn = jax.jit(neg_log_p)
  variables = exp.variables()
  key = jax.random.fold_in(exp.keys["eval"], exp.step)
  size = exp.config.eval.batch_size

  def nll(x):
    x = np.asarray(x)
    parts = []
    for i in range(0, len(x), size):
      chunk = x[i:i + size]
      padded = np.concatenate([chunk, np.repeat(chunk[:1], size - len(chunk), 0)])
      parts.append(np.asarray(fn(variables, padded, jax.random.fold_in(key, i)))[:len(chunk)])
    return np.concatenate(parts).astype(np.float64)
  return nll


def train_background(workdir: str, background: str, rate: float) -> None:
  """Trains the background model: `workdir`'s config with model.perturb_rate."""
  from gen_jax.train import train  # pylint: disable=import-outside-toplevel
  if not 0.0 < rate < 1.0:
    raise UserError(f"--perturb_rate={rate} must lie in (0, 1); Ren et al. 2019 "
                    "use rates of about 0.1 to 0.3.")
  config = common.load_config(workdir)
  config.model.perturb_rate = rate
  print(f"training the background model in {background} ({config.model.name}, "
        f"perturb_rate {rate}, {config.train.num_steps} steps)", flush=True)
  train(config, background, progress=False)


def check_background(exp, background, workdir) -> None:
  a, b = exp.config.data, background.config.data
  for key in ("name", "encoding", "image_size"):
    if a.get(key) != b.get(key):
      raise UserError(f"the background model in {workdir} was trained on data.{key}="
                      f"{b.get(key)!r}, the model on {a.get(key)!r}; train the "
                      "background on the same data (same config plus "
                      "--config.model.perturb_rate=0.2).")


def check_outlier_names(requested, spec, classes) -> list[str]:
  """The outlier sets to build (other_classes aside: it comes from
  --normal_classes); unknown sets, or the data itself, are refused."""
  from gen_jax.data import outliers as outlier_lib  # pylint: disable=import-outside-toplevel
  if not spec.is_image or spec.max_value is None:
    raise UserError(f"anomaly detection here needs image data with known pixel "
                    f"levels; {spec.name!r} is not.")
  available = outlier_lib.available(spec)
  names = [n for n in (requested or available) if n != "other_classes"]
  if "other_classes" in (requested or ()) and classes is None:
    raise UserError("the outlier set other_classes is the one-class split: give "
                    "--normal_classes=K as well.")
  unknown = [n for n in names if n not in available]
  if unknown:
    raise UserError(f"unknown outlier sets {unknown} for {spec.name!r} data; choose "
                    f"from {', '.join(available)} (and other_classes with "
                    "--normal_classes).")
  return names


def parse_batch_sizes(values) -> list[int]:
  try:
    sizes = sorted({int(v) for v in values})
  except ValueError as e:
    raise UserError(f"--typicality_batch={','.join(values)} must be positive "
                    "integers, e.g. --typicality_batch=1,10.") from e
  if not sizes or sizes[0] < 1:
    raise UserError(f"--typicality_batch={','.join(values)} must be positive "
                    "integers, e.g. --typicality_batch=1,10.")
  return sizes


def parse_classes(values):
  if not values:
    return None
  try:
    return sorted({int(v) for v in values})
  except ValueError as e:
    raise UserError(f"--normal_classes={','.join(values)} must be class indices, "
                    "e.g. --normal_classes=3.") from e


def take(source, limit):
  import numpy as np  # pylint: disable=import-outside-toplevel
  n = len(source) if limit is None else min(limit, len(source))
  return source.get(np.arange(n))


def main(argv):
  del argv
  common.start(multihost_ok=False)
  workdir = common.WORKDIR.value
  if not workdir:
    raise UserError("--workdir is required: a trained workdir of an explicit model.")
  sizes = parse_batch_sizes(TYPICALITY_BATCH.value)
  if NUM_EXAMPLES.value is not None and NUM_EXAMPLES.value < 1:
    raise UserError(f"--num_examples={NUM_EXAMPLES.value} must be positive.")
  classes = parse_classes(NORMAL_CLASSES.value)
  started = time.time()
  # pylint: disable=import-outside-toplevel
  from gen_jax.data import outliers as outlier_lib
  from gen_jax.eval import anomaly
  from gen_jax.eval import bayes

  if TRAIN_BACKGROUND.value and not BACKGROUND.value:
    raise UserError("--train_background needs --background=DIR, the workdir to train "
                    "the background model in.")
  exp, checkpoint = load_model(workdir, "--workdir")
  spec, limit = exp.spec, NUM_EXAMPLES.value
  names = check_outlier_names(OUTLIERS.value, spec, classes)
  background, bg_checkpoint = None, None
  if BACKGROUND.value:
    if TRAIN_BACKGROUND.value and not has_checkpoint(BACKGROUND.value):
      train_background(workdir, BACKGROUND.value, PERTURB_RATE.value)
    background, bg_checkpoint = load_model(BACKGROUND.value, "--background")
    check_background(exp, background, BACKGROUND.value)

  test = take(exp.eval_source, None)
  held_name = "validation" if exp.data.validation is not None else "train"
  held = take(exp.data.validation if held_name == "validation" else exp.train_source, None)
  num_classes = spec.num_classes
  sets = {}
  if classes is not None:
    test, other = outlier_lib.one_class_split(test, classes, num_classes)
    held = outlier_lib.one_class_split(held, classes, num_classes)[0]
    sets["other_classes"] = other["x"][:limit]
  test = {k: v[:limit] for k, v in test.items()}
  held = {k: v[:limit] for k, v in held.items()}
  sets = {**outlier_lib.outlier_sets(spec, test, names, limit), **sets}
  if len(test["x"]) < max(sizes):
    raise UserError(f"--typicality_batch={max(sizes)} is larger than the "
                    f"{len(test['x'])} in-distribution test images; lower it.")

  def prior_of(e):
    if "label" not in e.recipe.sample_inputs:
      return None
    labels = take(e.train_source, None)["label"]
    return bayes.log_prior(labels, e.spec.feature("label").num_classes)
  model_nll = nll_function(exp, classes, prior_of(exp))
  inputs = {"test": test["x"], **sets}
  nll = {k: model_nll(x) for k, x in inputs.items()}
  entropy = float(model_nll(held["x"]).mean())
  bits = {k: anomaly.codec_lengths(x, spec.num_levels) for k, x in inputs.items()}
  codecs = list(bits["test"])

  scores = {"nll": nll,
            "bits_per_dim": {k: anomaly.bits_per_dim(v, spec.num_dims) for k, v in nll.items()}}
  for codec in codecs:
    name = "complexity" if codec == "png" else f"complexity_{codec}"
    scores[name] = {k: anomaly.complexity_score(nll[k], bits[k][codec]) for k in inputs}
  bg_nll = None
  if background is not None:
    bg_fn = nll_function(background, classes, prior_of(background))
    bg_nll = {k: bg_fn(x) for k, x in inputs.items()}
    scores["likelihood_ratio"] = {k: anomaly.likelihood_ratio(nll[k], bg_nll[k])
                                  for k in inputs}
  num_batches = {}
  for m in sizes:
    batches = {k: anomaly.typicality_batches(len(v), m) for k, v in nll.items()}
    scores[f"typicality_m{m}"] = {k: anomaly.typicality_score(nll[k], entropy, b)
                                  for k, b in batches.items() if len(b)}
    num_batches[str(m)] = {k: len(b) for k, b in batches.items()}
  metrics = anomaly.score_table(scores)

  conditional = "label" in exp.recipe.sample_inputs
  result = {
      "workdir": workdir, "model": exp.config.model.name, "step": exp.step,
      "checkpoint": checkpoint,
      "data": {"name": spec.name, "encoding": spec.encoding,
               "event_shape": list(spec.event_shape), "eval_split": exp.config.data.eval_split},
      "conditional": conditional, "normal_classes": classes,
      "one_class_note": None if classes is None else (
          f"scored by -log p(x | y in {classes})" if conditional else
          "unconditional model trained on every class: not a one-class model"),
      "num_test": len(test["x"]), "num_outliers": {k: len(v) for k, v in sets.items()},
      "entropy_nats": entropy, "entropy_split": held_name, "num_entropy": len(held["x"]),
      "typicality_batch_sizes": sizes, "typicality_num_batches": num_batches,
      "background": None if background is None else {
          "workdir": BACKGROUND.value, "model": background.config.model.name,
          "step": background.step, "checkpoint": bg_checkpoint,
          "perturb_rate": float(background.config.model.get("perturb_rate", 0.0))},
      "compressors": {c: COMPRESSORS[c] + (" (1-bit grey)" if c == "png" and
                                           spec.num_levels == 2 else "") for c in codecs},
      "mean_nll_nats": {k: float(v.mean()) for k, v in nll.items()},
      "mean_background_nll_nats": None if bg_nll is None else {
          k: float(v.mean()) for k, v in bg_nll.items()},
      "mean_compressed_bits": {c: {k: float(v[c].mean()) for k, v in bits.items()}
                               for c in codecs},
      "metrics": metrics,
  }
  write_roc(os.path.join(workdir, "anomaly_roc.png"), scores, list(sets), result)
  result["seconds"] = round(time.time() - started, 1)
  with open(os.path.join(workdir, "anomaly.json"), "w", encoding="utf-8") as f:
    json.dump(result, f, indent=2)
  print(format_report(result))


def table_scores(names) -> list[str]:
  """The scores shown in the table and the ROC figure, in order."""
  typicality = sorted((n for n in names if n.startswith("typicality_m")),
                      key=lambda n: int(n[len("typicality_m"):]))
  return [s for s in TABLE_SCORES if s in names] + typicality


def format_report(result) -> str:
  """The header lines and a markdown AUROC table (rows: outlier sets)."""
  bg = result["background"]
  lines = [f"anomaly detection, {result['workdir']} ({result['model']}, "
           f"{result['checkpoint']} checkpoint, step {result['step']}): "
           f"{result['num_test']} {result['data']['name']} ({result['data']['encoding']}) "
           f"{result['data']['eval_split']} images in-distribution"
           + (f", classes {result['normal_classes']} ({result['one_class_note']})"
              if result["normal_classes"] is not None else ""),
           f"entropy estimate {result['entropy_nats']:.2f} nats ({result['entropy_split']} "
           f"split, n={result['num_entropy']}); typicality on batches of "
           f"{', '.join(map(str, result['typicality_batch_sizes']))}; background: "
           + (f"{bg['workdir']} (perturb_rate {bg['perturb_rate']})" if bg else "none"),
           f"AUROC (outliers positive; bits_per_dim ranks like nll); {result['seconds']} s"]
  scores = table_scores(result["metrics"])
  lines.append("| outlier set | n | mean NLL (nats) | " + " | ".join(scores) + " |")
  lines.append("| --- " * (3 + len(scores)) + "|")
  lines.append(f"| (test) | {result['num_test']} | {result['mean_nll_nats']['test']:.2f} |"
               + " |" * len(scores))
  for name, n in result["num_outliers"].items():
    cells = " | ".join(f"{result['metrics'][s][name]['auroc']:.3f}"
                       if name in result["metrics"][s] else "-" for s in scores)
    lines.append(f"| {name} | {n} | {result['mean_nll_nats'][name]:.2f} | {cells} |")
  return "\n".join(lines)


def write_roc(path, scores, names, result):
  """One panel per score, one ROC curve per outlier set."""
  # pylint: disable=import-outside-toplevel
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  from gen_jax.eval import anomaly
  shown = table_scores(scores)
  cols = min(3, len(shown))
  rows = -(-len(shown) // cols)
  fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.4 * rows), squeeze=False,
                           layout="constrained")
  for ax in axes.flat[len(shown):]:
    ax.axis("off")
  for ax, score in zip(axes.flat, shown):
    for name in names:
      if name not in scores[score]:
        continue
      fpr, tpr = anomaly.roc_points(scores[score]["test"], scores[score][name])
      auroc = result["metrics"][score][name]["auroc"]
      ax.plot(fpr, tpr, label=f"{name} ({auroc:.3f})")
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set_title(score, fontsize=9)
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    ax.legend(fontsize=6, loc="lower right")
  fig.suptitle(f"{result['model']} on {result['data']['name']} ({result['data']['encoding']})",
               fontsize=9)
  fig.savefig(path, dpi=100, bbox_inches="tight")
  plt.close(fig)


if __name__ == "__main__":
  common.main_with_clear_errors(main)
