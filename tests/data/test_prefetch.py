"""Prefetching keeps batches ahead on the device but reports only consumed
positions; the number of evaluation batches is known up front."""

import jax
import numpy as np
import pytest
from jax.sharding import NamedSharding, PartitionSpec as P

from gen_jax import data as data_lib
from gen_jax.train import make_mesh


def source(n=40):
  x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)    # [n, 2]
  return data_lib.ArraySource({"x": x, "label": np.arange(n, dtype=np.int32)})


def stream(sources, positions=0):
  sharding = NamedSharding(make_mesh(), P("data"))
  return data_lib.TrainStream(sources, 8, 5, sharding, count=2, positions=positions)


def consume(prefetched):
  """The next step's batches from a Prefetch, as numpy."""
  chunk, index = next(prefetched)
  return jax.tree.map(np.asarray, data_lib.take_step(chunk, index))


@pytest.mark.parametrize("chunk", [1, 3])
def test_prefetch_yields_the_stream_and_reports_consumed_positions(chunk):
  plain = stream(source())
  expected = [np.asarray(next(plain)["x"]) for _ in range(5)]   # [2, 8, 2] each
  prefetched = data_lib.Prefetch(stream(source()), chunk=chunk)
  assert prefetched.positions == 0
  for i, want in enumerate(expected):
    np.testing.assert_array_equal(consume(prefetched)["x"], want)
    assert prefetched.positions == 2 * (i + 1)                 # two batches a step
    chunks_made = i // chunk + 2                               # this one and the next
    assert prefetched.stream.positions == 2 * chunk * chunks_made


def test_prefetch_resumes_from_its_consumed_position():
  first = data_lib.Prefetch(stream(source()), chunk=4)
  for _ in range(3):
    consume(first)
  resumed = data_lib.Prefetch(stream(source(), positions=first.positions), chunk=4)
  np.testing.assert_array_equal(consume(resumed)["x"], consume(first)["x"])


def test_prefetch_rows_are_aligned_to_step_numbers():
  plain = stream(source())
  expected = np.stack([np.asarray(next(plain)["x"]) for _ in range(5)])   # [5, 2, 8, 2]
  # 3 steps done before: the next step is step 4, row 3 of a chunk of 4.
  prefetched = data_lib.Prefetch(stream(source()), chunk=4, offset=3)
  assert prefetched.index == 3
  np.testing.assert_array_equal(consume(prefetched)["x"], expected[0])
  assert prefetched.index == 0 and prefetched.positions == 2
  chunk, index = prefetched.take(4)                  # steps 5-8 in one call
  np.testing.assert_array_equal(np.asarray(data_lib.take_steps(chunk, index, 4)["x"]),
                                expected[1:5])
  assert prefetched.positions == 10
  consume(prefetched)
  with pytest.raises(ValueError, match="cross a chunk"):
    prefetched.take(4)


def test_prefetch_positions_of_named_sources():
  named = data_lib.Prefetch(stream({"a": source(), "b": source(24)}, {"a": 4, "b": 0}),
                            chunk=2)
  batch = consume(named)
  assert set(batch) == {"a", "b"} and batch["a"]["x"].shape == (2, 8, 2)
  assert named.positions == {"a": 6, "b": 2}
  assert named.stream.positions == {"a": 12, "b": 8}


@pytest.mark.parametrize("sources", [source(), {"a": source(), "b": source(24)}],
                         ids=["one", "named"])
def test_indices_gathered_from_device_tables_are_the_batches(sources):
  sharding = NamedSharding(make_mesh(), P("data"))
  tables = data_lib.device_tables(sources, sharding, max_bytes=10 ** 6)
  rows = data_lib.Prefetch(stream(sources, 0), chunk=3, offset=1)
  indices = data_lib.Prefetch(stream(sources, 0), chunk=3, offset=1, indices=True)
  gather = jax.jit(lambda tables, chunk, index, k: data_lib.gather_rows(
      tables, data_lib.take_steps(chunk, index, k)), static_argnums=3)
  for k in (2, 3, 1):     # steps 2-3 (the first chunk's last rows), 4-6, 7
    want = data_lib.take_steps(*rows.take(k), k)
    got = gather(tables, *indices.take(k), k)
    jax.tree.map(np.testing.assert_array_equal, jax.device_get(got), jax.device_get(want))
    assert rows.positions == indices.positions
    rows.fill()
    indices.fill()
  leaf = jax.tree.leaves(got)[0]
  assert leaf.shape[:3] == (1, 2, 8) and leaf.sharding.spec[2] == "data"


def test_device_tables_only_for_splits_in_memory_and_within_the_limit():
  sharding = NamedSharding(make_mesh(), P("data"))
  assert data_lib.device_tables(source(), sharding, max_bytes=40 * 12) is not None
  assert data_lib.device_tables(source(), sharding, max_bytes=40 * 12 - 1) is None
  lazy = type("Lazy", (), {"__len__": lambda self: 40, "get": source().get})()
  assert data_lib.device_tables({"a": source(), "b": lazy}, sharding, 10 ** 6) is None
  padded = data_lib.sources.PaddedSource(data_lib.ArraySource(
      {"x": np.ones((3, 2, 2, 1), np.float32)}), 4)
  table = data_lib.device_tables(padded, sharding, 10 ** 6)
  np.testing.assert_array_equal(np.asarray(table["x"]), padded.get(np.arange(3))["x"])


@pytest.mark.parametrize("size,batch,limit", [(40, 8, None), (41, 8, None),
                                              (40, 16, 20), (7, 8, None)])
def test_number_of_eval_batches_is_known_up_front(size, batch, limit):
  sharding = NamedSharding(make_mesh(), P("data"))
  for src in (source(size), {"a": source(size), "b": source(3)}):
    batches = list(data_lib.eval_batches(src, batch, sharding, limit))
    assert data_lib.num_eval_batches(src, batch, limit) == len(batches)
