"""metrics.jsonl and its TensorBoard mirror hold the same rows."""

import json
import os
import struct

import numpy as np
from tensorboardX.proto.event_pb2 import Event

from gen_jax.train.writers import MetricWriter


def tensorboard_scalars(logdir) -> dict:
  """{(step, tag): value} of every scalar in the event files (TFRecords:
  length, its CRC, the record, its CRC)."""
  out = {}
  for name in os.listdir(logdir):
    with open(os.path.join(logdir, name), "rb") as f:
      data = f.read()
    at = 0
    while at < len(data):
      (length,) = struct.unpack("<Q", data[at:at + 8])
      event = Event.FromString(data[at + 12:at + 12 + length])
      at += 16 + length
      for value in event.summary.value:
        out[(event.step, value.tag)] = value.simple_value
  return out


def test_rows_reach_the_file_at_once_and_tensorboard_on_close(tmp_path):
  writer = MetricWriter(str(tmp_path))
  writer.write(1, "train", {"loss": np.float32(0.5), "lr": 1e-3})
  writer.write(2, "train", {"loss": np.float32(0.25), "lr": 1e-3, "shape": [1, 2]})
  lines = (tmp_path / "metrics.jsonl").read_text().splitlines()   # before close
  assert [json.loads(line)["loss"] for line in lines] == [0.5, 0.25]
  writer.write(1, "train", {"loss": np.float32(0.125)})   # a step written again replaces
  writer.close()
  rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert [(r["step"], r["loss"]) for r in rows] == [(2, 0.25), (1, 0.125)]
  scalars = tensorboard_scalars(tmp_path / "tensorboard")
  assert scalars[(2, "train/loss")] == 0.25 and scalars[(1, "train/lr")] == np.float32(1e-3)
  assert not any(tag.endswith("shape") for _, tag in scalars)
