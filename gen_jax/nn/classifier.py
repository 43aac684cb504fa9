"""Small image classifiers: an MLP and LeNet-5, x [B, H, W, C] in [0, 1] ->
(logits [B, K], penultimate features [B, F]).

The metric classifiers of `gen_jax.eval.classifier` and CycleGAN's
class-consistency term use them.
"""

import flax.linen as nn


class MLPClassifier(nn.Module):
  """x [B, H, W, C] in [0, 1] -> (logits [B, K], features [B, F])."""
  num_classes: int
  hidden: tuple[int, ...] = (256, 128)

  @nn.compact
  def __call__(self, x):
    h = x.reshape(x.shape[0], -1) * 2.0 - 1.0
    for width in self.hidden:
      h = nn.relu(nn.Dense(width)(h))
    return nn.Dense(self.num_classes)(h), h


class LeNet(nn.Module):
  """LeNet-5 (LeCun et al. 1998) with ReLU and max pooling; features: 84-d."""
  num_classes: int

  @nn.compact
  def __call__(self, x):
    h = x * 2.0 - 1.0                                     # [B, H, W, C]
    h = nn.max_pool(nn.relu(nn.Conv(6, (5, 5), padding="SAME")(h)), (2, 2), (2, 2))
    h = nn.max_pool(nn.relu(nn.Conv(16, (5, 5), padding="VALID")(h)), (2, 2), (2, 2))
    h = h.reshape(h.shape[0], -1)
    h = nn.relu(nn.Dense(120)(h))
    h = nn.relu(nn.Dense(84)(h))
    return nn.Dense(self.num_classes)(h), h


def classifier_for(image_shape, num_classes: int) -> tuple[str, nn.Module]:
  """(name, module): LeNet for images of 28x28 or more, else an MLP."""
  if image_shape[0] >= 28:
    return "lenet5", LeNet(num_classes)
  return "mlp256-128", MLPClassifier(num_classes)
