/* gst-cascade tests: convolution (im2col / direct 1x1 + GEMM + epilogue),
 * BatchNorm folding, FLOP count and shape validation.
 *
 * Reference: a plain-C loop accumulating in double.  Inputs, weights, bias
 * and residual are uniform in [-1, 1).  Tolerance per element:
 *   |got - want| <= 2e-6 * sqrt (K) + 1e-5 * |want|,  K = cin/groups * k * k
 * (float32 accumulation of K products of magnitude <= 1 drifts like
 * eps * sqrt (K) * |partial sums|; any indexing bug is off by O(0.1)). */
#include "testutil.h"
#include "ops/conv.h"
#include "blas/gemm.h"
#include "runtime/util.h"

#include <string.h>

static CascadeCtx *ctx;
static CascadeArena *arena;

typedef struct
{
  guint n, cin, cout, h, w, k, stride, pad, groups;
  gboolean bias, residual, relu;
  gsize offset;                 /* tensors as views at this element offset */
} Case;

/* a view at element `off` of a fresh buffer whose other elements are NaN
 * (host NULL: all NaN, to prove every output element gets written) */
static CascadeTensor
upload_at (const gfloat * host, gsize off, guint ndim, const gsize * shape)
{
  CascadeTensor t, whole;
  GError *err = NULL;
  gsize n = 1, i;
  gfloat *buf;
  for (i = 0; i < ndim; i++)
    n *= shape[i];
  buf = g_new (gfloat, off + n + 3);
  for (i = 0; i < off + n + 3; i++)
    buf[i] = NAN;
  if (host)
    memcpy (buf + off, host, n * sizeof (gfloat));
  g_assert_true (cascade_tensor_new (ctx, &whole, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (off + n + 3), buf, &err));
  g_assert_no_error (err);
  g_free (buf);
  t = whole;
  t.offset = off;
  cascade_tensor_set_shape (&t, ndim, shape);
  return t;
}

/* out = act (conv (in) + bias [+ res]) in double */
static void
reference (const Case * c, const gfloat * in, const gfloat * wt,
    const gfloat * bias, const gfloat * res, gsize oh, gsize ow, gfloat * out)
{
  guint cg = c->cin / c->groups, og = c->cout / c->groups;
  gsize n, o, y, x, ci, ky, kx;
  for (n = 0; n < c->n; n++)
    for (o = 0; o < c->cout; o++)
      for (y = 0; y < oh; y++)
        for (x = 0; x < ow; x++) {
          gsize g = o / og, idx = ((n * c->cout + o) * oh + y) * ow + x;
          gdouble s = bias ? bias[o] : 0.0;
          for (ci = 0; ci < cg; ci++)
            for (ky = 0; ky < c->k; ky++)
              for (kx = 0; kx < c->k; kx++) {
                glong iy = (glong) (y * c->stride + ky) - c->pad;
                glong ix = (glong) (x * c->stride + kx) - c->pad;
                if (iy < 0 || ix < 0 || iy >= c->h || ix >= c->w)
                  continue;
                s += (gdouble) wt[((o * cg + ci) * c->k + ky) * c->k + kx] *
                    in[((n * c->cin + g * cg + ci) * c->h + iy) * c->w + ix];
              }
          if (res)
            s += res[idx];
          if (c->relu && s < 0)
            s = 0;
          out[idx] = (gfloat) s;
        }
}

