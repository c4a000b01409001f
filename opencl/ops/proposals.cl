/* gst-cascade: RPN proposals (mmdetection's RPNHead at test time): anchor
 * scores, per-level top-k keys, the anchors and deltas of the selected
 * candidates (decoded by ops/box_coder.cl) and the min_bbox_size filter.
 * Keys as in ops/nms.cl.  No contraction: products and sums are rounded
 * one by one, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* div_rn, KEY_INVALID, score_ord: runtime/common.cl */

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

/* The k selected anchors of one level (rank r: anchor t = lkeys[r] &
 * 0xffffffff when sorted, r itself otherwise), gathered for the box coder:
 * the anchor box into boxes[(first + r) * 4 ..], its deltas (dx, dy, dw,
 * dh) into deltas[(first + r) * 4 ..], and the NMS key of candidate
 * first + r (group = level).  base0..2: the base anchors of ratios 0.5, 1,
 * 2 centred at 0. */
__kernel void
cascade_rpn_anchors (__global const float *cls, uint coff,
    __global const float *reg, uint roff, uint h, uint w, uint stride,
    int sorted, __global const ulong * lkeys, uint k, float4 base0,
    float4 base1, float4 base2, uint level, uint first, int ib,
    __global float *boxes, __global float *deltas, __global ulong * keys)
{
  uint r = get_global_id (0);
  uint t, a, pos, hw = h * w, c = first + r;
  float4 an;
  float sx, sy, s;
  __global const float *d;
  if (r >= k)
    return;
  t = sorted ? (uint) (lkeys[r] & 0xffffffffUL) : r;
  a = t % 3;
  pos = t / 3;
  an = a == 0 ? base0 : (a == 1 ? base1 : base2);
  sx = (float) (pos % w) * (float) stride;
  sy = (float) (pos / w) * (float) stride;
  s = sigmoid (cls[coff + a * hw + pos]);
  boxes[c * 4 + 0] = an.x + sx;
  boxes[c * 4 + 1] = an.y + sy;
  boxes[c * 4 + 2] = an.z + sx;
  boxes[c * 4 + 3] = an.w + sy;
  d = reg + roff + a * 4 * hw + pos;
  deltas[c * 4 + 0] = d[0];
  deltas[c * 4 + 1] = d[hw];
  deltas[c * 4 + 2] = d[2 * hw];
  deltas[c * 4 + 3] = d[3 * hw];
  keys[c] = ((ulong) level << (32 + ib)) | ((ulong) (~score_ord (s)) << ib)
      | (ulong) c;
}

/* mmdetection's min_bbox_size filter on the n decoded candidates: the key
 * of a box with w or h <= min_size becomes invalid (nothing when
 * min_size < 0) */
__kernel void
cascade_rpn_min_size (__global const float *boxes, uint n, float min_size,
    __global ulong * keys)
{
  uint c = get_global_id (0);
  __global const float *b;
  if (c >= n || min_size < 0.0f)
    return;
  b = boxes + c * 4;
  if (!(b[2] - b[0] > min_size && b[3] - b[1] > min_size))
    keys[c] = KEY_INVALID;
}
