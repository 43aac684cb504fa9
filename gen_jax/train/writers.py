"""Metrics in the workdir: metrics.jsonl mirrored to TensorBoard."""

import json
import os

import jax
import numpy as np
from tensorboardX.proto.summary_pb2 import Summary



def _scalar(v):
  v = np.asarray(v)
  return v.item() if v.size == 1 else v.tolist()


def _parse(line: str) -> dict | None:
  try:
    return json.loads(line)
  except ValueError:
    return None


class MetricWriter:
  """One JSON object per event in metrics.jsonl, mirrored to TensorBoard.

  Only process 0 writes; the others accept and drop events. A resumed run
  (`resumed_from`) drops the rows written after its checkpoint, and a row for
  a (step, split) already in the file replaces it.
  """

  def __init__(self, workdir: str, resumed_from: int = 0):
    self.enabled = jax.process_index() == 0
    self.path = os.path.join(workdir, "metrics.jsonl")
    self._tb = None
    self._file = None        # metrics.jsonl, open for appending between writes
    self._written = set()    # (step, split) of the rows in the file
    if self.enabled:
      self._keep_rows(lambda e: e["step"] <= resumed_from)
      from tensorboardX import SummaryWriter  # pylint: disable=import-outside-toplevel
      self._tb = SummaryWriter(os.path.join(workdir, "tensorboard"))

  def write(self, step: int, split: str, values: dict) -> dict:
    event = {"step": int(step), "split": split,
             **{k: _scalar(v) for k, v in values.items()}}
    if self.enabled:
      key = (event["step"], split)
      if key in self._written:   # rewritten after a resume: replace, never repeat
        self._keep_rows(lambda e: (e["step"], e["split"]) != key)
      if self._file is None:
        self._file = open(self.path, "a", encoding="utf-8")  # pylint: disable=consider-using-with
      self._file.write(json.dumps(event) + "\n")
      self._file.flush()   # each row reaches the file (no fsync: that costs ms)
      self._written.add(key)
      scalars = [Summary.Value(tag=f"{split}/{k}", simple_value=float(v))
                 for k, v in event.items()
                 if k not in ("step", "split") and isinstance(v, (int, float))]
      if scalars:   # one event for the row (one queue put, not one per value)
        self._tb.file_writer.add_summary(Summary(value=scalars), int(step))
      # No flush here: tensorboardX's flushes fsync (milliseconds, a whole
      # quickstart log interval's worth); its own thread flushes every 2 min
      # and `close` flushes the rest.
    return event

  def _keep_rows(self, keep) -> None:
    """Rewrites metrics.jsonl with the rows `keep(event)` accepts (atomically).

    Rows after the resumed step belong to the part of an interrupted run
    that is trained again; they are dropped so that no step is reported twice.
    """
    self._close_file()
    if not os.path.exists(self.path):
      return
    with open(self.path, encoding="utf-8") as f:
      lines = [line for line in f if line.strip()]
    events = [e for e in map(_parse, lines) if e is not None]  # drops a torn last line
    kept = [e for e in events if keep(e)]
    if len(kept) != len(lines):
      with open(self.path + ".tmp", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(e) + "\n" for e in kept)
      os.replace(self.path + ".tmp", self.path)
    self._written = {(e["step"], e["split"]) for e in kept}

  def _close_file(self) -> None:
    if self._file is not None:
      self._file.close()
      self._file = None

  def close(self):
    self._close_file()
    if self._tb is not None:
      self._tb.close()
