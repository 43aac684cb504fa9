"""The text-to-image GAN (GAN-CLS) on captioned attribute digits."""

from experiments.tables import Metric, Row, Table

TABLE = Table(
    name="text2image",
    title="Text-to-image GAN on captioned attribute digits: caption accuracy",
    docs="docs/text2image.md",
    description=(
        "Attribute digits at 16x16 RGB (MNIST digits in four colours, thin or "
        "thick, on black or white, five captions each); four compositions "
        "(blue 7, red 2, green 4, yellow 9) never appear in training. Caption "
        "accuracy: LeNet-5 classifiers for digit, colour, thickness and "
        "background all agree with the caption on the image drawn from it, on "
        "the test split's seen compositions (n=1,799) and held-out ones "
        "(n=201); the classifiers reach 0.906 and 0.692 on the real test "
        "images. FD: Frechet distance in the digit classifier's features "
        "against the train split (real floor 1.66). The eval split is the test "
        "split, no checkpoint selection. Goal: caption accuracy >= 0.90 on seen "
        "compositions; Reed et al. 2016 report pictures on CUB and Oxford-102, "
        "no figure comparable with these."),
    metrics=(
        Metric("caption_accuracy", "caption accuracy, seen", lower_is_better=False,
               digits=3),
        Metric("caption_accuracy_held_out", "caption accuracy, held out",
               lower_is_better=False, digits=3),
        Metric("caption_digit_accuracy", "digit accuracy, seen", lower_is_better=False,
               digits=3),
        Metric("lenet5_digit_frechet", "FD (LeNet-5)"),
    ),
    rows=(
        Row("gru", "text-to-image GAN (GAN-CLS), GRU encoder", "text2image_mnist_captions",
            headline=True, family="implicit"),
        Row("bag_of_words", "text-to-image GAN (GAN-CLS), bag-of-words encoder",
            "text2image_mnist_captions",
            overrides=(("model.text_encoder", "bag_of_words"),)),
    ),
)
