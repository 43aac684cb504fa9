"""Orbax checkpoints in `<workdir>/checkpoints`, restored automatically."""

import os

import jax
import orbax.checkpoint as ocp

from gen_jax.errors import UserError


class Checkpointer:
  """Saves {train state, data position} per step; restores the latest."""

  def __init__(self, workdir: str, max_to_keep: int,
               subdirectory: str = "checkpoints"):
    self.directory = os.path.join(os.path.abspath(workdir), subdirectory)
    options = ocp.CheckpointManagerOptions(max_to_keep=max_to_keep, create=True)
    try:
      self.manager = ocp.CheckpointManager(self.directory, options=options)
    except Exception as e:  # pylint: disable=broad-except
      raise UserError(self._unreadable(None, e)) from e

  def _unreadable(self, step, error) -> str:
    where = self.directory if step is None else os.path.join(self.directory, str(step))
    return (f"the checkpoint at {where} could not be read "
            f"({type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}). "
            "It was left untouched. Move that directory aside to resume from an "
            "earlier checkpoint, or start afresh with another --workdir.")

  def latest_step(self) -> int | None:
    return self.manager.latest_step()

  def restore(self, target_state):
    """(train state, metadata) of the latest checkpoint, or None if none."""
    step = self.latest_step()
    if step is None:
      return None
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, target_state)
    try:
      restored = self.manager.restore(step, args=ocp.args.Composite(
          state=ocp.args.StandardRestore(abstract),
          meta=ocp.args.JsonRestore()))
    except Exception as e:  # pylint: disable=broad-except
      raise UserError(self._unreadable(step, e)) from e
    return restored.state, restored.meta

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
    self.manager.wait_until_finished()
    self.manager.close()
