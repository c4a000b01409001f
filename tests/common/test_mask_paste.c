/* gst-cascade tests: common's mask paste (mask-paste.h) against
 * mmdetection's _do_paste_mask (skip_empty, one box) and `>= threshold`,
 * re-implemented here the plain way in double precision: the region
 * floor (x1) - 1 .. ceil (x2) + 1 clipped to the frame, the pixel centre's
 * grid position with infinities set to 0, grid_sample's align_corners=False
 * mapping ((g + 1) * m - 1) / 2, bilinear with zero padding.  Random boxes
 * of every kind: ordinary, zero-width and zero-height, negative size,
 * partly and entirely outside the frame, sub-pixel, integer corners. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "mask-paste.h"

/* the probability mmdetection pastes at (x, y), or NAN outside the region
 * (those pixels are 0) or where the grid position is NaN */
static gdouble
ref_value (const gfloat * p, gint m, const gfloat * fbox, gint width,
    gint height, gint x, gint y)
{
  gdouble b[4] = { fbox[0], fbox[1], fbox[2], fbox[3] };
  gdouble rx0 = MAX (floor (b[0]) - 1, 0), ry0 = MAX (floor (b[1]) - 1, 0);
  gdouble rx1 = MIN (ceil (b[2]) + 1, width), ry1 = MIN (ceil (b[3]) + 1,
      height);
  gdouble gx, gy, ix, iy, v = 0;
  gint x0, y0, dx, dy;

  if (!(x >= rx0 && x < rx1 && y >= ry0 && y < ry1))
    return NAN;
  gx = (x + 0.5 - b[0]) / (b[2] - b[0]) * 2 - 1;
  gy = (y + 0.5 - b[1]) / (b[3] - b[1]) * 2 - 1;
  if (isinf (gx))
    gx = 0;
  if (isinf (gy))
    gy = 0;
  ix = ((gx + 1) * m - 1) / 2;
  iy = ((gy + 1) * m - 1) / 2;
  if (isnan (ix) || isnan (iy))
    return NAN;
  if (ix < -2 || iy < -2 || ix > m + 1 || iy > m + 1)
    return 0;
  x0 = (gint) floor (ix);
  y0 = (gint) floor (iy);
  for (dy = 0; dy < 2; dy++)
    for (dx = 0; dx < 2; dx++) {
      gint xx = x0 + dx, yy = y0 + dy;
      gdouble wx = dx ? ix - x0 : 1 - (ix - x0);
      gdouble wy = dy ? iy - y0 : 1 - (iy - y0);
      if (xx >= 0 && xx < m && yy >= 0 && yy < m)
        v += wx * wy * p[yy * m + xx];
    }
  return v;
}

/* box number i of a mix of every kind, in a width x height frame */
static void
random_box (GRand * r, guint i, gint width, gint height, gfloat box[4])
{
  gdouble W = width, H = height;
  gdouble cx = g_rand_double_range (r, -0.1 * W, 1.1 * W);
  gdouble cy = g_rand_double_range (r, -0.1 * H, 1.1 * H);
  gdouble bw = g_rand_double_range (r, 1, W), bh = g_rand_double_range (r,
      1, H);
  guint k;

  switch (i % 9) {
    case 1:                    /* sub-pixel */
      bw = g_rand_double_range (r, 0.001, 1);
      bh = g_rand_double_range (r, 0.001, 1);
      break;
    case 2:                    /* negative size */
      bw = -g_rand_double_range (r, 0, 4);
      bh = g_rand_double_range (r, -4, 10);
      break;
    case 3:                    /* entirely outside the frame */
      cx = g_rand_boolean (r) ? -bw / 2 - g_rand_double_range (r, 0, 5)
          : W + bw / 2 + g_rand_double_range (r, 0, 5);
      break;
    case 4:                    /* partly outside, large */
      bw = g_rand_double_range (r, W, 2 * W);
      break;
    default:
      break;
  }
  box[0] = (gfloat) (cx - bw / 2);
  box[1] = (gfloat) (cy - bh / 2);
  box[2] = (gfloat) (cx + bw / 2);
  box[3] = (gfloat) (cy + bh / 2);
  switch (i % 9) {
    case 5:                    /* zero width (x1 = k + 0.5: NaN at k) */
      if (g_rand_boolean (r))
        box[0] = floorf (box[0]) + 0.5f;
      box[2] = box[0];
      break;
    case 6:                    /* zero height */
      box[3] = box[1];
      break;
    case 7:                    /* a point */
      box[2] = box[0];
      box[3] = box[1];
      break;
    case 8:                    /* integer corners */
      for (k = 0; k < 4; k++)
        box[k] = roundf (box[k]);
      break;
    default:
      break;
  }
}

