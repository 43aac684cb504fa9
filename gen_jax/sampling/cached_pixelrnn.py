"""PixelRNN samplers that carry the LSTM states in raster order.

Instead of recomputing the recurrences over the whole image for every new
value, the scan over pixels keeps, per layer, the hidden and cell states of
the previous row and of the current row so far:

- Row LSTM: h(r, c) needs the input-to-state conv at (r, c) (a (1, k)
  mask-B conv, read from a cache of the layer input) and the state-to-state
  conv of row r - 1, computed once when row r - 1 is complete.
- Diagonal BiLSTM: the left-to-right diagonal LSTM's h(r, c) needs only
  h(r, c - 1), h(r - 1, c) and the cell of (r, c - 1), so it runs in raster
  order pixel by pixel; the right-to-left direction, shifted down one row,
  is run once over row r when that row is complete.

The samples equal those of the full-recompute scan sampler for the same key.
"""

import jax
import jax.numpy as jnp

from gen_jax.nn.masked_conv import conv_at, masked_kernel, pad_cache, write_pixel
from gen_jax.nn.pixelrnn import lstm_update, row_conv
from gen_jax.sampling.cached_pixelcnn import head, scan_pixels


def _set_col(row, value, c):  # row [B, W, F], value [B, F]
  return jax.lax.dynamic_update_index_in_dim(row, value, c, axis=1)


def _col(row, c):
  return jax.lax.dynamic_index_in_dim(row, c, axis=1, keepdims=False)


def cached_pixelrnn_sample(net, params, noise, shape, num_levels):
  """(x [B, D] int32, log p(x) [B]) from a `PixelRNNNet`, states carried.

  Args:
    net: the PixelRNNNet (its hyperparameters are read).
    params: its parameters.
    noise: [D, B] or [D, B, K] from `draw_noise`.
    shape: (H, W, C).
    num_levels: K (2 for binary).
  """
  h, w, num_colors = shape
  num = noise.shape[1]
  f, layers = net.features, net.num_layers
  half = max(net.first_kernel, net.kernel) // 2
  pad = (half, half)
  k_in = masked_kernel(params["conv_in"]["kernel"], num_colors, "A")
  row = lambda n: jnp.zeros((num, w, n), jnp.float32)
  carry = {"x_cache": pad_cache(jnp.zeros((num, h, w, num_colors), jnp.float32), pad),
           "h_prev": [row(f)] * layers, "h_cur": [row(f)] * layers,
           "c_prev": [row(f)] * layers, "c_cur": [row(f)] * layers}
  p = [params[f"lstm_{i}"] for i in range(layers)]

  if net.cell == "row":
    k_is = [masked_kernel(q["input_to_state"]["kernel"], num_colors, "B", out_chunks=4)
            for q in p]
    carry["caches"] = [pad_cache(jnp.zeros((num, h, w, f), jnp.float32), pad)] * layers
    carry["ss_row"] = [row(4 * f)] * layers

    def layer_at(carry, i, y, r, c):
      cache = write_pixel(carry["caches"][i], y, r, c, pad)
      gates = (conv_at(cache, k_is[i], r, c, pad) + p[i]["input_to_state"]["bias"])
      gates = gates + _col(carry["ss_row"][i], c)
      state, cell = lstm_update(gates, _col(carry["c_prev"][i], c))
      return {"caches": cache}, state, cell, y + state

    def row_end(carry, r):
      del r
      ss = [row_conv(hc, q["state_to_state"]) for hc, q in zip(carry["h_cur"], p)]
      return dict(carry, h_prev=carry["h_cur"], c_prev=carry["c_cur"], ss_row=ss)

  else:
    k_fwd = [masked_kernel(q["forward_is"]["kernel"], num_colors, "B", out_chunks=4)[0, 0]
             for q in p]
    k_bwd = [masked_kernel(q["backward_is"]["kernel"], num_colors, "B", out_chunks=4)[0, 0]
             for q in p]
    carry["row_in"] = [row(f)] * layers
    carry["hb_prev"] = [row(f)] * layers

    def layer_at(carry, i, y, r, c):
      del r
      row_in = _set_col(carry["row_in"][i], y, c)
      gates_in = y @ k_fwd[i] + p[i]["forward_is"]["bias"]
      left = c > 0
      h_left = jnp.where(left, _col(carry["h_cur"][i], c - 1), 0.0)
      c_left = jnp.where(left, _col(carry["c_cur"][i], c - 1), 0.0)
      h_up = _col(carry["h_prev"][i], c)
      kernel = p[i]["forward_ss"]
      state, cell = lstm_update(gates_in + (h_up @ kernel[0] + h_left @ kernel[1]),
                                c_left)
      return {"row_in": row_in}, state, cell, y + (state + _col(carry["hb_prev"][i], c))

    def backward_row(row_in, hb_prev, i):
      gates_in = row_in @ k_bwd[i] + p[i]["backward_is"]["bias"]    # [B, W, 4F]
      kernel = p[i]["backward_ss"]

      def step(state_cell, inputs):
        state, cell = state_cell
        g, up = inputs
        state, cell = lstm_update(g + (up @ kernel[0] + state @ kernel[1]), cell)
        return (state, cell), state

      zeros = jnp.zeros((num, f), jnp.float32)
      xs = (jnp.moveaxis(gates_in, 1, 0)[::-1], jnp.moveaxis(hb_prev, 1, 0)[::-1])
      _, out = jax.lax.scan(step, (zeros, zeros), xs)
      return jnp.moveaxis(out[::-1], 0, 1)

    def row_end(carry, r):
      del r
      hb = [backward_row(carry["row_in"][i], carry["hb_prev"][i], i)
            for i in range(layers)]
      return dict(carry, h_prev=carry["h_cur"], c_prev=carry["c_cur"], hb_prev=hb)

  def step_pixel(carry, r, c, pixel):
    del pixel  # already in x_cache
    y = conv_at(carry["x_cache"], k_in, r, c, pad) + params["conv_in"]["bias"]
    updates = {k: [] for k in ("caches", "row_in", "h_cur", "c_cur")}
    for i in range(layers):
      cached, state, cell, y = layer_at(carry, i, y, r, c)
      for k, v in cached.items():
        updates[k].append(v)
      updates["h_cur"].append(_set_col(carry["h_cur"][i], state, c))
      updates["c_cur"].append(_set_col(carry["c_cur"][i], cell, c))
    logits = head(params, y, num_colors).reshape(num, num_colors, -1)
    return dict(carry, **{k: v for k, v in updates.items() if v}), logits

  return scan_pixels(step_pixel, carry, noise, shape, num_levels, pad, row_end)
