/* gst-cascade tests: pasting a mask into the frame against a plain-C
 * reference of mmdetection's _do_paste_mask (torch grid_sample, bilinear,
 * align_corners=False, zero padding; skip_empty region) */
#include "testutil.h"
#include "ops/mask_paste.h"
#include "runtime/util.h"
#include "mask-paste.h"

#include <string.h>

static CascadeCtx *ctx;

/* a call that must succeed: shows the error message when it does not */
#define OK(call) G_STMT_START { gboolean ok_ = (call); \
    g_assert_no_error (err); g_assert_true (ok_); } G_STMT_END

/* torch's grid_sample (bilinear, zeros, align_corners=False) at one grid
 * point, written as its scalar code does: unnormalise, four corners, each
 * added when inside */
static gfloat
ref_grid_sample (const gfloat * in, gint m, gfloat gx, gfloat gy)
{
  gfloat ix = ((gx + 1.0f) * (gfloat) m - 1.0f) / 2.0f;
  gfloat iy = ((gy + 1.0f) * (gfloat) m - 1.0f) / 2.0f;
  gfloat fx = floorf (ix), fy = floorf (iy);
  gfloat tx = ix - fx, ty = iy - fy;
  gfloat nw = (1.0f - ty) * (1.0f - tx), ne = (1.0f - ty) * tx;
  gfloat sw = ty * (1.0f - tx), se = ty * tx;
  gfloat v = 0.0f;
  gint x0, y0;
  if (isnan (ix) || isnan (iy) || isinf (ix) || isinf (iy))
    return NAN;
  if (fx < -2.0f || fx > m || fy < -2.0f || fy > m)
    return 0.0f;
  x0 = (gint) fx;
  y0 = (gint) fy;
#define IN(x, y) ((x) >= 0 && (x) < m && (y) >= 0 && (y) < m)
  if (IN (x0, y0))
    v += in[y0 * m + x0] * nw;
  if (IN (x0 + 1, y0))
    v += in[y0 * m + x0 + 1] * ne;
  if (IN (x0, y0 + 1))
    v += in[(y0 + 1) * m + x0] * sw;
  if (IN (x0 + 1, y0 + 1))
    v += in[(y0 + 1) * m + x0 + 1] * se;
#undef IN
  return v;
}

/* _do_paste_mask for one box with skip_empty=True: the probabilities of the
 * frame (NAN where the region leaves the pixel at 0) */
static void
ref_paste (const gfloat * probs, gint m, const gfloat * box, gint width,
    gint height, gfloat * val)
{
  gfloat fx0 = MAX (floorf (box[0]) - 1.0f, 0.0f);
  gfloat fy0 = MAX (floorf (box[1]) - 1.0f, 0.0f);
  gfloat fx1 = MIN (ceilf (box[2]) + 1.0f, (gfloat) width);
  gfloat fy1 = MIN (ceilf (box[3]) + 1.0f, (gfloat) height);
  gint x, y;
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++) {
      gfloat gx, gy;
      if (x < fx0 || x >= fx1 || y < fy0 || y >= fy1) {
        val[y * width + x] = -1.0f;     /* outside the region */
        continue;
      }
      gx = ((gfloat) x + 0.5f - box[0]) / (box[2] - box[0]) * 2.0f - 1.0f;
      gy = ((gfloat) y + 0.5f - box[1]) / (box[3] - box[1]) * 2.0f - 1.0f;
      if (isinf (gx))
        gx = 0.0f;
      if (isinf (gy))
        gy = 0.0f;
      val[y * width + x] = ref_grid_sample (probs, m, gx, gy);
    }
}

/* pastes `count` random boxes into a width x height frame and compares
 * each pixel with the reference; returns the number of 1 pixels */
