"""The explicit models on binarized MNIST, beside their papers."""

from experiments.tables import Metric, Paper, Row, Table

NLL = "nll_nats"
PIXEL_RNN = "van den Oord et al. 2016, Table 4"


def paper(value: float, source: str) -> tuple:
  return ((NLL, Paper(value, source)),)


TABLE = Table(
    name="explicit_binarized_mnist",
    title="Explicit models on binarized MNIST: test NLL in nats",
    docs="docs/explicit.md",
    description=(
        "The fixed binarization of Salakhutdinov & Murray (2008) from TFDS "
        "(`binarized_mnist`; pass `--data_dir` to the directory that holds it): "
        "the checkpoint selected on the 10,000-image validation split, the "
        "10,000 test images evaluated once. The PixelCNN and PixelRNN configs "
        "are sized for one accelerator."),
    metrics=(Metric(NLL, "test NLL (nats)"),),
    rows=(
        Row("nade", "NADE, H=500", "nade_binarized_mnist", data_dir=True, headline=True,
            family="explicit",
            paper=((NLL, Paper(88.33, "Uria et al. 2016, Table 2; 88.86 in Larochelle "
                                      "& Murray 2011")),)),
        Row("eonade", "order-agnostic NADE, 2x500 ReLU, 8 orderings", "eonade_binarized_mnist",
            overrides=(("model.num_orderings", 8), ("eval.num_examples", 1000)),
            data_dir=True,
            paper=((NLL, Paper(85.10, "Uria et al. 2014, Table 1, 128 orderings")),)),
        Row("pixelcnn_small", "PixelCNN, reduced (32 features, 6 blocks), 2,250 steps",
            "pixelcnn_binarized_mnist", data_dir=True,
            overrides=(("model.features", 32), ("model.num_blocks", 6),
                       ("model.out_features", 64), ("train.num_steps", 2250),
                       ("train.batch_size", 32)),
            paper=paper(81.30, PIXEL_RNN)),
        Row("pixelcnn", "PixelCNN", "pixelcnn_binarized_mnist", data_dir=True,
            headline=True, family="explicit", paper=paper(81.30, PIXEL_RNN)),
        Row("gated_pixelcnn", "Gated PixelCNN", "gated_pixelcnn_binarized_mnist",
            data_dir=True),
        Row("row_lstm", "Row LSTM", "row_lstm_binarized_mnist", data_dir=True,
            paper=paper(80.54, PIXEL_RNN)),
        Row("diagonal_bilstm", "Diagonal BiLSTM", "diagonal_bilstm_binarized_mnist",
            data_dir=True, headline=True, family="explicit", paper=paper(79.20, PIXEL_RNN)),
    ),
)
