"""Data sources, encodings and the resumable sharded batch pipeline."""

from gen_jax.data.pipeline import TrainBatches, eval_batches, to_global
from gen_jax.data.sources import (ArraySource, TFDSSource, digits_arrays, load,
                                  mixture_arrays, mixture_modes, open_tfds)
from gen_jax.data.spec import DataSpec, encode_pixels, levels_for
