"""The workdir as a run's record: checked before training, never clobbered.

A workdir holds `config.json` (the config its checkpoints were trained
with), `checkpoints/`, `metrics.jsonl`, samples and TensorBoard events. A
run that resumes it must use the same config up to the freely changed keys
(`config.FREELY_CHANGED`); an allowed change keeps the previous config as
`config.<step>.json`.
"""

import json
import os

import jax

from gen_jax.errors import UserError
from gen_jax.train import config as config_lib

CONFIG_FILE = "config.json"


def ensure_writable(workdir: str) -> None:
  """Creates `workdir` if needed; one clear message if it cannot hold a run."""
  if os.path.exists(workdir) and not os.path.isdir(workdir):
    raise UserError(f"--workdir={workdir} is a file, not a directory; pass a "
                    "directory (a new one starts a run, an existing one resumes).")
  try:
    os.makedirs(workdir, exist_ok=True)
  except OSError as e:
    raise UserError(f"--workdir={workdir} cannot be created ({e.strerror}); pass "
                    "a directory you can write to.") from e
  if not os.access(workdir, os.W_OK | os.X_OK):
    raise UserError(f"--workdir={workdir} is not writable; pass a directory you "
                    "can write to.")


def require_existing(workdir: str) -> None:
  """For launchers that read a trained workdir: it must exist (never created)."""
  if not os.path.isdir(workdir):
    raise UserError(f"--workdir={workdir} does not exist; train first with "
                    f"python -m experiments.train --config=... --workdir={workdir}.")


def saved_config(workdir: str) -> dict | None:
  """The plain dict of `<workdir>/config.json`, or None if there is none."""
  path = os.path.join(workdir, CONFIG_FILE)
  if not os.path.exists(path):
    return None
  try:
    with open(path, encoding="utf-8") as f:
      return json.load(f)
  except (OSError, ValueError) as e:
    raise UserError(f"{path} could not be read ({e}); restore it from a backup "
                    "or move the workdir aside and start afresh.") from e


def _shown(value) -> str:
  return json.dumps(value) if value is not None else "(absent)"


def check_config_unchanged(config, workdir: str, allow_change: bool = False
                           ) -> list[tuple[str, object, object]]:
  """Refuses a config that differs from the workdir's saved one (outside the
  freely changed keys) unless `allow_change`; returns the differences."""
  saved = saved_config(workdir)
  if saved is None:
    return []
  changes = config_lib.config_changes(saved, config_lib.as_plain_dict(config))
  if changes and not allow_change:
    lines = "\n".join(f"  {key}: {_shown(old)} -> {_shown(new)}"
                      for key, old, new in changes)
    raise UserError(
        f"the config differs from the one {workdir} was trained with "
        f"({os.path.join(workdir, CONFIG_FILE)}):\n{lines}\n"
        "Rerun with the saved values, start a new --workdir, or pass "
        "--allow_config_change to resume with the new values (the old config "
        "is kept as config.<step>.json).")
  return changes


def write_config(config, workdir: str, step: int, changed: bool) -> None:
  """Writes config.json (process 0); a changed config keeps the old one as
  config.<step>.json, `step` being where the new values take over."""
  if jax.process_index() != 0:
    return
  path = os.path.join(workdir, CONFIG_FILE)
  if changed and os.path.exists(path):
    os.replace(path, os.path.join(workdir, f"config.{step}.json"))
  with open(path + ".tmp", "w", encoding="utf-8") as f:
    f.write(config.to_json_best_effort(indent=2))
  os.replace(path + ".tmp", path)
