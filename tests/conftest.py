"""Test set-up: 8 fake CPU devices before JAX starts, fast and cached compiles."""

import atexit
import os
import shutil
import tempfile

os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                           " --xla_force_host_platform_device_count=8").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ["JAX_COMPILATION_CACHE_DIR"] = os.environ.get(
    "GEN_JAX_TEST_CACHE", os.path.join(tempfile.gettempdir(), "gen_jax_test_xla_cache"))
os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"
# Through the environment too, so that the launchers the tests start compile
# as little as this process does (a launcher test runs 3x faster cold).
os.environ["JAX_DISABLE_MOST_OPTIMIZATIONS"] = "1"
# Trained evaluation classifiers are memoized on disk (gen_jax.eval.classifier):
# each test process keeps its own, never the user's ~/.cache/gen_jax.
_CLASSIFIER_CACHE = tempfile.mkdtemp(prefix="gen_jax_test_classifiers_")
os.environ["GEN_JAX_CACHE_DIR"] = _CLASSIFIER_CACHE
atexit.register(shutil.rmtree, _CLASSIFIER_CACHE, ignore_errors=True)

import jax  # pylint: disable=wrong-import-position
import pytest  # pylint: disable=wrong-import-position

jax.config.update("jax_disable_most_optimizations", True)
# Tests train the same tiny programs many times (a resume test compiles each
# step three times): XLA's persistent cache compiles each program once. Set
# through the environment, so the launchers tests start share it too;
# GEN_JAX_TEST_CACHE moves it (a whole run adds about 100 MB).
jax.config.update("jax_compilation_cache_dir", os.environ["JAX_COMPILATION_CACHE_DIR"])


def pytest_collection_modifyitems(config, items):
  if config.getoption("-m"):
    return
  skip = pytest.mark.skip(reason="slow: run with -m slow")
  for item in items:
    if "slow" in item.keywords:
      item.add_marker(skip)
