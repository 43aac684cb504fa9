r"""StarGAN against a pairwise CycleGAN on the same two attribute-digit domains.

  python -m experiments.compare_translation \
      --cyclegan=workdirs/cyclegan_mnist_attributes \
      --stargan=workdirs/stargan_mnist_attributes [--num_examples=N]

The CycleGAN workdir must be trained on two `attribute_digits` sources with
a `domain` each (experiments/configs/cyclegan_mnist_attributes.py); a domain
that leaves an attribute out (e.g. "background=white": colour and thickness
drawn) asks both models to keep each image's own value of it (-1 in the
reported domains);
the StarGAN workdir on attribute digits with the same three attributes
(experiments/configs/stargan_mnist_attributes.py). Both models translate the
same test digits: the CycleGAN's eval split of domain a to domain b, and of
b to a; StarGAN is asked for the same targets. One set of classifiers
(`gen_jax.eval.attribute_translation`, trained on the CycleGAN's train
digits of domain a rendered under random attributes) judges every
translation, so the two rows differ only by the model. Per model and
direction: attribute accuracy (all three attributes right) and digit
preservation, each with its standard error and the classifiers' ceiling on
the real images of the target domain, L1 and PSNR to the exact translation,
and the parameter counts (all, and the generators'). Training time is not in
a workdir; docs/translation.md gives the measured wall times.

Writes the figures to --output (default <cyclegan workdir>/compare_translation.json)
and prints a Markdown table.
"""

import json
import os
import time
from typing import Mapping

from absl import flags

from experiments import common
from gen_jax.errors import UserError
from gen_jax.models.base import num_parameters

CYCLEGAN = flags.DEFINE_string("cyclegan", None, "A trained cyclegan workdir on two "
                               "attribute_digits domains (data.sources.<a|b>.domain).")
STARGAN = flags.DEFINE_string("stargan", None, "A trained stargan workdir on attribute digits.")
NUM_EXAMPLES = common.NUM_EXAMPLES
CLASSIFIER_STEPS = flags.DEFINE_integer("classifier_steps", 4000, "Training steps of "
                                        "each judging classifier.")
OUTPUT = common.OUTPUT
DIRECTIONS = {"ab": ("a", "b"), "ba": ("b", "a")}


def parameter_counts(recipe, params, generators) -> dict[str, int]:
  """{"parameters": all, "generator_parameters": the named groups'}, as the
  recipe counts them (`num_parameters`)."""
  return {"parameters": num_parameters(recipe, params),
          "generator_parameters": sum(num_parameters(recipe, params[g]) for g in generators)}


def cyclegan_domains(exp, workdir: str) -> dict[str, tuple[int, int, int]]:
  """{"a": (colour, thickness, background), "b": ...} of a CycleGAN workdir;
  -1 for an attribute the domain leaves drawn at random (kept per image)."""
  from gen_jax.data import attribute_digits  # pylint: disable=import-outside-toplevel
  sources = exp.config.data.get("sources") or {}
  domains = {}
  for name in ("a", "b"):
    source = sources.get(name) or {}
    if source.get("name") != "attribute_digits" or not source.get("domain"):
      raise UserError(f"{workdir} was not trained on two attribute_digits domains "
                      "(data.sources.a.domain and .b.domain); train "
                      "experiments/configs/cyclegan_mnist_attributes.py there.")
    domains[name] = tuple(-1 if v is None else v
                          for v in attribute_digits.parse_domain(source.get("domain")))
  return domains


def stargan_target(recipe, domain) -> list[int]:
  """A domain (colour, thickness, background) as StarGAN's target indices
  of its `translation_groups` (-1: keep each image's own)."""
  from gen_jax.data import attribute_digits  # pylint: disable=import-outside-toplevel
  by_name = dict(zip(attribute_digits.RENDERED_ATTRIBUTES, domain))
  names = [name for name, _ in recipe.translation_groups]
  if sorted(names) != sorted(by_name):
    raise UserError(f"the stargan workdir translates {names}; the comparison needs "
                    f"exactly {list(by_name)} (stargan_mnist_attributes.py).")
  return [by_name[n] for n in names]


def summary(metrics: dict, prefix: str) -> dict[str, float]:
  keys = {"attribute_accuracy": f"{prefix}_attribute_accuracy",
          "attribute_accuracy_stderr": f"{prefix}_attribute_accuracy_stderr",
          "digit_preservation": f"{prefix}_digit_preservation",
          "digit_preservation_stderr": f"{prefix}_digit_preservation_stderr",
          "l1_to_truth": "l1_to_truth", "l1_to_truth_stderr": "l1_to_truth_stderr",
          "psnr_to_truth": "psnr_to_truth", "psnr_to_truth_stderr": "psnr_to_truth_stderr",
          "l1_untranslated": "l1_untranslated", "num_examples": "translation_num_examples"}
  return {k: float(metrics[v]) for k, v in keys.items()}


def check_translator(exp, between_domains: bool, flag: str, name: str) -> None:
  """A UserError unless `exp` holds a `Translator` between two named sources
  (`between_domains`, the CycleGAN) or of one source's attributes (StarGAN)."""
  from gen_jax.models.base import Translator, require  # pylint: disable=import-outside-toplevel
  require(exp.recipe, Translator, f"experiments.compare_translation {flag}")
  if isinstance(exp.spec, Mapping) != between_domains:
    raise UserError(f"{flag} holds a {exp.config.model.name!r} model, not a {name}.")


