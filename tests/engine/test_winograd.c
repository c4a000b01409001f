/* gst-cascade tests: Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions
 * (ops/winograd.h) against a double-precision direct convolution, per
 * layer, on odd sizes (output rows and columns that leave part tiles),
 * with bias, residual and ReLU.
 *
 * F(2x2)'s bound is the direct convolutions' (test_conv.c): |got - want|
 * <= 2e-6 sqrt (K) + 1e-5 |want|, K = 9 cin, on inputs and weights
 * uniform in [-1, 1).  Measured (--verbose), the worst error was 2e-8 to
 * 6e-7 sqrt (K) over these cases (2.9e-5 at K = 2304).
 *
 * F(4x4)'s is 4 times that.  Why 4: the direct sum's rounding error grows
 * like eps sqrt (K) |w| |x|; F(4x4) adds the rounding of its transforms,
 * whose entries reach 8 (A^T's last row: 1, -1, 1/8, -8, 1) and 5/2 (B^T),
 * and sums each of the 36 products over K as the direct sum does.
 * Offline, over 6400 outputs at K = 2304, its worst error was 3.3 times
 * the direct float sum's, its rms 2.3 times (F(2x2): 0.4 and 0.55).  So
 * 4x holds it with a little room, and a wrong transform (an error of
 * order |want|) still fails by far. */
#include "testutil.h"
#include "ops/winograd.h"
#include "ops/conv.h"

#define WINO_ATOL 2e-6
#define WINO_RTOL 1e-5
/* F(4x4)'s bound over F(2x2)'s (see above) */
#define WINO4_FACTOR 4

static CascadeCtx *ctx;
static CascadeArena *arena;

typedef struct
{
  guint n, cin, cout, h, w, pad;
  gboolean bias, residual, relu;
} Case;

static void
reference (const Case * c, const gfloat * in, const gfloat * wt,
    const gfloat * bias, const gfloat * res, gsize oh, gsize ow, gfloat * out)
{
  gsize b, o, y, x, ci, i, j;
  for (b = 0; b < c->n; b++)
    for (o = 0; o < c->cout; o++)
      for (y = 0; y < oh; y++)
        for (x = 0; x < ow; x++) {
          gdouble s = bias ? bias[o] : 0;
          gsize at = ((b * c->cout + o) * oh + y) * ow + x;
          for (ci = 0; ci < c->cin; ci++)
            for (i = 0; i < 3; i++)
              for (j = 0; j < 3; j++) {
                glong yy = (glong) (y + i) - c->pad, xx = (glong) (x + j) -
                    c->pad;
                if (yy < 0 || xx < 0 || yy >= c->h || xx >= c->w)
                  continue;
                s += (gdouble) wt[(o * c->cin + ci) * 9 + i * 3 + j] *
                    in[((b * c->cin + ci) * c->h + yy) * c->w + xx];
              }
          if (res)
            s += res[at];
          out[at] = (gfloat) (c->relu && s < 0 ? 0 : s);
        }
}

/* the worst |err| / sqrt (K) of each tile over the cases, for --verbose */
static gdouble worst_of[5];

static void
check_case (const Case * c, guint m)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (c->cin * 100 + c->cout + c->h);
  gsize oh = c->h + 2 * c->pad - 2, ow = c->w + 2 * c->pad - 2;
  gsize nin = (gsize) c->n * c->cin * c->h * c->w;
  gsize nout = (gsize) c->n * c->cout * oh * ow, i;
  gfloat *in = test_random (r, nin, -1, 1);
  gfloat *wt = test_random (r, (gsize) c->cout * c->cin * 9, -1, 1);
  gfloat *bias = c->bias ? test_random (r, c->cout, -1, 1) : NULL;
  gfloat *res = c->residual ? test_random (r, nout, -1, 1) : NULL;
  gfloat *want = g_new (gfloat, nout), *got;
  CascadeTensor tin, tout, tres = { 0 };
  CascadeWinograd wg;
  gdouble worst = 0;
  gchar *what;

  reference (c, in, wt, bias, res, oh, ow, want);
  g_assert_true (cascade_winograd_init (&wg, ctx, m, c->cin, c->cout,
          c->pad, wt, bias, &err));
  g_assert_no_error (err);
  tin = test_upload (ctx, in, 4, CASCADE_SHAPE (c->n, c->cin, c->h, c->w));
  tout = test_upload (ctx, NULL, 4, CASCADE_SHAPE (c->n, c->cout, oh, ow));
  if (res)
    tres = test_upload (ctx, res, 4, CASCADE_SHAPE (c->n, c->cout, oh, ow));
  test_fill_nan (ctx, &tout);
  g_assert_true (cascade_winograd_forward (ctx, arena, &wg, &tin,
          res ? &tres : NULL, c->relu, &tout, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tout);
  what = g_strdup_printf ("winograd F(%ux%u) n%u %u->%u %ux%u p%u", m, m,
      c->n, c->cin, c->cout, c->h, c->w, c->pad);
  for (i = 0; i < nout; i++)
    worst = MAX (worst, fabs ((gdouble) got[i] - want[i]));
  worst_of[m] = MAX (worst_of[m], worst / sqrt (9.0 * c->cin));
  if (g_test_verbose ())
    g_print ("%s: max |err| %.3g = %.3g sqrt (K)\n", what, worst,
        worst / sqrt (9.0 * c->cin));
  test_assert_close (what, got, want, nout, (m == 4 ? WINO4_FACTOR : 1) *
      WINO_ATOL * sqrt (9.0 * c->cin), (m == 4 ? WINO4_FACTOR : 1) *
      WINO_RTOL);
  g_free (what);
  g_free (got);
  g_free (want);
  g_free (in);
  g_free (wt);
  g_free (bias);
  g_free (res);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
  if (res)
    cascade_tensor_release (&tres);
  cascade_winograd_clear (&wg);
  g_rand_free (r);
}

