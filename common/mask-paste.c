/* gst-cascade: mmdetection's mask paste on the CPU (see mask-paste.h).
 *
 * The arithmetic is torch's, step by step in float32: the grid position
 * (separate torch operations: subtract, divide, times 2, minus 1), then
 * grid_sample's unnormalisation as its CPU kernel writes it, (g + 1) *
 * (size / 2) - 0.5, the four corner weights and their sum in that order.
 * The build turns contraction into FMA off for this file; the device kernel
 * (opencl/ops/mask_ops.cl) does the same steps with FP_CONTRACT OFF, so the
 * two agree bit for bit.  (PyTorch's vectorised CPU kernel need not round
 * every step the same way: on random grid points its values differed from
 * these by up to about 1e-6, so a pixel that close to the threshold may
 * binarise differently there.) */
#include "mask-paste.h"

#include <math.h>
#include <string.h>

void
cascade_paste_region (const gfloat box[4], guint width, guint height,
    gint region[4])
{
  /* x0_int = clamp (floor (x1) - 1, min=0), x1_int = clamp (ceil (x2) + 1,
   * max=img_w) in float32, then int32; same for y.  Clamped here to the
   * frame on both sides, so that no conversion overflows, and an inverted
   * range is made empty: the pixels are the same. */
  gdouble x0 = floorf (box[0]) - 1.0f, y0 = floorf (box[1]) - 1.0f;
  gdouble x1 = ceilf (box[2]) + 1.0f, y1 = ceilf (box[3]) + 1.0f;

  if (isnan (x0) || isnan (x1) || isnan (y0) || isnan (y1)) {
    region[0] = region[1] = region[2] = region[3] = 0;
    return;
  }
  x0 = CLAMP (x0, 0.0, (gdouble) width);
  y0 = CLAMP (y0, 0.0, (gdouble) height);
  x1 = CLAMP (x1, 0.0, (gdouble) width);
  y1 = CLAMP (y1, 0.0, (gdouble) height);
  region[0] = (gint) x0;
  region[1] = (gint) y0;
  region[2] = MAX ((gint) x1, region[0]);
  region[3] = MAX ((gint) y1, region[1]);
}

/* the grid position of pixel `i` along an axis from lo to hi, an infinite
 * one (zero extent) set to 0 */
static inline gfloat
grid_pos (gint i, gfloat lo, gfloat hi)
{
  gfloat g = ((gfloat) i + 0.5f - lo) / (hi - lo) * 2.0f - 1.0f;

  return isinf (g) ? 0.0f : g;
}

/* grid_sample's unnormalisation (align_corners=False) to an input index */
static inline gfloat
unnormalise (gfloat g, guint m)
{
  return (g + 1.0f) * ((gfloat) m / 2.0f) - 0.5f;
}

/* bilinear sample of p [m, m] at input position (ix, iy), zero padding */
static gfloat
bilinear (const gfloat * p, gint m, gfloat ix, gfloat iy)
{
  gfloat xw = floorf (ix), yn = floorf (iy);
  gfloat w = ix - xw, e = 1.0f - w, n = iy - yn, s = 1.0f - n;
  gfloat nw_v = 0.0f, ne_v = 0.0f, sw_v = 0.0f, se_v = 0.0f;

  /* corners outside the map (or a NaN/inf position) read zeros; the float
   * comparisons keep huge positions away from the int conversion */
  if (xw >= -1.0f && xw < (gfloat) m && yn >= -1.0f && yn < (gfloat) m) {
    gint xi = (gint) xw, yi = (gint) yn;

    if (yi >= 0) {
      if (xi >= 0)
        nw_v = p[yi * m + xi];
      if (xi + 1 < m)
        ne_v = p[yi * m + xi + 1];
    }
    if (yi + 1 < m) {
      if (xi >= 0)
        sw_v = p[(yi + 1) * m + xi];
      if (xi + 1 < m)
        se_v = p[(yi + 1) * m + xi + 1];
    }
  }
  return nw_v * (s * e) + ne_v * (s * w) + sw_v * (n * e) + se_v * (n * w);
}

gfloat
cascade_paste_sample (const gfloat * probs, guint m, const gfloat box[4],
    gint x, gint y)
{
  gfloat ix = unnormalise (grid_pos (x, box[0], box[2]), m);
  gfloat iy = unnormalise (grid_pos (y, box[1], box[3]), m);

  return bilinear (probs, (gint) m, ix, iy);
}

void
cascade_paste_mask_rect (const gfloat * probs, guint m, const gfloat box[4],
    guint width, guint height, gfloat threshold, guint x, guint y, guint w,
    guint h, guint8 * out, gsize stride)
{
  gint region[4];
  guint r, c;

  g_return_if_fail (x <= width && y <= height && w <= width - x
      && h <= height - y && stride >= w);
  if (w == 0 || h == 0)
    return;

  cascade_paste_region (box, width, height, region);
  for (r = 0; r < h; r++) {
    guint8 *row = out + r * stride;
    gint py = (gint) (y + r);
    gfloat iy;

    memset (row, 0, w);
    if (py < region[1] || py >= region[3])
      continue;
    iy = unnormalise (grid_pos (py, box[1], box[3]), m);
    for (c = 0; c < w; c++) {
      gint px = (gint) (x + c);

      if (px < region[0] || px >= region[2])
        continue;
      row[c] = bilinear (probs, (gint) m,
          unnormalise (grid_pos (px, box[0], box[2]), m), iy) >= threshold;
    }
  }
}
