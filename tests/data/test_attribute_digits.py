"""Attribute digits: the rendering's exact pixels, the caption grammar and its
vocabulary, held-out compositions, determinism; the caption folder source."""

import itertools

import ml_collections
import numpy as np
import pytest
from scipy import ndimage

from gen_jax.data import attribute_digits as ad
from gen_jax.data import captions as cap
from gen_jax.data.sources import open_dataset
from gen_jax.errors import UserError
from tests.helpers import write_caption_folder

DIGIT = np.zeros((6, 6), np.float32)
DIGIT[2, 1:5] = 1.0          # a full-coverage bar
DIGIT[4, 2] = 0.5            # a half-covered pixel


@pytest.mark.parametrize("colour,inverted", itertools.product(range(len(ad.PALETTE)), (0, 1)))
def test_render_paints_the_colour_on_the_stroke_and_the_background_elsewhere(colour, inverted):
  image = ad.render(DIGIT, colour, 0, inverted)
  background = np.full(3, float(inverted), np.float32)
  np.testing.assert_array_equal(image[2, 1:5], np.broadcast_to(ad.PALETTE[colour], (4, 3)))
  np.testing.assert_array_equal(image[0], np.broadcast_to(background, (6, 3)))
  np.testing.assert_allclose(image[4, 2], (background + ad.PALETTE[colour]) / 2, atol=1e-7)
  assert image.dtype == np.float32 and image.shape == (6, 6, 3)


def test_a_thick_stroke_is_the_thin_one_dilated_by_a_3x3_square():
  dot = np.zeros((5, 5), np.float32)
  dot[2, 2] = 1.0
  thick = ad.render(dot, 0, 1, 0)
  expected = np.zeros((5, 5), bool)
  expected[1:4, 1:4] = True
  np.testing.assert_array_equal(thick[..., 0] == 1.0, expected)
  np.testing.assert_array_equal(thick[..., 1:], 0.0)
  np.testing.assert_array_equal(ad.stroke(DIGIT, 1),
                                ndimage.grey_dilation(DIGIT, footprint=np.ones((3, 3))))
  assert (ad.stroke(DIGIT, 1) >= DIGIT).all()


def _every_caption():
  """(caption, attributes) for every template and every choice of synonyms."""
  for template, d in itertools.product(cap.TEMPLATES, range(10)):
    for (c, cs), (t, ts), (b, bs) in itertools.product(
        enumerate(cap.COLOUR_WORDS), enumerate(cap.THICK_WORDS),
        enumerate(cap.BACKGROUND_WORDS)):
      for cw, tw, bw in itertools.product(cs, ts, bs):
        yield (template.format(d=cap.DIGIT_WORDS[d], c=cw, t=tw, b=bw),
               {"digit": d, "colour": c, "thickness": t, "background": b})


def test_the_vocabulary_is_exactly_the_words_the_grammar_produces_and_each_parses_back():
  used = set()
  for text, attrs in _every_caption():
    used.update(cap.words_of(text))
    assert cap.parse(text) == attrs, text
    ids = cap.tokenize(text, cap.grammar_vocabulary(), ad.CAPTION_LENGTH)
    assert cap.parse(cap.detokenize(ids, cap.grammar_vocabulary())) == attrs
  assert used == set(cap.grammar_vocabulary())


def test_drawn_captions_vary_and_parse_back():
  rng = np.random.default_rng(0)
  texts = {cap.caption(7, 2, 1, 0, rng) for _ in range(40)}
  assert len(texts) > 10
  assert all(cap.parse(t) == {"digit": 7, "colour": 2, "thickness": 1, "background": 0}
             for t in texts)


def test_unknown_words_are_named_in_the_error():
  with pytest.raises(UserError, match=r"outside the model's vocabulary: 'purple', 'zebra'\."):
    cap.tokenize("a purple zebra seven", cap.grammar_vocabulary(), 12)