static gsize
check_paste (guint width, guint height, guint m, guint count,
    gfloat threshold, guint seed)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gsize npix = (gsize) width * height, ones = 0, skipped = 0, i, b;
  gfloat *val = g_new (gfloat, npix);
  guint8 *got = g_malloc (npix + 16);
  CascadeTensor tp, to;

  OK (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_U8, 1,
          CASCADE_SHAPE (npix + 16), NULL, &err));
  to.offset = 7;
  cascade_tensor_set_shape (&to, 2, CASCADE_SHAPE (height, width));
  for (b = 0; b < count; b++) {
    gfloat *probs = test_random (r, m * m + 5, 0, 1);
    gfloat box[4], W = (gfloat) width, H = (gfloat) height;
    guint kind = b % 6;
    gfloat cx = (gfloat) g_rand_double_range (r, -0.2 * W, 1.2 * W);
    gfloat cy = (gfloat) g_rand_double_range (r, -0.2 * H, 1.2 * H);
    gfloat bw = (gfloat) g_rand_double_range (r, 2, 1.3 * W);
    gfloat bh = (gfloat) g_rand_double_range (r, 2, 1.3 * H);
    if (kind == 1) {            /* tiny: below a pixel */
      bw = (gfloat) g_rand_double_range (r, 0.05, 1.0);
      bh = (gfloat) g_rand_double_range (r, 0.05, 1.0);
      cx = (gfloat) g_rand_double_range (r, 0, W);
      cy = (gfloat) g_rand_double_range (r, 0, H);
    } else if (kind == 2) {     /* inside, a few pixels */
      bw = (gfloat) g_rand_double_range (r, 1, 12);
      bh = (gfloat) g_rand_double_range (r, 1, 12);
    }
    box[0] = cx - bw / 2;
    box[1] = cy - bh / 2;
    box[2] = cx + bw / 2;
    box[3] = cy + bh / 2;
    if (kind == 3) {            /* integer-aligned corners */
      for (i = 0; i < 4; i++)
        box[i] = roundf (box[i]);
    } else if (kind == 4) {     /* zero width: gx is inf -> 0, or NaN */
      box[2] = box[0];
    }
    {
      CascadeTensor all = test_upload (ctx, probs, 1,
          CASCADE_SHAPE (m * m + 5));
      tp = all;
      tp.offset = 5;
      cascade_tensor_set_shape (&tp, 2, CASCADE_SHAPE (m, m));
      ref_paste (probs + 5, m, box, width, height, val);
      memset (got, 0xaa, npix + 16);
      OK (cascade_tensor_write (ctx, &(CascadeTensor) {
                  to.mem, 0, CASCADE_DTYPE_U8, 1, {npix + 16}}, got, &err));
      OK (cascade_mask_paste (ctx, &tp, m, box, width, height,
              threshold, &to, &err));
      g_assert_no_error (err);
      OK (cascade_tensor_read (ctx, &(CascadeTensor) {
                  to.mem, 0, CASCADE_DTYPE_U8, 1, {npix + 16}}, got, &err));
      cascade_tensor_release (&all);
    }
    /* guards untouched */
    for (i = 0; i < 7; i++)
      g_assert_cmpuint (got[i], ==, 0xaa);
    for (i = npix + 7; i < npix + 16; i++)
      g_assert_cmpuint (got[i], ==, 0xaa);
    for (i = 0; i < npix; i++) {
      gfloat v = val[i];
      guint want = v >= threshold;      /* NaN and outside: 0 */
      if (v == -1.0f)
        want = 0;
      else if (fabsf (v - threshold) <= 1e-5f) {
        skipped++;
        continue;
      }
      if (got[7 + i] != want) {
        g_printerr ("box %" G_GSIZE_FORMAT " (%g %g %g %g) in %ux%u: pixel "
            "(%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") is %u, reference "
            "%.9g\n", b, box[0], box[1], box[2], box[3], width, height,
            i % width, i / width, got[7 + i], v);
        g_assert_not_reached ();
      }
      ones += want;
    }
    g_free (probs);
  }
  /* the exemption near the threshold must stay rare */
  g_assert_cmpuint (skipped, <=, count * 2);
  cascade_tensor_release (&to);
  g_free (val);
  g_free (got);
  g_rand_free (r);
  return ones;
}

