"""Optimizers from `config.train` and learning-rate schedules."""

import optax


def make_optimizer(train_config, learning_rate: float | None = None,
                   b1: float | None = None) -> optax.GradientTransformation:
  """The configured optimizer, optionally with another learning rate or b1."""
  lr = train_config.learning_rate if learning_rate is None else learning_rate
  b1 = train_config.b1 if b1 is None else b1
  name = train_config.optimizer
  if name == "adam":
    tx = optax.adam(lr, b1=b1, b2=train_config.b2)
  elif name == "adamw":
    tx = optax.adamw(lr, b1=b1, b2=train_config.b2,
                     weight_decay=train_config.weight_decay)
  elif name == "rmsprop":
    tx = optax.rmsprop(lr)
  else:
    tx = optax.sgd(lr, momentum=b1 or None)
  if train_config.grad_clip_norm > 0:
    tx = optax.chain(optax.clip_by_global_norm(train_config.grad_clip_norm), tx)
  return tx


def constant_then_linear_decay(learning_rate: float, decay_start: int,
                               num_steps: int) -> optax.Schedule:
  """`learning_rate` for `decay_start` updates, then linearly to 0 at `num_steps`."""
  if decay_start >= num_steps:
    return optax.constant_schedule(learning_rate)
  return optax.join_schedules(
      [optax.constant_schedule(learning_rate),
       optax.linear_schedule(learning_rate, 0.0, num_steps - decay_start)],
      [decay_start])
