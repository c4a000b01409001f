/* gst-cascade tests: delta2bbox, logit averaging, row softmax and
 * multiclass NMS against plain-C transcripts of mmdetection / torch */
#include "testutil.h"
#include "ops/bbox_ops.h"
#include "runtime/util.h"
#include "nms_ref.h"

#include <string.h>

static CascadeCtx *ctx;
static CascadeArena *arena;

#define MAX_RATIO 4.135166556742356     /* |log(16 / 1000)| */

/* mmdetection's delta2bbox of one row, float32 op order of torch; exp in
 * double rounded to float */
static void
ref_delta2bbox (const gfloat * r, const gfloat * d, const gfloat * stds,
    gfloat max_w, gfloat max_h, gfloat * out)
{
  gfloat dx = d[0] * stds[0] + 0.0f, dy = d[1] * stds[1] + 0.0f;
  gfloat dw = d[2] * stds[2] + 0.0f, dh = d[3] * stds[3] + 0.0f;
  gfloat px = (r[0] + r[2]) * 0.5f, py = (r[1] + r[3]) * 0.5f;
  gfloat pw = r[2] - r[0], ph = r[3] - r[1];
  gfloat mr = (gfloat) MAX_RATIO, gx, gy, gw, gh;
  dx = pw * dx;
  dy = ph * dy;
  dw = MIN (MAX (dw, -mr), mr);
  dh = MIN (MAX (dh, -mr), mr);
  gx = px + dx;
  gy = py + dy;
  gw = pw * (gfloat) exp (dw);
  gh = ph * (gfloat) exp (dh);
  out[0] = MIN (MAX (gx - gw * 0.5f, 0.0f), max_w);
  out[1] = MIN (MAX (gy - gh * 0.5f, 0.0f), max_h);
  out[2] = MIN (MAX (gx + gw * 0.5f, 0.0f), max_w);
  out[3] = MIN (MAX (gy + gh * 0.5f, 0.0f), max_h);
}

static void
check_delta2bbox (gsize n, const gfloat * stds, gboolean zero_dwh,
    gboolean alias, guint seed)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gfloat *rois = g_new (gfloat, n * 4), *deltas = g_new (gfloat, n * 4);
  gfloat *want = g_new (gfloat, n * 4), *got;
  gfloat max_w = 301.0f, max_h = 203.0f;
  CascadeTensor tr, td, to;
  gsize i, clamped = 0, clipped = 0;

  for (i = 0; i < n; i++) {
    gfloat x = (gfloat) g_rand_double_range (r, -20, 320);
    gfloat y = (gfloat) g_rand_double_range (r, -20, 220);
    gfloat w = (gfloat) g_rand_double_range (r, 0, 150);
    gfloat h = (gfloat) g_rand_double_range (r, 0, 150);
    guint c;
    if (i % 17 == 3)
      w = 0.0f;                 /* degenerate roi */
    rois[i * 4 + 0] = x;
    rois[i * 4 + 1] = y;
    rois[i * 4 + 2] = x + w;
    rois[i * 4 + 3] = y + h;
    for (c = 0; c < 4; c++)
      deltas[i * 4 + c] = (gfloat) g_rand_double_range (r, -3, 3);
    if (i % 5 == 0)             /* far beyond the clamp of dw, dh */
      deltas[i * 4 + 2 + i % 2] = (gfloat) g_rand_double_range (r, -200, 200);
    if (zero_dwh)
      deltas[i * 4 + 2] = deltas[i * 4 + 3] = 0.0f;
    if (fabs (deltas[i * 4 + 2] * stds[2]) > MAX_RATIO
        || fabs (deltas[i * 4 + 3] * stds[3]) > MAX_RATIO)
      clamped++;
    ref_delta2bbox (rois + i * 4, deltas + i * 4, stds, max_w, max_h,
        want + i * 4);
    for (c = 0; c < 4; c++)
      if (want[i * 4 + c] == 0.0f || want[i * 4 + c] == (c % 2 ? max_h :
              max_w))
        clipped++;
  }
  if (n >= 100) {
    if (!zero_dwh)
      g_assert_cmpuint (clamped, >, n / 20);
    g_assert_cmpuint (clipped, >, n / 20);
  }

  tr = test_upload (ctx, rois, 2, CASCADE_SHAPE (n, 4));
  td = test_upload (ctx, deltas, 2, CASCADE_SHAPE (n, 4));
  if (!alias)
    g_assert_true (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_F32, 2,
            CASCADE_SHAPE (n, 4), NULL, &err));
  g_assert_true (cascade_delta2bbox (ctx, &tr, &td, n, stds, max_w, max_h,
          alias ? &tr : &to, &err));
  g_assert_no_error (err);
  got = test_download (ctx, alias ? &tr : &to);
  if (zero_dwh) {
    /* no exp (exp(0) = 1): every operation is exact IEEE float32, so the
     * order of operations must be torch's to the bit */
    for (i = 0; i < n * 4; i++)
      g_assert_cmpfloat (got[i], ==, want[i]);
  } else {
    /* exp within a few ulp; x1 = gx - gw / 2 may cancel */
    test_assert_close ("delta2bbox", got, want, n * 4, 1e-4, 1e-6);
  }
  g_free (got);
  cascade_tensor_release (&tr);
  cascade_tensor_release (&td);
  if (!alias)
    cascade_tensor_release (&to);
  g_free (rois);
  g_free (deltas);
  g_free (want);
  g_rand_free (r);
}

