"""Shared base of the image-to-image translation recipes (CycleGAN,
StarGAN): their config readers, the noise on the cycle's input, and the
exact translation where the data gives it.
"""

from typing import Callable, Sequence

import jax

from gen_jax.errors import UserError
from gen_jax.models.base import config_int, config_weight


def cycle_noise(x: jax.Array, rng: jax.Array, std: float) -> jax.Array:
  """x [B, H, W, C] plus N(0, std^2) per pixel (x itself when std is 0): what
  the reconstructing generator reads in the cycle term. A translation can
  meet the cycle term by hiding its input in a faint signal the second
  generator decodes (Chu et al. 2017, "CycleGAN, a master of
  steganography"); noise of this size drowns the faint signal, so the cycle
  is met only through what the translation visibly keeps."""
  if not std:
    return x
  return x + std * jax.random.normal(rng, x.shape, x.dtype)


def structure_settings(config, event_shape) -> tuple[float, int, int]:
  """(`model.structure_weight`, default 0, `model.structure_scale`, default 1,
  `model.structure_tolerance`, default 0), or a UserError when the scale
  leaves under 2x2 blocks of the images."""
  weight = config_weight(config, "structure_weight", 0.0)
  scale = config_int(config, "structure_scale", 1)
  tolerance = config_int(config, "structure_tolerance", 0, minimum=0)
  if min(event_shape[:2]) // scale < 2:
    raise UserError(f"--config.model.structure_scale={scale} leaves fewer "
                    f"than 2x2 blocks of the {event_shape[0]}x{event_shape[1]} "
                    "images to compare edges on; lower it.")
  return weight, scale, tolerance


def generator_downsamplings(config, model: str, event_shape) -> int:
  """`model.g_downsamplings` (default 2, the papers'), or a UserError when
  the image sides do not survive that many halvings."""
  n = config_int(config, "g_downsamplings", 2, minimum=0)
  h, w = event_shape[:2]
  k = 2 ** n
  if h % k or w % k or min(h, w) < max(2 * k, 8):
    raise UserError(f"{model}'s generator halves the image {n} times "
                    f"(--config.model.g_downsamplings={n}) and needs sides that are "
                    f"multiples of {k}, at least {max(2 * k, 8)}; the images are {h}x{w}. "
                    "Set data.image_size or lower g_downsamplings.")
  return n


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
