/* gst-cascade tests: 2x2 stride-2 transposed convolution against the
 * general definition (scatter-add of every input pixel times the kernel,
 * accumulated in double), and shape validation.  Values uniform in
 * [-1, 1); tolerance |got - want| <= 2e-6 * sqrt (cin) + 1e-5 * |want|. */
#include "testutil.h"
#include "ops/deconv.h"
#include "runtime/util.h"

static CascadeCtx *ctx;
static CascadeArena *arena;

static void
check_deconv (guint n, guint cin, guint cout, guint h, guint w,
    gboolean bias, gboolean relu)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (n * 1000 + cin * 10 + cout + h);
  gsize oh = 2 * h, ow = 2 * w, nout = (gsize) n * cout * oh * ow;
  gfloat *x = test_random (r, (gsize) n * cin * h * w, -1, 1);
  gfloat *wt = test_random (r, (gsize) cin * cout * 4, -1, 1);
  gfloat *b = bias ? test_random (r, cout, -1, 1) : NULL;
  gdouble *acc = g_new0 (gdouble, nout);
  gfloat *want = g_new (gfloat, nout), *got;
  CascadeDeconv d;
  CascadeTensor tin, tout;
  gsize i, b_, ci, co, y, xx, ky, kx;
  gchar *what;

  /* ConvTranspose2d (k 2, s 2, p 0): out[co, y*2 + ky, x*2 + kx] +=
   * in[ci, y, x] * W[ci, co, ky, kx] */
  for (b_ = 0; b_ < n; b_++)
    for (ci = 0; ci < cin; ci++)
      for (y = 0; y < h; y++)
        for (xx = 0; xx < w; xx++)
          for (co = 0; co < cout; co++)
            for (ky = 0; ky < 2; ky++)
              for (kx = 0; kx < 2; kx++)
                acc[((b_ * cout + co) * oh + y * 2 + ky) * ow + xx * 2 + kx]
                    += (gdouble) x[((b_ * cin + ci) * h + y) * w + xx] *
                    wt[((ci * cout + co) * 2 + ky) * 2 + kx];
  for (i = 0; i < nout; i++) {
    gdouble s = acc[i] + (b ? b[(i / (oh * ow)) % cout] : 0.0);
    want[i] = (gfloat) (relu && s < 0 ? 0 : s);
  }
  g_assert_true (cascade_deconv_init (&d, ctx, cin, cout, wt, b, &err));
  g_assert_no_error (err);
  tin = test_upload (ctx, x, 4, CASCADE_SHAPE (n, cin, h, w));
  tout = test_upload (ctx, want, 4, CASCADE_SHAPE (n, cout, oh, ow));
  g_assert_true (cascade_fill (ctx, &tout, NAN, &err));
  g_assert_true (cascade_deconv_forward (ctx, arena, &d, &tin,
          relu ? CASCADE_ACT_RELU : CASCADE_ACT_NONE, &tout, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tout);
  what = g_strdup_printf ("deconv n%u %u->%u %ux%u%s%s", n, cin, cout, h, w,
      bias ? " bias" : "", relu ? " relu" : "");
  test_assert_close (what, got, want, nout, 2e-6 * sqrt ((gdouble) cin),
      1e-5);
  g_free (what);
  g_free (got);
  g_free (want);
  g_free (acc);
  g_free (x);
  g_free (wt);
  g_free (b);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
  cascade_deconv_clear (&d);
  g_rand_free (r);
}

static void
test_deconv (void)
{
  check_deconv (1, 7, 5, 9, 11, TRUE, TRUE);
  check_deconv (3, 13, 6, 7, 7, TRUE, FALSE);
  check_deconv (2, 5, 9, 3, 13, FALSE, TRUE);
  /* mask head shape, scaled down: 14x14 RoIs */
  check_deconv (5, 17, 11, 14, 14, TRUE, TRUE);
  /* the batch as one GEMM (ops/deconv.c): more images than one column
   * tile holds, rows of odd width, more channels than one row tile */
  check_deconv (7, 33, 19, 5, 9, TRUE, TRUE);
  check_deconv (2, 4, 3, 1, 1, FALSE, FALSE);
}

static void
test_deconv_errors (void)
{
  GError *err = NULL;
  gfloat w[1 * 3 * 4 * 6] = { 0 };    /* the largest tensor made from it */
  CascadeDeconv d;
  CascadeTensor in, out, bad;

  g_assert_false (cascade_deconv_init (&d, ctx, 4, 0, w, NULL, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_true (cascade_deconv_init (&d, ctx, 4, 3, w, NULL, &err));
  in = test_upload (ctx, w, 4, CASCADE_SHAPE (1, 4, 2, 3));
  out = test_upload (ctx, w, 4, CASCADE_SHAPE (1, 3, 4, 6));
  g_assert_true (cascade_deconv_forward (ctx, arena, &d, &in,
          CASCADE_ACT_NONE, &out, &err));
  g_assert_no_error (err);

  bad = out;
  bad.shape[3] = 5;
  g_assert_false (cascade_deconv_forward (ctx, arena, &d, &in,
          CASCADE_ACT_NONE, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  bad = out;
  bad.shape[1] = 4;
  g_assert_false (cascade_deconv_forward (ctx, arena, &d, &in,
          CASCADE_ACT_NONE, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  bad = in;
  bad.shape[1] = 3;
  g_assert_false (cascade_deconv_forward (ctx, arena, &d, &bad,
          CASCADE_ACT_NONE, &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* output aliasing the input */
  bad = out;
  bad.mem = in.mem;
  cascade_tensor_set_shape (&bad, 4, CASCADE_SHAPE (1, 3, 2, 4));
  cascade_tensor_set_shape (&in, 4, CASCADE_SHAPE (1, 4, 1, 2));
  g_assert_false (cascade_deconv_forward (ctx, arena, &d, &in,
          CASCADE_ACT_NONE, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_deconv_clear (&d);
  cascade_tensor_release (&in);
  cascade_tensor_release (&out);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/deconv/forward", test_deconv);
  g_test_add_func ("/deconv/errors", test_deconv_errors);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
