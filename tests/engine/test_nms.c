/* gst-cascade tests: key sort and batched NMS against a plain-C transcript
 * of mmcv's batched_nms / nms_cpu (offset trick below 10000 boxes, a loop
 * over groups above; ties in ascending index order) */
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

static gint
cmp_u64 (gconstpointer pa, gconstpointer pb)
{
  guint64 a = *(const guint64 *) pa, b = *(const guint64 *) pb;
  return a < b ? -1 : a > b;
}

static void
test_sort (void)
{
  static const gsize sizes[] = { 1, 2, 8, 1024, 2048, 4096, 1 << 17 };
  GRand *r = g_rand_new_with_seed (9);
  guint s;
  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    GError *err = NULL;
    gsize n = sizes[s], i;
    guint64 *keys = g_new (guint64, n), *got = g_new (guint64, n);
    CascadeTensor t;
    for (i = 0; i < n; i++) {
      /* few distinct high words: many equal prefixes */
      keys[i] = ((guint64) g_rand_int_range (r, 0, 5) << 40)
          | ((guint64) g_rand_int (r) << 8) | g_rand_int_range (r, 0, 256);
      if (i % 97 == 5)
        keys[i] = CASCADE_KEY_INVALID;
    }
    g_assert_true (cascade_tensor_new (ctx, &t, CASCADE_DTYPE_I32, 1,
            CASCADE_SHAPE (n * 2), keys, &err));
    g_assert_true (cascade_sort_u64 (ctx, t.mem, n, &err));
    g_assert_true (cascade_tensor_read (ctx, &t, got, &err));
    g_assert_no_error (err);
    qsort (keys, n, sizeof (guint64), cmp_u64);
    g_assert_true (memcmp (keys, got, n * sizeof (guint64)) == 0);
    cascade_tensor_release (&t);
    g_free (keys);
    g_free (got);
  }
  {
    GError *err = NULL;
    g_assert_false (cascade_sort_u64 (ctx, NULL, 3, &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
    g_clear_error (&err);
  }
  g_rand_free (r);
}

/* top-k by radix select: duplicates (also of the k-th key) and invalid
 * keys, k below and above the local sort size */
static void
test_topk (void)
{
  static const gsize cases[][2] = { {2, 1}, {1000, 999}, {5000, 1000},
  {201601, 1000}, {70000, 3000}, {4096, 4000}
  };
  GRand *r = g_rand_new_with_seed (10);
  CascadeArena *a = cascade_arena_new (ctx);
  guint c;
  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    GError *err = NULL;
    gsize n = cases[c][0], k = cases[c][1], kp = cascade_next_pow2 (k), i;
    guint64 *keys = g_new (guint64, n), *got = g_new (guint64, kp);
    CascadeTensor t, o;
    for (i = 0; i < n; i++) {
      /* few distinct values in the top bits, many exact duplicates */
      keys[i] = ((guint64) g_rand_int_range (r, 0, 3) << 62)
          | ((guint64) g_rand_int_range (r, 0, 50) << 20);
      if (i % 3 == 0)
        keys[i] |= g_rand_int (r);
      if (i % 11 == 0)
        keys[i] = CASCADE_KEY_INVALID;
    }
    g_assert_true (cascade_tensor_new (ctx, &t, CASCADE_DTYPE_I32, 1,
            CASCADE_SHAPE (n * 2), keys, &err));
    g_assert_true (cascade_tensor_new (ctx, &o, CASCADE_DTYPE_I32, 1,
            CASCADE_SHAPE (kp * 2), NULL, &err));
    g_assert_true (cascade_topk_u64 (ctx, a, t.mem, n, k, o.mem, &err));
    g_assert_true (cascade_tensor_read (ctx, &o, got, &err));
    g_assert_no_error (err);
    qsort (keys, n, sizeof (guint64), cmp_u64);
    g_assert_true (memcmp (keys, got, k * sizeof (guint64)) == 0);
    for (i = k; i < kp; i++)
      g_assert_true (got[i] == CASCADE_KEY_INVALID);
    cascade_tensor_release (&t);
    cascade_tensor_release (&o);
    g_free (keys);
    g_free (got);
  }
  cascade_arena_free (a);
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/nms/sort", test_sort);
  g_test_add_func ("/nms/topk", test_topk);
  g_test_add_func ("/nms/batched-small", test_batched_small);
  g_test_add_func ("/nms/batched-1000", test_batched_1000);
  g_test_add_func ("/nms/batched-4999", test_batched_4999);
  g_test_add_func ("/nms/batched-12000", test_batched_12000);
  g_test_add_func ("/nms/bad-group", test_batched_bad_group);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
