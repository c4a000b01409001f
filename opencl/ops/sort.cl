/* gst-cascade: sorting of 64-bit keys on the device: a bitonic sort (the
 * inner steps in local memory), a top-k by radix select, and the fill of
 * padding keys.  The keys are opaque here; ops/nms.cl describes the
 * candidate keys that the NMS and the RPN sort.  KEY_INVALID (all ones,
 * runtime/common.cl) sorts last. */


inline void
cmp_swap (__global ulong * keys, uint i, uint l, bool up)
{
  ulong a = keys[i], b = keys[l];
  if ((a > b) == up) {
    keys[i] = b;
    keys[l] = a;
  }
}

/* one compare-exchange step (k, j) over n keys (n a power of two);
 * one work-item per pair */
__kernel void
cascade_sort_step (__global ulong * keys, uint n, uint k, uint j)
{
  uint t = get_global_id (0);
  uint i, l;
  if (t >= n / 2)
    return;
  i = 2 * j * (t / j) + t % j;
  l = i + j;
  cmp_swap (keys, i, l, (i & k) == 0);
}

inline void
local_steps (__local ulong * s, uint base, uint chunk, uint k, uint j_from)
{
  uint lid = get_local_id (0), ls = get_local_size (0);
  uint j, t;
  for (j = j_from; j > 0; j >>= 1) {
    for (t = lid; t < chunk / 2; t += ls) {
      uint i = 2 * j * (t / j) + t % j;
      uint l = i + j;
      bool up = ((base + i) & k) == 0;
      ulong a = s[i], b = s[l];
      if ((a > b) == up) {
        s[i] = b;
        s[l] = a;
      }
    }
    barrier (CLK_LOCAL_MEM_FENCE);
  }
}

/* sorts each chunk of `chunk` keys in local memory (stages k <= chunk),
 * in the direction the global bitonic network gives it */
__kernel void
cascade_sort_local (__global ulong * keys, uint chunk, __local ulong * s)
{
  uint lid = get_local_id (0), ls = get_local_size (0);
  uint base = get_group_id (0) * chunk;
  uint t, k;
  for (t = lid; t < chunk; t += ls)
    s[t] = keys[base + t];
  barrier (CLK_LOCAL_MEM_FENCE);
  for (k = 2; k <= chunk; k <<= 1)
    local_steps (s, base, chunk, k, k / 2);
  for (t = lid; t < chunk; t += ls)
    keys[base + t] = s[t];
}

/* the steps j < chunk of stage k, in local memory */
__kernel void
cascade_sort_merge (__global ulong * keys, uint chunk, uint k,
    __local ulong * s)
{
  uint lid = get_local_id (0), ls = get_local_size (0);
  uint base = get_group_id (0) * chunk;
  uint t;
  for (t = lid; t < chunk; t += ls)
    s[t] = keys[base + t];
  barrier (CLK_LOCAL_MEM_FENCE);
  local_steps (s, base, chunk, k, chunk / 2);
  for (t = lid; t < chunk; t += ls)
    keys[base + t] = s[t];
}

/* ---- top-k by radix select -------------------------------------------
 * The k-th smallest key K is found 8 bits at a time from the top (state:
 * prefix, mask, rank still to find); then the keys < K and enough keys ==
 * K are gathered (in any order) for a small sort.  hist: 256 bins, then
 * the two gather counters. */

__kernel void
cascade_topk_init (__global ulong * state, __global int *hist, uint k)
{
  uint i = get_global_id (0);
  if (i < 258)
    hist[i] = 0;
  if (i == 0) {
    state[0] = 0;
    state[1] = 0;
    state[2] = k;
  }
}

__kernel void
cascade_topk_hist (__global const ulong * keys, uint n,
    __global const ulong * state, uint shift, __global int *hist,
    __local int *lh)
{
  uint lid = get_local_id (0), ls = get_local_size (0), i;
  ulong prefix = state[0], mask = state[1];
  for (i = lid; i < 256; i += ls)
    lh[i] = 0;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (i = get_global_id (0); i < n; i += get_global_size (0)) {
    ulong key = keys[i];
    if ((key & mask) == prefix)
      atomic_inc (&lh[(uint) (key >> shift) & 255]);
  }
  barrier (CLK_LOCAL_MEM_FENCE);
  for (i = lid; i < 256; i += ls)
    if (lh[i])
      atomic_add (&hist[i], lh[i]);
}

/* one work-item: the bin holding the wanted rank; clears the bins */
__kernel void
cascade_topk_select (__global ulong * state, uint shift, __global int *hist)
{
  ulong rem, cum = 0;
  uint b;
  if (get_global_id (0) != 0)
    return;
  rem = state[2];
  for (b = 0; b < 255; b++) {
    ulong h = (ulong) hist[b];
    if (cum + h >= rem)
      break;
    cum += h;
  }
  state[0] |= (ulong) b << shift;
  state[1] |= 0xffUL << shift;
  state[2] = rem - cum;
  for (b = 0; b < 256; b++)
    hist[b] = 0;
}

/* out[0, k) = the keys < K, then state[2] keys == K */
__kernel void
cascade_topk_gather (__global const ulong * keys, uint n,
    __global const ulong * state, uint k, __global int *hist,
    __global ulong * out)
{
  uint i = get_global_id (0);
  ulong key, kth, rem;
  if (i >= n)
    return;
  key = keys[i];
  kth = state[0];
  rem = state[2];
  if (key < kth) {
    out[atomic_inc (&hist[256])] = key;
  } else if (key == kth) {
    uint t = (uint) atomic_inc (&hist[257]);
    if (t < rem)
      out[k - (uint) rem + t] = key;
  }
}

/* ---- padding -------------------------------------------------------- */

/* keys[i] = value for off <= i < n */
__kernel void
cascade_keys_fill (__global ulong * keys, uint off, uint n, ulong value)
{
  uint i = get_global_id (0) + off;
  if (i < n)
    keys[i] = value;
}
