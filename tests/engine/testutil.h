/* gst-cascade tests: shared helpers of the engine tests */
#pragma once

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/context.h"
#include "runtime/error.h"
#include "runtime/options.h"
#include "blas/gemm.h"
#include "runtime/tensor.h"

/* Sets (value non-NULL) or unsets an environment variable and reads the
 * engine's options again (runtime/options.h): the engine reads them when a
 * device is opened or a context made, not on every call. */
static inline void
test_setenv (const gchar * var, const gchar * value)
{
  if (value)
    g_setenv (var, value, TRUE);
  else
    g_unsetenv (var);
  cascade_options_reload ();
}

/* exit status meson treats as "skipped" */
#define TEST_SKIP 77

/* Opens the default device (or $CASCADE_DEVICE) and a context; exits with
 * 77 (skip) when the machine has no OpenCL device at all. */
static inline CascadeCtx *
test_ctx (void)
{
  GError *err = NULL;
  CascadeDevice *dev = cascade_device_open (NULL, &err);
  CascadeCtx *ctx;
  if (!dev) {
    if (g_error_matches (err, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE)) {
      g_printerr ("SKIP: %s\n", err->message);
      exit (TEST_SKIP);
    }
    g_error ("%s", err->message);
  }
  ctx = cascade_ctx_new (dev, &err);
  g_assert_no_error (err);
  cascade_device_unref (dev);
  return ctx;
}

/* uniform values in [lo, hi) from a seeded GRand */
static inline gfloat *
test_random (GRand * r, gsize n, gdouble lo, gdouble hi)
{
  gfloat *v = g_new (gfloat, MAX (n, 1));
  gsize i;
  for (i = 0; i < n; i++)
    v[i] = (gfloat) g_rand_double_range (r, lo, hi);
  return v;
}

/* Asserts |got - want| <= atol + rtol * |want| elementwise; prints the
 * worst element on failure. */
static inline void
test_assert_close (const gchar * what, const gfloat * got,
    const gfloat * want, gsize n, gdouble atol, gdouble rtol)
{
  gsize i, worst = 0;
  gdouble worst_excess = -1.0;
  for (i = 0; i < n; i++) {
    gdouble d = fabs ((gdouble) got[i] - want[i]);
    gdouble lim = atol + rtol * fabs (want[i]);
    if (isnan (got[i]) != isnan (want[i]) || d - lim > worst_excess) {
      worst_excess = isnan (got[i]) != isnan (want[i]) ? INFINITY : d - lim;
      worst = i;
    }
  }
  if (worst_excess > 0.0) {
    g_printerr ("%s: element %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
        " is %.9g, expected %.9g (atol %g rtol %g)\n", what, worst, n,
        got[worst], want[worst], atol, rtol);
    g_assert_not_reached ();
  }
}

/* uploads host floats into a new tensor of the given shape */
static inline CascadeTensor
test_upload (CascadeCtx * ctx, const gfloat * host, guint ndim,
    const gsize * shape)
{
  CascadeTensor t;
  GError *err = NULL;
  gboolean ok = cascade_tensor_new (ctx, &t, CASCADE_DTYPE_F32, ndim, shape,
      host, &err);
  g_assert_no_error (err);
  g_assert_true (ok);
  return t;
}

/* overwrites every element of t with NaN */
static inline void
test_fill_nan (CascadeCtx * ctx, const CascadeTensor * t)
{
  GError *err = NULL;
  gsize n = cascade_tensor_numel (t), i;
  gfloat *v = g_new (gfloat, n);
  for (i = 0; i < n; i++)
    v[i] = NAN;
  g_assert_true (cascade_tensor_write (ctx, t, v, &err));
  g_assert_no_error (err);
  g_free (v);
}

static inline gfloat *
test_download (CascadeCtx * ctx, const CascadeTensor * t)
{
  GError *err = NULL;
  gfloat *v = cascade_tensor_download (ctx, t, &err);
  g_assert_no_error (err);
  return v;
}

/* C = 0.5 * op(A) op(B) + 2 * C through cascade_gemm on random inputs,
 * against a loop in double, to |got - want| <= atol + rtol * |want| */
static inline void
test_check_gemm (CascadeCtx * ctx, gsize m, gsize n, gsize k, gboolean ta,
    gboolean tb, gdouble atol, gdouble rtol)
{
  GError *err = NULL;
  GRand *r = g_rand_new_with_seed (m * 131 + n * 7 + k);
  gfloat *a = test_random (r, m * k, -1, 1), *b = test_random (r, k * n, -1,
      1), *c = test_random (r, m * n, -1, 1), *want = g_new (gfloat, m * n);
  gfloat *got;
  gsize i, j, l;
  CascadeTensor ta_ = test_upload (ctx, a, 1, CASCADE_SHAPE (m * k));
  CascadeTensor tb_ = test_upload (ctx, b, 1, CASCADE_SHAPE (k * n));
  CascadeTensor tc_ = test_upload (ctx, c, 1, CASCADE_SHAPE (m * n));
  CascadeMatrix ma = { ta_.mem, 0, ta ? m : k, ta };
  CascadeMatrix mb = { tb_.mem, 0, tb ? k : n, tb };
  CascadeMatrix mc = { tc_.mem, 0, n, FALSE };

  for (i = 0; i < m; i++)
    for (j = 0; j < n; j++) {
      gdouble s = 0;
      for (l = 0; l < k; l++)
        s += (gdouble) (ta ? a[l * m + i] : a[i * k + l]) *
            (tb ? b[j * k + l] : b[l * n + j]);
      want[i * n + j] = (gfloat) (0.5 * s + 2.0 * c[i * n + j]);
    }
  g_assert_true (cascade_gemm (ctx, m, n, k, 0.5f, &ma, &mb, 2.0f, &mc,
          &err));
  g_assert_no_error (err);
  got = test_download (ctx, &tc_);
  test_assert_close ("gemm", got, want, m * n, atol, rtol);
  g_free (got);
  g_free (a);
  g_free (b);
  g_free (c);
  g_free (want);
  cascade_tensor_release (&ta_);
  cascade_tensor_release (&tb_);
  cascade_tensor_release (&tc_);
  g_rand_free (r);
}
