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

from gen_jax.eval.attribute_translation import mean_and_stderr
from gen_jax.losses import spatial_loss
from gen_jax.nn.puzzle import KeyPatches, PartEncoder, PuzzleGenerator, fixed_mask, mask_iou


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


def _fit(loss_fn, score_fn, params, train: dict, validation: dict, steps: int,
         eval_every: int, rng, batch_size: int, learning_rate: float):
  """Adam on `loss_fn(params, batch)` over random batches of `train` (a dict
  of device arrays with a leading example axis; each batch is drawn on
  device from the step's key); returns (the params of the best mean
  `score_fn(params, validation)`, scored every `eval_every` updates and at
  the end, their step). One compiled update, called once per step: on CPU
  a `lax.scan` of these convolutions ran 6 times slower."""
  optimizer = optax.adam(learning_rate)
  num = len(next(iter(train.values())))

  @jax.jit
  def update(params, opt_state, step, train):
    idx = jax.random.randint(jax.random.fold_in(rng, step), (batch_size,), 0, num)
    grads = jax.grad(loss_fn)(params, {k: v[idx] for k, v in train.items()})
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  opt_state = optimizer.init(params)
  best, best_score, best_step = params, -np.inf, 0
  for step in range(1, steps + 1):
    params, opt_state = update(params, opt_state, step, train)
    if step % eval_every == 0 or step == steps:
      score = float(np.mean(score_fn(params, validation)))
      if score > best_score:
        best, best_score, best_step = params, score, step
  return best, best_step


def supervised_references(key_patches: KeyPatches, generator: PuzzleGenerator,
                          noise_dim: int, spatial_kind: str, splits: dict,
                          num_classes: int | None, steps: int, eval_every: int, seed: int = 0,
                          batch_size: int = 64, learning_rate: float = 1e-3,
                          chunk: int = 500) -> dict:
  """References for a Puzzle-GAN's settings: its `key_patches`, its
  `generator` network (untrained; its sizes), z of `noise_dim` (held at 0)
  and its spatial loss ("bce" or "l1"). `splits`: {"train", "validation",
  "test"} -> (x [N, H, W, C] in the data encoding, images in [0, 1], labels
  [N] or None). Returns the test figures (module doc) with standard errors
  over test images, the selected steps and n."""
  rng = jax.random.PRNGKey(seed)
  patch_key = jax.random.fold_in(rng, 7)        # one choice of random patches per image
  # The key patches of the images in the networks' space, [-1, 1].
  puzzle = jax.jit(lambda x: key_patches.cut(x * 2.0 - 1.0, patch_key)[:2])

  def prepared(x, labels):
    """The split's key patches and true masks, computed once, on device."""
    parts = [puzzle(jnp.asarray(x[i:i + chunk], jnp.float32)) for i in range(0, len(x), chunk)]
    out = {"patches": jnp.concatenate([p for p, _ in parts]),       # [N, K, p, p, C]
           "mask": jnp.concatenate([m for _, m in parts])}          # [N, H, W, 1]
    if labels is not None:
      out["label"] = jnp.asarray(labels, jnp.int32)
    return out

  data = {k: prepared(x, labels) for k, (x, labels) in splits.items()}
  noise = lambda n: jnp.zeros((n, noise_dim))

  def mask_logits(params, batch):
    n = batch["patches"].shape[0]
    return generator.apply({"params": params}, batch["patches"], noise(n))[1]

  def placement_loss(params, batch):
    return spatial_loss(mask_logits(params, batch), batch["mask"], spatial_kind)

  @jax.jit
  def placement_iou(params, batch):
    return mask_iou(jax.nn.sigmoid(mask_logits(params, batch)), batch["mask"])

  sample = data["train"]["patches"][:1]
  params = generator.init(jax.random.fold_in(rng, 1), sample, noise(1))["params"]
  params, mask_step = _fit(placement_loss, placement_iou, params, data["train"],
                           data["validation"], steps, eval_every, jax.random.fold_in(rng, 2),
                           batch_size, learning_rate)
  ious = np.asarray(placement_iou(params, data["test"]))
  train_masks = np.asarray(data["train"]["mask"][:2000])
  test_masks = data["test"]["mask"]
  floor = np.asarray(mask_iou(jnp.broadcast_to(fixed_mask(train_masks), test_masks.shape),
                              test_masks))
  iou, iou_stderr = mean_and_stderr(ious)
  out = {"reference_mask_iou": iou, "reference_mask_iou_stderr": iou_stderr,
         "reference_mask_step": mask_step, "fixed_mask_iou": float(floor.mean()),
         "num_test": len(ious)}
  if not num_classes or any("label" not in d for d in data.values()):
    return out

  classifier = PatchClassifier(num_classes, generator.features, generator.embed_dim)

  def label_loss(params, batch):
    logits = classifier.apply({"params": params}, batch["patches"])
    return optax.softmax_cross_entropy_with_integer_labels(logits, batch["label"]).mean()

  @jax.jit
  def correct(params, batch):
    logits = classifier.apply({"params": params}, batch["patches"])
    return (jnp.argmax(logits, -1) == batch["label"]).astype(jnp.float32)

  params = classifier.init(jax.random.fold_in(rng, 3), sample)["params"]
  params, label_step = _fit(label_loss, correct, params, data["train"], data["validation"],
                            steps, eval_every, jax.random.fold_in(rng, 4), batch_size,
                            learning_rate)
  accuracy, accuracy_stderr = mean_and_stderr(np.asarray(correct(params, data["test"])))
  train_labels, test_labels = np.asarray(splits["train"][1]), np.asarray(splits["test"][1])
  majority = np.argmax(np.bincount(train_labels, minlength=num_classes))
  out.update({"reference_label_accuracy": accuracy,
              "reference_label_accuracy_stderr": accuracy_stderr,
              "reference_label_step": label_step,
              "majority_class_accuracy": float(np.mean(test_labels == majority))})
  return out
