/* gst-cascade tests: multi-level RoIAlign against a plain-C reference of
 * mmcv's CPU roi_align (aligned=True, sampling_ratio=0, average) and
 * mmdetection's map_roi_levels */
#include "testutil.h"
#include "ops/roi_align.h"

#include <string.h>

static CascadeCtx *ctx;

/* a call that must succeed: shows the error message when it does not */
#define OK(call) G_STMT_START { gboolean ok_ = (call); \
    g_assert_no_error (err); g_assert_true (ok_); } G_STMT_END

#define FINEST 56

/* mmdetection's level of a roi, float32 as torch computes it, clamped */
static gint
ref_level (const gfloat * roi, guint num_levels)
{
  gfloat area = (roi[2] - roi[0]) * (roi[3] - roi[1]);
  gfloat lvl = floorf (log2f (sqrtf (area) / (gfloat) FINEST + 1e-6f));
  if (isnan (lvl))
    return -1;
  return (gint) CLAMP (lvl, 0.0f, (gfloat) (num_levels - 1));
}

/* mmcv roi_align.cpp, written out for one roi and one channel plane */
static void
ref_roi_align_plane (const gfloat * in, gint height, gint width,
    gfloat scale, const gfloat * roi, gint out_size, gfloat * out)
{
  gfloat start_w = roi[0] * scale - 0.5f, start_h = roi[1] * scale - 0.5f;
  gfloat end_w = roi[2] * scale - 0.5f, end_h = roi[3] * scale - 0.5f;
  gfloat roi_w = end_w - start_w, roi_h = end_h - start_h;
  gfloat bin_h = roi_h / (gfloat) out_size, bin_w = roi_w / (gfloat) out_size;
  gint grid_h = (gint) ceilf (roi_h / (gfloat) out_size);
  gint grid_w = (gint) ceilf (roi_w / (gfloat) out_size);
  gfloat count = (gfloat) MAX (grid_h * grid_w, 1);
  gint ph, pw, iy, ix;

  for (ph = 0; ph < out_size; ph++)
    for (pw = 0; pw < out_size; pw++) {
      gfloat sum = 0.0f;
      for (iy = 0; iy < grid_h; iy++) {
        for (ix = 0; ix < grid_w; ix++) {
          gfloat y = start_h + (gfloat) ph * bin_h +
              ((gfloat) iy + 0.5f) * bin_h / (gfloat) grid_h;
          gfloat x = start_w + (gfloat) pw * bin_w +
              ((gfloat) ix + 0.5f) * bin_w / (gfloat) grid_w;
          gint y_low, x_low, y_high, x_high;
          gfloat ly, lx, hy, hx, w1, w2, w3, w4;
          if (y < -1.0f || y > (gfloat) height || x < -1.0f
              || x > (gfloat) width)
            continue;
          if (y <= 0)
            y = 0;
          if (x <= 0)
            x = 0;
          y_low = (gint) y;
          x_low = (gint) x;
          if (y_low >= height - 1) {
            y_high = y_low = height - 1;
            y = (gfloat) y_low;
          } else {
            y_high = y_low + 1;
          }
          if (x_low >= width - 1) {
            x_high = x_low = width - 1;
            x = (gfloat) x_low;
          } else {
            x_high = x_low + 1;
          }
          ly = y - y_low;
          lx = x - x_low;
          hy = 1.0f - ly;
          hx = 1.0f - lx;
          w1 = hy * hx;
          w2 = hy * lx;
          w3 = ly * hx;
          w4 = ly * lx;
          sum += w1 * in[y_low * width + x_low] + w2 * in[y_low * width +
              x_high] + w3 * in[y_high * width + x_low] +
              w4 * in[y_high * width + x_high];
        }
      }
      out[ph * out_size + pw] = sum / count;
    }
}

