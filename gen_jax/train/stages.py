"""Which stage of a recipe's `stages` each training step belongs to.

Steps are numbered from 1 (step k is the k-th update). A recipe without
stages has one implicit stage that covers every step; with stages, stage i
covers `stages[i].num_steps` steps after the previous ones, and the last
stage also takes any steps past their sum (a run may stop early or go on).
"""

import numpy as np

from gen_jax.errors import UserError


class StageSchedule:
  """Stage boundaries of a run of `num_steps` steps."""

  def __init__(self, stages, num_steps: int):
    self.stages = tuple(stages)
    for stage in self.stages:
      if stage.num_steps < 1:
        raise UserError(f"stage {stage.name!r} has {stage.num_steps} steps; every "
                        "stage needs at least one (raise its length in images or "
                        "lower its batch size).")
    lengths = [s.num_steps for s in self.stages]
    self.starts = tuple(int(v) for v in np.cumsum([0] + lengths[:-1]))  # steps before each
    self.num_steps = num_steps

  @property
  def staged(self) -> bool:
    return bool(self.stages)

  def __len__(self) -> int:
    return max(len(self.stages), 1)

  def stage_of(self, step: int) -> int:
    """The stage of step `step` (>= 1); step 0 (before training) is stage 0."""
    if not self.stages:
      return 0
    return int(np.searchsorted(np.asarray(self.starts), max(step, 1), side="left")) - 1

  def start(self, index: int) -> int:
    """Steps completed before stage `index` begins."""
    return self.starts[index] if self.stages else 0

  def end(self, index: int) -> int:
    """The last step of stage `index` (the run's last for the last stage)."""
    if index + 1 < len(self.stages):
      return self.starts[index + 1]
    return self.num_steps

  def resets_optimizers(self, index: int) -> bool:
    """Whether stage `index` starts with fresh optimizer states."""
    return bool(self.stages) and self.stages[index].reset_optimizers

  def batch_size(self, index: int, default: int) -> int:
    if not self.stages or self.stages[index].batch_size is None:
      return default
    return self.stages[index].batch_size

  def data_seed(self, index: int, seed: int) -> int:
    """Stage `index`'s shuffling seed (stage 0 keeps `seed`, so a recipe
    without stages reads exactly the batches it always read)."""
    return int((seed + 1_000_003 * index) % (2 ** 31 - 1))