static void
check_case_algo (const Case * c, CascadeConvAlgo algo)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (c->cin * 1000 + c->cout * 10 + c->k +
      c->n * 7 + c->groups);
  CascadeConv conv;
  gsize oh, ow, nin = (gsize) c->n * c->cin * c->h * c->w, nout, kk;
  gfloat *in, *wt, *bias = NULL, *res = NULL, *want, *got, *other = NULL;
  CascadeTensor tin, tout, tres;
  gchar *what;

  kk = (gsize) c->cin / c->groups * c->k * c->k;
  in = test_random (r, nin, -1, 1);
  wt = test_random (r, c->cout * kk, -1, 1);
  if (c->bias)
    bias = test_random (r, c->cout, -1, 1);
  g_assert_true (cascade_conv_init (&conv, ctx, c->cin, c->cout, c->k,
          c->stride, c->pad, c->groups, wt, bias, &err));
  g_assert_no_error (err);
  cascade_conv_out_size (&conv, c->h, c->w, &oh, &ow);
  g_assert_cmpuint (oh, ==, (c->h + 2 * c->pad - c->k) / c->stride + 1);
  g_assert_cmpuint (ow, ==, (c->w + 2 * c->pad - c->k) / c->stride + 1);
  nout = (gsize) c->n * c->cout * oh * ow;
  if (c->residual)
    res = test_random (r, nout, -1, 1);
  want = g_new (gfloat, nout);
  reference (c, in, wt, bias, res, oh, ow, want);

  tin = upload_at (in, c->offset, 4, CASCADE_SHAPE (c->n, c->cin, c->h,
          c->w));
  tout = upload_at (NULL, c->offset * 2, 4, CASCADE_SHAPE (c->n, c->cout, oh,
          ow));
  if (res)
    tres = upload_at (res, c->offset + 1, 4, CASCADE_SHAPE (c->n, c->cout, oh,
            ow));
  /* the other algorithm first: the one under test must overwrite it */
  if (cascade_conv_shift_supported (&conv)) {
    g_assert_true (cascade_conv_forward_algo (ctx, arena, &conv,
            algo == CASCADE_CONV_SHIFT ? CASCADE_CONV_IM2COL :
            CASCADE_CONV_SHIFT, &tin, res ? &tres : NULL,
            c->relu ? CASCADE_ACT_RELU : CASCADE_ACT_NONE, &tout, &err));
    g_assert_no_error (err);
    other = test_download (ctx, &tout);
    test_fill_nan (ctx, &tout);
  }
  g_assert_true (cascade_conv_forward_algo (ctx, arena, &conv, algo, &tin,
          res ? &tres : NULL, c->relu ? CASCADE_ACT_RELU : CASCADE_ACT_NONE,
          &tout, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tout);
  what = g_strdup_printf ("conv %s n%u %u->%u %ux%u k%u s%u p%u g%u%s%s%s",
      algo == CASCADE_CONV_SHIFT ? "shift" : "im2col", c->n, c->cin, c->cout,
      c->h, c->w, c->k, c->stride, c->pad, c->groups,
      c->bias ? " bias" : "", c->residual ? " res" : "",
      c->relu ? " relu" : "");
  /* both algorithms sum in the same order: with our CPU GEMM the results
   * are the same bits */
  if (other && cascade_gemm_impl (ctx) == CASCADE_GEMM_CPU) {
    gsize i;
    for (i = 0; i < nout; i++)
      if (memcmp (&other[i], &got[i], 4) != 0)
        g_error ("%s: element %" G_GSIZE_FORMAT " is %.9g, the other "
            "algorithm's %.9g", what, i, got[i], other[i]);
  }
  g_free (other);
  test_assert_close (what, got, want, nout, 2e-6 * sqrt ((gdouble) kk), 1e-5);
  if (g_test_verbose ()) {
    gdouble worst = 0;
    gsize i;
    for (i = 0; i < nout; i++)
      worst = MAX (worst, fabs ((gdouble) got[i] - want[i]));
    g_print ("%s: ok, max |err| %.3g = %.3g sqrt (K)\n", what, worst,
        worst / sqrt ((gdouble) kk));
  }
  g_free (what);

  /* the same call again gives the same result (scratch reused) */
  {
    guint allocs = cascade_arena_allocations (arena);
    gfloat *again;
    g_assert_true (cascade_conv_forward_algo (ctx, arena, &conv, algo, &tin,
            res ? &tres : NULL, c->relu ? CASCADE_ACT_RELU : CASCADE_ACT_NONE,
            &tout, &err));
    g_assert_no_error (err);
    g_assert_cmpuint (cascade_arena_allocations (arena), ==, allocs);
    again = test_download (ctx, &tout);
    g_assert_cmpmem (again, nout * 4, got, nout * 4);
    g_free (again);
  }

  g_free (got);
  g_free (want);
  g_free (in);
  g_free (wt);
  g_free (bias);
  g_free (res);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
  if (c->residual)
    cascade_tensor_release (&tres);
  cascade_conv_clear (&conv);
  g_rand_free (r);
}

/* every case through both algorithms (the shifted-input one where it
 * applies: no groups, not 1x1 stride 1) */
static void
check_case (const Case * c)
{
  CascadeConv probe = {.groups = c->groups,.kh = c->k,.kw = c->k,.stride =
        c->stride,.pad = c->pad
  };
  check_case_algo (c, CASCADE_CONV_IM2COL);
  if (cascade_conv_shift_supported (&probe))
    check_case_algo (c, CASCADE_CONV_SHIFT);
}

