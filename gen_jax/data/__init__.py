"""Data sources, encodings and the resumable sharded batch pipeline.

The pipeline is hand-written rather than built on `grain`: see
`gen_jax.data.pipeline` for why (one integer of iterator state per source,
in-memory sources, unchanged shuffling order).
"""

from gen_jax.data.arrays import digits_arrays, mixture_arrays, mixture_modes
from gen_jax.data.pipeline import (Prefetch, TrainBatches, TrainStream, device_tables,
                                   eval_batches, gather_rows,
                                   num_eval_batches, take_step, take_steps, to_global)
from gen_jax.data.sources import ArraySource, Data, TFDSSource, load, load_data, open_tfds
from gen_jax.data.spec import DataSpec, Feature, encode_pixels, levels_for
