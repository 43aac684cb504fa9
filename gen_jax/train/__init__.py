"""The one generic trainer."""

from gen_jax.train.config import base_config, validate
from gen_jax.train.experiment import Experiment, make_mesh, stream_key
from gen_jax.train.loop import train
from gen_jax.train.step import TrainState, make_eval_step, make_train_step
