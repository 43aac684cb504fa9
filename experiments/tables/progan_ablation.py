"""Progressive GAN against the flat baseline on MNIST at 32x32."""

from experiments.tables import Metric, Row, Table

TABLE = Table(
    name="progan_ablation",
    title="Progressive growing against a flat GAN, MNIST 32x32: SWD and FD",
    docs="docs/progan.md",
    description=(
        "MNIST zero-padded to 32x32, G and D scaled down for the CPU (4 levels "
        "4 -> 32, channels 64/64/32/16), 112,000 images shown in batches of 64 "
        "(1,750 steps) by both runs; the flat run has the same final G and D. "
        "Test split at the step selected on validation SWD_32 (the last step in "
        "every run), 1,000 samples: sliced Wasserstein distance (x 1e3) against "
        "the 1,000 test images and LeNet-5 Frechet distance against the 3,500 "
        "train images; real test images give 8.4 and 2.9. Karras et al. 2018, "
        "Table 1, find that progressive growing lowers SWD at the final level "
        "(on CelebA, no figure comparable with these data)."),
    metrics=(
        Metric("swd_32px", "SWD 32px (x 1e3)", digits=1),
        Metric("lenet5_frechet_32px", "FD 32px (LeNet-5)", digits=1),
    ),
    rows=(
        Row("progressive", "Progressive GAN", "progan_mnist", seeds=(0, 1, 2),
            headline=True, family="implicit",
            note=("61.6 TFLOP and 23.8 min of training steps (interleaved timing "
                  "on the 2-core CPU: `python -m benchmarks.stage_flops`).")),
        Row("progressive_reset", "Progressive GAN, Adam reset at every stage",
            "progan_mnist", overrides=(("model.reset_optimizers", True),),
            seeds=(0, 1, 2)),
        Row("flat", "flat GAN, same final G and D (same images shown)", "progan_mnist_flat", seeds=(0, 1, 2),
            note="79.5 TFLOP and 31.1 min of training steps, timed as above."),
        Row("flat_equal_time", "flat GAN, stopped at the progressive run's time",
            "progan_mnist_flat", overrides=(("train.num_steps", 1340),), seeds=(0, 1),
            note="85,760 images: 1,340 steps x 1.065 s = 23.8 min."),
    ),
)
