/* gst-cascade: 2x2 stride-2 transposed convolution.  Kernel == stride, so
 * the output taps never overlap: for the whole batch one GEMM
 *   cols [cout * 4, N * h * w] = W' [cout * 4, cin] * X [cin, N * h * w]
 * with W'[co * 4 + dy * 2 + dx, ci] = W[ci, co, dy, dx] and X the input
 * laid out channel-major (ops/conv.cl cascade_nchw_to_cnhw; a single
 * image already is), then one scatter pass into [N, cout, 2h, 2w] adding
 * the bias and applying the activation.  (A GEMM per image, as before,
 * was 4x slower on the mask head's 14x14 RoIs: 196 columns are not a
 * whole number of the CPU kernel's 32-column tiles, and a launch per
 * RoI.) */
#include "ops/deconv.h"
#include "runtime/error.h"
#include "blas/gemm.h"

#include <string.h>

/* the kernels launched here */
static CascadeKernelDesc desc_deconv_scatter =
    CASCADE_KERNEL_DESC ("conv", "cascade_deconv_scatter");
static CascadeKernelDesc desc_nchw_to_cnhw =
    CASCADE_KERNEL_DESC ("conv", "cascade_nchw_to_cnhw");

gboolean
cascade_deconv_init (CascadeDeconv * d, CascadeCtx * ctx, guint cin,
    guint cout, const gfloat * weight, const gfloat * bias, GError ** error)
{
  gfloat *wt, *zeros = NULL;
  gsize ci, j, rows;
  gboolean ok;

  memset (d, 0, sizeof (*d));
  if (cin == 0 || cout == 0 || !weight)
    return cascade_invalid_arg (error,
        "Invalid deconvolution: %u -> %u%s", cin, cout,
        weight ? "" : ", no weights");
  if ((gsize) cin * cout * 4 > (gsize) G_MAXINT)
    return cascade_invalid_arg (error,
        "Deconvolution %u -> %u is too large", cin, cout);
  d->cin = cin;
  d->cout = cout;
  /* [cin, cout * 4] (PyTorch) -> [cout * 4, cin]: the GEMM's plain A */
  rows = (gsize) cout * 4;
  wt = g_new (gfloat, rows * cin);
  for (ci = 0; ci < cin; ci++)
    for (j = 0; j < rows; j++)
      wt[j * cin + ci] = weight[ci * rows + j];
  ok = cascade_tensor_new (ctx, &d->weight, CASCADE_DTYPE_F32, 2,
      CASCADE_SHAPE (rows, cin), wt, error);
  g_free (wt);
  if (!ok)
    goto fail;
  if (!bias)
    bias = zeros = g_new0 (gfloat, cout);
  ok = cascade_tensor_new (ctx, &d->bias, CASCADE_DTYPE_F32, 1,
      CASCADE_SHAPE (cout), bias, error);
  g_free (zeros);
  if (!ok)
    goto fail;
  return TRUE;

  /* ERRORS */
fail:
  cascade_deconv_clear (d);
  return FALSE;
}

void
cascade_deconv_clear (CascadeDeconv * d)
{
  if (d->weight.mem)
    cascade_tensor_release (&d->weight);
  if (d->bias.mem)
    cascade_tensor_release (&d->bias);
  memset (d, 0, sizeof (*d));
}

/* the input as the GEMM's [cin, n * h * w] B: itself for one image, else
 * laid out channel-major into arena slot "deconv.in" */
static gboolean
batch_matrix (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeDeconv * d, const CascadeTensor * in, CascadeTensor * x,
    GError ** error)
{
  gsize n = in->shape[0], hw = in->shape[2] * in->shape[3];
  gsize gws = n * d->cin, lws = 64;
  cl_kernel k;
  CascadeArgs a;

  if (n == 1) {
    *x = *in;
    return TRUE;
  }
  if (!cascade_arena_tensor (arena, "deconv.in", x, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (d->cin, n * hw), error)
      || !(k = cascade_ctx_kernel (ctx, &desc_nchw_to_cnhw, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) in->offset);
  cascade_arg_mem (&a, x->mem);
  cascade_arg_int (&a, (gint) x->offset);
  cascade_arg_int (&a, (gint) d->cin);
  cascade_arg_int (&a, (gint) hw);
  cascade_arg_int (&a, (gint) n);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &gws, &lws, error);
}

