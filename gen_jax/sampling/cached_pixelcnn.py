"""Cached samplers for PixelCNN and Gated PixelCNN.

In the manner of Ramachandran et al. 2017 (Fast Generation for
Convolutional Autoregressive Models): every conv layer keeps a cache of its
inputs over the whole image, and each step of the scan computes every layer
at the new pixel only, reading the earlier pixels it needs from the caches.
A step costs O(layers * kernel area * features^2) instead of a full forward
pass over the image. The Gated PixelCNN's vertical stack is computed once
per row, when that row is complete.

Both samplers consume the noise of `draw_noise` position by position and
decide values with `pick`, exactly as `sequential_sample` does, so they
return the sequential sampler's samples for the same key.

Why caching a pixel is exact: hidden features of color g at a pixel depend
on that pixel's channels < g only (mask A, then mask B), so the features a
step computes for the current pixel's channel ch are the ones the full
network computes, and after the pixel's last channel all of them are final.
The input cache is written after each pick.
"""

import jax
import jax.numpy as jnp

from gen_jax.losses import discrete_log_prob
from gen_jax.nn.masked_conv import (conv_above, conv_at, conv_in_row, conv_row,
                                    masked_kernel, pad_cache, write_pixel, write_row)
from gen_jax.sampling.autoregressive import pick


def _to_input(x, num_levels):
  return x.astype(jnp.float32) * (2.0 / (num_levels - 1)) - 1.0


def _dense(p, x):  # 1x1 conv or Dense params applied to [..., F_in]
  kernel = p["kernel"].reshape(-1, p["kernel"].shape[-1])
  y = x @ kernel
  return y + p["bias"] if "bias" in p else y


def head(params, h, num_colors):
  """The 1x1 mask-B output head at one pixel: h [B, F] -> [B, C * out_dim]."""
  p_hidden = dict(params["out_hidden"],
                  kernel=masked_kernel(params["out_hidden"]["kernel"], num_colors, "B"))
  p_out = dict(params["out"], kernel=masked_kernel(params["out"]["kernel"], num_colors, "B"))
  return _dense(p_out, jax.nn.relu(_dense(p_hidden, jax.nn.relu(h))))


def scan_pixels(step_pixel, carry, noise, shape, num_levels, pad, row_end=None):
  """Runs the scan over rows (outer) and (column, channel) positions (inner).

  step_pixel(carry, r, c, x_pixel [B, C] levels) -> (carry, logits [B, C, K'])
  row_end(carry, r) -> carry, called after row r is complete.
  Returns x [B, D] int32 and the log-probability [B] of the picked values
  under the conditionals the step computed.
  """
  h, w, num_colors = shape
  num = noise.shape[1]
  noise = noise.reshape((h, w * num_colors) + noise.shape[1:])

  def inner(state, inputs):
    carry, x, log_p = state                    # x [B, H, W, C] levels, log_p [B]
    r, j, noise_j = inputs
    c, ch = j // num_colors, j % num_colors
    pixel = jax.lax.dynamic_slice(x, (0, r, c, 0), (num, 1, 1, num_colors))[:, 0, 0]
    carry, logits = step_pixel(carry, r, c, pixel)
    logits = jax.lax.dynamic_index_in_dim(logits, ch, axis=1, keepdims=False)
    if logits.shape[-1] == 1 and noise_j.ndim == 1:
      logits = logits[..., 0]
    value = pick(logits, noise_j)
    log_p = log_p + discrete_log_prob(logits, value, num_levels)
    pixel = pixel.at[:, ch].set(value)
    x = jax.lax.dynamic_update_slice(x, pixel[:, None, None, :], (0, r, c, 0))
    carry = dict(carry, x_cache=write_pixel(carry["x_cache"],
                                            _to_input(pixel, num_levels), r, c, pad))
    return (carry, x, log_p), None

  def outer(state, inputs):
    r, noise_r = inputs
    (carry, x, log_p), _ = jax.lax.scan(
        inner, state, (jnp.full((w * num_colors,), r), jnp.arange(w * num_colors),
                       noise_r))
    if row_end is not None:
      carry = row_end(carry, r)
    return (carry, x, log_p), None

  x0 = jnp.zeros((num,) + tuple(shape), jnp.int32)
  state = (carry, x0, jnp.zeros((num,), jnp.float32))
  (_, x, log_p), _ = jax.lax.scan(outer, state, (jnp.arange(h), noise))
  return x.reshape(num, -1), log_p


