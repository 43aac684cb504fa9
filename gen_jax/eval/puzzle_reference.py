"""Supervised references for Puzzle-GAN: what K key patches can tell at best.

A completion's mask IoU and label agreement need a scale. Two networks read
the same key patches as the Puzzle-GAN generator (one part encoder for every
patch, the encodings summed) and are trained with the answer given:

- placement: the Puzzle-GAN generator itself (the config's sizes, z = 0)
  trained on the spatial loss alone, scored by the IoU of its mask (> 1/2)
  with the true one;
- label: the part encoder, a ReLU and a dense layer to the class logits,
  trained by cross-entropy on the images' labels, scored by accuracy.

Each is kept at the step of its best validation score and scored once on
the test images. A Puzzle-GAN near these figures has learned what the
patches hold; a reference near the input-independent floor (`fixed_mask`,
chance) says the patches hold little.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from gen_jax.models.puzzlegan import fixed_mask, mask_iou, spatial_loss
from gen_jax.nn.puzzle import PartEncoder


class PatchClassifier(nn.Module):
  """patches [B, K, p, p, C] -> class logits [B, num_classes]."""
  num_classes: int
  features: int = 32
  embed_dim: int = 64

  @nn.compact
  def __call__(self, patches):
    b, k = patches.shape[:2]
    codes = PartEncoder(self.features, self.embed_dim)(
        patches.reshape((b * k,) + patches.shape[2:]))                  # [B K, E]
    return nn.Dense(self.num_classes)(nn.relu(codes.reshape(b, k, -1).sum(1)))


def _stderr(values: np.ndarray) -> float:
  return float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def _fit(loss_fn, score_fn, params, data, steps, eval_every, rng, batch_size, learning_rate):
  """Adam on `loss_fn(params, x, labels, key)`; returns (params with the best
  mean `score_fn` on data["validation"], its step)."""
  optimizer = optax.adam(learning_rate)
  opt_state = optimizer.init(params)

  @jax.jit
  def update(params, opt_state, x, labels, key):
    grads = jax.grad(loss_fn)(params, x, labels, key)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  x, labels = data["train"]
  order = np.random.default_rng(int(jax.random.randint(rng, (), 0, 2 ** 31 - 1)))
  best, best_score, best_step = params, -np.inf, 0
  for step in range(1, steps + 1):
    idx = order.integers(0, len(x), batch_size)
    batch_labels = None if labels is None else jnp.asarray(labels[idx])
    params, opt_state = update(params, opt_state, jnp.asarray(x[idx]), batch_labels,
                               jax.random.fold_in(rng, step))
    if step % eval_every == 0 or step == steps:
      score = float(score_fn(params, *data["validation"]).mean())
      if score > best_score:
        best, best_score, best_step = params, score, step
  return best, best_step


def supervised_references(recipe, splits: dict, num_classes: int | None, steps: int,
                          eval_every: int, seed: int = 0, batch_size: int = 64,
                          learning_rate: float = 1e-3, chunk: int = 500) -> dict:
  """`splits`: {"train", "validation", "test"} -> (x [N, H, W, C] in the
  data encoding, labels [N] or None). Returns the test figures (module doc)
  with standard errors over test images, the selected steps and n."""
  rng = jax.random.PRNGKey(seed)
  patch_key = jax.random.fold_in(rng, 7)        # one choice of random patches per image
  splits = {k: (np.asarray(x, np.float32), labels) for k, (x, labels) in splits.items()}
  puzzle = lambda x: recipe.puzzle(recipe.to_model(x), patch_key)

  def in_chunks(fn, x, labels=None):
    """fn(x, labels) over chunks of numpy arrays -> one numpy array."""
    return np.concatenate([np.asarray(fn(jnp.asarray(x[i:i + chunk]), None if labels is None
                                         else jnp.asarray(labels[i:i + chunk])))
                           for i in range(0, len(x), chunk)])

  def placement_loss(params, x, labels, key):
    del labels, key
    patches, true, _ = puzzle(x)
    z = jnp.zeros((x.shape[0], recipe.noise_dim))
    logits = recipe.generator.apply({"params": params}, patches, z)[1]
    return spatial_loss(logits, true, recipe.spatial_kind)

  @jax.jit
  def placement_iou(params, x):
    patches, true, _ = puzzle(x)
    z = jnp.zeros((x.shape[0], recipe.noise_dim))
    logits = recipe.generator.apply({"params": params}, patches, z)[1]
    return mask_iou(jax.nn.sigmoid(logits), true)

  sample = puzzle(jnp.asarray(splits["train"][0][:1]))[0]
  params = recipe.generator.init(jax.random.fold_in(rng, 1), sample,
                                 jnp.zeros((1, recipe.noise_dim)))["params"]
  params, mask_step = _fit(
      placement_loss, lambda p, x, l: in_chunks(lambda xs, _: placement_iou(p, xs), x),
      params, splits, steps, eval_every, jax.random.fold_in(rng, 2), batch_size,
      learning_rate)
  ious = in_chunks(lambda xs, _: placement_iou(params, xs), splits["test"][0])
  true_masks = jax.jit(lambda x: puzzle(x)[1])
  train_masks = in_chunks(lambda xs, _: true_masks(xs), splits["train"][0][:2000])
  test_masks = in_chunks(lambda xs, _: true_masks(xs), splits["test"][0])
  floor = np.asarray(mask_iou(jnp.broadcast_to(fixed_mask(train_masks), test_masks.shape),
                              test_masks))
  out = {"reference_mask_iou": float(ious.mean()), "reference_mask_iou_stderr": _stderr(ious),
         "reference_mask_step": mask_step, "fixed_mask_iou": float(floor.mean()),
         "num_test": len(ious)}
  if not num_classes or any(labels is None for _, labels in splits.values()):
    return out

  classifier = PatchClassifier(num_classes, recipe.generator.features,
                               recipe.generator.embed_dim)

  def label_loss(params, x, labels, key):
    del key
    logits = classifier.apply({"params": params}, puzzle(x)[0])
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

  @jax.jit
  def correct(params, x, labels):
    logits = classifier.apply({"params": params}, puzzle(x)[0])
    return (jnp.argmax(logits, -1) == labels).astype(jnp.float32)

  params = classifier.init(jax.random.fold_in(rng, 3), sample)["params"]
  params, label_step = _fit(
      label_loss, lambda p, x, l: in_chunks(lambda xs, ls: correct(p, xs, ls), x, l),
      params, splits, steps, eval_every, jax.random.fold_in(rng, 4), batch_size,
      learning_rate)
  hits = in_chunks(lambda xs, ls: correct(params, xs, ls), *splits["test"])
  majority = np.argmax(np.bincount(np.asarray(splits["train"][1]), minlength=num_classes))
  out.update({"reference_label_accuracy": float(hits.mean()),
              "reference_label_accuracy_stderr": _stderr(hits),
              "reference_label_step": label_step,
              "majority_class_accuracy": float(np.mean(np.asarray(splits["test"][1]) == majority))})
  return out
