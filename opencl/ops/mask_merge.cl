/* gst-cascade: merging the mask heads' outputs: the mean of their
 * sigmoids (mmdetection's merge_aug_masks), in torch's float order;
 * contraction into fma is off for that reason. */

#pragma OPENCL FP_CONTRACT OFF

/* probs[i, p] = (first ? 0 : probs[i, p]) + scale * sigmoid (logits[i,
 * labels[i], p]) for i < n, p < mm (= m * m).  A label outside 0..C-1 adds
 * nothing. */
__kernel void
cascade_mask_merge (__global const float *logits, int logits_off,
    __global const int *labels, int labels_off, __global float *probs,
    int probs_off, int n, int C, int mm, float scale, int first)
{
  int gid = get_global_id (0);
  int i, p, label;
  float acc, s;
  if (gid >= n * mm)
    return;
  i = gid / mm;
  p = gid - i * mm;
  label = labels[labels_off + i];
  acc = first ? 0.0f : probs[probs_off + gid];
  if (label >= 0 && label < C) {
    float x = logits[logits_off + ((size_t) i * C + label) * mm + p];
    s = 1.0f / (1.0f + exp (-x));
    acc = acc + scale * s;
  }
  probs[probs_off + gid] = acc;
}

/* probs[i] = probs[i] / divisor for i < count */
__kernel void
cascade_mask_div (__global float *probs, int probs_off, int count,
    float divisor)
{
  int gid = get_global_id (0);
  if (gid < count)
    probs[probs_off + gid] = probs[probs_off + gid] / divisor;
}
