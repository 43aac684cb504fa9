"""Anomaly scores from an explicit density model, and detection metrics.

Everything here is numpy on per-example negative log-likelihoods (nats) that
the caller computed. Every score is oriented the same way: higher means more
anomalous, and outliers are the positive class of every metric.

  nll               -log p(x) in nats.
  bits_per_dim      -log2 p(x) / D. For one data set every image has the same
                    D, so it ranks exactly like `nll` (same AUROC); it is kept
                    for comparing across image sizes.
  likelihood_ratio  -log p(x) + log p_bg(x), where p_bg is a background model:
                    the same model trained on inputs whose pixels were each
                    replaced by a uniform random level with probability mu
                    (`model.perturb_rate`), so that it learns the population's
                    low-level statistics but not its semantics (Ren et al.
                    2019, "Likelihood ratios for out-of-distribution
                    detection"; their score is the negative of this one).
  complexity        -log2 p(x) - L(x), with L(x) the length in bits of x
                    compressed by a real lossless codec, here PNG (Pillow at
                    its strongest setting, `optimize=True`), of the image as the
                    model sees it: 1-bit grey for binary data, else its levels
                    mapped to 8-bit grey (Serra et al. 2020, "Input complexity
                    and out-of-distribution detection with likelihood-based
                    generative models", who use PNG, JPEG2000 and FLIF; their
                    S(x)). L(x) is the whole PNG file: the container's
                    overhead (signature, IHDR, IDAT framing, IEND, zlib header
                    and checksum) is NOT subtracted. It is the same for every
                    image of one size, so it shifts S(x) by a constant and
                    changes no ranking or metric.
  complexity_<codec> the same with another real lossless codec (`CODECS`):
                    `webp` (WebP lossless, libwebp at its slowest, strongest
                    method) and, for binary data, `g4` (CCITT Group 4, ITU-T
                    T.6, the fax standard for bilevel images, in a TIFF file:
                    it codes each row against the row above, where PNG's
                    deflate sees bytes of 8 packed pixels); `best`: the
                    shortest of the codecs for each image, each length taken
                    beyond that codec's length for a blank image of the size
                    (its container and the least it spends), plus log2 K bits
                    naming which of the K codecs won, itself a lossless code.
  typicality        on batches of M inputs: |mean_m -log p(x_m) - H|, with H
                    the model's entropy estimated as the mean NLL of held-out
                    in-distribution data (Nalisnick et al. 2019, "Detecting
                    out-of-distribution inputs to deep generative models using
                    a test for typicality"). Two-sided: a batch that is too
                    LIKELY (constant images) is flagged as well. Its metrics
                    compare in-distribution test batches with outlier batches,
                    not single inputs. M=1 is the same test on single inputs,
                    |-log p(x) - H|, the weakest form of it but the only one
                    that flags a set that mixes too-likely and too-unlikely
                    inputs (constant black and white images): its batch means
                    can land near H.

Metrics (scikit-learn): AUROC, AUPRC (average precision, outliers positive),
and the false-positive rate at 95% true-positive rate: the share of
in-distribution inputs flagged when the threshold is the highest one that
flags at least 95% of the outliers.
"""

import io

import numpy as np
from sklearn import metrics as skm

LN2 = float(np.log(2.0))
METRICS = ("auroc", "auprc", "fpr_at_95_tpr")


# ------------------------------------------------------------------ scores


def bits_per_dim(nll_nats: np.ndarray, num_dims: int) -> np.ndarray:
  return np.asarray(nll_nats, np.float64) / (LN2 * num_dims)


def likelihood_ratio(nll_nats: np.ndarray, background_nll_nats: np.ndarray) -> np.ndarray:
  """-log p(x) + log p_bg(x): high where the model, net of the background
  statistics, finds x improbable."""
  return np.asarray(nll_nats, np.float64) - np.asarray(background_nll_nats, np.float64)


def to_uint8(x: np.ndarray, num_levels: int | None) -> np.ndarray:
  """Model-facing images [N, H, W, C] -> 8-bit grey levels (a bijection for
  discrete data: level k of K becomes round(255 k / (K - 1)))."""
  x = np.asarray(x)
  if num_levels is None:                                   # float, in [0, 1]
    return np.round(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)
  return np.round(x.astype(np.float64) * (255.0 / (num_levels - 1))).astype(np.uint8)