static void
test_delta2bbox (void)
{
  const gfloat s0[4] = { 0.1f, 0.1f, 0.2f, 0.2f };
  const gfloat s2[4] = { 0.033f, 0.033f, 0.067f, 0.067f };
  const gfloat s1[4] = { 1, 1, 1, 1 };
  check_delta2bbox (1, s0, FALSE, FALSE, 21);
  check_delta2bbox (1003, s0, FALSE, FALSE, 22);
  check_delta2bbox (999, s2, FALSE, TRUE, 23);
  check_delta2bbox (1001, s1, FALSE, FALSE, 24);
  check_delta2bbox (777, s0, TRUE, FALSE, 25);
  check_delta2bbox (555, s1, TRUE, TRUE, 26);
}

/* torch: sum([s0, s1, s2]) / 3.0 = ((0 + s0) + s1) + s2) / 3 */
static void
test_accumulate (void)
{
  GError *err = NULL;
  gsize n = 4051, i;
  GRand *r = g_rand_new_with_seed (31);
  gfloat *s[3], *got;
  CascadeTensor ts[3], acc;
  for (i = 0; i < 3; i++) {
    s[i] = test_random (r, n, -30, 30);
    ts[i] = test_upload (ctx, s[i], 1, CASCADE_SHAPE (n));
  }
  g_assert_true (cascade_tensor_new (ctx, &acc, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (n), NULL, &err));
  g_assert_true (cascade_fill (ctx, &acc, NAN, &err));
  for (i = 0; i < 3; i++)
    g_assert_true (cascade_accumulate (ctx, &ts[i], n, 1.0f, i == 0, &acc,
            &err));
  g_assert_true (cascade_divide (ctx, &acc, n, 3.0f, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &acc);
  for (i = 0; i < n; i++) {
    volatile gfloat a = 0.0f + s[0][i];
    a = a + s[1][i];
    a = a + s[2][i];
    a = a / 3.0f;
    g_assert_cmpfloat (got[i], ==, a);
  }
  g_free (got);
  /* a scale */
  g_assert_true (cascade_accumulate (ctx, &ts[0], n, 0.25f, TRUE, &acc,
          &err));
  g_assert_true (cascade_accumulate (ctx, &ts[1], n, -2.0f, FALSE, &acc,
          &err));
  got = test_download (ctx, &acc);
  for (i = 0; i < n; i++) {
    volatile gfloat a = 0.0f + 0.25f * s[0][i];
    a = a + -2.0f * s[1][i];
    g_assert_cmpfloat (got[i], ==, a);
  }
  g_free (got);
  for (i = 0; i < 3; i++) {
    cascade_tensor_release (&ts[i]);
    g_free (s[i]);
  }
  cascade_tensor_release (&acc);
  g_rand_free (r);
}

static void
check_softmax (gsize rows, gsize cols, gboolean alias, guint seed)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gfloat *x = g_new (gfloat, rows * cols), *want = g_new (gfloat,
      rows * cols), *got;
  CascadeTensor ti, to;
  gsize i, j;
  for (i = 0; i < rows; i++) {
    /* ranges up to the float limit; rows of equal values; huge gaps */
    static const gdouble range[] = { 5, 90, 1000, 3e4, 0 };
    gdouble h = range[i % G_N_ELEMENTS (range)];
    for (j = 0; j < cols; j++)
      x[i * cols + j] = (gfloat) g_rand_double_range (r, -h - 1e-9, h) +
          (i % 7 == 1 ? 1e4f : 0.0f);
  }
  for (i = 0; i < rows; i++) {
    gfloat m = -INFINITY;
    gdouble sum = 0;
    for (j = 0; j < cols; j++)
      m = MAX (m, x[i * cols + j]);
    for (j = 0; j < cols; j++)
      sum += exp ((gdouble) (x[i * cols + j] - m));
    for (j = 0; j < cols; j++)
      want[i * cols + j] = (gfloat) (exp ((gdouble) (x[i * cols + j] - m)) /
          sum);
  }
  ti = test_upload (ctx, x, 2, CASCADE_SHAPE (rows, cols));
  if (!alias)
    g_assert_true (cascade_tensor_new (ctx, &to, CASCADE_DTYPE_F32, 2,
            CASCADE_SHAPE (rows, cols), NULL, &err));
  g_assert_true (cascade_softmax_rows (ctx, &ti, rows, cols,
          alias ? &ti : &to, &err));
  g_assert_no_error (err);
  got = test_download (ctx, alias ? &ti : &to);
  test_assert_close ("softmax", got, want, rows * cols, 1e-30, 2e-6);
  for (i = 0; i < rows * cols; i++)
    g_assert_false (isnan (got[i]));
  g_free (got);
  cascade_tensor_release (&ti);
  if (!alias)
    cascade_tensor_release (&to);
  g_free (x);
  g_free (want);
  g_rand_free (r);
}

