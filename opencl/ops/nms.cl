/* gst-cascade: mmcv-style non-maximum suppression on sorted candidate
 * keys (the sort: ops/sort.cl).
 *
 * A candidate is a 64-bit key, sorted ascending:
 *   group << (32 + ib) | ~ord(score) << ib | index
 * where ord() maps a float to a uint that orders like the float, so keys
 * sort by group, then by descending score, then by ascending index (our
 * deterministic order for tied scores).  CASCADE_KEY_INVALID (all ones)
 * marks padding and excluded candidates; it sorts last.
 *
 * No contraction: every product and sum is rounded on its own, as in
 * PyTorch's (and mmcv's) float32 code. */
#pragma OPENCL FP_CONTRACT OFF

/* div_rn, KEY_INVALID, score_ord: runtime/common.cl */

inline float
ord_score (uint o)
{
  return as_float ((o & 0x80000000u) ? (o & 0x7fffffffu) : ~o);
}

/* the score stored in a key with ib index bits */
inline float
key_score (ulong key, int ib)
{
  return ord_score (~(uint) (key >> ib));
}

inline ulong
make_key (ulong group, float score, ulong index, int ib)
{
  return (group << (32 + ib)) | ((ulong) (~score_ord (score)) << ib) | index;
}

/* ---- counters and keys ----------------------------------------------- */

/* ints[i] = 0 for i < n */
__kernel void
cascade_nms_zero (__global int *ints, uint n)
{
  uint i = get_global_id (0);
  if (i < n)
    ints[i] = 0;
}

/* batched_nms: one key per box; a negative group excludes the box, a group
 * >= gmax sets counts[1] (error) */
__kernel void
cascade_nms_keys (__global const float *scores, uint soff,
    __global const int *groups, uint goff, uint n, uint n_pad, int ib,
    uint gmax, __global ulong * keys, __global int *counts)
{
  uint i = get_global_id (0);
  ulong key = KEY_INVALID;
  if (i >= n_pad)
    return;
  if (i < n) {
    int g = groups[goff + i];
    if (g >= 0 && (uint) g < gmax)
      key = make_key ((ulong) g, scores[soff + i], i, ib);
    else if (g >= 0)
      atomic_or (&counts[1], 1);
  }
  keys[i] = key;
}

/* multiclass_nms candidates: (row, class) with score > thr and the class
 * not filtered out, appended (in any order) to keys; counts[2] counts them.
 * Candidate index c = row * num_classes + class. */
__kernel void
cascade_nms_mc_candidates (__global const float *scores, uint soff, uint rows,
    uint num_classes, float thr, __global const int *class_ok, int ib,
    __global ulong * keys, __global int *counts)
{
  uint c = get_global_id (0);
  uint row, cls;
  float s;
  if (c >= rows * num_classes)
    return;
  row = c / num_classes;
  cls = c % num_classes;
  s = scores[soff + row * (num_classes + 1) + cls];
  if (s > thr && class_ok[cls]) {
    int slot = atomic_inc (&counts[2]);
    keys[slot] = make_key ((ulong) cls, s, c, ib);
  }
}

/* ---- NMS on sorted keys ---------------------------------------------- */

/* mx[0] = the largest coordinate of the valid candidates' boxes (box of
 * candidate c: boxes[boff + (c / div) * 4 ..]); one work-group */