def cached_pixelcnn_sample(net, params, noise, shape, num_levels, label=None):
  """(x [B, D] int32, log p(x) [B]) from a `PixelCNNNet` with layer caches.

  Each conv's taps are split by row: those on the rows above are computed for
  the whole next row in one batched conv when a row is complete (`row_end`,
  `conv_above`); a step computes only the taps of its own row up to the new
  pixel (`conv_in_row`): 2 of the 6 taps of a 3x3 block it read before, 4 of
  the 28 of the 7x7 input conv. The sums are the same; only their order
  differs.

  Args:
    net: the PixelCNNNet (its hyperparameters are read).
    params: its parameters.
    noise: [D, B] or [D, B, K] from `draw_noise`.
    shape: (H, W, C).
    num_levels: K (2 for binary).
    label: [B] int32 classes of a conditional net (`net.num_classes` > 0).
  """
  h, w, num_colors = shape
  num = noise.shape[1]
  half = max(net.first_kernel, net.kernel) // 2
  pad = (half, half)
  k_in = masked_kernel(params["conv_in"]["kernel"], num_colors, "A")
  k_blocks = [masked_kernel(params[f"block_{i}"]["kernel"], num_colors, "B")
              for i in range(net.num_blocks)]
  blank = lambda f: pad_cache(jnp.zeros((num, h, w, f), jnp.float32), pad)
  kernels = [k_in] + k_blocks                   # conv i reads cache i below
  carry = {"x_cache": blank(num_colors),
           "blocks": [blank(net.features) for _ in range(net.num_blocks)],
           # Each conv's taps on the rows above the current row: [B, W, F].
           "above": [jnp.zeros((num, w, k.shape[-1]), jnp.float32) for k in kernels]}
  onehot = jax.nn.one_hot(label, net.num_classes) if net.num_classes else None
  label_bias = lambda name: 0.0 if onehot is None else onehot @ params[name]["kernel"]

  def conv_here(carry, i, cache, r, c):        # conv i at (r, c), no bias: [B, F]
    above = jax.lax.dynamic_index_in_dim(carry["above"][i], c, axis=1, keepdims=False)
    return above + conv_in_row(cache, kernels[i], r, c, pad)

  def step_pixel(carry, r, c, pixel):
    del pixel  # already in x_cache
    act = conv_here(carry, 0, carry["x_cache"], r, c) + params["conv_in"]["bias"]
    act = act + label_bias("cond_in")
    caches = []
    for i, cache in enumerate(carry["blocks"]):
      cache = write_pixel(cache, jax.nn.relu(act), r, c, pad)
      act = act + (conv_here(carry, i + 1, cache, r, c) + params[f"block_{i}"]["bias"])
      act = act + label_bias(f"cond_{i}")
      caches.append(cache)
    logits = head(params, act, num_colors).reshape(num, num_colors, -1)
    return dict(carry, blocks=caches), logits

  def row_end(carry, r):                       # row r complete: prepare row r + 1
    inputs = [carry["x_cache"]] + carry["blocks"]
    above = [conv_above(x, k, r + 1, pad) for x, k in zip(inputs, kernels)]
    return dict(carry, above=above)

  return scan_pixels(step_pixel, carry, noise, shape, num_levels, pad, row_end)


def _gate(a):
  u, g = jnp.split(a, 2, axis=-1)
  return jnp.tanh(u) * jax.nn.sigmoid(g)


def cached_gated_sample(net, params, noise, shape, num_levels, label=None):
  """(x [B, D] int32, log p(x) [B]) from a `GatedPixelCNNNet`, cached.

  The vertical stack of row r is computed when row r is complete; the
  horizontal stack and the head run at each new pixel. Arguments as in
  `cached_pixelcnn_sample`, plus `label` [B] int32 for class-conditional
  nets.
  """
  h, w, num_colors = shape
  num = noise.shape[1]
  f, layers = net.features, net.num_layers
  pad = (net.kernel // 2, net.kernel // 2)
  kv = [masked_kernel(params[f"v_{i}"]["kernel"], num_colors, "V", out_chunks=2)
        for i in range(layers)]
  kh = [masked_kernel(params[f"h_{i}"]["kernel"], num_colors, "A" if i == 0 else "B",
                      out_chunks=2) for i in range(layers)]
  h_out = [dict(params[f"h_out_{i}"],
                kernel=masked_kernel(params[f"h_out_{i}"]["kernel"], num_colors, "B"))
           for i in range(layers)]
  if net.num_classes:
    onehot = jax.nn.one_hot(label, net.num_classes)
    cond_v = [onehot @ params[f"cond_v_{i}"]["kernel"] for i in range(layers)]
    cond_h = [onehot @ params[f"cond_h_{i}"]["kernel"] for i in range(layers)]
  else:
    cond_v = cond_h = [jnp.zeros((num, 2 * f), jnp.float32)] * layers
  blank = lambda n: pad_cache(jnp.zeros((num, h, w, n), jnp.float32), pad)
  zero_row = jnp.zeros((num, w, 2 * f), jnp.float32)
  carry = {
      "x_cache": blank(num_colors),
      "v": [blank(f) for _ in range(layers - 1)],          # inputs of v_1 ...
      "h": [blank(f) for _ in range(layers - 1)],          # inputs of h_1 ...
      # v_to_h of the row above (zeros above row 0, as shift_down gives).
      "v_to_h": [_dense(params[f"v_to_h_{i}"], zero_row) for i in range(layers)],
  }

  def step_pixel(carry, r, c, pixel):
    del pixel
    caches, act = [], None
    for i in range(layers):
      source = carry["x_cache"] if i == 0 else caches[-1]
      pre = conv_at(source, kh[i], r, c, pad) + params[f"h_{i}"]["bias"]
      pre = pre + jax.lax.dynamic_index_in_dim(carry["v_to_h"][i], c, 1, False)
      if net.num_classes:
        pre = pre + cond_h[i]
      out = _dense(h_out[i], _gate(pre))
      act = out if i == 0 else act + out
      if i < layers - 1:
        caches.append(write_pixel(carry["h"][i], act, r, c, pad))
    logits = head(params, act, num_colors).reshape(num, num_colors, -1)
    return dict(carry, h=caches), logits

  def row_end(carry, r):
    v_caches, v_to_h = [], []
    for i in range(layers):
      source = carry["x_cache"] if i == 0 else v_caches[-1]
      pre = conv_row(source, kv[i], r, pad) + params[f"v_{i}"]["bias"]  # [B, W, 2F]
      v_to_h.append(_dense(params[f"v_to_h_{i}"], pre))
      if net.num_classes:
        pre = pre + cond_v[i][:, None, :]
      if i < layers - 1:
        v_caches.append(write_row(carry["v"][i], _gate(pre), r, pad))
    return dict(carry, v=v_caches, v_to_h=v_to_h)

  return scan_pixels(step_pixel, carry, noise, shape, num_levels, pad, row_end)
