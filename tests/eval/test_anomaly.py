"""Anomaly scores and detection metrics on constructed cases with known answers."""

import io

import numpy as np
import pytest
from PIL import Image

from gen_jax.eval import anomaly


def test_a_perfect_score_gives_auroc_one_and_a_reversed_one_zero():
  inl, out = np.arange(50.0), np.arange(50.0) + 100
  perfect = anomaly.detection_metrics(inl, out)
  assert perfect == {"auroc": 1.0, "auprc": 1.0, "fpr_at_95_tpr": 0.0}
  reversed_ = anomaly.detection_metrics(out, inl)
  assert reversed_["auroc"] == 0.0 and reversed_["fpr_at_95_tpr"] == 1.0
  tied = anomaly.detection_metrics(np.zeros(7), np.zeros(5))
  assert tied["auroc"] == 0.5 and tied["fpr_at_95_tpr"] == 1.0


def test_fpr_at_95_tpr_matches_the_hand_computed_value():
  out = np.arange(1.0, 21.0)                 # 20 outliers: 95% is 19, so flag >= 2
  assert anomaly.fpr_at_tpr(np.array([0.0, 1.5, 2.5, 3.5]), out) == 0.5
  assert anomaly.fpr_at_tpr(np.array([0.0, 0.5, 1.9, 1.99]), out) == 0.0
  assert anomaly.fpr_at_tpr(np.array([2.0, 2.0, 0.0, 0.0, 0.0]), out) == 0.4   # ties flagged
  # At 90% TPR the threshold moves up to 3: only 3.5 of the four is flagged.
  assert anomaly.fpr_at_tpr(np.array([0.0, 1.5, 2.5, 3.5]), out, tpr=0.9) == 0.25


def test_auprc_is_average_precision_with_outliers_positive():
  # Ranked by score: out 3, in 2.5, out 1, in 0.5 -> AP = 1/2 * 1 + 1/2 * 2/3.
  m = anomaly.detection_metrics(np.array([0.5, 2.5]), np.array([1.0, 3.0]))
  assert m["auprc"] == pytest.approx(0.5 + 1 / 3)
  assert m["auroc"] == pytest.approx(0.75)


def test_png_length_is_a_real_png_and_a_constant_image_is_shorter_than_noise():
  rng = np.random.default_rng(0)
  for shape in ((8, 8, 1), (28, 28, 1)):
    const = np.full((1,) + shape, 128, np.uint8)
    noise = rng.integers(0, 256, (1,) + shape).astype(np.uint8)
    assert anomaly.png_bits(const)[0] < anomaly.png_bits(noise)[0]
  # The length is that of a file Pillow decodes back to the same pixels.
  image = rng.integers(0, 256, (1, 28, 28, 1)).astype(np.uint8)
  buf = io.BytesIO()
  Image.fromarray(image[0, ..., 0]).save(buf, format="PNG", optimize=True)
  assert anomaly.png_bits(image)[0] == 8 * len(buf.getvalue())
  np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(buf.getvalue()))),
                                image[0, ..., 0])
  # Binary data is stored at bit depth 1, shorter than the same image at 8 bits.
  bits = rng.integers(0, 2, (1, 28, 28, 1)).astype(np.float32)
  assert anomaly.compressed_bits(bits, 2)[0] < anomaly.png_bits(anomaly.to_uint8(bits, 2))[0]
  with pytest.raises(ValueError):
    anomaly.png_bits(np.zeros((1, 8, 8, 1), np.float32))


def decoded(codec_save, image):
  buf = io.BytesIO()
  codec_save(image, buf)
  return 8 * len(buf.getvalue()), np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))


def test_webp_and_group4_lengths_are_files_that_decode_to_the_same_pixels():
  rng = np.random.default_rng(1)
  grey = rng.integers(0, 256, (1, 28, 28, 1)).astype(np.uint8)
  length, back = decoded(lambda im, f: Image.fromarray(im).save(
      f, format="WEBP", lossless=True, quality=100, method=6), grey[0, ..., 0])
  assert anomaly.webp_bits(grey)[0] == length
  np.testing.assert_array_equal(back, grey[0, ..., 0])
  strokes = np.zeros((1, 28, 28, 1), np.uint8)
  strokes[0, 5:23, 12:15] = 255                             # a vertical bar
  length, back = decoded(lambda im, f: Image.fromarray(im).convert("1").save(
      f, format="TIFF", compression="group4"), strokes[0, ..., 0])
  assert anomaly.g4_bits(strokes)[0] == length
  np.testing.assert_array_equal(back, strokes[0, ..., 0])
  noise = (rng.integers(0, 2, (1, 28, 28, 1)) * 255).astype(np.uint8)
  assert anomaly.g4_bits(strokes)[0] < anomaly.g4_bits(noise)[0]
  with pytest.raises(ValueError, match="bilevel"):
    anomaly.g4_bits(grey)