static void
test_softmax (void)
{
  check_softmax (1, 1, FALSE, 41);
  check_softmax (1000, 81, FALSE, 42);
  check_softmax (333, 4, TRUE, 43);
}

/* mmdetection's multiclass_nms on the host: candidates (row, class) in
 * row-major order with score > thr, batched_nms by class, first max_det */
static gsize
ref_multiclass (const gfloat * boxes, const gfloat * scores, gsize n,
    guint nc, gfloat thr, gfloat iou, guint max_det, const gboolean * filter,
    gfloat * ob, gfloat * os, gint * ol)
{
  gfloat *cb = g_new (gfloat, n * nc * 4), *cs = g_new (gfloat, n * nc);
  gint *cg = g_new (gint, n * nc), *cl = g_new (gint, n * nc);
  gint *keep = g_new (gint, n * nc);
  gsize m = 0, i, k, nk;
  for (i = 0; i < n; i++)
    for (k = 0; k < nc; k++) {
      gfloat s = scores[i * (nc + 1) + k];
      if (s > thr && (!filter || filter[k])) {
        memcpy (cb + m * 4, boxes + i * 4, 4 * sizeof (gfloat));
        cs[m] = s;
        cg[m] = k;
        cl[m] = k;
        m++;
      }
    }
  nk = ref_batched_nms (cb, cs, cg, m, iou, keep);
  nk = MIN (nk, max_det);
  for (i = 0; i < nk; i++) {
    memcpy (ob + i * 4, cb + keep[i] * 4, 4 * sizeof (gfloat));
    os[i] = cs[keep[i]];
    ol[i] = cl[keep[i]];
  }
  g_test_message ("multiclass: %" G_GSIZE_FORMAT " candidates", m);
  g_free (cb);
  g_free (cs);
  g_free (cg);
  g_free (cl);
  g_free (keep);
  return nk;
}

static void
check_multiclass (gsize n, guint nc, gfloat thr, gfloat smax, guint max_det,
    const gboolean * filter, guint seed, gboolean perf)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gfloat *boxes = g_new (gfloat, n * 4), *dummy = g_new (gfloat, n);
  gfloat *scores = g_new (gfloat, n * (nc + 1));
  gfloat *wb = g_new (gfloat, max_det * 4), *ws = g_new (gfloat, max_det);
  gint *wl = g_new (gint, max_det), *gl;
  gfloat *gb, *gs;
  CascadeTensor tb, ts, ob, os, ol;
  gsize i, nw;
  guint count = 0, rep;
  gint64 t0 = 0, t1 = 0;

  make_boxes (r, n, MAX (n / 20, 1), boxes, dummy);
  for (i = 0; i < n * (nc + 1); i++)
    scores[i] = smax * g_rand_int_range (r, 0, 1024) / 1024.0f;
  nw = ref_multiclass (boxes, scores, n, nc, thr, 0.5f, max_det, filter, wb,
      ws, wl);

  tb = test_upload (ctx, boxes, 2, CASCADE_SHAPE (n, 4));
  ts = test_upload (ctx, scores, 2, CASCADE_SHAPE (n, nc + 1));
  g_assert_true (cascade_tensor_new (ctx, &ob, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (max_det, 4), NULL, &err));
  g_assert_true (cascade_tensor_new (ctx, &os, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (max_det), NULL, &err));
  g_assert_true (cascade_tensor_new (ctx, &ol, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (max_det), NULL, &err));
  for (rep = 0; rep < 2; rep++) {
    g_assert_true (cascade_ctx_finish (ctx, &err));
    t0 = g_get_monotonic_time ();
    g_assert_true (cascade_multiclass_nms (ctx, arena, &tb, &ts, n, nc, thr,
            0.5f, max_det, filter, &ob, &os, &ol, &count, &err));
    g_assert_no_error (err);
    t1 = g_get_monotonic_time ();
  }
  g_test_message ("multiclass %" G_GSIZE_FORMAT " x %u: %u dets "
      "(reference %" G_GSIZE_FORMAT "), %.1f ms", n, nc + 1, count, nw,
      (t1 - t0) / 1000.0);
  if (perf)
    g_test_minimized_result ((t1 - t0) / 1e6, "cascade_multiclass_nms %"
        G_GSIZE_FORMAT "x%u: %.1f ms", n, nc + 1, (t1 - t0) / 1000.0);
  g_assert_cmpuint (count, ==, nw);
  gb = test_download (ctx, &ob);
  gs = test_download (ctx, &os);
  gl = cascade_tensor_download (ctx, &ol, &err);
  for (i = 0; i < nw; i++) {
    if (gl[i] != wl[i] || gs[i] != ws[i]
        || memcmp (gb + i * 4, wb + i * 4, 4 * sizeof (gfloat)) != 0) {
      g_printerr ("det %" G_GSIZE_FORMAT ": class %d score %g, expected "
          "class %d score %g\n", i, gl[i], gs[i], wl[i], ws[i]);
      g_assert_not_reached ();
    }
    if (filter)
      g_assert_true (filter[gl[i]]);
  }
  for (; i < max_det; i++) {
    g_assert_cmpint (gl[i], ==, -1);
    g_assert_cmpfloat (gs[i], ==, 0.0f);
  }
  g_free (gb);
  g_free (gs);
  g_free (gl);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&ob);
  cascade_tensor_release (&os);
  cascade_tensor_release (&ol);
  g_free (boxes);
  g_free (dummy);
  g_free (scores);
  g_free (wb);
  g_free (ws);
  g_free (wl);
  g_rand_free (r);
}

