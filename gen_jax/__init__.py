"""gen_jax: classic generative models in JAX/Flax, driven by one generic trainer.

Subpackages: `data` (sources and resumable sharded batches), `nn` (shared
layers), `models` (recipes, found by name), `losses`, `sampling`
(autoregressive samplers), `train` (the trainer), `eval` (metrics).
"""

__version__ = "0.1.0"