__kernel void
cascade_nms_max_coord (__global const ulong * keys, uint n_pad, int ib,
    __global const float *boxes, uint boff, uint div, __global float *mx,
    __local float *red)
{
  uint lid = get_local_id (0), ls = get_local_size (0);
  ulong imask = (1UL << ib) - 1;
  float m = -INFINITY;
  uint p, s;
  for (p = lid; p < n_pad; p += ls) {
    ulong key = keys[p];
    if (key != KEY_INVALID) {
      __global const float *b = boxes + boff + (uint) ((key & imask) / div) * 4;
      m = fmax (m, fmax (fmax (b[0], b[1]), fmax (b[2], b[3])));
    }
  }
  red[lid] = m;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (s = ls / 2; s > 0; s >>= 1) {
    if (lid < s)
      red[lid] = fmax (red[lid], red[lid + s]);
    barrier (CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0)
    mx[0] = red[0];
}

/* first position whose key is >= v (keys sorted ascending) */
inline uint
lower_bound (__global const ulong * keys, uint n, ulong v)
{
  uint lo = 0, hi = n;
  while (lo < hi) {
    uint mid = (lo + hi) / 2;
    if (keys[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* For sorted position p: the box moved by mmcv's batched_nms offset
 * group * (max_coordinate + 1), its area, and the bounds [s, e) of its
 * group's segment. */
__kernel void
cascade_nms_prepare (__global const ulong * keys, uint n_pad, int ib,
    __global const float *boxes, uint boff, uint div,
    __global const float *mx, __global float4 * sbox, __global float *sarea,
    __global int2 * seg)
{
  uint p = get_global_id (0);
  ulong key, imask = (1UL << ib) - 1, g;
  __global const float *b;
  float off;
  float4 o;
  if (p >= n_pad)
    return;
  key = keys[p];
  if (key == KEY_INVALID) {
    seg[p] = (int2) (0, 0);
    return;
  }
  g = key >> (32 + ib);
  b = boxes + boff + (uint) ((key & imask) / div) * 4;
  off = (float) g *(mx[0] + 1.0f);
  o = (float4) (b[0] + off, b[1] + off, b[2] + off, b[3] + off);
  sbox[p] = o;
  sarea[p] = (o.z - o.x) * (o.w - o.y);
  seg[p] = (int2) ((int) lower_bound (keys, n_pad, g << (32 + ib)),
      (int) lower_bound (keys, n_pad, (g + 1) << (32 + ib)));
}

/* Suppression bits, one work-item per (word w, row p): bit b of word w of
 * row p is set when position j = s + 64 * ((p - s) / 64 + w) + b is a
 * later box of the same segment and IoU(p, j) > thr, computed exactly as
 * mmcv's nms_cpu. */
__kernel void
cascade_nms_mask (__global const ulong * keys, uint n_pad, uint words,
    __global const float4 * sbox, __global const float *sarea,
    __global const int2 * seg, float thr, __global ulong * mask)
{
  uint w = get_global_id (0), p = get_global_id (1);
  int2 se;
  int base, j, j0, j1;
  float4 a;
  float aa;
  ulong bits = 0;
  if (w >= words || p >= n_pad || keys[p] == KEY_INVALID)
    return;
  se = seg[p];
  base = se.x + 64 * (((int) p - se.x) / 64 + (int) w);
  if (base >= se.y)
    return;
  j0 = max (base, (int) p + 1);
  j1 = min (base + 64, se.y);
  a = sbox[p];
  aa = sarea[p];
  for (j = j0; j < j1; j++) {
    float4 b = sbox[j];
    float xx1 = fmax (a.x, b.x), yy1 = fmax (a.y, b.y);
    float xx2 = fmin (a.z, b.z), yy2 = fmin (a.w, b.w);
    float iw = fmax (0.0f, xx2 - xx1), ih = fmax (0.0f, yy2 - yy1);
    float inter = iw * ih;
    float ovr = div_rn (inter, aa + sarea[j] - inter);
    if (ovr > thr)
      bits |= 1UL << (j - base);
  }
  mask[(size_t) p * words + w] = bits;
}

/* Greedy scan, one work-item per segment (started at its first position):
 * keep[q] = 1 when no kept box before it suppressed it; counts[0] += kept.
 * removed[] words s .. s + ceil(len / 64) belong to the segment at s. */
__kernel void
cascade_nms_scan (__global const ulong * keys, uint n_pad, uint words,
    __global const int2 * seg, __global const ulong * mask,
    __global ulong * removed, __global int *keep, __global int *counts)
{
  uint p = get_global_id (0);
  int2 se;
  int s, e, q, nw, kept = 0;
  if (p >= n_pad || keys[p] == KEY_INVALID)
    return;
  se = seg[p];
  s = se.x;
  e = se.y;
  if ((int) p != s)
    return;
  nw = (e - s + 63) / 64;
  for (q = 0; q < nw; q++)
    removed[s + q] = 0;
  for (q = s; q < e; q++) {
    int lw = (q - s) / 64, w;
    if ((removed[s + lw] >> ((q - s) % 64)) & 1) {
      keep[q] = 0;
      continue;
    }
    keep[q] = 1;
    kept++;
    for (w = 0; lw + w < nw; w++)
      removed[s + lw + w] |= mask[(size_t) q * words + w];
  }
  atomic_add (&counts[0], kept);
}

/* keys of the kept boxes without their group (so they sort by score over
 * all groups); the others become invalid */
__kernel void
cascade_nms_kept_keys (__global ulong * keys, uint n_pad, int ib,
    __global const int *keep)
{
  uint p = get_global_id (0);
  ulong key;
  if (p >= n_pad)
    return;
  key = keys[p];
  if (key != KEY_INVALID)
    keys[p] = keep[p] ? (key & ((1UL << (32 + ib)) - 1)) : KEY_INVALID;
}

/* Writes the first min(counts[0], max_keep) kept candidates in sorted
 * order; entries beyond are -1 / 0.  what: 1 index, 2 box, 4 score,
 * 8 label (c % div). */
__kernel void
cascade_nms_output (__global const ulong * keys, int ib,
    __global const int *counts, uint max_keep, uint what,
    __global const float *boxes, uint boff, uint div,
    __global int *out_index, uint ioff, __global float *out_boxes, uint bo,
    __global float *out_scores, uint so, __global int *out_labels, uint lo)
{
  uint q = get_global_id (0);
  bool ok;
  ulong key, c = 0;
  if (q >= max_keep)
    return;
  ok = q < (uint) counts[0];
  key = ok ? keys[q] : 0;
  if (ok)
    c = key & ((1UL << ib) - 1);
  if (what & 1)
    out_index[ioff + q] = ok ? (int) c : -1;
  if (what & 2) {
    uint r;
    for (r = 0; r < 4; r++)
      out_boxes[bo + q * 4 + r] =
          ok ? boxes[boff + (uint) (c / div) * 4 + r] : 0.0f;
  }
  if (what & 4)
    out_scores[so + q] = ok ? key_score (key, ib) : 0.0f;
  if (what & 8)
    out_labels[lo + q] = ok ? (int) (c % div) : -1;
}