/*            n cin cout  h   w  k s p g bias   res   relu  offset */
static const Case cases_1x1[] = {
  {1, 13, 11, 9, 15, 1, 1, 0, 1, TRUE, FALSE, TRUE, 0},
  {3, 7, 17, 11, 5, 1, 1, 0, 1, TRUE, TRUE, TRUE, 0},
  {3, 10, 6, 7, 9, 1, 1, 0, 2, FALSE, TRUE, FALSE, 0},
  {2, 9, 5, 6, 7, 1, 1, 0, 1, TRUE, TRUE, FALSE, 37},
  /* one image: 135 columns padded (ops/im2col.c), per group too; 32
   * columns multiplied as they are */
  {1, 12, 9, 5, 7, 1, 1, 0, 3, TRUE, FALSE, FALSE, 2},
  {1, 5, 7, 8, 4, 1, 1, 0, 1, TRUE, FALSE, TRUE, 0},
};

/* 1x1 stride 2: ResNet downsample, caffe-style strided conv1 */
static const Case cases_1x1_strided[] = {
  {3, 12, 10, 15, 13, 1, 2, 0, 1, TRUE, FALSE, FALSE, 0},
  {1, 11, 21, 16, 17, 1, 2, 0, 1, FALSE, TRUE, TRUE, 0},
  {3, 12, 8, 9, 10, 1, 2, 0, 4, TRUE, FALSE, TRUE, 5},
  /* one image of 7 x 6 = 42 columns, padded to 64 (ops/im2col.c) */
  {1, 33, 40, 13, 11, 1, 2, 0, 1, TRUE, FALSE, TRUE, 3},
};

static const Case cases_3x3[] = {
  {1, 13, 11, 17, 19, 3, 1, 1, 1, TRUE, TRUE, TRUE, 0},
  {3, 14, 10, 21, 16, 3, 2, 1, 2, FALSE, FALSE, TRUE, 0},
  {3, 12, 20, 9, 11, 3, 1, 1, 4, TRUE, TRUE, TRUE, 0},
  {3, 5, 6, 8, 7, 3, 1, 0, 1, TRUE, FALSE, FALSE, 0},
  {1, 8, 12, 13, 10, 3, 2, 1, 4, TRUE, TRUE, FALSE, 19},
  {3, 7, 9, 11, 13, 3, 2, 0, 1, FALSE, TRUE, TRUE, 3},
  /* images one at a time (groups), each padded to whole column tiles */
  {2, 6, 12, 9, 9, 3, 2, 1, 3, TRUE, FALSE, TRUE, 0},
};

/* the stem: 7x7 stride 2 pad 3 */
static const Case cases_7x7[] = {
  {1, 3, 9, 29, 35, 7, 2, 3, 1, TRUE, FALSE, TRUE, 0},
  {3, 4, 6, 15, 12, 7, 2, 3, 2, FALSE, TRUE, FALSE, 0},
  {1, 3, 4, 9, 8, 7, 1, 3, 1, TRUE, FALSE, FALSE, 11},
};

/* im2col of 288 x 10403 floats (12 MB) per image: the 32 MB col budget
 * takes the 3 images in chunks of 2 + 1 */
static const Case cases_chunked[] = {
  {3, 32, 5, 101, 103, 3, 1, 1, 1, TRUE, TRUE, TRUE, 0},
};

/* shapes aimed at the shifted-input path's edges: batched stride 1 (the
 * mask heads' RoIs, rows and images sharing padding), rows wider than one
 * 32-column tile (vector stores), cout not a multiple of 8, 5x5, strided
 * batches, pad larger than needed */
static const Case cases_shift[] = {
  {3, 9, 13, 14, 14, 3, 1, 1, 1, TRUE, TRUE, TRUE, 0},
  {1, 5, 19, 7, 70, 3, 1, 1, 1, TRUE, TRUE, TRUE, 0},
  {2, 6, 10, 33, 40, 3, 2, 1, 1, TRUE, TRUE, TRUE, 7},
  {1, 4, 8, 5, 37, 5, 1, 2, 1, FALSE, FALSE, TRUE, 0},
  {2, 3, 17, 12, 65, 5, 2, 2, 1, TRUE, TRUE, FALSE, 0},
  {4, 2, 3, 3, 3, 3, 1, 2, 1, TRUE, FALSE, TRUE, 0},
  {1, 7, 9, 1, 1, 3, 1, 1, 1, TRUE, TRUE, TRUE, 0},
  {2, 3, 16, 40, 40, 1, 3, 0, 1, TRUE, TRUE, TRUE, 0},
};

