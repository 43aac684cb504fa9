"""Lists the experiment configs: name, model, data and what each is for.

  python -m experiments.list [--model=nade]

Each line: the config's name (pass it as --config=experiments/configs/NAME.py),
its model, its dataset and the first line of its docstring. A config's keys
and values: python -m experiments.train --config=experiments/configs/NAME.py
--show_config.
"""

import os
import runpy

from absl import flags

from experiments import common

CONFIGS = os.path.join(os.path.dirname(__file__), "configs")
MODEL = flags.DEFINE_string("model", None, "List only the configs of this model.")


def describe(path: str) -> dict | None:
  """{name, model, data, summary} of one config file (None: a shared
  settings module without get_config)."""
  module = runpy.run_path(path)
  if "get_config" not in module:
    return None
  config = module["get_config"]()
  doc = (module.get("__doc__") or "").strip().split("\n\n")[0]
  data = config.data.name
  if config.data.get("sources"):
    data = " + ".join(s.get("name", config.data.name) for s in config.data.sources.values())
  return {"name": os.path.splitext(os.path.basename(path))[0],
          "model": config.model.name, "data": data,
          "summary": first_sentence(doc)}


def first_sentence(paragraph: str, limit: int = 100) -> str:
  """The paragraph's first sentence on one line, cut at `limit` characters."""
  text = " ".join(paragraph.split())
  end = text.find(". ")
  text = (text if end < 0 else text[:end]).rstrip(".:")
  return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def config_paths() -> list[str]:
  return sorted(os.path.join(CONFIGS, f) for f in os.listdir(CONFIGS)
                if f.endswith(".py") and not f.startswith("_"))


def table(rows: list[dict]) -> str:
  """Aligned columns: name, model, data, summary."""
  widths = [max([len(r[k]) for r in rows] + [len(k)]) for k in ("name", "model", "data")]
  lines = []
  for r in [{"name": "config", "model": "model", "data": "data", "summary": "what it is"}] + rows:
    cells = [r[k].ljust(w) for k, w in zip(("name", "model", "data"), widths)]
    lines.append("  ".join(cells + [r["summary"]]).rstrip())
  return "\n".join(lines)


def main(argv):
  del argv
  rows = [r for r in map(describe, config_paths()) if r is not None]
  if MODEL.value:
    rows = [r for r in rows if r["model"] == MODEL.value]
  print(table(rows))


if __name__ == "__main__":
  common.main_with_clear_errors(main, uses=())