def file_bits(images: np.ndarray, save) -> np.ndarray:
  """[N] length in bits of the file `save(image [H, W, C], buffer)` writes
  for each image."""
  out = np.empty(len(images), np.float64)
  for i, im in enumerate(images):
    buf = io.BytesIO()
    save(im, buf)
    out[i] = 8.0 * buf.getbuffer().nbytes
  return out


def check_uint8(images, name: str, channels) -> np.ndarray:
  images = np.asarray(images)
  if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] not in channels:
    raise ValueError(f"{name} needs uint8 images [N, H, W, "
                     f"{'|'.join(map(str, channels))}], got {images.dtype} {images.shape}")
  return images


def pil_image(im: np.ndarray):
  """[H, W, C] uint8 -> a Pillow image (grey for one channel)."""
  from PIL import Image  # pylint: disable=import-outside-toplevel
  return Image.fromarray(im[..., 0] if im.shape[-1] == 1 else im)


def bilevel(im: np.ndarray):
  """[H, W, 1] of 0 / 255 -> a 1-bit Pillow image."""
  from PIL import Image  # pylint: disable=import-outside-toplevel
  return pil_image(im).convert("1", dither=Image.Dither.NONE)


def png_bits(images: np.ndarray, one_bit: bool = False) -> np.ndarray:
  """[N] length in bits of each uint8 image [N, H, W, C] (C = 1, 3 or 4) as a
  PNG file written by Pillow with `optimize=True` (zlib level 9, best filter);
  `one_bit`: grey images of 0 / 255 only, stored at bit depth 1."""
  images = check_uint8(images, "png_bits", (1, 3, 4))
  if one_bit and (images.shape[-1] != 1 or not np.all((images == 0) | (images == 255))):
    raise ValueError("one_bit needs single-channel images of 0 and 255 only")
  image = bilevel if one_bit else pil_image
  return file_bits(images, lambda im, f: image(im).save(f, format="PNG", optimize=True))


def webp_bits(images: np.ndarray) -> np.ndarray:
  """[N] length in bits of each uint8 image [N, H, W, 1|3] as a lossless WebP
  file (Pillow / libwebp, quality 100 and method 6: its strongest effort)."""
  images = check_uint8(images, "webp_bits", (1, 3))
  return file_bits(images, lambda im, f: pil_image(im).save(
      f, format="WEBP", lossless=True, quality=100, method=6))


def g4_bits(images: np.ndarray) -> np.ndarray:
  """[N] length in bits of each bilevel image [N, H, W, 1] (0 / 255 only) as
  a TIFF file with CCITT Group 4 compression (Pillow with libtiff)."""
  images = check_uint8(images, "g4_bits", (1,))
  if not np.all((images == 0) | (images == 255)):
    raise ValueError("g4_bits codes bilevel images: values 0 and 255 only")
  return file_bits(images, lambda im, f: bilevel(im).save(
      f, format="TIFF", compression="group4"))


def codecs_for(num_levels: int | None, channels: int) -> tuple[str, ...]:
  """The codecs that apply to the data: PNG always, WebP for grey or RGB,
  Group 4 for binary grey images."""
  out = ["png"]
  if channels in (1, 3):
    out.append("webp")
  if num_levels == 2 and channels == 1:
    out.append("g4")
  return tuple(out)


def compressed_bits(x: np.ndarray, num_levels: int | None, codec: str = "png") -> np.ndarray:
  """[N] L(x): the length in bits of model-facing images [N, H, W, C] coded
  by `codec` ("png": at the smallest PNG bit depth that holds the data's
  levels, 1 bit for binary data, else 8 bits; levels mapped by `to_uint8`)."""
  u8 = to_uint8(x, num_levels)
  if codec == "png":
    return png_bits(u8, one_bit=num_levels == 2)
  if codec == "webp":
    return webp_bits(u8)
  if codec == "g4":
    return g4_bits(u8)
  raise ValueError(f"unknown codec {codec!r}; choose from png, webp, g4")


