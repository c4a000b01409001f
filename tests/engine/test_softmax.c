/* gst-cascade tests: row softmax against a plain-C transcript of
 * torch.softmax */
#include "testutil.h"
#include "ops/softmax.h"

#include <string.h>

static CascadeCtx *ctx;

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

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/softmax/rows", test_softmax);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
