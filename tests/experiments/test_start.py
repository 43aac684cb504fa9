"""The launchers' start-up: XLA's deterministic ops, multi-host arguments.

Bit-exactness on a GPU cannot be tested without one; these check that the
flag reaches XLA_FLAGS before JAX starts a backend (which reads it once).
"""

import json
import os
import subprocess
import sys

import pytest

from experiments import common
from gen_jax.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
START = """
import json, os, sys
from experiments import common
from jax._src import xla_bridge
common.parse_flags(["launcher", "--config=experiments/configs/quickstart.py", *sys.argv[1:]])
common.start()
print(json.dumps({"xla_flags": os.environ.get("XLA_FLAGS"),
                  "backend_started": xla_bridge.backends_are_initialized()}))
"""


def start_in_a_fresh_process(*overrides) -> dict:
  env = {**os.environ, "XLA_FLAGS": "--xla_cpu_enable_fast_math=false"}
  out = subprocess.run([sys.executable, "-c", START, *overrides], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120, check=False)
  assert out.returncode == 0, out.stderr[-2000:]
  return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("overrides,deterministic", [
    ((), True), (("--config.nondeterministic_ops=True",), False)])
def test_start_sets_deterministic_ops_before_a_backend_starts(overrides, deterministic):
  seen = start_in_a_fresh_process(*overrides)
  assert not seen["backend_started"]
  assert seen["xla_flags"].startswith("--xla_cpu_enable_fast_math=false")
  assert ("--xla_gpu_deterministic_ops=true" in seen["xla_flags"]) == deterministic


def test_deterministic_ops_are_added_once_and_never_override_the_user():
  assert common.with_deterministic_ops("") == "--xla_gpu_deterministic_ops=true"
  once = common.with_deterministic_ops("--a=1")
  assert once == "--a=1 --xla_gpu_deterministic_ops=true"
  assert common.with_deterministic_ops(once) == once
  assert common.with_deterministic_ops("--xla_gpu_deterministic_ops=false") == \
         "--xla_gpu_deterministic_ops=false"


def test_distributed_args_come_from_the_environment():
  assert common.distributed_args({}) == {}
  assert common.distributed_args({"JAX_NUM_PROCESSES": "2", "JAX_PROCESS_ID": "1"}) == \
         {"num_processes": 2, "process_id": 1}
  with pytest.raises(UserError, match="JAX_PROCESS_ID='one' must be"):
    common.distributed_args({"JAX_PROCESS_ID": "one"})