/*           n cin cout  h   w  pad bias  res   relu */
static const Case cases[] = {
  {1, 13, 11, 17, 19, 1, TRUE, TRUE, TRUE},
  {3, 9, 13, 14, 14, 1, TRUE, FALSE, TRUE},    /* mask-head-like batch */
  {1, 5, 19, 7, 70, 1, FALSE, TRUE, FALSE},
  {2, 3, 5, 1, 1, 1, TRUE, TRUE, TRUE},        /* one output pixel */
  {1, 7, 9, 9, 11, 0, TRUE, FALSE, FALSE},     /* no padding */
  {1, 4, 6, 6, 5, 2, FALSE, FALSE, TRUE},      /* more padding */
  {2, 64, 33, 15, 13, 1, TRUE, TRUE, TRUE},    /* K = 576 */
  {1, 256, 16, 9, 7, 1, TRUE, FALSE, TRUE},    /* K = 2304, as R-50 */
  {2, 6, 10, 13, 17, 1, FALSE, FALSE, TRUE},   /* test_tuning.c's */
  {1, 31, 17, 23, 29, 1, TRUE, TRUE, FALSE},   /* odd, 4x4 part tiles */
  {5, 17, 24, 14, 14, 1, TRUE, TRUE, TRUE},    /* mask head's 14x14 */
  {1, 128, 40, 21, 11, 1, FALSE, TRUE, TRUE},  /* K = 1152 */
  {1, 2, 3, 3, 4, 0, TRUE, FALSE, TRUE},       /* output 1 x 2 */
  {1, 512, 8, 5, 9, 1, TRUE, TRUE, TRUE},      /* K = 4608, as layer4 */
};

static void
test_winograd_cases (void)
{
  guint i, m;
  for (m = 2; m <= 4; m += 2)
    for (i = 0; i < G_N_ELEMENTS (cases); i++)
      check_case (&cases[i], m);
  if (g_test_verbose ())
    g_print ("worst: F(2x2) %.3g sqrt (K), F(4x4) %.3g sqrt (K)\n",
        worst_of[2], worst_of[4]);
}

/* which convolutions get the transformed filters, and what
 * CASCADE_CONV=winograd makes of each */
static void
test_winograd_applies (void)
{
  static const guint shapes[][5] = {   /* k stride pad groups applies */
    {3, 1, 1, 1, 1}, {3, 1, 0, 1, 1}, {3, 1, 2, 1, 1}, {3, 2, 1, 1, 0},
    {3, 1, 1, 2, 0}, {3, 1, 3, 1, 0}, {5, 1, 2, 1, 0}, {1, 1, 0, 1, 0},
  };
  gfloat wt[4 * 4 * 25] = { 0 };
  GError *err = NULL;
  guint i;

  g_assert_false (cascade_winograd_applies (1 << 14, 1 << 14, 3, 1, 1, 1));
  for (i = 0; i < G_N_ELEMENTS (shapes); i++) {
    CascadeConv conv;
    const guint *s = shapes[i];
    g_assert_cmpint (cascade_winograd_applies (4, 4, s[0], s[1], s[2], s[3]),
        ==, s[4]);
    g_assert_true (cascade_conv_init (&conv, ctx, 4, 4, s[0], s[1], s[2],
            s[3], wt, NULL, &err));
    g_assert_no_error (err);
    g_assert_cmpint (conv.wino_applies, ==, s[4]);
    /* no transformed filters until a Winograd run needs them */
    g_assert_null (conv.wino.u.mem);
    g_assert_null (conv.wino4.u.mem);
    test_setenv ("CASCADE_CONV", "winograd");
    if (s[4])
      g_assert_cmpint (cascade_conv_default_algo (ctx, &conv), ==,
          CASCADE_CONV_WINOGRAD);
    else
      g_assert_cmpint (cascade_conv_default_algo (ctx, &conv), !=,
          CASCADE_CONV_WINOGRAD);
    test_setenv ("CASCADE_CONV", "winograd4");
    g_assert_cmpint (cascade_conv_default_algo (ctx, &conv) ==
        CASCADE_CONV_WINOGRAD4, ==, s[4]);
    test_setenv ("CASCADE_CONV", NULL);
    g_assert_cmpint (cascade_conv_default_algo (ctx, &conv), !=,
        CASCADE_CONV_WINOGRAD);
    cascade_conv_clear (&conv);
  }
}

