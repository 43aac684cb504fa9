"""Two real processes (`jax.distributed`, CPU collectives) train like one."""

import json
import os
import socket
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from experiments.configs import quickstart
from gen_jax.train import train
from tests.helpers import read_metrics, timeless, with_overrides

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TIMEOUT_S = 240   # a hang (a process skipping a collective) fails, it never blocks
OVERRIDES = {"train.num_steps": 4, "train.log_every_steps": 1, "eval.every_steps": 2,
             "eval.batch_size": 32, "eval.num_examples": 64,
             "checkpoint.every_steps": 2, "sample.every_steps": 2, "sample.num": 8}


def free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def process_env(process_id: int, num_processes: int, port: int) -> dict:
  """One CPU device per process (no forced device count), the launcher's
  distributed variables, and the test suite's fast compiles. (CPU collectives
  are gloo by default from jax 0.5.1, the minimum setup.cfg asks for.)"""
  env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
  env.update(JAX_PLATFORMS="cpu", JAX_DISABLE_MOST_OPTIMIZATIONS="true",
             JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{port}",
             JAX_NUM_PROCESSES=str(num_processes), JAX_PROCESS_ID=str(process_id))
  return env


def run_processes(args: list[str], num_processes: int) -> list[subprocess.CompletedProcess]:
  """Runs the worker in `num_processes` processes; kills all of them at the timeout."""
  port = free_port()
  command = [sys.executable, "-m", "tests.train.multihost_worker", *args, "--multihost"]
  procs = [subprocess.Popen(command, cwd=ROOT, env=process_env(i, num_processes, port),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for i in range(num_processes)]
  deadline = time.monotonic() + TIMEOUT_S
  done = []
  try:
    for p in procs:
      out, err = p.communicate(timeout=max(deadline - time.monotonic(), 1))
      done.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
  except subprocess.TimeoutExpired:
    for p in procs:
      p.kill()
    tails = [p.communicate()[1][-1500:] for p in procs]
    pytest.fail(f"the processes did not finish in {TIMEOUT_S} s (a hang in a "
                f"collective?); stderr tails: {tails}")
  return done


def quickstart_config():
  return with_overrides(quickstart.get_config(), dict(OVERRIDES))


def test_two_processes_train_evaluate_sample_and_checkpoint_like_one(tmp_path):
  workdir = tmp_path / "two"
  args = ["--config=experiments/configs/quickstart.py", f"--workdir={workdir}",
          *(f"--config.{k}={v}" for k, v in OVERRIDES.items())]
  done = run_processes(args, num_processes=2)
  for i, out in enumerate(done):
    assert out.returncode == 0, f"process {i}: {out.stderr[-3000:]}"
  calls = [json.loads(out.stdout.split("CALLS", 1)[1]) for out in done]
  assert calls[0] == calls[1] and min(calls[0].values()) >= 2, calls  # every process ran them
  assert os.path.exists(workdir / "samples" / "step_4.png")
  assert sorted(os.listdir(workdir / "checkpoints")) == ["2", "4"]

  one = tmp_path / "one"   # the same global batch on one process's two devices
  train(quickstart_config(), str(one), progress=False, devices=jax.devices()[:2])
  two_events, one_events = read_metrics(workdir), read_metrics(one)
  assert two_events[0]["num_devices"] == one_events[0]["num_devices"] == 2
  assert [(e["step"], e["split"]) for e in two_events] == \
         [(e["step"], e["split"]) for e in one_events]
  for a, b in zip(two_events, one_events):
    for key, value in timeless(b).items():              # not the wall time
      if isinstance(value, float):
        np.testing.assert_allclose(a[key], value, rtol=1e-6, err_msg=f"{a} vs {b}")
