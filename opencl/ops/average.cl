/* gst-cascade: the mean of several tensors as torch rounds sum(list) /
 * len(list): accumulate, then divide (the cascade's stage logits).  No
 * contraction: products and sums are rounded one by one, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* div_rn: runtime/common.cl */

/* acc = (first ? 0 : acc) + scale * logits */
__kernel void
cascade_accumulate (__global const float *logits, uint loff, uint n,
    float scale, int first, __global float *acc, uint aoff)
{
  uint i = get_global_id (0);
  if (i >= n)
    return;
  acc[aoff + i] = (first ? 0.0f : acc[aoff + i]) + scale * logits[loff + i];
}

/* acc = acc / divisor (torch's sum(stages) / len(stages)) */
__kernel void
cascade_divide (__global float *acc, uint aoff, uint n, float divisor)
{
  uint i = get_global_id (0);
  if (i >= n)
    return;
  acc[aoff + i] = div_rn (acc[aoff + i], divisor);
}