@pytest.fixture(scope="module")
def dataset():
  return open_dataset(ml_collections.ConfigDict(
      {"name": "attribute_digits", "encoding": "float", "image_size": 8}))


def test_held_out_compositions_never_appear_in_train(dataset):
  train = dataset.split("train").arrays
  assert not ad.is_held_out(train["digit"], train["colour"]).any()
  assert not train["held_out"].any()
  held = dataset.split("held_out").arrays
  pairs = set(zip(held["digit"].tolist(), held["colour"].tolist()))
  assert pairs == set(ad.HELD_OUT)
  test = dataset.split("test").arrays
  np.testing.assert_array_equal(test["held_out"],
                                ad.is_held_out(test["digit"], test["colour"]))
  assert len(dataset.split("seen")) + len(held["x"]) == len(test["x"])


def test_evaluator_rows_are_half_the_test_digits_with_every_composition(dataset):
  test = dataset.split("test").arrays
  flags = test["evaluator"].reshape(ad.TEST_DRAWS, -1)     # row r draws image r % N
  assert (flags == flags[0]).all() and flags[0].mean() == 0.5
  evaluator = test["evaluator"] == 1
  assert test["held_out"][evaluator].any() and test["held_out"][~evaluator].any()
  assert not dataset.split("train").arrays["evaluator"].any()


def test_every_stored_caption_names_its_rows_attributes(dataset):
  rows = dataset.split("test").arrays
  vocabulary = dataset.spec.feature("captions").vocabulary
  for i in range(0, len(rows["x"]), 97):
    for ids in rows["captions"][i]:
      assert cap.parse(cap.detokenize(ids, vocabulary)) == {
          a: int(rows[a][i]) for a in ad.ATTRIBUTES}


def test_stored_pixels_are_the_rendering_of_the_known_attributes():
  grey = np.random.default_rng(0).integers(0, 256, (5, 6, 6, 1)).astype(np.uint8)
  labels = np.arange(5, dtype=np.int32)
  a = ad.attribute_split(grey, labels, 2, 3, False, "float")
  b = ad.attribute_split(grey, labels, 2, 3, False, "float")
  for k in a:
    np.testing.assert_array_equal(a[k], b[k])       # fixed seed: the same split
  for i in range(10):
    expected = ad.render(grey[i % 5, ..., 0] / 255.0, a["colour"][i], a["thickness"][i],
                         a["background"][i])
    np.testing.assert_array_equal(a["x"][i], np.round(expected * 255) / np.float32(255))


def test_a_domain_draws_every_digit_once_with_its_attributes_and_exact_truth():
  config = ml_collections.ConfigDict({
      "name": "attribute_digits", "encoding": "float", "image_size": 8, "digit_images": True,
      "domain": "colour=blue, thickness=thick, background=white"})
  dataset = open_dataset(config)
  for split, digits in (("train", 4000), ("test", 1000)):
    rows = dataset.split(split).arrays
    assert len(rows["x"]) == digits                        # one row per digit
    assert (rows["colour"] == 2).all() and (rows["thickness"] == 1).all()
    assert (rows["background"] == 1).all()
    np.testing.assert_array_equal(rows["x"], ad.translation_truth(rows, {}))
  free = open_dataset(ml_collections.ConfigDict(
      {"name": "attribute_digits", "encoding": "float", "image_size": 8,
       "digit_images": True})).split("test").arrays
  # The same test digits in the same order as the default split's first draw.
  np.testing.assert_array_equal(dataset.split("test").arrays["digit_image"],
                                free["digit_image"][:1000])