static void
test_paste (void)
{
  /* every configuration pastes something */
  g_assert_cmpuint (check_paste (97, 61, 28, 36, 0.5f, 31), >, 1000);
  g_assert_cmpuint (check_paste (211, 143, 28, 24, 0.5f, 32), >, 1000);
  g_assert_cmpuint (check_paste (53, 127, 13, 18, 0.3f, 33), >, 300);
  /* degenerate frames: the pixel comparisons only */
  check_paste (1, 1, 28, 12, 0.5f, 34);
  check_paste (9, 1, 28, 12, 0.2f, 35);
}

/* what the skip_empty region changes: a large box spreads each mask cell
 * over 10 pixels, so zero padding still gives 0.3 one pixel left of the
 * box, above a 0.1 threshold, but mmdetection leaves pixels outside
 * floor (x1) - 1 .. ceil (x2) + 1 at 0 */
static void
test_paste_region (void)
{
  GError *err = NULL;
  gfloat ones[28 * 28], box[4] = { 50.3f, 20.0f, 330.3f, 300.0f };
  guint width = 400, height = 320;
  guint8 *got = g_malloc (width * height);
  CascadeTensor tp, to;
  gint region[4];
  guint i;
  for (i = 0; i < 28 * 28; i++)
    ones[i] = 1.0f;
  tp = test_upload (ctx, ones, 2, CASCADE_SHAPE (28, 28));
  OK (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_U8, 2,
          CASCADE_SHAPE (height, width), NULL, &err));
  cascade_mask_paste_region (box, width, height, region);
  g_assert_cmpint (region[0], ==, 49);
  g_assert_cmpint (region[1], ==, 19);
  g_assert_cmpint (region[2], ==, 332);
  g_assert_cmpint (region[3], ==, 301);
  OK (cascade_mask_paste (ctx, &tp, 28, box, width, height, 0.1f,
          &to, &err));
  g_assert_no_error (err);
  OK (cascade_tensor_read (ctx, &to, got, &err));
  /* row 100: x = 48 would sample 0.32 but lies outside the region */
  g_assert_cmpuint (got[100 * width + 48], ==, 0);
  g_assert_cmpuint (got[100 * width + 49], ==, 1);
  g_assert_cmpuint (got[100 * width + 200], ==, 1);
  g_assert_cmpuint (got[100 * width + 331], ==, 1);
  g_assert_cmpuint (got[100 * width + 332], ==, 0);
  g_assert_cmpuint (got[18 * width + 100], ==, 0);
  g_assert_cmpuint (got[19 * width + 100], ==, 1);
  /* the same at 0.5: the box edge itself */
  OK (cascade_mask_paste (ctx, &tp, 28, box, width, height, 0.5f,
          &to, &err));
  OK (cascade_tensor_read (ctx, &to, got, &err));
  g_assert_cmpuint (got[100 * width + 49], ==, 0);
  g_assert_cmpuint (got[100 * width + 50], ==, 1);
  g_assert_cmpuint (got[100 * width + 329], ==, 1);
  g_assert_cmpuint (got[100 * width + 330], ==, 0);

  /* boxes entirely outside, or NaN: nothing */
  {
    gfloat outside[4] = { 500.0f, 10.0f, 600.0f, 50.0f };
    gfloat before[4] = { -90.0f, -50.0f, -10.0f, -3.0f };
    gfloat nan_box[4] = { NAN, 1.0f, 30.0f, 30.0f };
    const gfloat *boxes[3] = { outside, before, nan_box };
    guint b, sum;
    for (b = 0; b < 3; b++) {
      OK (cascade_mask_paste (ctx, &tp, 28, boxes[b], width,
              height, 0.1f, &to, &err));
      OK (cascade_tensor_read (ctx, &to, got, &err));
      for (i = 0, sum = 0; i < width * height; i++)
        sum += got[i];
      g_assert_cmpuint (sum, ==, 0);
    }
  }
  cascade_tensor_release (&tp);
  cascade_tensor_release (&to);
  g_free (got);
}

/* The device kernel against common's CPU paste (mask-paste.h, the one
 * owner of mmdetection's rule), bit for bit, on boxes of every kind:
 * ordinary, sub-pixel, zero-width (also at x1 = k + 0.5, where the grid
 * position is NaN), zero-height, a point, negative size, partly and
 * entirely outside the frame. */
