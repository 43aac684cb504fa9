"""The import graph of gen_jax: layers only point down, no circles, and no
model module imports another (shared base modules aside)."""

import ast
import pathlib

from gen_jax.models import RECIPES

ROOT = pathlib.Path(__file__).resolve().parents[1] / "gen_jax"
# Top to bottom; a module may import its own layer's other packages or lower.
LAYERS = (("train",), ("eval",), ("models",), ("sampling",),
          ("nn", "data", "pictures", "multihost"), ("losses", "optim", "options", "errors"))


def module_name(path: pathlib.Path) -> str:
  parts = ("gen_jax",) + path.relative_to(ROOT).with_suffix("").parts
  return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: pathlib.Path) -> set[str]:
  """Every gen_jax module `path` imports, function-local imports included."""
  found = set()
  for node in ast.walk(ast.parse(path.read_text())):
    if isinstance(node, ast.Import):
      found.update(a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module:
      found.add(node.module)
      found.update(f"{node.module}.{a.name}" for a in node.names)
  return {m for m in found if m.startswith("gen_jax.")}


def graph() -> dict[str, set[str]]:
  modules = {module_name(p): p for p in ROOT.rglob("*.py")}
  return {name: {m for m in imports_of(path) if m in modules and m != name}
          for name, path in modules.items()}


def layer(module: str) -> int:
  top = module.split(".")[1] if "." in module else ""
  return next((i for i, names in enumerate(LAYERS) if top in names), -1)


def test_no_import_runs_up_a_layer():
  upward = [(a, b) for a, targets in graph().items() for b in targets
            if layer(a) >= 0 and layer(b) >= 0 and layer(b) < layer(a)]
  assert not upward, upward


def test_a_model_module_imports_from_models_only_the_shared_bases():
  models = {path.split(":")[0] for path in RECIPES.values()}
  crossing = [(a, b) for a, targets in graph().items() if a in models
              for b in targets if b.startswith("gen_jax.models.")
              and not b.startswith("gen_jax.models.base")]
  assert not crossing, crossing


def test_there_is_no_import_circle():
  edges = {a: {b for b in targets if not a.startswith(b + ".")}   # a package's __init__
           for a, targets in graph().items()}
  state, circles = {}, []

  def visit(node, path):
    state[node] = "open"
    for nxt in sorted(edges.get(node, ())):
      if state.get(nxt) == "open":
        circles.append(path[path.index(nxt):] + [nxt])
      elif nxt not in state:
        visit(nxt, path + [nxt])
    state[node] = "done"

  for node in sorted(edges):
    if node not in state:
      visit(node, [node])
  assert not circles, circles
