"""An in-repo classifier for sample quality: Frechet distance and score.

The classifier is trained here on the dataset's labeled train split (a small
MLP for 8x8 digits, LeNet-5 for 28x28 and larger). Its penultimate layer is
the feature space of the Frechet distance (Heusel et al. 2017's formula) and
its class posterior gives the classifier score exp(E_x KL(p(y|x) || p(y)))
(Salimans et al. 2016's formula). Numbers from these classifiers are NOT
comparable with Inception-based FID / IS; always report them with the name
of the classifier and with the real-data floor (test split vs train split).
"""

import dataclasses
import inspect
import os
import sys
import warnings
from typing import Any

import flax.linen as nn
import joblib
import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.special
from tqdm import tqdm

# The networks live in gen_jax.nn.classifier; metric code names them clf.*.
from gen_jax.nn.classifier import LeNet, MLPClassifier, classifier_for  # pylint: disable=unused-import


CACHE_ENV = "GEN_JAX_CACHE_DIR"
FIT_CHUNK = 250   # classifier steps per compiled scan (and per progress update)


@dataclasses.dataclass
class Classifier:
  name: str
  module: nn.Module
  params: Any

  def __post_init__(self):
    self._apply = jax.jit(lambda p, x: self.module.apply({"params": p}, x))

  def logits_and_features(self, images: np.ndarray, chunk: int = 1000):
    """images [N, H, W, C] in [0, 1] -> (logits [N, K], features [N, F])."""
    outs = [self._apply(self.params, jnp.asarray(images[i:i + chunk], jnp.float32))
            for i in range(0, len(images), chunk)]
    return (np.concatenate([np.asarray(o[0]) for o in outs]),
            np.concatenate([np.asarray(o[1]) for o in outs]))

  def predict(self, images: np.ndarray) -> np.ndarray:
    return self.logits_and_features(images)[0].argmax(-1)


def cache_dir() -> str | None:
  """Where trained classifiers are kept between processes (their training
  is the slow part of a first evaluation: 20 to 40 minutes for the four
  LeNet-5s of a 28x28 StarGAN on 2 CPU cores): $GEN_JAX_CACHE_DIR, or
  ~/.cache/gen_jax; GEN_JAX_CACHE_DIR="" turns the cache off."""
  path = os.environ.get(CACHE_ENV)
  if path is None:
    path = os.path.join(os.path.expanduser("~"), ".cache", "gen_jax")
  if not path:
    return None
  try:
    os.makedirs(path, exist_ok=True)
  except OSError as e:
    warnings.warn(f"cannot write the classifier cache at {path} ({e}); training without "
                  f"it. Set {CACHE_ENV} to a writable folder, or to \"\" to turn it off.")
    return None
  return path


def train_classifier(images: np.ndarray, labels: np.ndarray, num_classes: int,
                     seed: int = 0, steps: int = 2000, batch_size: int = 128,
                     learning_rate: float = 1e-3,
                     named_module: tuple[str, nn.Module] | None = None,
                     task: str = "label") -> Classifier:
  """Trains the size-appropriate classifier (or `named_module`, a (name,
  module) pair) with Adam, seeded. The parameters are memoized on disk
  (`cache_dir`) by a hash of the images, labels, settings, module and this
  code, so a resumed run or a comparison reuses them; an unreadable cache
  entry is retrained. A classifier that is not cached says so on stderr
  and shows a progress bar on a terminal while it trains.

  Args:
    images: [N, H, W, C] float in [0, 1].
    labels: [N] int in [0, num_classes).
    task: what the labels are, for the log line ("digit", "domain", ...).
  """
  name, module = named_module or classifier_for(images.shape[1:], num_classes)
  location = cache_dir()
  fit = joblib.Memory(location and os.path.join(location, "classifiers"),
                      verbose=0).cache(fit_params, ignore=["module", "progress"])
  args = (np.asarray(images, np.float32), np.asarray(labels, np.int32), seed, steps,
          batch_size, learning_rate, module, module_identity(module))
  cached = location is not None and fit.check_call_in_cache(*args)
  progress = not cached and jax.process_index() == 0
  if progress:
    where = f"; cached in {location}" if location else ""
    tqdm.write(f"training metric classifier {name} of the {task} ({num_classes} classes) "
               f"on {len(images)} images, {steps} steps{where}", file=sys.stderr)
  params = fit(*args, progress=progress)
  return Classifier(name, module, jax.tree.map(jnp.asarray, params))