gboolean
cascade_deconv_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeDeconv * d, const CascadeTensor * in, CascadeAct act,
    const CascadeTensor * out, GError ** error)
{
  gsize n, h, w, hw, total, rows, lws = 64;
  CascadeTensor cols, x;
  cl_kernel k;
  CascadeArgs a;

  if (!d->weight.mem)
    return cascade_invalid_arg (error, "Deconvolution is not initialised");
  if (in->dtype != CASCADE_DTYPE_F32 || in->ndim != 4 || !in->mem
      || out->dtype != CASCADE_DTYPE_F32 || out->ndim != 4 || !out->mem)
    return cascade_invalid_arg (error,
        "Deconvolution: 4-D float tensors expected");
  n = in->shape[0];
  h = in->shape[2];
  w = in->shape[3];
  hw = h * w;
  if (in->shape[1] != d->cin)
    return cascade_invalid_arg (error,
        "Deconvolution expects %u input channels, got %"
        G_GSIZE_FORMAT, d->cin, in->shape[1]);
  if (out->shape[0] != n || out->shape[1] != d->cout
      || out->shape[2] != 2 * h || out->shape[3] != 2 * w)
    return cascade_invalid_arg (error,
        "Deconvolution output must be [%" G_GSIZE_FORMAT
        ", %u, %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT "], got [%"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT "]", n, d->cout, 2 * h, 2 * w, out->shape[0],
        out->shape[1], out->shape[2], out->shape[3]);
  total = cascade_tensor_numel (out);
  if (in->offset + cascade_tensor_numel (in) > (gsize) G_MAXINT
      || out->offset + total > (gsize) G_MAXINT)
    return cascade_invalid_arg (error, "Deconvolution: tensors too large");
  if (cascade_tensor_overlaps (in, out))
    return cascade_invalid_arg (error, "Deconvolution: output overlaps input");
  if (act != CASCADE_ACT_NONE && act != CASCADE_ACT_RELU)
    return cascade_invalid_arg (error, "Unknown activation %d", (int) act);
  if (total == 0)
    return TRUE;

  /* the GEMM results of the whole batch: exactly out's size */
  if (!cascade_arena_tensor (arena, "deconv.cols", &cols, CASCADE_DTYPE_F32,
          2, CASCADE_SHAPE (d->cout * 4, n * hw), error)
      || !batch_matrix (ctx, arena, d, in, &x, error))
    return FALSE;
  {
    CascadeMatrix ma = { d->weight.mem, d->weight.offset, d->cin, FALSE };
    CascadeMatrix mb = { x.mem, x.offset, n * hw, FALSE };
    CascadeMatrix mc = { cols.mem, cols.offset, n * hw, FALSE };
    if (!cascade_gemm (ctx, d->cout * 4, n * hw, d->cin, 1.0f, &ma, &mb, 0.0f,
            &mc, error))
      return FALSE;
  }
  k = cascade_ctx_kernel (ctx, &desc_deconv_scatter, error);
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, cols.mem);
  cascade_arg_int (&a, (gint) cols.offset);
  cascade_arg_mem (&a, d->bias.mem);
  cascade_arg_int (&a, (gint) d->bias.offset);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  cascade_arg_int (&a, (gint) d->cout);
  cascade_arg_int (&a, (gint) h);
  cascade_arg_int (&a, (gint) w);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_int (&a, act == CASCADE_ACT_RELU);
  rows = n * d->cout * 2 * h;
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &rows, &lws, error);
}
