"""RBMs trained by contrastive divergence; log Z by annealed importance sampling."""

from experiments.tables import Metric, Paper, Row, Table

TABLE = Table(
    name="rbm",
    title="RBMs: test NLL in nats, log Z by AIS",
    docs="docs/rbm.md",
    description=(
        "Test NLL = log Z - log p*(x), with log Z estimated by AIS (Salakhutdinov "
        "& Murray 2008: a base-rate RBM at beta 0, 14,500 intermediate "
        "distributions, 100 runs). The NLL's standard error is over the test "
        "images; the error of log Z is shared by every image and adds to it "
        "(total: the square root of the sum of squares)."),
    metrics=(Metric("nll_nats", "test NLL (nats)"),
             Metric("log_z", "AIS log Z", digits=3),
             Metric("log_z_se", "s.e. of log Z", digits=3)),
    rows=(
        Row("digits", "100 hidden, CD-3, binary 8x8 digits", "rbm_digits"),
        Row("mnist_short", "500 hidden, CD 1 to 25 over 12,000 steps (short schedule), "
            "binarized MNIST, first 2,000 test images", "rbm_binarized_mnist",
            overrides=(("train.num_steps", 12_000), ("model.cd_k_ramp_steps", 12_000),
                       ("eval.num_examples", 2000)),
            data_dir=True),
        Row("mnist", "500 hidden, CD-25 (the full schedule), binarized MNIST",
            "rbm_binarized_mnist", data_dir=True, headline=True, family="energy-based",
            paper=(("nll_nats", Paper(86.34, "Salakhutdinov & Murray 2008, CD25(500); "
                                             "their binarization differs")),)),
    ),
)