static void
test_random (void)
{
  GRand *r = g_rand_new_with_seed (11);
  const gint W = 67, H = 45, m = 28;
  guint8 *out = g_malloc (W * H), *crop = g_malloc (W * H);
  gfloat probs[28 * 28];
  guint i, set = 0, near = 0, zero_width_set = 0;
  gint x, y, k;

  for (i = 0; i < 900; i++) {
    gfloat box[4], thr = i % 2 ? 0.5f : 0.3f;
    gint region[4];

    for (k = 0; k < m * m; k++)
      probs[k] = (gfloat) g_rand_double (r);
    random_box (r, i, W, H, box);
    cascade_paste_mask_rect (probs, m, box, W, H, thr, 0, 0, W, H, out, W);
    cascade_paste_region (box, W, H, region);
    for (y = 0; y < H; y++)
      for (x = 0; x < W; x++) {
        gdouble v = ref_value (probs, m, box, W, H, x, y);
        gboolean want = !isnan (v) && v >= thr;
        gboolean inside = x >= region[0] && x < region[2]
            && y >= region[1] && y < region[3];

        if (!inside)
          g_assert_cmpuint (out[y * W + x], ==, 0);
        else
          g_assert_cmpuint (out[y * W + x], ==,
              cascade_paste_sample (probs, m, box, x, y) >= thr);
        if (!isnan (v) && fabs (v - thr) < 1e-5) {
          near++;
          continue;
        }
        if (out[y * W + x] != want)
          g_error ("box %u (%.9g %.9g %.9g %.9g): pixel (%d, %d) is %u, "
              "mmdetection's value %.9g", i, box[0], box[1], box[2], box[3],
              x, y, out[y * W + x], v);
        set += want;
        if (i % 9 == 5)
          zero_width_set += want;
      }
    /* a rectangle is a crop of the whole */
    if (region[2] - region[0] > 2 && region[3] - region[1] > 2) {
      guint cw = region[2] - region[0] - 2, ch = region[3] - region[1] - 2;
      cascade_paste_mask_rect (probs, m, box, W, H, thr, region[0] + 1,
          region[1] + 1, cw, ch, crop, cw);
      for (y = 0; y < (gint) ch; y++)
        g_assert_true (memcmp (crop + y * cw, out + (region[1] + 1 + y) * W
                + region[0] + 1, cw) == 0);
    }
  }
  /* the cases are not vacuous: zero-width boxes paste something too */
  g_assert_cmpuint (set, >, 20000);
  g_assert_cmpuint (zero_width_set, >, 50);
  g_assert_cmpuint (near, <, 20);
  g_free (out);
  g_free (crop);
  g_rand_free (r);
}

/* known answers on a map of ones */
static void
test_known (void)
{
  gfloat ones[28 * 28];
  guint8 out[48 * 32];
  gint region[4], x, y, i;
  const gfloat zero_width[4] = { 5.0f, 5.0f, 5.0f, 9.0f };
  const gfloat outside[4] = { 60.0f, 5.0f, 70.0f, 9.0f };
  const gfloat before[4] = { -9.0f, 5.0f, -2.5f, 9.0f };
  const gfloat nan_box[4] = { NAN, 5.0f, 9.0f, 9.0f };
  const gfloat *empty[3] = { outside, before, nan_box };

  for (i = 0; i < 28 * 28; i++)
    ones[i] = 1.0f;
  /* zero width: columns floor (5) - 1 .. ceil (5) + 1 sample the map's
   * middle (gx inf -> 0); rows 5..8 have centres inside y 5..9 */
  cascade_paste_region (zero_width, 48, 32, region);
  g_assert_cmpint (region[0], ==, 4);
  g_assert_cmpint (region[1], ==, 4);
  g_assert_cmpint (region[2], ==, 6);
  g_assert_cmpint (region[3], ==, 10);
  cascade_paste_mask_rect (ones, 28, zero_width, 48, 32, 0.5f, 0, 0, 48, 32,
      out, 48);
  for (y = 0; y < 32; y++)
    for (x = 0; x < 48; x++)
      g_assert_cmpuint (out[y * 48 + x], ==, x >= 4 && x < 6 && y >= 5
          && y < 9);
  /* outside the frame, or NaN: an empty region, nothing pasted */
  for (i = 0; i < 3; i++) {
    cascade_paste_region (empty[i], 48, 32, region);
    g_assert_true (region[2] == region[0] || region[3] == region[1]);
    cascade_paste_mask_rect (ones, 28, empty[i], 48, 32, 0.0f, 0, 0, 48, 32,
        out, 48);
    for (x = 0; x < 48 * 32; x++)
      g_assert_cmpuint (out[x], ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mask-paste/known", test_known);
  g_test_add_func ("/mask-paste/random", test_random);
  return g_test_run ();
}
