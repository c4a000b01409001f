/* gst-cascade: Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions
 * (ops/winograd.h) */
#include "ops/winograd.h"
#include "ops/check.h"
#include "runtime/error.h"
#include "blas/gemm.h"

#include <string.h>

/* one fixed work-group size for the transforms: PoCL compiles a kernel
 * again for each work-group size, and would pick one per global size */
#define WINO_LWS ((gsize[2]) { 64, 1})

/* per tile: [0] F(2x2), [1] F(4x4) */
static CascadeKernelDesc desc_wino_input[2] = {
  CASCADE_KERNEL_DESC ("winograd", "cascade_wino_input"),
  CASCADE_KERNEL_DESC ("winograd", "cascade_wino4_input"),
};
static CascadeKernelDesc desc_wino_output[2] = {
  CASCADE_KERNEL_DESC ("winograd", "cascade_wino_output"),
  CASCADE_KERNEL_DESC ("winograd", "cascade_wino4_output"),
};

/* G of F(2x2): points 0, 1, -1, infinity */
static const gdouble G2[4][3] = { {1, 0, 0}, {0.5, 0.5, 0.5},
{0.5, -0.5, 0.5}, {0, 0, 1}
};

/* G of F(4x4): points 0, 1, -1, 1/2, -2, infinity (ops/winograd.cl has
 * its B^T and A^T) */
static const gdouble G4[6][3] = { {1, 0, 0}, {1.0 / 3, 1.0 / 3, 1.0 / 3},
{-1.0 / 3, 1.0 / 3, -1.0 / 3}, {-16.0 / 15, -8.0 / 15, -4.0 / 15},
{1.0 / 15, -2.0 / 15, 4.0 / 15}, {0, 0, 1}
};

/* u = G g G^T of one 3x3 filter, in double; G is a x 3 */
static void
filter_transform (const gfloat * g, const gdouble (*G)[3], guint a,
    gdouble * u)
{
  gdouble t[6][3];
  guint i, j, k;
  for (i = 0; i < a; i++)
    for (j = 0; j < 3; j++) {
      t[i][j] = 0;
      for (k = 0; k < 3; k++)
        t[i][j] += G[i][k] * g[k * 3 + j];
    }
  for (i = 0; i < a; i++)
    for (j = 0; j < a; j++) {
      u[i * a + j] = 0;
      for (k = 0; k < 3; k++)
        u[i * a + j] += t[i][k] * G[j][k];
    }
}

gboolean
cascade_winograd_init (CascadeWinograd * wg, CascadeCtx * ctx, guint m,
    guint cin, guint cout, guint pad, const gfloat * weight,
    const gfloat * bias, GError ** error)
{
  gsize per = (gsize) cout * cin, i, a = m + 2;
  gfloat *u, *zeros = NULL;
  gboolean ok;

  memset (wg, 0, sizeof (*wg));
  if ((m != 2 && m != 4) || cin == 0 || cout == 0 || !weight || pad > 2
      || a * a * per > G_MAXINT)
    return cascade_invalid_arg (error, "Invalid Winograd convolution: tile "
        "%u, cin %u, cout %u, pad %u%s", m, cin, cout, pad,
        weight ? "" : ", no weights");
  wg->m = m;
  wg->cin = cin;
  wg->cout = cout;
  wg->pad = pad;
  u = g_new (gfloat, a * a * per);
  for (i = 0; i < per; i++) {
    gdouble t[36];
    gsize e;
    filter_transform (weight + 9 * i, m == 2 ? G2 : G4, (guint) a, t);
    for (e = 0; e < a * a; e++)
      u[e * per + i] = (gfloat) t[e];
  }
  ok = cascade_tensor_new (ctx, &wg->u, CASCADE_DTYPE_F32, 3,
      CASCADE_SHAPE (a * a, cout, cin), u, error);
  g_free (u);
  if (ok) {
    if (!bias)
      bias = zeros = g_new0 (gfloat, cout);
    ok = cascade_tensor_new (ctx, &wg->bias, CASCADE_DTYPE_F32, 1,
        CASCADE_SHAPE (cout), bias, error);
    g_free (zeros);
  }
  if (!ok)
    cascade_winograd_clear (wg);
  return ok;
}

void
cascade_winograd_clear (CascadeWinograd * wg)
{
  if (wg->u.mem)
    cascade_tensor_release (&wg->u);
  if (wg->bias.mem)
    cascade_tensor_release (&wg->bias);
  memset (wg, 0, sizeof (*wg));
}

gboolean
cascade_winograd_ensure (CascadeWinograd * wg, CascadeCtx * ctx, guint m,
    const CascadeTensor * weight, const CascadeTensor * bias, guint pad,
    GError ** error)
{
  gfloat *w, *b = NULL;
  gboolean ok;

  if (wg->u.mem)
    return TRUE;
  if (weight->ndim != 4 || weight->shape[2] != 3 || weight->shape[3] != 3
      || bias->ndim != 1 || bias->shape[0] != weight->shape[0])
    return cascade_invalid_arg (error, "Winograd filters need a [cout, cin, "
        "3, 3] weight and a [cout] bias");
  w = cascade_tensor_download (ctx, weight, error);
  ok = w && (b = cascade_tensor_download (ctx, bias, error))
      && cascade_winograd_init (wg, ctx, m, (guint) weight->shape[1],
      (guint) weight->shape[0], pad, w, b, error);
  g_free (w);
  g_free (b);
  return ok;
}

