"""Evaluation: importance-sampled likelihoods, linear probes."""

from gen_jax.eval.importance import importance_log_likelihood
