"""Train-step timing of PyTorch-GAN's DCGAN, for comparison with gen_jax.

Runs ONLY in a separate PyTorch environment (see benchmarks/pytorch_peer.md):
it imports torch, which is not a gen_jax dependency, so nothing in gen_jax
or its tests imports this file.

  $HOME/torchenv/bin/python benchmarks/pytorch_peer_dcgan.py \
      --peer_root=$HOME/torchsrc/PyTorch-GAN [--batch_sizes=64] [--img_size=32]
      [--threads=2] [--warmup=2] [--repeats=5] [--output=...]

The peer's implementations/dcgan/dcgan.py is a script (argument parsing, data
download and the training loop run at import), so it is not imported: its
source is parsed, and only its torch imports and its `Generator`,
`Discriminator` and `weights_init_normal` definitions are executed, in a
namespace that supplies the `opt` fields they read (img_size, latent_dim,
channels). One train step is then timed as the script's loop runs it: z drawn
with numpy, G -> D -> BCE against "valid", backward, Adam step for G; then D
on the real batch (BCE against "valid") and on the detached fakes (against
"fake"), the mean of the two, backward, Adam step for D; Adam lr 2e-4, betas
(0.5, 0.999), both models in training mode. Real images are random in
[-1, 1], [B, channels, img_size, img_size]. The peer's discriminator sizes its
last layer for img_size // 16 after four stride-2 convolutions, so img_size
must be a multiple of 16 (28 fails there). After `--warmup` untimed steps (the
first one run under torch.utils.flop_counter.FlopCounterMode),
`--repeats` steps are timed one by one and the fastest counts. One JSON line
per batch size goes to stdout (and is appended to `--output` when given),
with the step's floating-point operations per example as counted by
torch.utils.flop_counter (one multiply-add = 2 FLOPs; convolutions, matmuls
and their gradients only).
"""

import argparse
import ast
import os
import types

from pytorch_peer_common import (emit, peer_commit, require_checkout, timed_steps,
                                 timing_fields)


KEPT_DEFINITIONS = ("Generator", "Discriminator", "weights_init_normal")
KEPT_MODULES = ("torch", "torch.nn", "torch.nn.functional")


def load_peer_dcgan(peer_root: str, img_size: int, latent_dim: int, channels: int) -> dict:
  """The peer's Generator, Discriminator and weights_init_normal, built from
  its script's source without running the script."""
  path = os.path.join(peer_root, "implementations", "dcgan", "dcgan.py")
  require_checkout(path, "PyTorch-GAN")
  with open(path) as f:
    tree = ast.parse(f.read(), filename=path)
  kept = []
  for node in tree.body:
    if isinstance(node, ast.Import) and all(a.name in KEPT_MODULES for a in node.names):
      kept.append(node)
    elif isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in KEPT_DEFINITIONS:
      kept.append(node)
  found = {n.name for n in kept if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
  if found != set(KEPT_DEFINITIONS):
    raise SystemExit(f"{path}: expected definitions {KEPT_DEFINITIONS}, found {sorted(found)}")
  opt = types.SimpleNamespace(img_size=img_size, latent_dim=latent_dim, channels=channels)
  namespace = {"__name__": "pytorch_gan_dcgan", "opt": opt,
               "img_shape": (channels, img_size, img_size), "cuda": False}
  exec(compile(ast.Module(body=kept, type_ignores=[]), path, "exec"), namespace)  # pylint: disable=exec-used
  return {name: namespace[name] for name in KEPT_DEFINITIONS}


def make_step(torch, np, peer: dict, batch: int, img_size: int, latent_dim: int,
              channels: int, seed: int):
  """(step, generator, discriminator): `step()` is one iteration of the
  peer's training loop on a fixed random real batch."""
  torch.manual_seed(seed)
  np.random.seed(seed)
  generator, discriminator = peer["Generator"](), peer["Discriminator"]()
  generator.apply(peer["weights_init_normal"])
  discriminator.apply(peer["weights_init_normal"])
  adversarial_loss = torch.nn.BCELoss()
  optimizer_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
  optimizer_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
  real_imgs = torch.rand(batch, channels, img_size, img_size) * 2 - 1

  def step():
    valid = torch.ones(batch, 1)
    fake = torch.zeros(batch, 1)
    optimizer_g.zero_grad()
    z = torch.tensor(np.random.normal(0, 1, (batch, latent_dim)), dtype=torch.float32)
    gen_imgs = generator(z)
    g_loss = adversarial_loss(discriminator(gen_imgs), valid)
    g_loss.backward()
    optimizer_g.step()
    optimizer_d.zero_grad()
    real_loss = adversarial_loss(discriminator(real_imgs), valid)
    fake_loss = adversarial_loss(discriminator(gen_imgs.detach()), fake)
    d_loss = (real_loss + fake_loss) / 2
    d_loss.backward()
    optimizer_d.step()
    return g_loss, d_loss

  return step, generator, discriminator


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--peer_root", default=os.path.expanduser("~/torchsrc/PyTorch-GAN"),
                      help="Checkout of PyTorch-GAN (holding implementations/dcgan/dcgan.py).")
  parser.add_argument("--batch_sizes", default="64")
  parser.add_argument("--img_size", type=int, default=32)
  parser.add_argument("--latent_dim", type=int, default=100)
  parser.add_argument("--channels", type=int, default=1)
  parser.add_argument("--threads", type=int, default=2)
  parser.add_argument("--warmup", type=int, default=2)
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--seed", type=int, default=0)
  parser.add_argument("--output", default="", help="JSON lines file to append to.")
  args = parser.parse_args()
  if args.warmup < 1:
    parser.error("--warmup must be at least 1: the first warm-up step counts the FLOPs.")

  import numpy as np   # pylint: disable=import-outside-toplevel
  import torch   # pylint: disable=import-outside-toplevel
  from torch.utils.flop_counter import FlopCounterMode   # pylint: disable=import-outside-toplevel
  torch.set_num_threads(args.threads)
  peer = load_peer_dcgan(args.peer_root, args.img_size, args.latent_dim, args.channels)

  rows = []
  for batch in (int(b) for b in args.batch_sizes.split(",")):
    step, generator, discriminator = make_step(torch, np, peer, batch, args.img_size,
                                               args.latent_dim, args.channels, args.seed)
    counter = FlopCounterMode(display=False)
    with counter:
      step()   # the first warm-up step, counted
    flops = counter.get_total_flops()
    for _ in range(args.warmup - 1):
      step()
    seconds = timed_steps(step, args.repeats)
    rows.append({"benchmark": "train_step_pytorch_peer", "model": "dcgan",
                 "implementation": "PyTorch-GAN", "peer_commit": peer_commit(args.peer_root),
                 "img_size": args.img_size, "channels": args.channels,
                 "latent_dim": args.latent_dim, "flops_per_item": flops / batch,
                 "generator_params": sum(p.numel() for p in generator.parameters()),
                 "discriminator_params": sum(p.numel() for p in discriminator.parameters()),
                 **timing_fields(batch, seconds, torch, args.warmup)})
  emit(rows, args.output)

if __name__ == "__main__":
  main()
