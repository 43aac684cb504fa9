"""Captions as word ids: a small grammar for attribute digits, tokenising.

Word id 0 pads a caption to its fixed length; ids 1..V name the words of a
vocabulary (a sorted tuple of lower-case words, kept in the spec's caption
feature, so `experiments.sample --caption=...` can tokenise a sentence).

The grammar describes a digit with four attributes (digit, colour, stroke,
background) in varied word order and synonyms; every caption names all four,
and `parse` reads them back.
"""

import re

import numpy as np

from gen_jax.errors import UserError

PAD = 0

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven",
               "eight", "nine")
# Each attribute value with its synonyms (the first is the plain name).
COLOUR_WORDS = (("red", "scarlet"), ("green", "emerald"), ("blue", "azure"),
                ("yellow", "golden"))
THICK_WORDS = (("thin", "fine", "narrow"), ("thick", "bold", "heavy"))
# Background: plain (dark) or inverted (light).
BACKGROUND_WORDS = (("black", "dark"), ("white", "bright"))

# {d}: digit, {c}: colour, {t}: stroke adjective, {b}: background word.
TEMPLATES = (
    "a {t} {c} {d} on a {b} background",
    "{d} , drawn in {c} with a {t} stroke on {b}",
    "a {c} {d} written with a {t} pen on a {b} background",
    "{b} background , {t} {c} {d}",
    "the digit {d} in {t} {c} strokes over {b}",
    "a {t} {d} in {c} on {b}",
)


def words_of(text: str) -> list[str]:
  """Lower-case words; punctuation other than commas is dropped."""
  return re.findall(r"[a-z0-9]+|,", text.lower())


def caption(digit: int, colour: int, thick: int, inverted: int, rng: np.random.Generator) -> str:
  """One caption of the attributes, template and synonyms drawn by `rng`."""
  template = TEMPLATES[rng.integers(len(TEMPLATES))]
  pick = lambda options: options[rng.integers(len(options))]
  text = template.format(d=DIGIT_WORDS[digit], c=pick(COLOUR_WORDS[colour]),
                         t=pick(THICK_WORDS[thick]), b=pick(BACKGROUND_WORDS[inverted]))
  return " ".join(words_of(text)).replace(" ,", ",")


def grammar_vocabulary() -> tuple[str, ...]:
  """Every word the grammar can produce, sorted."""
  fills = {"d": DIGIT_WORDS, "c": sum(COLOUR_WORDS, ()), "t": sum(THICK_WORDS, ()),
           "b": sum(BACKGROUND_WORDS, ())}
  words = set()
  for template in TEMPLATES:
    words.update(words_of(re.sub(r"\{\w\}", " ", template)))
  for options in fills.values():
    words.update(options)
  return tuple(sorted(words))


def _lexicon() -> dict[str, tuple[str, int]]:
  """word -> (attribute, value) for every attribute word."""
  out = {w: ("digit", i) for i, w in enumerate(DIGIT_WORDS)}
  for name, table in (("colour", COLOUR_WORDS), ("thickness", THICK_WORDS),
                      ("background", BACKGROUND_WORDS)):
    for value, options in enumerate(table):
      out.update({w: (name, value) for w in options})
  return out


def parse(text: str) -> dict[str, int]:
  """The attributes a grammar caption names: {digit, colour, thickness, background}."""
  lexicon = _lexicon()
  found = {}
  for word in words_of(text):
    if word in lexicon:
      name, value = lexicon[word]
      if found.setdefault(name, value) != value:
        raise ValueError(f"{text!r} names two values of {name}")
  return found


def unknown_words(text: str, vocabulary: tuple[str, ...]) -> list[str]:
  known = set(vocabulary)
  return sorted({w for w in words_of(text) if w not in known})


def tokenize(text: str, vocabulary: tuple[str, ...], length: int) -> np.ndarray:
  """[length] int32 word ids (1 + index in `vocabulary`), padded with 0.

  Words outside the vocabulary, or a caption longer than `length`, are a
  UserError that names them."""
  unknown = unknown_words(text, vocabulary)
  if unknown:
    shown = ", ".join(repr(w) for w in unknown)
    words = " ".join(w for w in vocabulary if w.isalnum())   # punctuation is no word
    raise UserError(f"caption {text!r} has words outside the model's vocabulary: "
                    f"{shown}. Known words: {words}.")
  index = {w: i + 1 for i, w in enumerate(vocabulary)}
  ids = [index[w] for w in words_of(text)]
  if len(ids) > length:
    raise UserError(f"caption {text!r} has {len(ids)} words; the model reads at "
                    f"most {length}.")
  return np.asarray(ids + [PAD] * (length - len(ids)), np.int32)


def detokenize(ids: np.ndarray, vocabulary: tuple[str, ...]) -> str:
  """Word ids [L] -> the sentence (padding dropped)."""
  return " ".join(vocabulary[i - 1] for i in np.asarray(ids).tolist() if i != PAD)

