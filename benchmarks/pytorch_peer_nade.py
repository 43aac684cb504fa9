"""Train-step timing of pytorch-generative's NADE, for comparison with gen_jax.

Runs ONLY in a separate PyTorch environment (see benchmarks/pytorch_peer.md):
it imports torch, which is not a gen_jax dependency, so nothing in gen_jax
or its tests imports this file.

  $HOME/torchenv/bin/python benchmarks/pytorch_peer_nade.py \
      --peer_root=$HOME/torchsrc/pytorch-generative [--batch_sizes=512,100]
      [--threads=2] [--warmup=2] [--repeats=5] [--output=...]

Builds the peer's NADE(input_dim=784, hidden_dim=500) and times one train
step: forward on a [B, 784] batch of random {0, 1} pixels, the binary
negative log-likelihood (summed over pixels, mean over the batch), backward,
and an Adam step (lr 1e-3). After `--warmup` untimed steps, `--repeats`
steps are timed one by one and the fastest counts. One JSON line per batch
size goes to stdout (and is appended to `--output` when given).

Only the peer's NADE module and its base-class module are loaded, under
empty parent packages, so the peer package's __init__ (which pulls in
torchvision, tensorboard and the rest) never runs.
"""

import argparse
import importlib
import os
import sys
import types

from pytorch_peer_common import (emit, peer_commit, require_checkout, timed_steps,
                                 timing_fields)


def load_peer_nade(peer_root: str):
  """The peer's NADE class, without executing its package __init__ files."""
  pkg_dir = os.path.join(peer_root, "pytorch_generative")
  require_checkout(os.path.join(pkg_dir, "models", "autoregressive", "nade.py"),
                   "pytorch-generative")
  for name, path in (("pytorch_generative", pkg_dir),
                     ("pytorch_generative.models", os.path.join(pkg_dir, "models")),
                     ("pytorch_generative.models.autoregressive",
                      os.path.join(pkg_dir, "models", "autoregressive"))):
    if name not in sys.modules:
      stub = types.ModuleType(name)
      stub.__path__ = [path]
      sys.modules[name] = stub
  return importlib.import_module("pytorch_generative.models.autoregressive.nade").NADE


def time_batch(torch, nade_cls, batch: int, dims: int, hidden: int, warmup: int,
               repeats: int, seed: int) -> list:
  """Per-step seconds of `repeats` timed train steps at this batch size."""
  torch.manual_seed(seed)
  model = nade_cls(input_dim=dims, hidden_dim=hidden)
  optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
  x = torch.randint(0, 2, (batch, dims)).float()

  def step():
    optimizer.zero_grad(set_to_none=True)
    probs = model(x)   # the peer's forward returns per-pixel Bernoulli means
    nll = torch.nn.functional.binary_cross_entropy(probs, x, reduction="none")
    loss = nll.sum(dim=1).mean()
    loss.backward()
    optimizer.step()
    return loss

  for _ in range(warmup):
    step()
  return timed_steps(step, repeats)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--peer_root", default=os.path.expanduser("~/torchsrc/pytorch-generative"),
                      help="Directory holding the peer's pytorch_generative/ package.")
  parser.add_argument("--batch_sizes", default="512,100")
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--warmup", type=int, default=2)
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--dims", type=int, default=784)
  parser.add_argument("--hidden", type=int, default=500)
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--output", default="", help="JSON lines file to append to.")
  args = parser.parse_args()

  import torch   # pylint: disable=import-outside-toplevel
  torch.set_num_threads(args.threads)
  nade_cls = load_peer_nade(args.peer_root)

  rows = []
  for batch in (int(b) for b in args.batch_sizes.split(",")):
    seconds = time_batch(torch, nade_cls, batch, args.dims, args.hidden, args.warmup,
                         args.repeats, args.seed)
    rows.append({"benchmark": "train_step_pytorch_peer", "model": "nade",
                 "implementation": "pytorch-generative",
                 "peer_commit": peer_commit(args.peer_root),
                 "dims": args.dims, "hidden": args.hidden,
                 **timing_fields(batch, seconds, torch, args.warmup)})
  emit(rows, args.output)

if __name__ == "__main__":
  main()
