"""Metrics in the workdir: metrics.jsonl mirrored to TensorBoard."""

import json
import os

import jax
import numpy as np



def _scalar(v):
  v = np.asarray(v)
  return v.item() if v.size == 1 else v.tolist()


class MetricWriter:
  """One JSON object per event in metrics.jsonl, mirrored to TensorBoard.

  Only process 0 writes; the others accept and drop events.
  """

  def __init__(self, workdir: str):
    self.enabled = jax.process_index() == 0
    self.path = os.path.join(workdir, "metrics.jsonl")
    self._tb = None
    if self.enabled:
      from tensorboardX import SummaryWriter  # pylint: disable=import-outside-toplevel
      self._tb = SummaryWriter(os.path.join(workdir, "tensorboard"))

  def write(self, step: int, split: str, values: dict) -> dict:
    event = {"step": int(step), "split": split,
             **{k: _scalar(v) for k, v in values.items()}}
    if self.enabled:
      with open(self.path, "a", encoding="utf-8") as f:
        f.write(json.dumps(event) + "\n")
      for k, v in event.items():
        if k not in ("step", "split") and isinstance(v, (int, float)):
          self._tb.add_scalar(f"{split}/{k}", v, int(step))
      self._tb.flush()
    return event

  def close(self):
    if self._tb is not None:
      self._tb.close()
