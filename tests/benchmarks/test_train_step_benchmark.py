"""benchmarks.train_step on a tiny config: one line with its fraction of peak."""

from benchmarks import train_step


def test_train_step_line():
  config = train_step.load_config("nade_digits", batch_size=8)
  row = train_step.measure("nade_digits", config, steps=2, repeats=1, peak_flops=1e9)
  assert row["benchmark"] == "train_step" and row["model"] == "nade"
  assert row["batch"] == 8 and row["batches_per_step"] == 1
  assert row["examples_per_s"] > 0 and row["compile_s"] > 0
  # Forward + backward of NADE: more than the forward's 4 * D * H per example.
  hidden, dims = config.model.hidden, 64
  assert row["flops_per_item"] > 4 * dims * hidden
  assert 0 < row["fraction_of_peak"] and row["xla_flops_per_item"] > 0
  # The compiled step's memory, reported on the CPU too.
  for field in ("argument_size_in_bytes", "output_size_in_bytes", "temp_size_in_bytes"):
    assert row[field] > 0, field
