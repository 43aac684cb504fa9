"""Typed options: a model's `model.` keys or an evaluator's `evals.<name>.`
keys read into one frozen dataclass and validated in one place.

  @dataclasses.dataclass(frozen=True)
  class GANOptions:
    noise_dim: int = option(64, minimum=1)
    generator_loss: str = option("non_saturating", choices=("minimax", "non_saturating"))
    hidden: tuple[int, ...] = (128, 128)

  options = read_options(GANOptions, config.model, "model")

Types follow the annotations (int, float, bool, str, tuple[int, ...], and
`X | None`); an int is accepted for a float. Unknown keys, wrong types, values
out of range and values outside `choices` each end in one `UserError` that
names the flag (`--config.model.<key>`) and what to set, with a "did you
mean" for a misspelt key.
"""

import dataclasses
import difflib
import types
import typing
from typing import Any, Sequence

from gen_jax.errors import UserError

IGNORED_KEYS = ("name",)   # the registry key that picked the class


def option(default: Any, *, minimum: float | None = None, maximum: float | None = None,
           choices: Sequence[Any] | None = None, above: float | None = None):
  """A dataclass field with its checks: `minimum` / `maximum` inclusive,
  `above` exclusive, `choices` the allowed values."""
  checks = {"minimum": minimum, "maximum": maximum, "above": above,
            "choices": tuple(choices) if choices is not None else None}
  if isinstance(default, (list, dict)):
    raise TypeError("use a tuple for a sequence default")
  return dataclasses.field(default=default, metadata=checks)


def _allows_none(annotation) -> bool:
  return typing.get_origin(annotation) in (typing.Union, types.UnionType) and \
      type(None) in typing.get_args(annotation)


def _base_type(annotation):
  """int for `int | None`, tuple for `tuple[int, ...]`, else the annotation."""
  if typing.get_origin(annotation) in (typing.Union, types.UnionType):
    annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
  return typing.get_origin(annotation) or annotation


def _element_type(annotation):
  if typing.get_origin(annotation) in (typing.Union, types.UnionType):
    annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
  args = typing.get_args(annotation)
  return args[0] if args else None


def _convert(value, annotation, flag: str):
  """`value` as the annotation's type, or a UserError naming `flag`."""
  if value is None:
    if _allows_none(annotation):
      return None
    raise UserError(f"{flag}=None is not allowed; set a value.")
  kind = _base_type(annotation)
  if kind is bool:
    ok = isinstance(value, bool)
  elif kind is int:
    ok = isinstance(value, int) and not isinstance(value, bool)
  elif kind is float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    value = float(value) if ok else value
  elif kind is str:
    ok = isinstance(value, str)
  elif kind is tuple:
    ok = isinstance(value, (tuple, list))
    element = _element_type(annotation)
    if ok and element in (int, float, str):
      value = tuple(_convert(v, element, flag) for v in value)
    elif ok:
      value = tuple(value)
  else:
    ok = True
  if not ok:
    raise UserError(f"{flag}={value!r} must be {_describe(annotation)}.")
  return value


def _describe(annotation) -> str:
  kind = _base_type(annotation)
  names = {bool: "True or False", int: "an integer", float: "a number", str: "a string",
           tuple: "a sequence such as (1, 2)"}
  text = names.get(kind, getattr(kind, "__name__", str(kind)))
  return text + (" (or None)" if _allows_none(annotation) else "")


def _check(value, checks: dict, flag: str) -> None:
  if value is None:
    return
  if checks.get("choices") is not None and value not in checks["choices"]:
    raise UserError(f"{flag}={value!r} is not one of {checks['choices']}.")
  values = value if isinstance(value, tuple) else (value,)
  for v in values:
    if not isinstance(v, (int, float)) or isinstance(v, bool):
      continue
    if checks.get("minimum") is not None and v < checks["minimum"]:
      raise UserError(f"{flag}={value!r} must be >= {checks['minimum']}.")
    if checks.get("maximum") is not None and v > checks["maximum"]:
      raise UserError(f"{flag}={value!r} must be <= {checks['maximum']}.")
    if checks.get("above") is not None and v <= checks["above"]:
      raise UserError(f"{flag}={value!r} must be > {checks['above']}.")


def unknown_key_message(key: str, known: Sequence[str], prefix: str, owner: str) -> str:
  """One line for a key that `owner` does not read, with a "did you mean"."""
  close = difflib.get_close_matches(key, known, n=1)
  hint = f" Did you mean --config.{prefix}.{close[0]}?" if close else ""
  return (f"{owner} does not read --config.{prefix}.{key}.{hint} It reads: "
          f"{', '.join(sorted(known)) or 'no options'}. Fix the spelling or remove the key.")


def read_options(cls, config, prefix: str, owner: str | None = None):
  """`config` (a ConfigDict or dict; None: all defaults) read into dataclass
  `cls`; `prefix` names the section in messages ("model", "evals.modes")."""
  config = {} if config is None else config
  fields = {f.name: f for f in dataclasses.fields(cls)}
  hints = typing.get_type_hints(cls)
  owner = owner or f"{prefix} {config.get('name', '')!r}".replace(" ''", "")
  for key in config.keys():
    if key not in fields and key not in IGNORED_KEYS:
      raise UserError(unknown_key_message(key, list(fields), prefix, owner))
  values = {}
  for name, f in fields.items():
    if name not in config:
      continue
    flag = f"--config.{prefix}.{name}"
    value = _convert(config[name], hints[name], flag)
    _check(value, f.metadata, flag)
    values[name] = value
  return cls(**values)
