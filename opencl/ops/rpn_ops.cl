/* gst-cascade: RPN proposals (mmdetection's RPNHead at test time): anchor
 * scores, per-level top-k keys, anchor generation and delta decoding.
 * Keys as in nms.cl.  No contraction: products and sums are rounded one by
 * one, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* div_rn, KEY_INVALID, score_ord: kernels/common.cl */

/* torch.sigmoid in float32: 1 / (1 + exp(-x)) */
inline float
sigmoid (float x)
{
  return div_rn (1.0f, 1.0f + exp (-x));
}

/* Level keys for the top-k: anchor t = (y * W + x) * 3 + a scores
 * sigmoid(cls[a, y, x]); key = ~ord(score) << 32 | t (descending score,
 * then ascending t), padding up to n_pad invalid. */
__kernel void
cascade_rpn_level_keys (__global const float *cls, uint coff, uint hw,
    uint n_pad, __global ulong * keys)
{
  uint t = get_global_id (0);
  if (t >= n_pad)
    return;
  if (t < 3 * hw) {
    float s = sigmoid (cls[coff + (t % 3) * hw + t / 3]);
    keys[t] = ((ulong) (~score_ord (s)) << 32) | t;
  } else {
    keys[t] = KEY_INVALID;
  }
}

/* Decodes the k selected anchors of one level (rank r: anchor
 * lkeys[r] & 0xffffffff when sorted, r itself otherwise) into
 * boxes[(first + r) * 4 ..] and the NMS key of candidate first + r (group
 * = level; invalid when w or h <= min_size, if min_size >= 0).
 * base0..2: the base anchors of ratios 0.5, 1, 2 centred at 0. */
__kernel void
cascade_rpn_decode (__global const float *cls, uint coff,
    __global const float *reg, uint roff, uint h, uint w, uint stride,
    int sorted, __global const ulong * lkeys, uint k, float4 base0,
    float4 base1, float4 base2, float max_ratio, float max_w, float max_h,
    float min_size, uint level, uint first, int ib, __global float *boxes,
    __global ulong * keys)
{
  uint r = get_global_id (0);
  uint t, a, pos, hw = h * w;
  float4 an;
  float sx, sy, s;
  float dx, dy, dw, dh, px, py, pw, ph, gx, gy, gw, gh, x1, y1, x2, y2;
  __global const float *d;
  if (r >= k)
    return;
  t = sorted ? (uint) (lkeys[r] & 0xffffffffUL) : r;
  a = t % 3;
  pos = t / 3;
  an = a == 0 ? base0 : (a == 1 ? base1 : base2);
  sx = (float) (pos % w) * (float) stride;
  sy = (float) (pos / w) * (float) stride;
  an = (float4) (an.x + sx, an.y + sy, an.z + sx, an.w + sy);
  s = sigmoid (cls[coff + a * hw + pos]);

  /* delta2bbox, means 0, stds 1 */
  d = reg + roff + a * 4 * hw + pos;
  dx = d[0] * 1.0f + 0.0f;
  dy = d[hw] * 1.0f + 0.0f;
  dw = d[2 * hw] * 1.0f + 0.0f;
  dh = d[3 * hw] * 1.0f + 0.0f;
  px = (an.x + an.z) * 0.5f;
  py = (an.y + an.w) * 0.5f;
  pw = an.z - an.x;
  ph = an.w - an.y;
  dx = pw * dx;
  dy = ph * dy;
  dw = fmin (fmax (dw, -max_ratio), max_ratio);
  dh = fmin (fmax (dh, -max_ratio), max_ratio);
  gx = px + dx;
  gy = py + dy;
  gw = pw * exp (dw);
  gh = ph * exp (dh);
  x1 = fmin (fmax (gx - gw * 0.5f, 0.0f), max_w);
  y1 = fmin (fmax (gy - gh * 0.5f, 0.0f), max_h);
  x2 = fmin (fmax (gx + gw * 0.5f, 0.0f), max_w);
  y2 = fmin (fmax (gy + gh * 0.5f, 0.0f), max_h);
  boxes[(first + r) * 4 + 0] = x1;
  boxes[(first + r) * 4 + 1] = y1;
  boxes[(first + r) * 4 + 2] = x2;
  boxes[(first + r) * 4 + 3] = y2;
  if (min_size < 0.0f || (x2 - x1 > min_size && y2 - y1 > min_size))
    keys[first + r] = ((ulong) level << (32 + ib))
        | ((ulong) (~score_ord (s)) << ib) | (ulong) (first + r);
  else
    keys[first + r] = KEY_INVALID;
}