static void
test_multiclass_3 (void)
{
  const gboolean filter[3] = { TRUE, FALSE, TRUE };
  /* < 10000 candidates: mmcv's offset trick in one NMS */
  check_multiclass (1000, 3, 0.05f, 0.2f, 100, NULL, 51, FALSE);
  check_multiclass (997, 3, 0.05f, 0.2f, 5000, NULL, 52, FALSE);
  check_multiclass (997, 3, 0.05f, 0.2f, 100, filter, 53, FALSE);
  check_multiclass (7, 3, 0.05f, 0.2f, 100, NULL, 54, FALSE);
}

static void
test_multiclass_80 (void)
{
  /* about 55000 candidates: mmcv's loop over classes */
  check_multiclass (1000, 80, 0.05f, 0.17f, 100, NULL, 55, FALSE);
  /* every (row, class): 80000 */
  check_multiclass (1000, 80, -1.0f, 0.17f, 300, NULL, 56, FALSE);
}

static void
test_multiclass_empty (void)
{
  GError *err = NULL;
  gfloat boxes[8] = { 0, 0, 5, 5, 1, 1, 6, 6 }, scores[8] = { 0 };
  CascadeTensor tb = test_upload (ctx, boxes, 2, CASCADE_SHAPE (2, 4));
  CascadeTensor ts = test_upload (ctx, scores, 2, CASCADE_SHAPE (2, 4));
  CascadeTensor ol;
  guint count = 99;
  g_assert_true (cascade_tensor_new (ctx, &ol, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (2), NULL, &err));
  g_assert_true (cascade_multiclass_nms (ctx, arena, &tb, &ts, 2, 3, 0.05f,
          0.5f, 2, NULL, &tb, &ts, &ol, &count, &err));
  g_assert_no_error (err);
  g_assert_cmpuint (count, ==, 0);
  /* labels must be i32 */
  g_assert_false (cascade_multiclass_nms (ctx, arena, &tb, &ts, 2, 3, 0.05f,
          0.5f, 2, NULL, &tb, &ts, &ts, &count, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&ol);
}

/* timing only (-m perf): 1000 RoIs x 81 like the r50 models, scores up
 * to 0.06 (a sixth pass 0.05: about 13000 candidates), then up to 0.17
 * (about 55000 candidates) */
static void
test_multiclass_perf (void)
{
  check_multiclass (1000, 80, 0.05f, 0.06f, 100, NULL, 57, TRUE);
  check_multiclass (1000, 80, 0.05f, 0.17f, 100, NULL, 58, TRUE);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/bbox/delta2bbox", test_delta2bbox);
  g_test_add_func ("/bbox/accumulate", test_accumulate);
  g_test_add_func ("/bbox/softmax", test_softmax);
  g_test_add_func ("/bbox/multiclass-3", test_multiclass_3);
  g_test_add_func ("/bbox/multiclass-80", test_multiclass_80);
  g_test_add_func ("/bbox/multiclass-empty", test_multiclass_empty);
  if (g_test_perf ())
    g_test_add_func ("/bbox/multiclass-perf", test_multiclass_perf);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