static void
test_winograd_errors (void)
{
  GError *err = NULL;
  CascadeWinograd wg, none = { 0 };
  gfloat wt[2 * 3 * 9] = { 0 };
  CascadeTensor in = test_upload (ctx, NULL, 4, CASCADE_SHAPE (1, 3, 5, 5));
  CascadeTensor out = test_upload (ctx, NULL, 4, CASCADE_SHAPE (1, 2, 5, 5));
  CascadeTensor bad = test_upload (ctx, NULL, 4, CASCADE_SHAPE (1, 2, 4, 5));

  g_assert_false (cascade_winograd_init (&wg, ctx, 2, 0, 2, 1, wt, NULL,
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_winograd_init (&wg, ctx, 4, 3, 2, 1, NULL, NULL,
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  /* no F(3x3) */
  g_assert_false (cascade_winograd_init (&wg, ctx, 3, 3, 2, 1, wt, NULL,
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_winograd_forward (ctx, arena, &none, &in, NULL,
          FALSE, &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_true (cascade_winograd_init (&wg, ctx, 4, 3, 2, 1, wt, NULL,
          &err));
  /* a wrong output size, a wrong residual, output over input */
  g_assert_false (cascade_winograd_forward (ctx, arena, &wg, &in, NULL,
          FALSE, &bad, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_winograd_forward (ctx, arena, &wg, &in, &bad,
          FALSE, &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_winograd_forward (ctx, arena, &wg, &out, NULL,
          FALSE, &out, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  cascade_winograd_clear (&wg);
  cascade_tensor_release (&in);
  cascade_tensor_release (&out);
  cascade_tensor_release (&bad);
}

/* a conv makes its transformed filters on its first Winograd run of each
 * tile, from its device weights: the same bits as cascade_winograd_init
 * from the host's */
static void
check_lazy (guint m)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (7);
  gfloat *in = test_random (r, 13 * 17 * 19, -1, 1);
  gfloat *wt = test_random (r, 11 * 13 * 9, -1, 1);
  gfloat *bias = test_random (r, 11, -1, 1), *a, *b;
  CascadeTensor tin, ta, tb;
  CascadeConv conv;
  CascadeWinograd wg;

  g_assert_true (cascade_conv_init (&conv, ctx, 13, 11, 3, 1, 1, 1, wt, bias,
          &err));
  g_assert_null (conv.wino.u.mem);
  g_assert_true (cascade_winograd_init (&wg, ctx, m, 13, 11, 1, wt, bias,
          &err));
  tin = test_upload (ctx, in, 4, CASCADE_SHAPE (1, 13, 17, 19));
  ta = test_upload (ctx, NULL, 4, CASCADE_SHAPE (1, 11, 17, 19));
  tb = test_upload (ctx, NULL, 4, CASCADE_SHAPE (1, 11, 17, 19));
  g_assert_true (cascade_conv_forward_algo (ctx, arena, &conv, m == 2 ?
          CASCADE_CONV_WINOGRAD : CASCADE_CONV_WINOGRAD4, &tin, NULL,
          CASCADE_ACT_RELU, &ta, &err));
  g_assert_no_error (err);
  /* only the tile that ran */
  g_assert_true ((conv.wino.u.mem != NULL) == (m == 2));
  g_assert_true ((conv.wino4.u.mem != NULL) == (m == 4));
  g_assert_true (cascade_winograd_forward (ctx, arena, &wg, &tin, NULL, TRUE,
          &tb, &err));
  a = test_download (ctx, &ta);
  b = test_download (ctx, &tb);
  g_assert_cmpmem (a, 11 * 17 * 19 * sizeof (gfloat), b,
      11 * 17 * 19 * sizeof (gfloat));
  g_free (a);
  g_free (b);
  g_free (in);
  g_free (wt);
  g_free (bias);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&ta);
  cascade_tensor_release (&tb);
  cascade_winograd_clear (&wg);
  cascade_conv_clear (&conv);
  g_rand_free (r);
}

static void
test_winograd_lazy (void)
{
  check_lazy (2);
  check_lazy (4);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/winograd/cases", test_winograd_cases);
  g_test_add_func ("/winograd/applies", test_winograd_applies);
  g_test_add_func ("/winograd/errors", test_winograd_errors);
  g_test_add_func ("/winograd/lazy", test_winograd_lazy);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
