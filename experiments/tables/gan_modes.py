"""Mode coverage of GANs and PacGANs on 2-D mixtures with known modes."""

from experiments.tables import Metric, Paper, Row, Table

SOURCE = "Lin et al. 2018 (PacGAN), Table 1, 10 runs, s.e."
# PacGAN Table 1: (modes, high quality, reverse KL), each (mean, s.e.).
PUBLISHED = {
    ("ring8", 1): ((6.3, 0.5), (0.982, 0.002), (0.45, 0.09)),
    ("ring8", 2): ((7.9, 0.1), (0.956, 0.020), (0.07, 0.03)),
    ("ring8", 3): ((7.8, 0.1), (0.977, 0.003), (0.10, 0.02)),
    ("ring8", 4): ((7.8, 0.1), (0.959, 0.014), (0.07, 0.02)),
    ("grid25", 1): ((17.3, 0.8), (0.948, 0.007), (0.70, 0.07)),
    ("grid25", 2): ((23.8, 0.7), (0.913, 0.008), (0.13, 0.04)),
    ("grid25", 3): ((24.6, 0.4), (0.942, 0.004), (0.06, 0.02)),
    ("grid25", 4): ((24.8, 0.2), (0.936, 0.006), (0.04, 0.01)),
}
METRICS = (Metric("num_modes", "modes", lower_is_better=False, digits=1),
           Metric("high_quality", "high quality (%)", lower_is_better=False, digits=1,
                  scale=100.0),
           Metric("reverse_kl", "reverse KL"))


def row(data: str, pack: int) -> Row:
  """GAN (pack 1) or PacGAN-m on `data`: D decides on m samples, 100
  decisions per step as in PacGAN's runs."""
  name = "gan" if pack == 1 else f"pacgan{pack}"
  paper = tuple((m.key, Paper(value, SOURCE, se))
                for m, (value, se) in zip(METRICS, PUBLISHED[data, pack]))
  return Row(f"{data}_{name}", f"{'GAN' if pack == 1 else f'PacGAN{pack}'}, {data}",
             f"gan_{data}", overrides=(("model.pack", pack), ("train.batch_size", 100 * pack)),
             seeds=(0, 1, 2, 3, 4), paper=paper,
             headline=(data, pack) == ("ring8", 2), family="implicit" if pack == 2 else "")


TABLE = Table(
    name="gan_modes",
    title="Mode coverage on the 2-D ring and grid: GAN against PacGAN",
    docs="docs/gan.md",
    description=(
        "The PacGAN protocol on mixtures of 8 Gaussians on a ring and 25 on a grid: "
        "2,500 samples of G; a sample is high quality within 3 standard deviations "
        "of its nearest mode; modes counted and the reverse KL of the high-quality "
        "samples' mode histogram to the uniform one. PacGAN's 2-D players and "
        "optimizer (`gan_ring8`, `gan_grid25`); 2,000 steps here against PacGAN's "
        "400,000, so every row is far from converged. Mean ± s.d. over 5 seeds; "
        "the paper gives mean ± s.e. over 10 runs."),
    metrics=METRICS,
    rows=tuple(row(data, pack) for data in ("ring8", "grid25") for pack in (1, 2, 3, 4)),
)
