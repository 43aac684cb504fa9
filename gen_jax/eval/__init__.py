"""Evaluation: evaluators named in `config.evals`, and their metric pieces.

Adding an evaluator: subclass `Evaluator` in a module of this package and
add one line to `EVALUATORS`.
"""

import difflib
import importlib

from gen_jax.errors import UserError
from gen_jax.eval.evaluator import EvalData, Evaluator

EVALUATORS = {
    "ais": "gen_jax.eval.ais:AISLikelihood",
    "sample_quality": "gen_jax.eval.gan_metrics:SampleQuality",
    "conditioning": "gen_jax.eval.gan_metrics:Conditioning",
    "codes": "gen_jax.eval.infogan:CodeAccuracy",
    "captions": "gen_jax.eval.captions:CaptionAccuracy",
    "stage_quality": "gen_jax.eval.progan_metrics:StageQuality",
    "translation": "gen_jax.eval.translation:Translation",
    "attribute_translation": "gen_jax.eval.attribute_translation:AttributeTranslation",
    "puzzle": "gen_jax.eval.puzzle_metrics:Completion",
}


def evaluator_class(name: str) -> type:
  if name not in EVALUATORS:
    close = difflib.get_close_matches(name, EVALUATORS, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UserError(f"unknown evaluator --config.evals.{name}.{hint} Choose from: "
                    f"{', '.join(sorted(EVALUATORS))}.")
  module, attr = EVALUATORS[name].split(":")
  return getattr(importlib.import_module(module), attr)


def make_evaluators(evals_config, spec) -> dict[str, Evaluator]:
  """{name: evaluator} for every block of `config.evals`, in its order."""
  return {name: evaluator_class(name).from_config(name, block, spec)
          for name, block in (evals_config or {}).items()}
