/* gst-cascade: boxes scaled back to the input image.  No contraction:
 * each product is rounded on its own, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* boxes[i] *= (fx, fy, fx, fy): mmdetection's rescale of box-only models,
 * boxes * (1 / scale_factor) in float32, before the NMS */
__kernel void
cascade_scale_boxes (__global float *boxes, int off, int n, float fx,
    float fy)
{
  int i = get_global_id (0);
  if (i >= n)
    return;
  boxes += off + 4 * i;
  boxes[0] = boxes[0] * fx;
  boxes[1] = boxes[1] * fy;
  boxes[2] = boxes[2] * fx;
  boxes[3] = boxes[3] * fy;
}
