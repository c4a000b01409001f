/* gst-cascade tests: max pooling (PyTorch semantics: padding never wins,
 * NaN propagates) and the stride-2 1x1 subsample of P6.  Exact (a max), so
 * results must match the C reference bit for bit. */
#include "testutil.h"
#include "ops/pool.h"

#include <string.h>

static CascadeCtx *ctx;

static void
check_maxpool (guint n, guint c, guint h, guint w, guint k, guint s, guint p,
    gdouble lo, gdouble hi)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (n + c * 10 + h * 100 + w * 1000 + k);
  gsize oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
  gsize planes = (gsize) n * c, nout = planes * oh * ow, pl, y, x, ky, kx;
  gfloat *in = test_random (r, planes * h * w, lo, hi);
  gfloat *want = g_new (gfloat, nout), *got;
  CascadeTensor tin, tout;
  gchar *what;

  for (pl = 0; pl < planes; pl++)
    for (y = 0; y < oh; y++)
      for (x = 0; x < ow; x++) {
        gfloat m = -INFINITY;
        for (ky = 0; ky < k; ky++)
          for (kx = 0; kx < k; kx++) {
            glong iy = (glong) (y * s + ky) - p, ix = (glong) (x * s + kx) - p;
            if (iy >= 0 && ix >= 0 && iy < h && ix < w)
              m = MAX (m, in[(pl * h + iy) * w + ix]);
          }
        want[(pl * oh + y) * ow + x] = m;
      }
  tin = test_upload (ctx, in, 4, CASCADE_SHAPE (n, c, h, w));
  tout = test_upload (ctx, want, 4, CASCADE_SHAPE (n, c, oh, ow));
  g_assert_true (cascade_maxpool_forward (ctx, &tin, k, s, p, &tout, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tout);
  what = g_strdup_printf ("maxpool %ux%ux%ux%u k%u s%u p%u", n, c, h, w, k, s,
      p);
  test_assert_close (what, got, want, nout, 0, 0);
  g_free (what);
  g_free (got);
  g_free (want);
  g_free (in);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
  g_rand_free (r);
}

static void
test_maxpool (void)
{
  /* the stem's 3x3 s2 p1 on odd and even sizes */
  check_maxpool (1, 3, 17, 23, 3, 2, 1, -1, 1);
  check_maxpool (2, 5, 16, 15, 3, 2, 1, -1, 1);
  /* all negative: a padding zero (or -0) would win at the borders */
  check_maxpool (1, 4, 9, 11, 3, 2, 1, -3, -1);
  /* P6 = max_pool2d (P5, 1, stride 2) */
  check_maxpool (1, 7, 13, 11, 1, 2, 0, -1, 1);
  check_maxpool (2, 3, 8, 5, 1, 2, 0, -1, 1);
  /* other shapes */
  check_maxpool (1, 2, 10, 9, 2, 2, 0, -1, 1);
  check_maxpool (1, 2, 12, 13, 3, 1, 1, -2, -1);
}

/* torch.max_pool2d propagates NaN */
static void
test_maxpool_nan (void)
{
  GError *err = NULL;
  gfloat in[5 * 5], *got;
  CascadeTensor tin, tout;
  guint i;
  for (i = 0; i < 25; i++)
    in[i] = (gfloat) i;
  in[0] = NAN;
  tin = test_upload (ctx, in, 4, CASCADE_SHAPE (1, 1, 5, 5));
  tout = test_upload (ctx, in, 4, CASCADE_SHAPE (1, 1, 3, 3));
  g_assert_true (cascade_maxpool_forward (ctx, &tin, 3, 2, 1, &tout, &err));
  got = test_download (ctx, &tout);
  g_assert_true (isnan (got[0]));
  g_assert_cmpfloat (got[1], ==, 8.0f);
  g_assert_cmpfloat (got[3], ==, 16.0f);
  g_assert_cmpfloat (got[8], ==, 24.0f);
  g_free (got);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
}

static void
test_pool_errors (void)
{
  GError *err = NULL;
  gfloat v[4 * 9 * 9] = { 0 };
  CascadeTensor in = test_upload (ctx, v, 4, CASCADE_SHAPE (1, 4, 9, 9));
  CascadeTensor out = test_upload (ctx, v, 4, CASCADE_SHAPE (1, 4, 5, 5));
  CascadeTensor bad;

  g_assert_true (cascade_maxpool_forward (ctx, &in, 3, 2, 1, &out, &err));
  g_assert_no_error (err);
  /* wrong output size */
  bad = out;
  bad.shape[2] = 4;
  g_assert_false (cascade_maxpool_forward (ctx, &in, 3, 2, 1, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* channel mismatch */
  bad = out;
  bad.shape[1] = 3;
  g_assert_false (cascade_maxpool_forward (ctx, &in, 3, 2, 1, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* pad more than half the kernel (PyTorch refuses it too) */
  g_assert_false (cascade_maxpool_forward (ctx, &in, 1, 2, 1, &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_maxpool_forward (ctx, &in, 3, 0, 1, &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);

  /* output aliasing the input */
  bad = out;
  bad.mem = in.mem;
  bad.offset = 3;
  g_assert_false (cascade_maxpool_forward (ctx, &in, 3, 2, 1, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_tensor_release (&in);
  cascade_tensor_release (&out);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  g_test_add_func ("/pool/maxpool", test_maxpool);
  g_test_add_func ("/pool/maxpool-nan", test_maxpool_nan);
  g_test_add_func ("/pool/errors", test_pool_errors);
  ret = g_test_run ();
  cascade_ctx_free (ctx);
  return ret;
}