def best_bits(lengths: dict[str, np.ndarray], blank: dict[str, float]) -> np.ndarray:
  """[N] the shortest code over the codecs: min_c (L_c(x) - L_c(blank)) plus
  log2(K) bits naming the codec (`lengths`: {codec: [N]}, `blank`: {codec:
  the length of a blank image})."""
  net = np.stack([np.asarray(lengths[c], np.float64) - blank[c] for c in lengths])
  return net.min(axis=0) + np.log2(len(lengths))


def codec_lengths(x: np.ndarray, num_levels: int | None) -> dict[str, np.ndarray]:
  """{codec: [N] bits} for every codec that applies, and "best" (`best_bits`,
  the blank image being all level 0)."""
  codecs = codecs_for(num_levels, x.shape[-1])
  lengths = {c: compressed_bits(x, num_levels, c) for c in codecs}
  blank = {c: float(compressed_bits(np.zeros((1,) + x.shape[1:], x.dtype), num_levels, c)[0])
           for c in codecs}
  return {**lengths, "best": best_bits(lengths, blank)}


def complexity_score(nll_nats: np.ndarray, compressed_bits: np.ndarray) -> np.ndarray:
  """Serra et al.'s S(x) = -log2 p(x) - L(x), in bits."""
  return np.asarray(nll_nats, np.float64) / LN2 - np.asarray(compressed_bits, np.float64)


def typicality_batches(num: int, batch_size: int, seed: int = 0) -> np.ndarray:
  """[num // batch_size, batch_size] indices: disjoint batches of a seeded
  permutation of range(num) (the remainder is dropped)."""
  if batch_size < 1:
    raise ValueError(f"batch_size must be positive, got {batch_size}")
  count = num // batch_size
  order = np.random.default_rng(seed).permutation(num)
  return order[:count * batch_size].reshape(count, batch_size)


def typicality_score(nll_nats: np.ndarray, entropy_nats: float,
                     batches: np.ndarray) -> np.ndarray:
  """[num batches] |mean NLL of the batch - entropy estimate| (nats)."""
  nll = np.asarray(nll_nats, np.float64)
  return np.abs(nll[batches].mean(axis=1) - float(entropy_nats))


# ----------------------------------------------------------------- metrics


def _labels_and_scores(in_scores, out_scores):
  in_scores = np.asarray(in_scores, np.float64)
  out_scores = np.asarray(out_scores, np.float64)
  if not len(in_scores) or not len(out_scores):
    raise ValueError("detection metrics need in-distribution and outlier scores")
  y = np.concatenate([np.zeros(len(in_scores)), np.ones(len(out_scores))])
  return y, np.concatenate([in_scores, out_scores])


def fpr_at_tpr(in_scores: np.ndarray, out_scores: np.ndarray, tpr: float = 0.95) -> float:
  """Share of in-distribution scores at or above the highest threshold that
  puts at least `tpr` of the outlier scores at or above it."""
  y, s = _labels_and_scores(in_scores, out_scores)
  fpr, tprs, _ = skm.roc_curve(y, s, drop_intermediate=False)
  return float(fpr[np.searchsorted(tprs, tpr - 1e-12, side="left")])


def detection_metrics(in_scores: np.ndarray, out_scores: np.ndarray) -> dict[str, float]:
  """AUROC, AUPRC and FPR at 95% TPR; outliers positive, high score = outlier."""
  y, s = _labels_and_scores(in_scores, out_scores)
  return {"auroc": float(skm.roc_auc_score(y, s)),
          "auprc": float(skm.average_precision_score(y, s)),
          "fpr_at_95_tpr": fpr_at_tpr(in_scores, out_scores, 0.95)}


def roc_points(in_scores: np.ndarray, out_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """(false-positive rates, true-positive rates) of the ROC curve."""
  y, s = _labels_and_scores(in_scores, out_scores)
  fpr, tpr, _ = skm.roc_curve(y, s)
  return fpr, tpr


def score_table(scores: dict[str, dict[str, np.ndarray]], inlier: str = "test"
                ) -> dict[str, dict[str, dict[str, float]]]:
  """{score: {set: metrics}} from {score: {"test": [N], set: [M], ...}}."""
  return {name: {k: detection_metrics(by_set[inlier], v)
                 for k, v in by_set.items() if k != inlier}
          for name, by_set in scores.items()}
