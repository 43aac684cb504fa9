"""Small shared test utilities: tiny specs, configs, enumeration."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np

from gen_jax.data.spec import DataSpec
from gen_jax.train import base_config


def tiny_spec(shape=(3, 3, 1), num_levels=2) -> DataSpec:
  encoding = "binary" if num_levels == 2 else "categorical"
  return DataSpec(name="tiny", event_shape=shape, encoding=encoding,
                  num_levels=num_levels)


def all_binary_images(spec: DataSpec) -> jax.Array:
  """Every binary image of `spec`'s shape, [2^D, *event_shape] float32."""
  bits = np.array(list(itertools.product([0, 1], repeat=spec.num_dims)), np.float32)
  return jnp.asarray(bits.reshape((-1,) + spec.event_shape))


def randomize(params, seed=0, scale=1.0):
  """The same tree with random normal leaves (models often init at zero)."""
  leaves, tree = jax.tree.flatten(params)
  keys = jax.random.split(jax.random.PRNGKey(seed), len(leaves))
  return jax.tree.unflatten(tree, [scale * jax.random.normal(k, l.shape, l.dtype)
                                   for k, l in zip(keys, leaves)])


def tiny_config(model="fvsbn", steps=6, **overrides):
  """A config that trains in seconds on digits."""
  c = base_config()
  c.model.name = model
  c.train.num_steps = steps
  c.train.batch_size = 16
  c.train.log_every_steps = 1
  c.eval.every_steps = steps
  c.eval.batch_size = 64
  c.eval.num_examples = 128
  c.checkpoint.every_steps = 3
  c.sample.every_steps = steps
  c.sample.num = 4
  return with_overrides(c, overrides)


def with_overrides(config, overrides: dict):
  """Sets dotted keys ("train.num_steps") in place, as --config.KEY=V would."""
  for key, value in overrides.items():
    node = config
    *path, last = key.split(".")
    for part in path:
      node = node[part]
    node[last] = value
  return config


def read_metrics(workdir):
  import json  # pylint: disable=import-outside-toplevel
  import os  # pylint: disable=import-outside-toplevel
  with open(os.path.join(workdir, "metrics.jsonl"), encoding="utf-8") as f:
    return [json.loads(line) for line in f]


def timeless(row: dict) -> dict:
  """A metrics row without its wall-clock training time, which no two runs
  share: what runs that must agree are compared by."""
  return {k: v for k, v in row.items() if k != "train_seconds"}


def stacked(batch, count=1):
  """A train step's input: `count` copies of `batch` on a leading axis."""
  return jax.tree.map(lambda a: jnp.stack([jnp.asarray(a)] * count), batch)


def write_caption_folder(root, size=8):
  """A tiny caption folder under `root`: three PNGs (red, green, blue
  squares) and captions.jsonl, the red one with two captions. Returns it."""
  import json  # pylint: disable=import-outside-toplevel
  import os  # pylint: disable=import-outside-toplevel
  from PIL import Image  # pylint: disable=import-outside-toplevel
  folder = os.path.join(str(root), "captioned")
  os.makedirs(folder, exist_ok=True)
  rows = [("red.png", "a red square"), ("red.png", "a square, all red"),
          ("green.png", "a green square"), ("blue.png", "a small blue square")]
  for channel, name in enumerate(("red.png", "green.png", "blue.png")):
    pixels = np.zeros((size, size, 3), np.uint8)
    pixels[..., channel] = 255
    Image.fromarray(pixels).save(os.path.join(folder, name))
  with open(os.path.join(folder, "captions.jsonl"), "w", encoding="utf-8") as f:
    f.writelines(json.dumps({"image": i, "caption": c}) + "\n" for i, c in rows)
  return folder


def saved_state(exp, workdir):
  """The train state saved last in `workdir`, read into `exp`'s state tree
  (cheaper than building an Experiment per workdir), on the host."""
  from gen_jax.train.checkpoint import Checkpointer  # pylint: disable=import-outside-toplevel
  checkpointer = Checkpointer(str(workdir), 1)
  try:
    return jax.device_get(checkpointer.restore(exp.train_state)[0])
  finally:
    checkpointer.close()
