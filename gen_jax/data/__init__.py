"""Data sources, encodings and the resumable sharded batch pipeline."""

from gen_jax.data.pipeline import TrainBatches, TrainStream, eval_batches, to_global
from gen_jax.data.sources import (ArraySource, Data, TFDSSource, digits_arrays, load, load_data,
                                  mixture_arrays, mixture_modes, open_tfds)
from gen_jax.data.spec import DataSpec, Feature, encode_pixels, levels_for
