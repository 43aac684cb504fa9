"""Orbax checkpoints in `<workdir>/checkpoints`, restored automatically."""

import contextlib
import gc
import os
import shutil
import sys
import time
import warnings

import jax
import orbax.checkpoint as ocp

from gen_jax.errors import UserError


def root_cause(error: BaseException) -> str:
  """The first line of the innermost error (orbax wraps tensorstore's, which
  names the array and the file)."""
  seen = error
  while seen.__cause__ is not None or (seen.__context__ is not None
                                       and not seen.__suppress_context__):
    seen = seen.__cause__ or seen.__context__
  text = str(seen).strip().splitlines()
  return f"{type(seen).__name__}: {text[0][:300] if text else ''}"


# How long a failed restore waits for its sibling reads to finish.
_DRAIN_SECONDS = 1.0


@contextlib.contextmanager
def _stderr_closed_for(seconds: float):
  """Points file descriptor 2 at /dev/null for `seconds`, then back."""
  sys.stderr.flush()
  saved = os.dup(2)
  devnull = os.open(os.devnull, os.O_WRONLY)
  os.dup2(devnull, 2)
  try:
    yield
    time.sleep(seconds)
  finally:
    os.dup2(saved, 2)
    os.close(saved)
    os.close(devnull)


@contextlib.contextmanager
def _quiet_failed_restore():
  """Silences the noise of a failed restore. Orbax closes its event loop as
  soon as one read fails; tensorstore's other reads, when they finish, call
  into that closed loop and print tracebacks from their own threads, past
  every Python hook. So on failure stderr is closed while they drain, and the
  coroutines they leave are collected quietly."""
  hook = sys.unraisablehook
  sys.unraisablehook = lambda unraisable: None
  try:
    yield
  except Exception:
    with _stderr_closed_for(_DRAIN_SECONDS):
      gc.collect()
    raise
  finally:
    gc.collect()
    sys.unraisablehook = hook


class Checkpointer:
  """Saves {train state, data position} per step; restores the latest.

  `read_only`: for commands that only read a workdir; it creates, moves and
  deletes nothing, and an unreadable latest step is skipped for the newest
  earlier step that reads (with a warning), never set aside.
  """

  def __init__(self, workdir: str, max_to_keep: int,
               subdirectory: str = "checkpoints", read_only: bool = False):
    self.directory = os.path.join(os.path.abspath(workdir), subdirectory)
    self.read_only = read_only
    self.manager = None
    if read_only and not os.path.isdir(self.directory):
      return   # nothing saved yet: no step to read, and nothing is created
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=not read_only)
    try:
      self.manager = ocp.CheckpointManager(self.directory, options=options)
    except Exception as e:  # pylint: disable=broad-except
      raise UserError(self._unreadable(None, e), detail=root_cause(e)) from e

  def _unreadable(self, step, error) -> str:
    del error   # its text is the UserError's detail (--verbose)
    where = self.directory if step is None else os.path.join(self.directory, str(step))
    step_text = "" if step is None else f" of step {step}"
    earlier = [] if step is None else [s for s in self.manager.all_steps() if s < step]
    fallback = (f"Pass --restore_earlier to resume from the newest earlier step that "
                f"reads ({', '.join(map(str, sorted(earlier, reverse=True)))} here); "
                f"this one is then moved to {self.quarantine} and kept. "
                if earlier else "No earlier checkpoint is kept here. ")
    return (f"the checkpoint{step_text} at {where} could not be read (--verbose "
            f"shows the library's error). It was left untouched. {fallback}Or start "
            "afresh with another --workdir.")

  @property
  def quarantine(self) -> str:
    """Where unreadable steps are moved by a fallback (kept, never deleted)."""
    return os.path.join(os.path.dirname(self.directory), "unreadable_checkpoints")

  def latest_step(self) -> int | None:
    return None if self.manager is None else self.manager.latest_step()

  def _restore_step(self, step: int, abstract):
    with _quiet_failed_restore():
      restored = self.manager.restore(step, args=ocp.args.Composite(
          state=ocp.args.StandardRestore(abstract),
          meta=ocp.args.JsonRestore()))
    return restored.state, restored.meta

  def restore(self, target_state, restore_earlier: bool = False):
    """(train state, metadata) of the latest checkpoint, or None if none.

    An unreadable step is a `UserError` naming it and its first error;
    with `restore_earlier`, it is moved to `quarantine` (with a warning) and
    the next older step is tried. Nothing is ever deleted.
    """
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, target_state)
    if self.read_only:
      return self._restore_readable(abstract)
    while (step := self.latest_step()) is not None:
      try:
        return self._restore_step(step, abstract)
      except Exception as e:  # pylint: disable=broad-except
        if not restore_earlier:
          raise UserError(self._unreadable(step, e), detail=root_cause(e)) from e
        self._set_aside(step, e)
    return None

  def _restore_readable(self, abstract):
    """The newest step that reads, moving nothing (read-only commands)."""
    steps = sorted(self.manager.all_steps(), reverse=True) if self.manager else []
    for i, step in enumerate(steps):
      try:
        restored = self._restore_step(step, abstract)
      except Exception as e:  # pylint: disable=broad-except
        if i + 1 == len(steps):
          raise UserError(self._unreadable(step, e).split(" Pass --restore")[0]
                          + " No earlier step reads.", detail=root_cause(e)) from e
        warnings.warn(f"checkpoint step {step} could not be read; reading step "
                      f"{steps[i + 1]} instead (nothing was moved).", stacklevel=2)
        continue
      return restored
    return None

  def _set_aside(self, step: int, error) -> None:
    """Moves an unreadable step out of the manager's directory, keeping it."""
    source = os.path.join(self.directory, str(step))
    os.makedirs(self.quarantine, exist_ok=True)
    target = os.path.join(self.quarantine, str(step))
    suffix = 0
    while os.path.exists(target):
      suffix += 1
      target = os.path.join(self.quarantine, f"{step}.{suffix}")
    shutil.move(source, target)
    self.manager.reload()
    warnings.warn(f"checkpoint step {step} could not be read ({root_cause(error)}); "
                  f"moved it to {target} and resuming from an earlier step.",
                  stacklevel=2)

  def save(self, step: int, state, meta: dict, replace: bool = False) -> None:
    """Saves `step`; an existing step is kept unless `replace`."""
    if step in self.manager.all_steps():
      if not replace:
        return
      self.manager.wait_until_finished()
      self.manager.delete(step)
    self.manager.save(step, args=ocp.args.Composite(
        state=ocp.args.StandardSave(state), meta=ocp.args.JsonSave(meta)))

  def close(self) -> None:
    if self.manager is not None:
      self.manager.wait_until_finished()
      self.manager.close()