def table(result: dict) -> str:
  lines = ["| model | direction | attribute accuracy | digit preservation | L1 to truth "
           "| PSNR (dB) | parameters (generators) |", "| --- " * 7 + "|"]
  for model, row in result["models"].items():
    for direction, m in row["directions"].items():
      lines.append(
          f"| {model} | {direction} | {m['attribute_accuracy']:.3f} ± "
          f"{m['attribute_accuracy_stderr']:.3f} | {m['digit_preservation']:.3f} ± "
          f"{m['digit_preservation_stderr']:.3f} | {m['l1_to_truth']:.3f} | "
          f"{m['psnr_to_truth']:.1f} | {row['parameters']:,} ({row['generator_parameters']:,}) |")
  first = next(iter(result["models"].values()))["directions"]
  ceilings = ", ".join(f"{d}: attributes {m['attribute_ceiling']:.3f}, digit "
                       f"{m['digit_ceiling']:.3f}" for d, m in first.items())
  return "\n".join(lines) + f"\nclassifiers on real target-domain images: {ceilings}"


def compare(cyclegan_dir: str, stargan_dir: str, limit: int | None = None,
            classifier_steps: int = 4000) -> dict:
  """The module's figures for two trained workdirs, as a JSON-ready dict."""
  # pylint: disable=import-outside-toplevel
  import numpy as np
  from experiments.translate import restore
  from gen_jax.eval import attribute_translation as at
  from gen_jax.eval.translation import translate_in_chunks
  cyclegan, stargan = restore(cyclegan_dir), restore(stargan_dir)
  check_translator(cyclegan, True, "--cyclegan", "cyclegan")
  check_translator(stargan, False, "--stargan", "stargan")
  domains = cyclegan_domains(cyclegan, cyclegan_dir)
  spec = cyclegan.spec["a"]
  if tuple(stargan.spec.event_shape) != tuple(spec.event_shape):
    raise UserError(f"--stargan translates {stargan.spec.event_shape} images and "
                    f"--cyclegan {spec.event_shape}; train both at one image size "
                    "(data.image_size).")
  attributes = dict(stargan.recipe.translation_groups)
  preserved = {"digit": 10}
  prepared = {"a": at.prepare(spec, attributes, preserved, cyclegan.train_source["a"],
                              cyclegan.eval_source["a"], classifier_steps, limit, None)}
  prepared["b"] = at.prepare(spec, attributes, preserved, None, cyclegan.eval_source["b"],
                             classifier_steps, limit, None,
                             classifiers=prepared["a"]["classifiers"])
  prefix = prepared["a"]["name"]
  cg_vars, sg_vars = cyclegan.variables(), stargan.variables()
  to_domain = lambda images, target: np.full((len(images), 1), "ab".index(target), np.int32)
  translators = {
      "StarGAN": lambda target: (
          lambda images, targets: translate_in_chunks(stargan.recipe, sg_vars, images,
                                                      targets)),
      "CycleGAN": lambda target: (
          lambda images, targets: translate_in_chunks(cyclegan.recipe, cg_vars, images,
                                                      to_domain(images, target)))}
  counts = {"StarGAN": parameter_counts(stargan.recipe, sg_vars["params"], ("generator",)),
            "CycleGAN": parameter_counts(cyclegan.recipe, cg_vars["params"], ("g_ab", "g_ba"))}
  result = {"cyclegan": cyclegan_dir, "stargan": stargan_dir,
            "steps": {"CycleGAN": cyclegan.step, "StarGAN": stargan.step},
            "domains": {k: dict(zip(attributes, stargan_target(stargan.recipe, v)))
                        for k, v in domains.items()},
            "classifier_steps": classifier_steps, "models": {}}
  for model, make in translators.items():
    row = {**counts[model], "directions": {}}
    for source, target in DIRECTIONS.values():
      goal = [stargan_target(stargan.recipe, domains[target])]
      metrics = at.translation_metrics(make(target), spec, attributes, preserved,
                                       None, None, {"prepared": prepared[source]},
                                       targets=goal)
      # The ceilings of a direction: the classifiers on its target domain's real images.
      row["directions"][f"{source} -> {target}"] = {
          **summary(metrics, prefix),
          "attribute_ceiling": prepared[target]["ceilings"]["attribute"],
          "digit_ceiling": prepared[target]["ceilings"]["digit"]}
    result["models"][model] = row
  return result


def main(argv):
  del argv
  common.start(multihost_ok=False)
  if not CYCLEGAN.value or not STARGAN.value:
    raise UserError("--cyclegan (a trained cyclegan workdir on two attribute_digits "
                    "domains) and --stargan (a trained stargan workdir) are required.")
  if NUM_EXAMPLES.value is not None and NUM_EXAMPLES.value < 1:
    raise UserError(f"--num_examples={NUM_EXAMPLES.value} must be positive.")
  if CLASSIFIER_STEPS.value < 1:
    raise UserError(f"--classifier_steps={CLASSIFIER_STEPS.value} must be positive.")
  started = time.time()
  result = compare(CYCLEGAN.value, STARGAN.value, NUM_EXAMPLES.value, CLASSIFIER_STEPS.value)
  result["seconds"] = round(time.time() - started, 1)
  output = OUTPUT.value or os.path.join(CYCLEGAN.value, "compare_translation.json")
  with open(output, "w", encoding="utf-8") as f:
    json.dump(result, f, indent=2)
  print(table(result))
  print(f"written to {output}")


if __name__ == "__main__":
  common.main_with_clear_errors(main)