static void
test_conv_shift (void)
{
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases_shift); i++)
    check_case (&cases_shift[i]);
}

static void
test_conv_1x1 (void)
{
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases_1x1); i++)
    check_case (&cases_1x1[i]);
}

static void
test_conv_1x1_strided (void)
{
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases_1x1_strided); i++)
    check_case (&cases_1x1_strided[i]);
}

static void
test_conv_3x3 (void)
{
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases_3x3); i++)
    check_case (&cases_3x3[i]);
}

static void
test_conv_7x7 (void)
{
  guint i;
  for (i = 0; i < G_N_ELEMENTS (cases_7x7); i++)
    check_case (&cases_7x7[i]);
}

static void
test_conv_chunked (void)
{
  check_case (&cases_chunked[0]);
}

/* every register tile of blas/gemm.h */
static const gchar *const tile_names[] = { "8x32", "6x16", "12x32", "4x24" };

/* The shifted-input kernel in every register tile (blas/gemm.h) gives the
 * same bits: case c through each, compared */
static void
check_tiles_same_bits (const Case * c)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (c->cin + c->cout + c->h);
  CascadeConv conv;
  gsize oh, ow, nout, kk = (gsize) c->cin * c->k * c->k;
  gfloat *in = test_random (r, (gsize) c->n * c->cin * c->h * c->w, -1, 1);
  gfloat *wt = test_random (r, c->cout * kk, -1, 1), *got[4];
  CascadeTensor tin, tout;
  guint i;

  g_assert_true (cascade_conv_init (&conv, ctx, c->cin, c->cout, c->k,
          c->stride, c->pad, 1, wt, NULL, &err));
  g_assert_no_error (err);
  cascade_conv_out_size (&conv, c->h, c->w, &oh, &ow);
  nout = (gsize) c->n * c->cout * oh * ow;
  tin = upload_at (in, 0, 4, CASCADE_SHAPE (c->n, c->cin, c->h, c->w));
  tout = upload_at (NULL, 0, 4, CASCADE_SHAPE (c->n, c->cout, oh, ow));
  for (i = 0; i < G_N_ELEMENTS (tile_names); i++) {
    test_setenv ("CASCADE_GEMM_TILE", tile_names[i]);
    test_fill_nan (ctx, &tout);
    g_assert_true (cascade_conv_forward_algo (ctx, arena, &conv,
            CASCADE_CONV_SHIFT, &tin, NULL, CASCADE_ACT_RELU, &tout, &err));
    g_assert_no_error (err);
    got[i] = test_download (ctx, &tout);
  }
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  for (i = 1; i < G_N_ELEMENTS (tile_names); i++) {
    g_assert_cmpmem (got[0], nout * 4, got[i], nout * 4);
    g_free (got[i]);
  }
  g_free (got[0]);
  g_free (in);
  g_free (wt);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
  cascade_conv_clear (&conv);
  g_rand_free (r);
}

/* every shifted-input case in each tile against the reference, and the
 * tiles against each other */
static void
test_conv_tiles (void)
{
  guint i, t;
  for (t = 0; t < G_N_ELEMENTS (tile_names); t++) {
    test_setenv ("CASCADE_GEMM_TILE", tile_names[t]);
    for (i = 0; i < G_N_ELEMENTS (cases_shift); i++)
      check_case (&cases_shift[i]);
    for (i = 0; i < G_N_ELEMENTS (cases_7x7); i++)
      check_case (&cases_7x7[i]);
  }
  test_setenv ("CASCADE_GEMM_TILE", NULL);
  for (i = 0; i < G_N_ELEMENTS (cases_shift); i++)
    check_tiles_same_bits (&cases_shift[i]);
  check_tiles_same_bits (&cases_3x3[0]);
}

