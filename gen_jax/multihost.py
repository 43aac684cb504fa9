"""Several processes, one program: who writes files, and global arrays to host.

Every process runs every computation on global arrays (training, evaluation,
sampling, pictures): a computation that needs a collective would hang if one
process skipped it. Only file writes are process 0's: writers are wrapped in
`writer_only`, and `to_host` fetches results on every process alike.
"""

import functools

import jax
import numpy as np
from jax.experimental import multihost_utils


def is_writer() -> bool:
  """True on the one process that writes files (process 0)."""
  return jax.process_index() == 0


def writer_only(write):
  """Decorates a function that writes files: a no-op (None) off process 0."""

  @functools.wraps(write)
  def guarded(*args, **kwargs):
    return write(*args, **kwargs) if is_writer() else None

  return guarded


def _fetch(x):
  if not isinstance(x, jax.Array):
    return x
  if x.is_fully_addressable:
    return np.asarray(jax.device_get(x))
  if x.is_fully_replicated:
    return np.asarray(x.addressable_data(0))
  return multihost_utils.process_allgather(x, tiled=True)


def to_host(tree):
  """numpy copies of a pytree of (possibly global) arrays, on every process.

  Replicated and process-local arrays are copied; an array sharded across
  processes is gathered, a collective: call this on every process.
  """
  return jax.tree.map(_fetch, tree)