def module_identity(module: nn.Module) -> str:
  """What makes a classifier module itself, for the cache key: its fields,
  its class's source and the JAX version that trains it."""
  return f"{module!r}\n{inspect.getsource(type(module))}\njax {jax.__version__}"


def fit_params(images: np.ndarray, labels: np.ndarray, seed: int, steps: int,
               batch_size: int, learning_rate: float, module: nn.Module,
               identity: str, progress: bool = False) -> Any:
  """The trained parameters (numpy) of `module` on images [N, H, W, C] in
  [0, 1] and labels [N]; `identity` only keys the cache. The steps run as
  scans of `FIT_CHUNK` steps (a bar over them when `progress`)."""
  del identity
  x = jnp.asarray(images, jnp.float32)
  y = jnp.asarray(labels, jnp.int32)
  key = jax.random.PRNGKey(seed)
  params = module.init(key, x[:1])["params"]
  tx = optax.adam(learning_rate)

  def step(carry, i):
    params, opt_state = carry
    idx = jax.random.randint(jax.random.fold_in(key, i), (batch_size,), 0, x.shape[0])

    def loss_fn(p):
      logits, _ = module.apply({"params": p}, x[idx])
      return optax.softmax_cross_entropy_with_integer_labels(logits, y[idx]).mean()

    loss, grads = jax.value_and_grad(loss_fn)(params)
    updates, opt_state = tx.update(grads, opt_state, params)
    return (optax.apply_updates(params, updates), opt_state), loss

  run = jax.jit(lambda carry, indices: jax.lax.scan(step, carry, indices)[0])
  carry = (params, tx.init(params))
  with tqdm(total=steps, desc="metric classifier", leave=False, dynamic_ncols=True,
            disable=None if progress else True) as bar:
    for start in range(0, steps, FIT_CHUNK):
      end = min(steps, start + FIT_CHUNK)
      carry = run(carry, jnp.arange(start, end))
      bar.update(end - start)
  return jax.device_get(carry[0])


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  f = np.asarray(features, np.float64)
  return f.mean(0), np.cov(f, rowvar=False)


def _psd_sqrt(cov: np.ndarray) -> np.ndarray:
  w, v = np.linalg.eigh(cov)
  return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
  """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)) between two Gaussians.

  Tr (S1 S2)^(1/2) = Tr (S1^(1/2) S2 S1^(1/2))^(1/2), computed from symmetric
  eigendecompositions: exact for singular covariances too.
  """
  root1 = _psd_sqrt(cov1)
  eig = np.linalg.eigvalsh(root1 @ cov2 @ root1)
  diff = mu1 - mu2
  return float(diff @ diff + np.trace(cov1) + np.trace(cov2)
               - 2.0 * np.sqrt(np.clip(eig, 0.0, None)).sum())


def classifier_score(logits: np.ndarray) -> float:
  """exp(E_x KL(p(y|x) || p(y))) from logits [N, K]; in [1, K]."""
  log_p = scipy.special.log_softmax(np.asarray(logits, np.float64), -1)
  p = np.exp(log_p)
  log_marginal = np.log(p.mean(0) + 1e-12)
  return float(np.exp(np.mean(np.sum(p * (log_p - log_marginal), -1))))


def quality_metrics(classifier: Classifier, images: np.ndarray,
                    reference_stats) -> dict[str, float]:
  """Frechet distance to the reference features and classifier score."""
  logits, feats = classifier.logits_and_features(images)
  mu, cov = gaussian_stats(feats)
  return {"frechet": frechet_distance(mu, cov, *reference_stats),
          "score": classifier_score(logits)}
