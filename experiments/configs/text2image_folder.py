r"""Text-to-image GAN (GAN-CLS + GAN-INT) on the user's captioned images.

Command:
  python -m experiments.train --config=experiments/configs/text2image_folder.py \
      --config.data.data_dir=/path/to/folder --workdir=workdirs/text2image_folder
  python -m experiments.sample --config=experiments/configs/text2image_folder.py \
      --config.data.data_dir=/path/to/folder --workdir=workdirs/text2image_folder \
      --caption="a small red bird with white wings"

The folder holds images and `captions.jsonl`, one line per caption:
{"image": "birds/0001.jpg", "caption": "a small red bird with white wings"}
(gen_jax/data/caption_folder.py). Images are centre-cropped and resized to
64x64 as in the paper; the vocabulary is every word of the captions, so a
sentence given to `experiments.sample` may only use those words (others are
named in the error). Caption accuracy needs attribute labels, which a folder
lacks: the config names no evaluator and evaluation reports only the losses;
look at the pictures
(caption_z / same_z / interpolation under samples/).

Settings follow Reed et al. 2016 (ICML, "Generative Adversarial Text to
Image Synthesis", section 5): 64x64 images, z of 100 dims, the text
embedding compressed to 128 and concatenated to z in G and replicated
spatially at 4x4 in D, Adam lr 2e-4 with beta1 0.5, batch 64, GAN-INT beta
0.5; they trained 600 epochs. Their text encoder is a char-CNN-RNN
pre-trained by the deep symmetric structured joint embedding (Reed et al.
2016, CVPR); here a word GRU trained end to end (a symmetric joint-embedding
loss was tried on the attribute digits and removed; see
text2image_mnist_captions.py). Their data: CUB-200-2011 (11,788 bird images, 200 classes) and
Oxford-102 flowers (8,189 images, 102 classes), each image with 10 captions,
split into disjoint train+val (150 / 82) and test (50 / 20) classes; they
report samples and qualitative comparisons (GAN, GAN-CLS, GAN-INT,
GAN-INT-CLS), no numeric image-quality score. Runtime: not measured here (a
folder of the user's; about the cost of a 64x64 DCGAN per step). On the
attribute digits these players drew blobs where the projection D and a
fixed bag-of-words encoder reached the goal (text2image_mnist_captions.py):
try `--config.model.discriminator=projection --config.model.d_batch_norm=True`
if yours do too.
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
