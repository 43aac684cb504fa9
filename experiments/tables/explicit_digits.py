"""The explicit models on the embedded 8x8 digits (300 test images)."""

from experiments.tables import Metric, Row, Table

NLL = Metric("nll_nats", "test NLL (nats)")

TABLE = Table(
    name="explicit_digits",
    title="Explicit models on the 8x8 digits: test NLL in nats",
    docs="docs/explicit.md",
    description=(
        "Every tractable model on scikit-learn's 8x8 digits (embedded, 1,497 "
        "training and 300 test images), binary unless the row says otherwise: "
        "exact negative log-likelihood of the 300 test images at the last step "
        "(the digits have no validation split). There is no paper figure for "
        "this data; the rows compare the models with each other."),
    metrics=(NLL,),
    rows=(
        Row("independent", "independent pixels", "quickstart",
            overrides=(("model.name", "independent"),)),
        Row("markov_1", "Markov chain, order 1", "markov_digits"),
        Row("markov_2", "Markov chain, order 2", "markov_digits",
            overrides=(("model.order", 2),)),
        Row("markov_4", "Markov chain, order 4", "markov_digits",
            overrides=(("model.order", 4),)),
        Row("fvsbn", "FVSBN", "quickstart", headline=True, family="explicit"),
        Row("nade", "NADE, H=100, 17 grey levels", "nade_digits", headline=True,
            family="explicit"),
        Row("rnade", "RNADE, 10 components, dequantized 17 levels (bound)",
            "rnade_digits", headline=True, family="explicit"),
        Row("pixelcnn", "PixelCNN, 17 grey levels", "pixelcnn_digits"),
        Row("gated_pixelcnn", "Gated PixelCNN, class-conditional",
            "gated_pixelcnn_digits"),
        Row("row_lstm", "Row LSTM", "row_lstm_digits"),
        Row("diagonal_bilstm", "Diagonal BiLSTM", "diagonal_bilstm_digits"),
    ),
)
