"""Shared base of the image-to-image translation recipes (CycleGAN,
StarGAN): the `model.` options both read, the generator's size check, the
pieces of their `Translator` protocol (images to sample from, a jitted
method, targets parsed from text) and the exact translation where the data
gives it.
"""

import dataclasses
import functools
from typing import Callable, Sequence

import jax

from gen_jax.errors import UserError
from gen_jax.options import option


@dataclasses.dataclass(frozen=True)
class TranslationOptions:
  """`model.` keys both recipes read; each recipe's dataclass adds its own
  (and sets its own defaults of `num_blocks`, `d_layers`, `identity_weight`)."""
  g_features: int = option(64, minimum=1)        # the generator's base features f
  d_features: int = option(64, minimum=1)        # the discriminator's first features
  num_blocks: int = option(9, minimum=0)         # residual blocks at 1/4 resolution
  d_layers: int = option(3, minimum=1)           # stride-2 layers of the discriminator
  identity_weight: float = option(0.0, minimum=0.0)
  decay_start_step: int | None = option(None, minimum=0)   # None: half of train.num_steps


def check_image_sides(model: str, event_shape) -> None:
  """A UserError unless the generator's two stride-2 halvings leave whole
  sides: multiples of 4, at least 8."""
  h, w = event_shape[:2]
  if h % 4 or w % 4 or min(h, w) < 8:
    raise UserError(f"{model}'s generator halves the image twice and needs sides "
                    f"that are multiples of 4, at least 8; the images are {h}x{w}. "
                    "Set data.image_size.")


def sample_images(inputs, model: str) -> jax.Array:
  """inputs["x"] [N, H, W, C], or a UserError: a translator samples only
  by translating images it is given."""
  if inputs is None or inputs.get("x") is None:
    raise UserError(f"{model} translates images: its sample needs inputs "
                    "{'x': [N, H, W, C] images, 'target': [N, G] class indices}.")
  return inputs["x"]


@functools.lru_cache(maxsize=None)
def jitted(method: Callable, *static_argnums: int) -> Callable:
  """`method` (a recipe's bound method) jitted once per recipe."""
  return jax.jit(method, static_argnums=static_argnums)


# ------------------------------------------------------------------ targets


def class_features(spec) -> list[str]:
  """Names of the spec's scalar class features (what may be translated or
  preserved)."""
  return [f.name for f in spec.features
          if f.shape == () and f.num_classes and f.num_classes >= 2]


def parse_target(groups: Sequence[tuple[str, int]], spec, text: str) -> dict[str, int]:
  """"name=value,..." -> {name: class index} for a translator's `groups`
  ((name, classes), ...); a value is a class name (where the data `spec`
  names them) or an index (0 / 1, false / true for a binary attribute
  without names). An unknown name: a UserError listing the known."""
  classes = dict(groups)
  out = {}
  for part in filter(None, (p.strip() for p in text.split(","))):
    name, sep, value = (s.strip() for s in part.partition("="))
    if name not in classes or not sep or not value:
      what = (f"{name!r} is not an attribute of this model" if name not in classes
              else f"{part!r} has no value")
      raise UserError(f"--target={text!r}: {what}; give name=value pairs with names "
                      f"from: {', '.join(classes)}.")
    feature = spec.feature(name)
    out[name] = class_value(name, classes[name], feature and feature.class_names, value,
                            text)
  if not out:
    raise UserError(f"--target={text!r} names no attribute; give name=value pairs with "
                    f"names from: {', '.join(classes)}.")
  return out


def class_value(name: str, num_classes: int, class_names, value: str, text: str) -> int:
  """A class index of attribute `name` from its class name or number, or a
  UserError."""
  names = list(class_names or ())
  if num_classes == 2 and not names:
    names = ["false", "true"]
  if value.lower() in [n.lower() for n in names]:
    return [n.lower() for n in names].index(value.lower())
  if value.isdigit() and int(value) < num_classes:
    return int(value)
  choices = ", ".join(names + [str(k) for k in range(num_classes)])
  raise UserError(f"--target={text!r}: {name}={value!r} is not one of {choices}.")


def truth_renderer(spec, attributes: Sequence[str]) -> Callable | None:
  """The exact translation `(rows, {attribute: [N]}) -> images` when the data
  carries the attribute-free digit (`digit_image`) and the translated
  attributes are ones it draws, else None."""
  from gen_jax.data import attribute_digits  # pylint: disable=import-outside-toplevel
  if (spec.feature("digit_image") is None
      or not set(attributes) <= set(attribute_digits.RENDERED_ATTRIBUTES)):
    return None
  return lambda rows, attributes: attribute_digits.translation_truth(
      rows, attributes, spec.encoding)
