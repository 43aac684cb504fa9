"""Evaluation: linear probes, classifier metrics, InfoGAN codes, mode coverage."""

from gen_jax.eval.probe import format_table, probe_accuracy, probe_table
from gen_jax.eval.classifier import (classifier_score, frechet_distance,
                                     train_classifier)
from gen_jax.eval.infogan import matched_accuracy
from gen_jax.eval.modes import discrete_mode_metrics, mixture_mode_metrics
