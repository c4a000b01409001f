/* gst-cascade tests: batched NMS against a plain-C transcript of mmcv's
 * batched_nms / nms_cpu (offset trick below 10000 boxes, a loop
 * over groups above; ties in ascending index order),
 * and mmdetection's multiclass_nms */
#include "testutil.h"
#include "ops/nms.h"
#include "nms_ref.h"

#include <string.h>

static CascadeCtx *ctx;
static CascadeArena *arena;

static void
check_batched (gsize n, guint groups_n, guint clusters, gfloat thr,
    guint max_keep, gboolean with_excluded, guint seed)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (seed);
  gfloat *boxes = g_new (gfloat, n * 4), *scores = g_new (gfloat, n);
  gint *groups = g_new (gint, n), *want = g_new (gint, n), *got;
  CascadeTensor tb, ts, tg, tk;
  gsize nw, i;
  guint nk = 12345;

  make_boxes (r, n, clusters, boxes, scores);
  for (i = 0; i < n; i++) {
    groups[i] = g_rand_int_range (r, 0, groups_n);
    if (with_excluded && g_rand_int_range (r, 0, 10) == 0)
      groups[i] = -1;
  }
  nw = ref_batched_nms (boxes, scores, groups, n, thr, want);

  tb = test_upload (ctx, boxes, 2, CASCADE_SHAPE (n, 4));
  ts = test_upload (ctx, scores, 1, CASCADE_SHAPE (n));
  g_assert_true (cascade_tensor_new (ctx, &tg, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (n), groups, &err));
  g_assert_true (cascade_tensor_new (ctx, &tk, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (max_keep + 3), NULL, &err));
  g_assert_no_error (err);
  g_assert_true (cascade_batched_nms (ctx, arena, &tb, &ts, &tg, n, thr,
          max_keep, &tk, &nk, &err));
  g_assert_no_error (err);
  got = cascade_tensor_download (ctx, &tk, &err);
  g_assert_no_error (err);

  g_test_message ("n %" G_GSIZE_FORMAT " groups %u thr %.2f: %"
      G_GSIZE_FORMAT " kept, device %u of max %u", n, groups_n, thr, nw, nk,
      max_keep);
  /* the test must exercise suppression */
  if (n >= 100)
    g_assert_cmpuint (nw, <, n * 9 / 10);
  g_assert_cmpuint (nk, ==, MIN (nw, max_keep));
  for (i = 0; i < nk; i++) {
    if (got[i] != want[i]) {
      g_printerr ("keep[%" G_GSIZE_FORMAT "] = %d (score %g), expected %d "
          "(score %g)\n", i, got[i], scores[got[i]], want[i],
          scores[want[i]]);
      g_assert_not_reached ();
    }
  }
  for (; i < max_keep; i++)
    g_assert_cmpint (got[i], ==, -1);

  g_free (got);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&tg);
  cascade_tensor_release (&tk);
  g_free (boxes);
  g_free (scores);
  g_free (groups);
  g_free (want);
  g_rand_free (r);
}

static void
test_batched_small (void)
{
  check_batched (1, 1, 1, 0.7f, 10, FALSE, 1);
  check_batched (7, 2, 1, 0.5f, 10, FALSE, 2);
  check_batched (7, 1, 2, 0.3f, 3, FALSE, 3);
}

static void
test_batched_1000 (void)
{
  check_batched (1000, 1, 15, 0.7f, 1000, FALSE, 4);
  check_batched (1001, 5, 60, 0.7f, 1001, TRUE, 5);
  check_batched (1001, 3, 30, 0.5f, 100, FALSE, 6);
}

static void
test_batched_4999 (void)
{
  check_batched (4999, 5, 40, 0.7f, 1000, FALSE, 7);
}

/* >= 10000 boxes: mmcv's per-group loop */
static void
test_batched_12000 (void)
{
  check_batched (12000, 7, 100, 0.5f, 12000, TRUE, 8);
}

static void
test_batched_bad_group (void)
{
  GError *err = NULL;
  gfloat boxes[8] = { 0, 0, 1, 1, 0, 0, 2, 2 }, scores[2] = { 0.5f, 0.25f };
  gint groups[2] = { 0, G_MAXINT32 };   /* >= 2^(32 - ib) - 1 for ib = 1 */
  CascadeTensor tb = test_upload (ctx, boxes, 2, CASCADE_SHAPE (2, 4));
  CascadeTensor ts = test_upload (ctx, scores, 1, CASCADE_SHAPE (2));
  CascadeTensor tg, tk;
  guint nk = 7;
  g_assert_true (cascade_tensor_new (ctx, &tg, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (2), groups, &err));
  g_assert_true (cascade_tensor_new (ctx, &tk, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (2), NULL, &err));
  g_assert_false (cascade_batched_nms (ctx, arena, &tb, &ts, &tg, 2, 0.5f, 2,
          &tk, &nk, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* a keep tensor of the wrong type */
  g_assert_false (cascade_batched_nms (ctx, arena, &tb, &ts, &tg, 2, 0.5f, 2,
          &ts, &nk, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&tg);
  cascade_tensor_release (&tk);
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
  g_test_add_func ("/nms/batched-small", test_batched_small);
  g_test_add_func ("/nms/batched-1000", test_batched_1000);
  g_test_add_func ("/nms/batched-4999", test_batched_4999);
  g_test_add_func ("/nms/batched-12000", test_batched_12000);
  g_test_add_func ("/nms/bad-group", test_batched_bad_group);
  g_test_add_func ("/nms/multiclass-3", test_multiclass_3);
  g_test_add_func ("/nms/multiclass-80", test_multiclass_80);
  g_test_add_func ("/nms/multiclass-empty", test_multiclass_empty);
  if (g_test_perf ())
    g_test_add_func ("/nms/multiclass-perf", test_multiclass_perf);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
