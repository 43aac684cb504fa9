"""Typed options: every key checked in one place, with clear messages."""

import dataclasses

import ml_collections
import pytest

from gen_jax.errors import UserError
from gen_jax.options import option, read_options


@dataclasses.dataclass(frozen=True)
class Example:
  hidden: int = option(16, minimum=1)
  rate: float = option(0.5, minimum=0.0, maximum=1.0)
  kind: str = option("a", choices=("a", "b"))
  widths: tuple[int, ...] = (8, 8)
  flag: bool = False
  limit: int | None = None


def read(**keys):
  return read_options(Example, ml_collections.ConfigDict(dict(name="m", **keys)), "model")


def test_defaults_and_values_are_read_with_their_types():
  assert read() == Example()
  got = read(hidden=3, rate=1, widths=[4, 2], flag=True, limit=None, kind="b")
  assert got == Example(3, 1.0, "b", (4, 2), True, None)
  assert isinstance(got.rate, float) and isinstance(got.widths, tuple)


@pytest.mark.parametrize("keys, message", [
    (dict(hiden=3), r"--config.model.hiden\. Did you mean --config.model.hidden\?"),
    (dict(hidden=0), r"--config.model.hidden=0 must be >= 1"),
    (dict(hidden=2.5), r"--config.model.hidden=2.5 must be an integer"),
    (dict(hidden=True), r"must be an integer"),
    (dict(rate=1.5), r"--config.model.rate=1.5 must be <= 1.0"),
    (dict(kind="c"), r"--config.model.kind='c' is not one of \('a', 'b'\)"),
    (dict(flag=1), r"--config.model.flag=1 must be True or False"),
    (dict(widths=(4, "x")), r"must be an integer"),
])
def test_a_bad_key_or_value_is_one_message_naming_the_flag(keys, message):
  with pytest.raises(UserError, match=message):
    read(**keys)
