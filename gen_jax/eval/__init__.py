"""Evaluation: importance-sampled likelihoods, linear probes."""

from gen_jax.eval.importance import importance_log_likelihood
from gen_jax.eval.probe import format_table, probe_accuracy, probe_table