/* the shapes of in, residual and out against wg's */
static gboolean
check_shapes (const CascadeWinograd * wg, const CascadeTensor * in,
    const CascadeTensor * residual, const CascadeTensor * out,
    GError ** error)
{
  gsize oh, ow;
  if (!cascade_check_map (in, "input", error)
      || !cascade_check_map (out, "output", error)
      || (residual && !cascade_check_map (residual, "residual", error)))
    return FALSE;
  if (!wg->u.mem)
    return cascade_invalid_arg (error, "Winograd convolution is not "
        "initialised");
  oh = in->shape[2] + 2 * wg->pad;
  ow = in->shape[3] + 2 * wg->pad;
  if (in->shape[1] != wg->cin || oh < 3 || ow < 3
      || out->shape[0] != in->shape[0] || out->shape[1] != wg->cout
      || out->shape[2] != oh - 2 || out->shape[3] != ow - 2
      || (residual && memcmp (residual->shape, out->shape,
              sizeof (out->shape)) != 0))
    return cascade_invalid_arg (error, "Winograd convolution %u->%u pad "
        "%u: shapes of input, output or residual do not match", wg->cin,
        wg->cout, wg->pad);
  if (cascade_tensor_overlaps (in, out)
      || (residual && cascade_tensor_overlaps (residual, out)))
    return cascade_invalid_arg (error, "Winograd convolution output "
        "overlaps its input or residual");
  return TRUE;
}

gboolean
cascade_winograd_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeWinograd * wg, const CascadeTensor * in,
    const CascadeTensor * residual, gboolean relu, const CascadeTensor * out,
    GError ** error)
{
  gsize n, h, w, oh, ow, th, tw, P, mt, ne;
  CascadeTensor v, m;
  cl_kernel kin, kout;
  CascadeArgs a;
  CascadeMatrix ma, mb, mc;

  if (!check_shapes (wg, in, residual, out, error))
    return FALSE;
  n = in->shape[0];
  h = in->shape[2];
  w = in->shape[3];
  oh = out->shape[2];
  ow = out->shape[3];
  mt = wg->m;
  ne = (mt + 2) * (mt + 2);
  th = (oh + mt - 1) / mt;
  tw = (ow + mt - 1) / mt;
  P = n * th * tw;
  if (P == 0)
    return TRUE;
  if (ne * MAX (wg->cin, wg->cout) * P > (gsize) G_MAXINT)
    return cascade_invalid_arg (error, "Winograd convolution of %"
        G_GSIZE_FORMAT " tiles is too large", P);
  if (!cascade_arena_tensor (arena, "wino.v", &v, CASCADE_DTYPE_F32, 3,
          CASCADE_SHAPE (ne, wg->cin, P), error)
      || !cascade_arena_tensor (arena, "wino.m", &m, CASCADE_DTYPE_F32, 3,
          CASCADE_SHAPE (ne, wg->cout, P), error)
      || !(kin = cascade_ctx_kernel (ctx, &desc_wino_input[mt == 4], error))
      || !(kout = cascade_ctx_kernel (ctx, &desc_wino_output[mt == 4],
              error)))
    return FALSE;

  a = cascade_args (kin);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) in->offset);
  cascade_arg_int (&a, (gint) wg->cin);
  cascade_arg_int (&a, (gint) h);
  cascade_arg_int (&a, (gint) w);
  cascade_arg_int (&a, (gint) wg->pad);
  cascade_arg_int (&a, (gint) th);
  cascade_arg_int (&a, (gint) tw);
  cascade_arg_int (&a, (gint) P);
  cascade_arg_mem (&a, v.mem);
  cascade_arg_int (&a, (gint) v.offset);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, kin, 2, (gsize[2]) { P, wg->cin},
          WINO_LWS, error))
    return FALSE;

  /* M[e] (cout x P) = U[e] (cout x cin) V[e] (cin x P), e < ne */
  ma = (CascadeMatrix) { wg->u.mem, wg->u.offset, wg->cin, FALSE };
  mb = (CascadeMatrix) { v.mem, v.offset, P, FALSE };
  mc = (CascadeMatrix) { m.mem, m.offset, P, FALSE };
  if (!cascade_gemm_strided_batched (ctx, wg->cout, P, wg->cin, 1.0f, &ma,
          wg->cout * wg->cin, &mb, wg->cin * P, 0.0f, &mc, wg->cout * P, ne,
          error))
    return FALSE;

  a = cascade_args (kout);
  cascade_arg_mem (&a, m.mem);
  cascade_arg_int (&a, (gint) m.offset);
  cascade_arg_int (&a, (gint) wg->cout);
  cascade_arg_int (&a, (gint) oh);
  cascade_arg_int (&a, (gint) ow);
  cascade_arg_int (&a, (gint) th);
  cascade_arg_int (&a, (gint) tw);
  cascade_arg_int (&a, (gint) P);
  cascade_arg_mem (&a, wg->bias.mem);
  cascade_arg_int (&a, (gint) wg->bias.offset);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  cascade_arg_mem (&a, residual ? residual->mem : out->mem);
  cascade_arg_int (&a, residual ? (gint) residual->offset : 0);
  cascade_arg_int (&a, residual ? 1 : 0);
  cascade_arg_int (&a, relu ? 1 : 0);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, kout, 2, (gsize[2]) { P, wg->cout},
      WINO_LWS, error);
}

gboolean
cascade_winograd_run (CascadeWinograd * wg, CascadeCtx * ctx,
    CascadeArena * arena, guint m, const CascadeTensor * weight,
    const CascadeTensor * bias, guint pad, const CascadeTensor * in,
    const CascadeTensor * residual, gboolean relu, const CascadeTensor * out,
    GError ** error)
{
  return cascade_winograd_ensure (wg, ctx, m, weight, bias, pad, error)
      && cascade_winograd_forward (ctx, arena, wg, in, residual, relu, out,
      error);
}
