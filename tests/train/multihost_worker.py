"""One process of the two-process test (`tests/train/test_multihost.py`).

  python -m tests.train.multihost_worker --config=... --workdir=... --multihost

runs `experiments.train` after making the sampler, the evaluation and the
sample writing communicate across processes, as a sharded sampler or a
cross-device metric (an evaluator) would: a process that skipped one would
leave the others waiting in the collective (the test's timeout ends that).
It then prints one line, `CALLS {...}`: how often each ran here.
"""

import functools
import json

import numpy as np

from experiments import common
from experiments import train as train_launcher

CALLS = {"draw": 0, "evaluate": 0, "write_samples": 0}


def _meet_the_other_processes(name: str) -> None:
  """Counts a call, then checks in a collective that every process counts the same."""
  from jax.experimental import multihost_utils  # pylint: disable=import-outside-toplevel
  CALLS[name] += 1
  counts = multihost_utils.process_allgather(np.int32(CALLS[name]))
  if len(set(np.asarray(counts).tolist())) != 1:
    raise RuntimeError(f"processes disagree on how often {name} ran: {counts}")


def _communicating(name: str, method):
  @functools.wraps(method)
  def wrapped(*args, **kwargs):
    _meet_the_other_processes(name)
    return method(*args, **kwargs)
  return wrapped


def patch_trainer() -> None:
  """Makes the trainer's host-side work collective: sampling, evaluation
  (the evaluators run inside it) and sample writing (pictures included)."""
  # pylint: disable=import-outside-toplevel
  from gen_jax.train import evaluation, loop, samples
  samples.draw = _communicating("draw", samples.draw)
  evaluation.evaluate = loop.evaluate = _communicating("evaluate", evaluation.evaluate)
  loop.write_samples = _communicating("write_samples", samples.write_samples)


def main(argv):
  patch_trainer()
  train_launcher.main(argv)
  print("CALLS", json.dumps(CALLS), flush=True)


if __name__ == "__main__":
  common.main_with_clear_errors(main)