def test_the_best_code_is_the_shortest_net_of_blank_plus_the_codec_name():
  lengths = {"png": np.array([900.0, 700.0]), "g4": np.array([1000.0, 1200.0])}
  blank = {"png": 600.0, "g4": 800.0}
  # net png (300, 100), net g4 (200, 400); + log2(2) = 1 bit.
  np.testing.assert_allclose(anomaly.best_bits(lengths, blank), [201.0, 101.0])
  assert anomaly.codecs_for(2, 1) == ("png", "webp", "g4")
  assert anomaly.codecs_for(256, 3) == ("png", "webp")
  binary = (np.random.default_rng(2).random((3, 8, 8, 1)) > 0.5).astype(np.float32)
  got = anomaly.codec_lengths(binary, 2)
  blank_png = anomaly.compressed_bits(np.zeros((1, 8, 8, 1), np.float32), 2)[0]
  assert set(got) == {"png", "webp", "g4", "best"}
  assert np.all(got["best"] <= got["png"] - blank_png + np.log2(3))


def test_levels_map_to_8_bits_and_back_without_loss():
  levels = np.arange(17).reshape(1, 17, 1, 1)
  grey = anomaly.to_uint8(levels, 17)
  assert grey[0, 0, 0, 0] == 0 and grey[0, -1, 0, 0] == 255 and grey[0, 8, 0, 0] == 128   # 8 * 255 / 16 = 127.5
  assert len(np.unique(grey)) == 17
  assert anomaly.to_uint8(np.array([0.0, 0.5, 1.0]), None).tolist() == [0, 128, 255]


def test_complexity_ratio_and_bits_per_dim_arithmetic():
  nll = np.array([100.0, 10.0]) * anomaly.LN2            # 100 and 10 bits
  np.testing.assert_allclose(anomaly.complexity_score(nll, np.array([30.0, 30.0])), [70.0, -20.0])
  np.testing.assert_allclose(anomaly.bits_per_dim(nll, 10), [10.0, 1.0])
  np.testing.assert_allclose(anomaly.likelihood_ratio(np.array([5.0, 2.0]), np.array([1.0, 4.0])),
                             [4.0, -2.0])


def test_typicality_flags_batches_too_likely_as_well_as_too_unlikely():
  batches = anomaly.typicality_batches(23, 5, seed=3)
  assert batches.shape == (4, 5) and len(np.unique(batches)) == 20      # disjoint
  np.testing.assert_array_equal(batches, anomaly.typicality_batches(23, 5, seed=3))
  nll = np.array([1.0, 1.0, 3.0, 3.0, 2.0, 2.0])
  score = anomaly.typicality_score(nll, 2.0, np.array([[0, 1], [2, 3], [4, 5], [0, 2]]))
  np.testing.assert_allclose(score, [1.0, 1.0, 0.0, 0.0])
  # A typical in-distribution set against a too-likely one: raw NLL ranks the
  # outliers as MORE normal (AUROC 0), the two-sided typicality test catches them.
  rng = np.random.default_rng(0)
  inl, too_likely = 20 + rng.standard_normal(400), 10 + rng.standard_normal(400)
  assert anomaly.detection_metrics(inl, too_likely)["auroc"] == 0.0
  b = anomaly.typicality_batches(400, 10)
  typ = anomaly.detection_metrics(anomaly.typicality_score(inl, 20.0, b),
                                  anomaly.typicality_score(too_likely, 20.0, b))
  assert typ["auroc"] == 1.0


def test_score_table_has_every_score_and_outlier_set():
  scores = {"nll": {"test": np.zeros(3), "a": np.ones(3), "b": -np.ones(3)},
            "complexity": {"test": np.zeros(3), "a": np.ones(3)}}
  table = anomaly.score_table(scores)
  assert set(table) == {"nll", "complexity"} and set(table["nll"]) == {"a", "b"}
  assert table["nll"]["a"]["auroc"] == 1.0 and table["nll"]["b"]["auroc"] == 0.0
  assert set(table["complexity"]["a"]) == set(anomaly.METRICS)
