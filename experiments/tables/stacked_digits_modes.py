"""Mode coverage on stacked digits (1,000 modes): DCGAN against PacDCGAN2."""

from experiments.tables import Metric, Paper, Row, Table

SOURCE = "Lin et al. 2018, Table 3, stacked MNIST (D a quarter of G), 50 runs"
MODES, KL = "mlp256-128_num_modes", "mlp256-128_reverse_kl"

TABLE = Table(
    name="stacked_digits_modes",
    title="Stacked digits (1,000 modes): DCGAN against PacDCGAN2",
    docs="docs/gan.md",
    description=(
        "Three 8x8 digits as the channels of one image, 1,000 modes (the digits "
        "analogue of stacked MNIST). Each generated channel is labelled by the "
        "in-repo digits MLP; modes counted among 10,000 samples, and the reverse KL "
        "of their histogram to the uniform one (real test stacks: 1,000 modes, KL "
        "0.08). 10,000 steps; PacDCGAN2 draws 128 samples per step so that D makes "
        "64 decisions, as the DCGAN's. Mean ± s.d. over 3 seeds. The paper's "
        "figures are on stacked MNIST, a different data set."),
    metrics=(Metric(MODES, "modes (of 1,000)", lower_is_better=False, digits=0),
             Metric(KL, "reverse KL")),
    rows=(
        Row("dcgan", "DCGAN, stacked digits", "dcgan_stacked_digits", seeds=(0, 1, 2),
            headline=True, family="implicit",
            overrides=(("train.num_steps", 10000),),
            paper=((MODES, Paper(78.5, SOURCE, 17.6)), (KL, Paper(5.21, SOURCE, 0.19)))),
        Row("pacdcgan2", "PacDCGAN2", "dcgan_stacked_digits", seeds=(0, 1, 2),
            overrides=(("train.num_steps", 10000), ("model.pack", 2),
                       ("train.batch_size", 128)),
            paper=((MODES, Paper(484.5, SOURCE, 33.0)), (KL, Paper(2.61, SOURCE, 0.22)))),
    ),
)
