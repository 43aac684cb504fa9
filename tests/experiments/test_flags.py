"""Every launcher and benchmark module imports into one process: absl flags
are global, so two modules defining one name would break any test (or tool)
that imports both."""

import importlib

LAUNCHERS = ("train", "evaluate", "sample", "classify", "anomaly", "probe",
             "translate", "reproduce", "results_pages", "list")
BENCHMARKS = ("train_loop", "train_step", "stage_flops", "sampling", "sampling_nade",
              "sampling_pixel", "report", "nade_breakdown", "cached_pixelcnn_ab",
              "pixelcnn_breakdown")


def test_launchers_and_benchmarks_share_one_process():
  for name in LAUNCHERS:
    importlib.import_module(f"experiments.{name}")
  for name in BENCHMARKS:
    importlib.import_module(f"benchmarks.{name}")
