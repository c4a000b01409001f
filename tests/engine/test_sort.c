/* gst-cascade tests: the bitonic sort and the top-k of u64 keys against
 * qsort */
#include "testutil.h"
#include "ops/sort.h"

#include <string.h>

static CascadeCtx *ctx;

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
  g_test_add_func ("/sort/sort", test_sort);
  g_test_add_func ("/sort/topk", test_topk);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
