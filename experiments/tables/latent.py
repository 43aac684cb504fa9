"""Latent-variable models: the VAE and the adversarial autoencoder."""

from experiments.tables import Measure, Metric, Paper, Row, Table

IWAE_EVAL = Measure(
    command="experiments.evaluate", output="eval.json",
    args=("--config=experiments/configs/vae_binarized_mnist.py", "--checkpoint=best",
          "--config.model.importance_samples=5000",
          "--config.eval.num_examples=10000"),
    paths=(("nll_nats", "nll_nats"), ("neg_elbo_nats", "neg_elbo_nats"),
           ("recon_nats", "recon_nats")))

RECONSTRUCTION = Measure(paths=(("recon_nats", "recon_nats"),))

TABLE = Table(
    name="latent",
    title="Latent-variable models: test -log p(x) in nats (importance sampled)",
    docs="docs/latent.md",
    description=(
        "-log p(x) estimated by importance sampling with the encoder as "
        "proposal (k samples per image), beside the negative ELBO. On "
        "binarized MNIST the checkpoint is selected on validation (k=100 on "
        "2,000 images) and the full test split is evaluated once with k=5,000, "
        "as Burda et al. (2016) report."),
    metrics=(Metric("nll_nats", "test -log p(x) (nats)"),
             Metric("neg_elbo_nats", "negative ELBO (nats)"),
             Metric("recon_nats", "reconstruction -log p(x | z) (nats)")),
    rows=(
        Row("vae_digits", "VAE, 2-D latent, binary 8x8 digits, k=100", "vae_digits",
            headline=True, family="latent-variable"),
        Row("vae_mnist", "VAE, IWAE architecture (50 latents, 2x200 tanh), k=5,000",
            "vae_binarized_mnist", data_dir=True, measure=IWAE_EVAL, headline=True,
            family="latent-variable",
            paper=(("nll_nats", Paper(88.71, "Burda et al. 2016, Table 1, VAE k=1")),)),
        Row("aae_digits", "adversarial autoencoder, 2-D codes, 10-Gaussian prior, "
            "binary 8x8 digits", "aae_digits", measure=RECONSTRUCTION),
    ),
)