/* fold_bn + conv on the device == BN (conv (x)) in double */
static void
test_fold_bn (void)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (4242);
  const guint cin = 6, cout = 5, h = 11, w = 9;
  const gsize per = cin * 9, nin = cin * h * w, nout = cout * h * w;
  gfloat *wt = test_random (r, cout * per, -1, 1);
  gfloat *wf = g_memdup2 (wt, cout * per * sizeof (gfloat));
  gfloat *gamma = test_random (r, cout, 0.5, 1.5);
  gfloat *beta = test_random (r, cout, -1, 1);
  gfloat *mean = test_random (r, cout, -0.5, 0.5);
  gfloat *var = test_random (r, cout, 0.01, 2);
  gfloat *in = test_random (r, nin, -1, 1), bias[5], *got, *want;
  gfloat eps = 1e-5f;
  CascadeConv conv;
  CascadeTensor tin, tout;
  gsize o, i, y, x, c, ky, kx;

  cascade_fold_bn (wf, bias, cout, per, gamma, beta, mean, var, eps);
  for (o = 0; o < cout; o++) {
    gdouble s = gamma[o] / sqrt ((gdouble) var[o] + eps);
    for (i = 0; i < per; i++)
      g_assert_cmpfloat (wf[o * per + i], ==, (gfloat) (wt[o * per + i] * s));
    g_assert_cmpfloat (bias[o], ==, (gfloat) (beta[o] - mean[o] * s));
  }

  want = g_new (gfloat, nout);
  for (o = 0; o < cout; o++)
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++) {
        gdouble s = 0;
        for (c = 0; c < cin; c++)
          for (ky = 0; ky < 3; ky++)
            for (kx = 0; kx < 3; kx++) {
              glong iy = (glong) (y + ky) - 1, ix = (glong) (x + kx) - 1;
              if (iy >= 0 && ix >= 0 && iy < h && ix < w)
                s += (gdouble) wt[((o * cin + c) * 3 + ky) * 3 + kx] *
                    in[(c * h + iy) * w + ix];
            }
        want[(o * h + y) * w + x] = (gfloat) ((s - mean[o]) /
            sqrt ((gdouble) var[o] + eps) * gamma[o] + beta[o]);
      }
  g_assert_true (cascade_conv_init (&conv, ctx, cin, cout, 3, 1, 1, 1, wf,
          bias, &err));
  tin = test_upload (ctx, in, 4, CASCADE_SHAPE (1, cin, h, w));
  tout = test_upload (ctx, want, 4, CASCADE_SHAPE (1, cout, h, w));
  g_assert_true (cascade_fill (ctx, &tout, NAN, &err));
  g_assert_true (cascade_conv_forward (ctx, arena, &conv, &tin, NULL,
          CASCADE_ACT_NONE, &tout, &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tout);
  /* |w'| <= |w| * gamma / sqrt (var + eps) <= ~15: scale the margin */
  test_assert_close ("fold_bn conv", got, want, nout, 2e-6 * sqrt (per) * 15,
      1e-5);
  g_free (got);
  g_free (want);
  g_free (wt);
  g_free (wf);
  g_free (gamma);
  g_free (beta);
  g_free (mean);
  g_free (var);
  g_free (in);
  cascade_tensor_release (&tin);
  cascade_tensor_release (&tout);
  cascade_conv_clear (&conv);
  g_rand_free (r);
}

static void
test_flops (void)
{
  GError *err = NULL;
  CascadeConv conv;
  gfloat *w = g_new0 (gfloat, 64 * 64 * 9);
  gsize oh, ow;
  g_assert_true (cascade_conv_init (&conv, ctx, 64, 64, 3, 1, 1, 1, w, NULL,
          &err));
  /* ResNet-50 layer1 3x3 at 1333x800 input: 2 * 64 * 64 * 9 * 200 * 336 */
  g_assert_cmpfloat (cascade_conv_flops (&conv, 200, 336), ==,
      2.0 * 64 * 64 * 9 * 200 * 336);
  cascade_conv_clear (&conv);
  /* ResNeXt 32 groups, stride 2: 2 * cout * (cin / 32) * 9 * oh * ow */
  g_assert_true (cascade_conv_init (&conv, ctx, 64, 64, 3, 2, 1, 32, w, NULL,
          &err));
  cascade_conv_out_size (&conv, 25, 42, &oh, &ow);
  g_assert_cmpuint (oh, ==, 13);
  g_assert_cmpuint (ow, ==, 21);
  g_assert_cmpfloat (cascade_conv_flops (&conv, 25, 42), ==,
      2.0 * 64 * 2 * 9 * 13 * 21);
  cascade_conv_clear (&conv);
  g_free (w);
}