/* the smallest float area whose level is >= k */
static gfloat
level_area_edge (gint k)
{
  gfloat lo = 1.0f, hi = 1e8f;
  while (nextafterf (lo, hi) < hi) {
    gfloat mid = lo + (hi - lo) / 2;
    gfloat roi[4] = { 0, 0, mid, 1 };
    if (mid <= lo || mid >= hi)
      break;
    if (ref_level (roi, 4) >= k)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

/* the smallest float side s (square roi s x s) whose level is >= k */
static gfloat
level_edge (gint k)
{
  gfloat lo = 1.0f, hi = 4096.0f;
  while (nextafterf (lo, hi) < hi) {
    gfloat mid = lo + (hi - lo) / 2;
    gfloat roi[4] = { 0, 0, mid, mid };
    if (mid <= lo || mid >= hi)
      break;
    if (ref_level (roi, 4) >= k)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

/* channels: below, at and above multiples of the kernel's channel groups */
typedef struct
{
  guint num_levels, channels, out_size;
  guint img_w, img_h;
  gsize n;
  guint seed;
} RoiCase;

static void
check_roi_align (const RoiCase * tc, gint * level_hist)
{
  static const guint strides[4] = { 4, 8, 16, 32 };
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (tc->seed);
  guint L = tc->num_levels, C = tc->channels, S = tc->out_size;
  gsize hs[4], ws[4], foff[4], ftotal = 7, l, i, c;
  gfloat *fhost, *rois = g_new0 (gfloat, tc->n * 4 + 3);
  gfloat *want = g_new0 (gfloat, tc->n * C * S * S), *got;
  CascadeTensor fbuf, feats[4], troi, tout;
  gsize nb = 0;

  /* all levels in one buffer, at odd offsets, as arena views would be */
  for (l = 0; l < L; l++) {
    hs[l] = (tc->img_h + strides[l] - 1) / strides[l];
    ws[l] = (tc->img_w + strides[l] - 1) / strides[l];
    foff[l] = ftotal;
    ftotal += C * hs[l] * ws[l] + 3;
  }
  fhost = test_random (r, ftotal, -2, 2);
  fbuf = test_upload (ctx, fhost, 1, CASCADE_SHAPE (ftotal));
  for (l = 0; l < L; l++) {
    feats[l] = fbuf;
    cascade_tensor_set_shape (&feats[l], 4, CASCADE_SHAPE (1, C, hs[l],
            ws[l]));
    feats[l].offset = foff[l];
  }

  /* rois (at element offset 3 of their buffer): special ones, then random */
  {
    gfloat *rp = rois + 3;
    gfloat W = (gfloat) tc->img_w, H = (gfloat) tc->img_h;
    gint k;
#define ADD(a, b, c_, d) G_STMT_START { if (nb < tc->n) { \
      rp[4 * nb] = (a); rp[4 * nb + 1] = (b); rp[4 * nb + 2] = (c_); \
      rp[4 * nb + 3] = (d); nb++; } } G_STMT_END
    ADD (10.3f, 12.7f, 10.6f, 13.1f);   /* tiny, < 1 px */
    ADD (20.0f, 20.0f, 20.0f, 25.0f);   /* zero width */
    ADD (5.25f, 7.5f, 5.5f, 7.5f);      /* zero height */
    ADD (0.0f, 0.0f, W, H);     /* the whole image */
    ADD (-3000.0f, -2000.0f, 4000.0f, 3500.0f); /* huge */
    ADD (-30.0f, -20.0f, 40.0f, 35.0f); /* partly outside, top left */
    ADD (W - 37.5f, H - 20.25f, W + 50.0f, H + 9.0f);   /* bottom right */
    ADD (W + 2.0f, 3.0f, W + 90.0f, 60.0f);     /* entirely right of it */
    ADD (-0.5f, -0.75f, 0.5f, 0.25f);   /* the corner, fractional */
    ADD (W - 1.0f, H - 1.0f, W, H);
    /* squares on both sides of each level boundary */
    for (k = 1; k < 4; k++) {
      gfloat s = level_edge (k), s0 = nextafterf (s, 0.0f);
      ADD (3.0f, 2.0f, 3.0f + s, 2.0f + s);
      ADD (1.0f, 4.0f, 1.0f + s0, 4.0f + s0);
      ADD (0.0f, 0.0f, s, s);
      ADD (0.0f, 0.0f, s0, s0);
    }
    /* areas exactly at the edges, and one float below */
    for (k = 1; k < 4; k++) {
      gfloat a = level_area_edge (k);
      ADD (0.0f, 7.0f, a, 8.0f);
      ADD (0.0f, 7.0f, nextafterf (a, 0.0f), 8.0f);
      ADD (-a / 2, 3.0f, a / 2, 4.0f);
    }
    while (nb < tc->n) {
      gfloat cx = (gfloat) g_rand_double_range (r, -0.1 * W, 1.1 * W);
      gfloat cy = (gfloat) g_rand_double_range (r, -0.1 * H, 1.1 * H);
      /* log-uniform scales from 0.3 px to 700 px (all four levels),
       * aspect ratios 1:2 to 2:1 */
      gdouble sc = exp (g_rand_double_range (r, log (0.3), log (700.0)));
      gdouble ar = sqrt (g_rand_double_range (r, 0.5, 2.0));
      gfloat bw = (gfloat) (sc * ar), bh = (gfloat) (sc / ar);
      ADD (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2);
    }
#undef ADD
  }
  troi = test_upload (ctx, rois, 1, CASCADE_SHAPE (tc->n * 4 + 3));
  troi.offset = 3;
  cascade_tensor_set_shape (&troi, 2, CASCADE_SHAPE (tc->n, 4));

  for (i = 0; i < tc->n; i++) {
    const gfloat *roi = rois + 3 + 4 * i;
    gint lv = ref_level (roi, L);
    if (level_hist)
      level_hist[lv < 0 ? 0 : lv]++;
    for (c = 0; c < C && lv >= 0; c++)
      ref_roi_align_plane (fhost + foff[lv] + c * hs[lv] * ws[lv], hs[lv],
          ws[lv], 1.0f / strides[lv], roi, S, want + (i * C + c) * S * S);
  }

  {
    /* output at an offset too, with a guard value after it */
    gsize total = tc->n * C * S * S;
    gfloat *init = test_random (r, total + 10, 100, 101);
    CascadeTensor obuf = test_upload (ctx, init, 1,
        CASCADE_SHAPE (total + 10));
    tout = obuf;
    tout.offset = 5;
    cascade_tensor_set_shape (&tout, 4, CASCADE_SHAPE (tc->n, C, S, S));
    OK (cascade_roi_align (ctx, L, feats, strides, FINEST, &troi,
            tc->n, S, &tout, &err));
    g_assert_no_error (err);
    got = test_download (ctx, &obuf);
    test_assert_close ("roi_align", got + 5, want, total, 1e-6, 1e-5);
    for (i = 0; i < 5; i++)
      g_assert_cmpfloat (got[i], ==, init[i]);
    for (i = total + 5; i < total + 10; i++)
      g_assert_cmpfloat (got[i], ==, init[i]);
    g_free (init);
    g_free (got);
    cascade_tensor_release (&obuf);
  }

  cascade_tensor_release (&fbuf);
  cascade_tensor_release (&troi);
  g_free (fhost);
  g_free (rois);
  g_free (want);
  g_rand_free (r);
}

static void
test_roi_align_7 (void)
{
  RoiCase tc = { 4, 37, 7, 203, 157, 301, 11 };
  gint hist[4] = { 0 };
  check_roi_align (&tc, hist);
  /* every level is exercised */
  g_assert_cmpint (hist[0], >, 10);
  g_assert_cmpint (hist[1], >, 10);
  g_assert_cmpint (hist[2], >, 10);
  g_assert_cmpint (hist[3], >, 10);
}

static void
test_roi_align_14 (void)
{
  RoiCase tc = { 4, 3, 14, 333, 251, 97, 12 };
  check_roi_align (&tc, NULL);
}

static void
test_roi_align_fewer_levels (void)
{
  RoiCase a = { 3, 2, 7, 121, 99, 83, 13 };
  RoiCase b = { 1, 33, 7, 65, 77, 41, 14 };
  check_roi_align (&a, NULL);
  check_roi_align (&b, NULL);
}

/* every sample of a roi inside a constant feature map is the constant;
 * a roi far outside gives 0: catches a reference that shares a bug */
static void
test_roi_align_constant (void)
{
  static const guint strides[1] = { 4 };
  GError *err = NULL;
  gsize H = 9, W = 11, i;
  gfloat *f = g_new (gfloat, 2 * H * W), *got;
  gfloat rois[8] = { 4.0f, 4.0f, 30.0f, 22.0f, 400.0f, 400.0f, 420.0f, 430.0f };
  CascadeTensor tf, tr, to;
  for (i = 0; i < H * W; i++) {
    f[i] = 3.0f;
    f[H * W + i] = -0.5f;
  }
  tf = test_upload (ctx, f, 4, CASCADE_SHAPE (1, 2, H, W));
  tr = test_upload (ctx, rois, 2, CASCADE_SHAPE (2, 4));
  OK (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (2, 2, 7, 7), NULL, &err));
  OK (cascade_roi_align (ctx, 1, &tf, strides, FINEST, &tr, 2, 7,
          &to, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &to);
  for (i = 0; i < 49; i++) {
    g_assert_cmpfloat_with_epsilon (got[i], 3.0f, 1e-6);
    g_assert_cmpfloat_with_epsilon (got[49 + i], -0.5f, 1e-6);
    g_assert_cmpfloat (got[98 + i], ==, 0.0f);
    g_assert_cmpfloat (got[147 + i], ==, 0.0f);
  }
  g_free (got);
  g_free (f);
  cascade_tensor_release (&tf);
  cascade_tensor_release (&tr);
  cascade_tensor_release (&to);
}

static void
test_roi_align_errors (void)
{
  static const guint strides[2] = { 4, 8 };
  GError *err = NULL;
  CascadeTensor f[2], tr, to, ti;
  gfloat z[64] = { 0 };
  f[0] = test_upload (ctx, z, 4, CASCADE_SHAPE (1, 2, 4, 4));
  f[1] = test_upload (ctx, z, 4, CASCADE_SHAPE (1, 3, 2, 2));
  tr = test_upload (ctx, z, 2, CASCADE_SHAPE (2, 4));
  to = test_upload (ctx, z, 1, CASCADE_SHAPE (64));
  OK (cascade_tensor_new (ctx, &ti, CASCADE_DTYPE_I32, 2,
          CASCADE_SHAPE (2, 4), NULL, &err));
  /* channels differ between levels */
  g_assert_false (cascade_roi_align (ctx, 2, f, strides, FINEST, &tr, 2, 2,
          &to, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* too many levels */
  g_assert_false (cascade_roi_align (ctx, 5, f, strides, FINEST, &tr, 2, 2,
          &to, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* output too small: 2 rois x 2 ch x 7 x 7 > 64 */
  g_assert_false (cascade_roi_align (ctx, 1, f, strides, FINEST, &tr, 2, 7,
          &to, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* rois of the wrong type, or fewer than n */
  g_assert_false (cascade_roi_align (ctx, 1, f, strides, FINEST, &ti, 2, 2,
          &to, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_roi_align (ctx, 1, f, strides, FINEST, &tr, 3, 2,
          &to, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* no rois is fine */
  OK (cascade_roi_align (ctx, 1, f, strides, FINEST, &tr, 0, 2,
          &to, &err));
  g_assert_no_error (err);
  cascade_tensor_release (&f[0]);
  cascade_tensor_release (&f[1]);
  cascade_tensor_release (&tr);
  cascade_tensor_release (&to);
  cascade_tensor_release (&ti);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/roi_align/out7", test_roi_align_7);
  g_test_add_func ("/roi_align/out14", test_roi_align_14);
  g_test_add_func ("/roi_align/fewer-levels", test_roi_align_fewer_levels);
  g_test_add_func ("/roi_align/constant", test_roi_align_constant);
  g_test_add_func ("/roi_align/errors", test_roi_align_errors);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
