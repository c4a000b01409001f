/* gst-cascade tests: shared helpers of the engine tests */
#pragma once

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "context.h"
#include "error.h"
#include "tensor.h"

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