static void
expect_invalid (gboolean ok, GError ** err)
{
  g_assert_false (ok);
  g_assert_error (*err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (err);
}

static void
test_conv_errors (void)
{
  GError *err = NULL;
  CascadeConv conv;
  gfloat *w = g_new0 (gfloat, 8 * 6 * 9);
  CascadeTensor in, out, bad;

  /* groups must divide cin and cout */
  expect_invalid (cascade_conv_init (&conv, ctx, 6, 8, 3, 1, 1, 4, w, NULL,
          &err), &err);
  expect_invalid (cascade_conv_init (&conv, ctx, 6, 8, 3, 0, 1, 1, w, NULL,
          &err), &err);
  g_assert_null (conv.weight.mem);

  g_assert_true (cascade_conv_init (&conv, ctx, 6, 8, 3, 2, 1, 1, w, NULL,
          &err));
  in = test_upload (ctx, w, 4, CASCADE_SHAPE (1, 6, 9, 7));
  out = test_upload (ctx, w, 4, CASCADE_SHAPE (1, 8, 5, 4));
  /* sanity: the right shapes work */
  g_assert_true (cascade_conv_forward (ctx, arena, &conv, &in, NULL,
          CASCADE_ACT_RELU, &out, &err));
  g_assert_no_error (err);

  /* out shape does not match the conv output */
  bad = out;
  bad.shape[2] = 4;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &in, NULL,
          CASCADE_ACT_NONE, &bad, &err), &err);
  bad = out;
  bad.shape[1] = 7;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &in, NULL,
          CASCADE_ACT_NONE, &bad, &err), &err);
  bad = out;
  bad.shape[0] = 2;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &in, NULL,
          CASCADE_ACT_NONE, &bad, &err), &err);
  /* cin mismatch */
  bad = in;
  bad.shape[1] = 5;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &bad, NULL,
          CASCADE_ACT_NONE, &out, &err), &err);
  /* residual of another shape */
  bad = out;
  bad.shape[3] = 3;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &in, &bad,
          CASCADE_ACT_NONE, &out, &err), &err);
  /* out aliasing the input or the residual (the GEMM would clobber them) */
  {
    CascadeTensor same = test_upload (ctx, w, 4, CASCADE_SHAPE (1, 8, 5, 4));
    CascadeTensor sq = test_upload (ctx, w, 4, CASCADE_SHAPE (1, 6, 9, 7));
    CascadeConv c1;
    g_assert_true (cascade_conv_init (&c1, ctx, 6, 6, 1, 1, 0, 1, w, NULL,
            &err));
    expect_invalid (cascade_conv_forward (ctx, arena, &conv, &in, &same,
            CASCADE_ACT_NONE, &same, &err), &err);
    expect_invalid (cascade_conv_forward (ctx, arena, &c1, &sq, NULL,
            CASCADE_ACT_NONE, &sq, &err), &err);
    cascade_conv_clear (&c1);
    cascade_tensor_release (&same);
    cascade_tensor_release (&sq);
  }
  /* not 4-D, not float */
  bad = in;
  bad.ndim = 3;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &bad, NULL,
          CASCADE_ACT_NONE, &out, &err), &err);
  bad = in;
  bad.dtype = CASCADE_DTYPE_I32;
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &bad, NULL,
          CASCADE_ACT_NONE, &out, &err), &err);
  cascade_conv_clear (&conv);

  /* input smaller than the kernel */
  g_assert_true (cascade_conv_init (&conv, ctx, 1, 1, 7, 1, 0, 1, w, NULL,
          &err));
  bad = in;
  cascade_tensor_set_shape (&bad, 4, CASCADE_SHAPE (1, 1, 5, 9));
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &bad, NULL,
          CASCADE_ACT_NONE, &out, &err), &err);
  cascade_conv_clear (&conv);
  /* a cleared conv is refused, not crashed on */
  expect_invalid (cascade_conv_forward (ctx, arena, &conv, &in, NULL,
          CASCADE_ACT_NONE, &out, &err), &err);

  cascade_tensor_release (&in);
  cascade_tensor_release (&out);
  g_free (w);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  ctx = test_ctx ();
  arena = cascade_arena_new (ctx);
  g_test_add_func ("/conv/1x1", test_conv_1x1);
  g_test_add_func ("/conv/1x1-strided", test_conv_1x1_strided);
  g_test_add_func ("/conv/3x3", test_conv_3x3);
  g_test_add_func ("/conv/7x7", test_conv_7x7);
  g_test_add_func ("/conv/chunked-batch", test_conv_chunked);
  g_test_add_func ("/conv/shift", test_conv_shift);
  g_test_add_func ("/conv/tiles", test_conv_tiles);
  g_test_add_func ("/conv/fold-bn", test_fold_bn);
  g_test_add_func ("/conv/flops", test_flops);
  g_test_add_func ("/conv/errors", test_conv_errors);
  ret = g_test_run ();
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  return ret;
}
