"""FLOP counting, the fraction-of-peak fields and the report, on tiny inputs."""

import json

import jax
import jax.numpy as jnp
import pytest

from benchmarks import flops, report, roofline


def mlp(x, w1, w2):                     # x [B, I], w1 [I, H], w2 [H, O]
  return jnp.tanh(x @ w1) @ w2 + 1.0


def test_count_agrees_with_xla_on_a_loop_free_program():
  args = (jnp.ones((4, 6)), jnp.ones((6, 5)), jnp.ones((5, 3)))
  counted = flops.count_flops(mlp, *args)
  xla = flops.xla_cost(jax.jit(mlp).lower(*args).compile())
  assert counted.flops == 2 * 4 * 6 * 5 + 2 * 4 * 5 * 3 + 4 * 3
  assert counted.flops == xla["flops"]
  assert counted.transcendentals == 4 * 5 == xla["transcendentals"]


def test_scan_bodies_count_times_their_length():
  def looped(x, w):                     # x [B, H], w [H, H]
    return jax.lax.scan(lambda h, _: (h @ w, None), x, None, length=7)[0]

  x, w = jnp.ones((2, 3)), jnp.ones((3, 3))
  assert flops.count_flops(looped, x, w).flops == 7 * 2 * 2 * 3 * 3


def test_conv_counts_every_kernel_tap():
  conv = lambda x, k: jax.lax.conv_general_dilated(       # pylint: disable=unnecessary-lambda-assignment
      x, k, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))
  x, k = jnp.ones((2, 5, 5, 3)), jnp.ones((3, 3, 3, 4))
  counted = flops.count_flops(conv, x, k).flops
  assert counted == 2 * (2 * 3 * 3 * 4) * (3 * 3 * 3)
  assert counted == flops.xla_cost(jax.jit(conv).lower(x, k).compile())["flops"]


def test_throughput_fields():
  cost = flops.Cost(flops=8e9, transcendentals=1e6)
  fields = roofline.throughput_fields(4, [2.0, 1.0, 4.0], cost, 16e9, "samples")
  assert fields["samples_per_s"] == 4.0 and fields["samples_per_s_median"] == 2.0
  assert fields["flops_per_item"] == 2e9 and fields["achieved_flops_per_s"] == 8e9
  assert fields["fraction_of_peak"] == 0.5
  assert roofline.throughput_fields(4, [1.0], None, 16e9, "x")["fraction_of_peak"] is None


def test_peak_and_environment_on_this_backend():
  assert roofline.measure_peak_flops(n=64, repeats=1) > 0
  env = roofline.environment()
  assert env["jax_version"] == jax.__version__ and env["device"]
  assert env["git_revision"]
  memory = roofline.peak_memory_bytes()
  assert memory is None or memory > 0          # None on CPU: not reported


def _row(**kwargs):
  row = {"benchmark": "sampling", "model": "nade", "sampler": "scan", "setting": "H=8",
         "image_shape": [3, 3, 1], "batch": 2, "samples_per_s": 10.0,
         "samples_per_s_median": 8.0, "flops_per_item": 1e6,
         "achieved_flops_per_s": 1e7, "fraction_of_peak": 0.01, "compile_s": 0.5,
         "peak_memory_bytes": None, "device": "cpu", "peak_flops_per_s": 1e9}
  return dict(row, **kwargs)


def test_report_keeps_the_latest_line_and_fills_the_readme(tmp_path):
  results = tmp_path / "r.jsonl"
  results.write_text("".join(json.dumps(r) + "\n" for r in
                             (_row(samples_per_s=1.0), _row(), _row(batch=4))))
  rows = report.latest(report.read_rows([str(results), str(tmp_path / "missing")]))
  assert sorted(r["batch"] for r in rows) == [2, 4] and rows[0]["samples_per_s"] == 10.0
  table = report.markdown(rows)
  assert "| nade | H=8 | 3x3x1 | scan | 2 | 10.00 / 8.00 | 1.00 | 0.01 | 1.00% |" in table
  readme = f"a\n{report.BEGIN}\nold\n{report.END}\nb\n"
  assert report.replace_marked(readme, table) == f"a\n{report.BEGIN}\n{table}\n{report.END}\nb\n"
  with pytest.raises(ValueError):
    report.replace_marked("no markers", table)
  rescaled = report.against_best_peak(rows + [_row(batch=8, peak_flops_per_s=2e9)])
  assert [r["fraction_of_peak"] for r in rescaled] == [0.005] * 3
  assert rescaled[0]["fraction_of_run_peak"] == 0.01
  report.plot(rows, str(tmp_path / "plot.png"))
  assert (tmp_path / "plot.png").stat().st_size > 0


def test_nade_breakdown_lines():
  from benchmarks import nade_breakdown  # pylint: disable=import-outside-toplevel
  rows = {name: nade_breakdown.measure(name, variant, 2, 4, 5, 1, 1e9)
          for name, variant in nade_breakdown.step_variants().items()}
  # The step is the activation plus the linear part, FLOP for FLOP.
  assert rows["activation"]["transcendentals_per_item"] == 2 * 4
  assert rows["step"]["flops_per_item"] == rows["linear"]["flops_per_item"]
  assert rows["step_unroll8"]["flops_per_item"] == rows["step"]["flops_per_item"]
  assert rows["step_hb"]["flops_per_item"] == rows["step"]["flops_per_item"]
  assert all(r["us_per_position"] > 0 and r["fraction_of_peak"] >= 0 for r in rows.values())