static void
test_paste_common (void)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (41);
  const guint width = 71, height = 47, m = 28;
  gsize npix = (gsize) width * height, ones = 0;
  guint8 *got = g_malloc (npix), *want = g_malloc (npix);
  CascadeTensor to;
  guint b, k, i;

  OK (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_U8, 2,
          CASCADE_SHAPE (height, width), NULL, &err));
  for (b = 0; b < 90; b++) {
    gfloat *probs = test_random (r, m * m, 0, 1);
    gfloat box[4], thr = b % 2 ? 0.5f : 0.3f;
    gdouble W = width, H = height;
    gdouble cx = g_rand_double_range (r, -0.1 * W, 1.1 * W);
    gdouble cy = g_rand_double_range (r, -0.1 * H, 1.1 * H);
    gdouble bw = g_rand_double_range (r, 1, W);
    gdouble bh = g_rand_double_range (r, 1, H);
    CascadeTensor tp;
    if (b % 9 == 1) {
      bw = g_rand_double_range (r, 0.001, 1);
      bh = g_rand_double_range (r, 0.001, 1);
    } else if (b % 9 == 2) {
      bw = -g_rand_double_range (r, 0, 4);
    } else if (b % 9 == 3) {
      cx = b % 2 ? -bw / 2 - 1 : W + bw / 2 + 1;
    } else if (b % 9 == 4) {
      bw = g_rand_double_range (r, W, 2 * W);
    }
    box[0] = (gfloat) (cx - bw / 2);
    box[1] = (gfloat) (cy - bh / 2);
    box[2] = (gfloat) (cx + bw / 2);
    box[3] = (gfloat) (cy + bh / 2);
    if (b % 9 == 5) {
      if (b % 2)
        box[0] = floorf (box[0]) + 0.5f;
      box[2] = box[0];
    } else if (b % 9 == 6) {
      box[3] = box[1];
    } else if (b % 9 == 7) {
      box[2] = box[0];
      box[3] = box[1];
    } else if (b % 9 == 8) {
      for (k = 0; k < 4; k++)
        box[k] = roundf (box[k]);
    }
    tp = test_upload (ctx, probs, 2, CASCADE_SHAPE (m, m));
    OK (cascade_mask_paste (ctx, &tp, m, box, width, height, thr, &to,
            &err));
    OK (cascade_tensor_read (ctx, &to, got, &err));
    cascade_paste_mask_rect (probs, m, box, width, height, thr, 0, 0, width,
        height, want, width);
    for (i = 0; i < npix; i++) {
      if (got[i] != want[i])
        g_error ("box %u (%.9g %.9g %.9g %.9g): pixel (%u, %u) is %u on "
            "the device, %u in common's paste", b, box[0], box[1], box[2],
            box[3], i % width, i / width, got[i], want[i]);
      ones += want[i];
    }
    cascade_tensor_release (&tp);
    g_free (probs);
  }
  g_assert_cmpuint (ones, >, 10000);
  cascade_tensor_release (&to);
  g_free (got);
  g_free (want);
  g_rand_free (r);
}

static void
test_paste_errors (void)
{
  GError *err = NULL;
  gfloat z[28 * 28] = { 0 }, box[4] = { 0, 0, 5, 5 };
  CascadeTensor tp = test_upload (ctx, z, 2, CASCADE_SHAPE (28, 28));
  CascadeTensor tf = test_upload (ctx, z, 1, CASCADE_SHAPE (100));
  /* out must be u8 and large enough */
  g_assert_false (cascade_mask_paste (ctx, &tp, 28, box, 10, 10, 0.5f, &tf,
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_mask_paste (ctx, &tp, 29, box, 2, 2, 0.5f, &tf,
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&tp);
  cascade_tensor_release (&tf);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/mask_paste/paste", test_paste);
  g_test_add_func ("/mask_paste/paste-region", test_paste_region);
  g_test_add_func ("/mask_paste/errors", test_paste_errors);
  g_test_add_func ("/mask_paste/paste-common", test_paste_common);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
