r"""Text-to-image GAN (GAN-CLS + GAN-INT) on the user's captioned images.

Command:
  python -m experiments.train --config=experiments/configs/text2image_folder.py \
      --config.data.data_dir=/path/to/folder --workdir=workdirs/text2image_folder
  python -m experiments.sample --config=experiments/configs/text2image_folder.py \
      --config.data.data_dir=/path/to/folder --workdir=workdirs/text2image_folder \
      --caption="a small red bird with white wings"

The folder holds images and `captions.jsonl`, one line per caption:
{"image": "birds/0001.jpg", "caption": "a small red bird with white wings"}.
Reed et al. 2016's players: 64x64, z of 100, the caption replicated at 4x4
in D, GAN-INT 0.5, Adam 2e-4 (beta1 0.5), batch 64; a word GRU trained end
to end. No attribute labels, so no caption accuracy: look at the pictures.
If they are blobs, try --config.model.discriminator=projection
--config.model.d_batch_norm=True.

Runtime: not measured (about a 64x64 DCGAN's cost per step).
Expected: the paper (CUB, Oxford-102) shows samples, no numeric score.
History and ablations: docs/text2image.md
"""

from experiments.configs import text2image_mnist_captions


def get_config():
  c = text2image_mnist_captions.get_config()
  c.data.name = "caption_folder"
  c.data.data_dir = ""                 # --config.data.data_dir=FOLDER (required)
  c.data.image_size = 64
  c.data.train_split = "train"
  c.data.eval_split = "test"
  c.model.noise_dim = 100
  c.model.features = 64
  # The paper's players (the attribute-digits config departs from them):
  c.model.text_encoder = "gru"         # 64-d words, 128-d state
  c.model.discriminator = "matching"
  c.model.d_batch_norm = False
  c.model.interpolation_weight = 1.0
  c.train.ema_decay = 0.999
  del c.evals.captions                 # no attribute labels: no caption accuracy
  c.train.num_steps = 20000
  c.eval.every_steps = 2000
  c.checkpoint.every_steps = 2000
  c.sample.every_steps = 2000
  return c