def test_a_partial_domain_fixes_the_named_attributes_and_draws_the_others():
  config = ml_collections.ConfigDict({
      "name": "attribute_digits", "encoding": "float", "image_size": 8, "digit_images": True,
      "domain": "colour=red,thickness=thin"})
  rows = open_dataset(config).split("train").arrays
  assert len(rows["x"]) == 4000                            # one row per digit
  assert (rows["colour"] == 0).all() and (rows["thickness"] == 0).all()
  share_white = rows["background"].mean()                  # uniform: 0.5 +- 0.008
  assert 0.45 < share_white < 0.55, share_white
  np.testing.assert_array_equal(rows["x"], ad.translation_truth(rows, {}))
  assert ad.parse_domain("background=white") == (None, None, 1)


@pytest.mark.parametrize("domain,message", [
    ("colour=purple,thickness=thin,background=black", "'colour=purple' is not one"),
    ("colour=red,colour=blue,thickness=thin,background=black", "each attribute once"),
    (" , ", "names no attribute"),
    (3, "must be a string"),
])
def test_a_bad_domain_is_one_message_naming_the_choices(domain, message):
  config = ml_collections.ConfigDict({"name": "attribute_digits", "encoding": "float",
                                      "image_size": 8, "domain": domain})
  with pytest.raises(UserError, match=message):
    open_dataset(config)


def test_the_spec_describes_the_side_features(dataset):
  spec = dataset.spec
  assert spec.event_shape == (8, 8, 3) and spec.num_classes is None
  assert {f.name: f.num_classes for f in spec.features if f.shape == ()} == {
      "digit": 10, "colour": 4, "thickness": 2, "background": 2, "held_out": 2,
      "evaluator": 2}
  captions = spec.feature("captions")
  assert captions.shape == (ad.NUM_CAPTIONS, ad.CAPTION_LENGTH)
  assert captions.num_classes == len(captions.vocabulary) + 1


# ------------------------------------------------------------ caption folder


def folder_config(folder, **extra):
  return ml_collections.ConfigDict({"name": "caption_folder", "encoding": "float",
                                    "image_size": 4, "data_dir": folder, **extra})


def test_a_caption_folder_reads_images_and_every_caption(tmp_path):
  dataset = open_dataset(folder_config(write_caption_folder(tmp_path)))
  feature = dataset.spec.feature("captions")
  assert feature.vocabulary == (",", "a", "all", "blue", "green", "red", "small", "square")
  assert feature.shape == (2, 5)               # two captions at most, five words at most
  rows = dataset.split("all").arrays
  assert rows["x"].shape == (3, 4, 4, 3) and dataset.spec.event_shape == (4, 4, 3)
  np.testing.assert_array_equal(rows["x"][0], np.broadcast_to([1.0, 0, 0], (4, 4, 3)))
  texts = [[cap.detokenize(c, feature.vocabulary) for c in row] for row in rows["captions"]]
  assert texts == [["a red square", "a square , all red"], ["a green square", ""],
                   ["a small blue square", ""]]
  assert len(dataset.split("train")) + len(dataset.split("test")) == 3


@pytest.mark.parametrize("problem,message", [
    ("no_file", "has no captions.jsonl"),
    ("bad_line", "line 2: expected"),
    ("missing_image", "names 'gone.png', which cannot be read"),
    ("no_dir", "reads the folder given by --config.data.data_dir"),
])
def test_caption_folder_mistakes_are_clear_errors(tmp_path, problem, message):
  folder = write_caption_folder(tmp_path)
  path = f"{folder}/captions.jsonl"
  if problem == "no_file":
    import os  # pylint: disable=import-outside-toplevel
    os.remove(path)
  elif problem == "bad_line":
    with open(path, "a", encoding="utf-8") as f:
      f.write("not json\n")
    lines = open(path, encoding="utf-8").read().splitlines()
    open(path, "w", encoding="utf-8").write("\n".join([lines[0], lines[-1]]) + "\n")
  elif problem == "missing_image":
    with open(path, "a", encoding="utf-8") as f:
      f.write('{"image": "gone.png", "caption": "a ghost"}\n')
  with pytest.raises(UserError, match=message):
    open_dataset(folder_config(None if problem == "no_dir" else folder))
