"""One process of the two-process test (`tests/train/test_multihost.py`).

  python -m tests.train.multihost_worker --config=... --workdir=... --multihost

runs `experiments.train` after making the sampler, `sample_metrics` and
`write_pictures` communicate across processes, as a sharded sampler or a
cross-device metric would: a process that skipped one would leave the others
waiting in the collective (the test's timeout ends that). It then prints one
line, `CALLS {...}`: how often each ran here.
"""

import functools
import json

import numpy as np

from experiments import common
from experiments import train as train_launcher

CALLS = {"sample": 0, "sample_metrics": 0, "write_pictures": 0}


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


def patch_recipe_and_experiment(model_name: str) -> None:
  """Makes the named recipe's host-side hooks and `Experiment.sample` collective."""
  from gen_jax.models import recipe_class  # pylint: disable=import-outside-toplevel
  from gen_jax.train import Experiment  # pylint: disable=import-outside-toplevel
  recipe = recipe_class(model_name)
  for name in ("sample_metrics", "write_pictures"):
    setattr(recipe, name, _communicating(name, getattr(recipe, name)))
  Experiment.sample = _communicating("sample", Experiment.sample)


def main(argv):
  patch_recipe_and_experiment("fvsbn")   # the quickstart's model
  train_launcher.main(argv)
  print("CALLS", json.dumps(CALLS), flush=True)


if __name__ == "__main__":
  common.main_with_clear_errors(main)
