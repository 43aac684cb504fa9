"""Result tables: declarations, the reproduce command and the generated pages."""

import dataclasses
import json
import os

import pytest

from experiments import reproduce, results_pages
from experiments import tables as tables_lib
from experiments.tables import Measure, Metric, Paper, Row, Table
from gen_jax.errors import UserError

TINY = Table(
    name="tiny", title="FVSBN on the digits, a few steps", docs="docs/explicit.md",
    metrics=(Metric("nll_nats", "test NLL (nats)"),),
    rows=(Row("fvsbn", "FVSBN", "quickstart",
              overrides=(("train.num_steps", 20), ("train.batch_size", 96), ("eval.batch_size", 96), ("train.steps_per_dispatch", 10),
                         ("eval.every_steps", 20), ("checkpoint.every_steps", 10),
                         ("sample.every_steps", 20)),
              paper=(("nll_nats", Paper(10.0, "nobody 2026")),)),))


def test_every_table_names_configs_that_exist_and_unique_rows():
  tables = tables_lib.all_tables()
  assert tables
  for name, table in tables.items():
    names = [row.name for row in table.rows]
    assert len(names) == len(set(names)), name
    for row in table.rows:
      assert os.path.exists(os.path.join(tables_lib.CONFIGS_DIR, f"{row.config}.py")), row
      assert not row.headline or row.family, row
      tables_lib.row_config(row, row.seeds[0])   # every override names a key


def test_unknown_table_and_row_end_in_one_message():
  with pytest.raises(UserError, match="--list"):
    tables_lib.get_table("no_such_table")
  with pytest.raises(UserError, match="its rows: fvsbn"):
    TINY.select(["fvbsn"])


def test_reproduce_appends_one_line_skips_it_on_rerun_and_refuses_another_config(tmp_path):
  root, results = str(tmp_path / "runs"), str(tmp_path / "results")
  reproduce.reproduce(TINY, TINY.rows, [], root, results)
  [line] = tables_lib.read_results("tiny", results)
  assert line["row"] == "fvsbn" and line["seed"] == 0 and line["steps"] == 20
  assert line["source"] == reproduce.SOURCE and line["device_count"] >= 1
  figure = line["metrics"]["nll_nats"]
  assert figure["n"] == 300 and 0 < figure["stderr"] < figure["value"]
  with open(os.path.join(root, f"quickstart-{line['config_hash']}", "seed0", "metrics.jsonl")) as f:
    test_row = [json.loads(l) for l in f if l.strip()][-1]
  assert figure["value"] == test_row["nll_nats"]
  assert test_row["train_seconds"] <= line["wall_s"] < test_row["train_seconds"] + 5

  reproduce.reproduce(TINY, TINY.rows, [], root, results)      # done: skipped
  assert len(tables_lib.read_results("tiny", results)) == 1

  with pytest.raises(UserError, match="trained run is kept"):
    reproduce.run_measure(Measure(command="experiments.no_such_command", output="x.json"),
                          os.path.join(root, f"quickstart-{line['config_hash']}", "seed0"))

  changed = dataclasses.replace(
      TINY.rows[0], overrides=TINY.rows[0].overrides + (("train.learning_rate", 0.5),))
  with pytest.raises(UserError, match="another config"):
    reproduce.reproduce(TINY, (changed,), [], root, results)


def test_a_row_reads_the_table_metrics_its_run_wrote():
  """Rows of one table may write different metrics; a run that wrote none of
  them ends in one message naming what it has."""
  table = dataclasses.replace(TINY, metrics=TINY.metrics + (Metric("accuracy", "accuracy"),))
  source = {"nll_nats": 20.5, "nll_nats_stderr": 0.3, "num_examples": 300}
  paths = reproduce.written_metrics(table, source)
  assert paths == {"nll_nats": "nll_nats"}
  assert reproduce.figures(source, paths, "num_examples") == {
      "nll_nats": {"value": 20.5, "stderr": 0.3, "n": 300}}
  with pytest.raises(UserError, match="wrote no 'nll_nats'.*it has: num_examples"):
    reproduce.figures({"num_examples": 3}, reproduce.written_metrics(table, {"num_examples": 3}),
                      "num_examples")


def test_a_finished_workdir_is_read_not_evaluated_again(tmp_path, monkeypatch):
  root, results = str(tmp_path / "runs"), str(tmp_path / "results")
  reproduce.reproduce(TINY, TINY.rows, [], root, results)
  os.remove(os.path.join(results, "tiny.jsonl"))
  monkeypatch.setattr("gen_jax.train.train", lambda *a, **k: pytest.fail("trained again"))
  reproduce.reproduce(TINY, TINY.rows, [], root, results)
  assert len(tables_lib.read_results("tiny", results)) == 1


def test_a_page_shows_mean_and_spread_over_seeds_and_the_verdict():
  line = {"row": "fvsbn", "source": reproduce.SOURCE, "steps": 20, "wall_s": 3.0,
          "hardware": "2-core x86_64 CPU", "date": "2026-12-07", "revision": "abc1234"}
  lines = [dict(line, seed=s, metrics={"nll_nats": {"value": v, "stderr": 0.1, "n": 300}},
                config_hash=tables_lib.config_hash(tables_lib.row_config(TINY.rows[0], s)))
           for s, v in ((0, 9.0), (1, 11.0))]
  text = results_pages.page(TINY, lines)
  assert "10.00 ± 1.41 (s.d., 2 seeds)" in text
  assert "| 10.00 |" in text and "Paper figures: nobody 2026." in text
  assert "| reproduced |" in text
  assert "- FVSBN: seed 0: test NLL (nats) 9.00; seed 1: test NLL (nats) 11.00" in text
  one = results_pages.page(TINY, [dict(lines[1], seed=0)])
  assert "11.00 ± 0.10 (n=300)" in one and "short of the paper by 1.00" in one
  assert "config changed since" in one           # seed 0's hash is not seed 1's
  assert "Every seed" not in one


def test_a_row_speaks_by_the_first_metric_it_has():
  two = dataclasses.replace(
      TINY, metrics=(Metric("modes", "modes", lower_is_better=False),) + TINY.metrics,
      rows=(dataclasses.replace(TINY.rows[0], headline=True, family="explicit"),))
  line = {"row": "fvsbn", "seed": 0, "source": "recorded", "steps": 20,
          "metrics": {"nll_nats": {"value": 11.0, "stderr": 0.1, "n": 300}}}
  assert results_pages.row_metric(two, two.rows[0], [line]).key == "nll_nats"
  table = results_pages.model_table({"tiny": two}, {"tiny": [line]})
  assert "11.00 ± 0.10 (n=300) test NLL (nats)" in table
  assert "short of the paper by 1.00" in results_pages.page(two, [line])


def test_committed_pages_match_the_result_files():
  with open(results_pages.README, encoding="utf-8") as f:
    files = results_pages.expected_files(f.read())
  assert results_pages.differing(files) == [], (
      "run python -m experiments.results_pages and commit its pages")
