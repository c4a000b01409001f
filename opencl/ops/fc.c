/* gst-cascade: fully connected layer: out = in * W^T + bias (+ ReLU), one
 * GEMM with the weights stored transposed at load ([in, out]), so that no
 * operand is transposed and the bias + ReLU run in the GEMM's output pass.
 * A width that is not a whole number of the CPU kernel's tiles (the box
 * head's 81 classes and 4 deltas) is padded with zero weights to one: the
 * kernel's partial tile runs one element at a time, and CLBlast, which
 * the tuning chose for those, is as slow there.  The padded product goes
 * to arena slot "fc.pad" and its first `out` columns to out. */
#include "ops/fc.h"
#include "runtime/error.h"
#include "blas/gemm.h"
#include "runtime/util.h"

#include <string.h>

/* the columns of the widest tile (blas/gemm.h); the narrower divides it */
#define FC_PAD_COLS 32

gboolean
cascade_fc_init (CascadeFC * fc, CascadeCtx * ctx, guint in, guint out,
    const gfloat * weight, const gfloat * bias, GError ** error)
{
  gfloat *zeros = NULL;
  gboolean ok;

  memset (fc, 0, sizeof (*fc));
  if (in == 0 || out == 0 || !weight)
    return cascade_invalid_arg (error,
        "Invalid fully connected layer: %u -> %u%s", in, out,
        weight ? "" : ", no weights");
  if ((gsize) in * out > (gsize) G_MAXINT)
    return cascade_invalid_arg (error,
        "Fully connected layer %u -> %u is too large", in, out);
  fc->in = in;
  fc->out = out;
  fc->out_pad = (out + FC_PAD_COLS - 1) / FC_PAD_COLS * FC_PAD_COLS;
  if ((gsize) in * fc->out_pad > (gsize) G_MAXINT)
    fc->out_pad = out;
  {
    gsize i, j, np = fc->out_pad;
    gfloat *wt = g_new0 (gfloat, (gsize) in * np);
    for (i = 0; i < out; i++)
      for (j = 0; j < in; j++)
        wt[j * np + i] = weight[i * (gsize) in + j];
    ok = cascade_tensor_new (ctx, &fc->weight, CASCADE_DTYPE_F32, 2,
        CASCADE_SHAPE (in, np), wt, error);
    g_free (wt);
    if (!ok)
      goto fail;
  }
  zeros = g_new0 (gfloat, fc->out_pad);
  if (bias)
    memcpy (zeros, bias, out * sizeof (gfloat));
  ok = cascade_tensor_new (ctx, &fc->bias, CASCADE_DTYPE_F32, 1,
      CASCADE_SHAPE (fc->out_pad), zeros, error);
  g_free (zeros);
  if (!ok)
    goto fail;
  return TRUE;

  /* ERRORS */
fail:
  cascade_fc_clear (fc);
  return FALSE;
}

void
cascade_fc_clear (CascadeFC * fc)
{
  if (fc->weight.mem)
    cascade_tensor_release (&fc->weight);
  if (fc->bias.mem)
    cascade_tensor_release (&fc->bias);
  memset (fc, 0, sizeof (*fc));
}

gboolean
cascade_fc_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeFC * fc, const CascadeTensor * in, gsize n, CascadeAct act,
    const CascadeTensor * out, GError ** error)
{
  /* [n, out_pad] = in [n, in] * (W [out_pad, in])^T */
  CascadeMatrix ma = { in->mem, in->offset, fc->in, FALSE };
  CascadeMatrix mb = { fc->weight.mem, fc->weight.offset, fc->out_pad, FALSE };
  CascadeMatrix mc = { out->mem, out->offset, fc->out, FALSE };
  CascadeEpilogue epi = {.bias = fc->bias.mem,.bias_offset = fc->bias.offset,
    .bias_per_column = TRUE,.relu = act == CASCADE_ACT_RELU
  };
  CascadeTensor pad;

  if (!fc->weight.mem)
    return cascade_invalid_arg (error,
        "Fully connected layer is not initialised");
  if (in->dtype != CASCADE_DTYPE_F32 || out->dtype != CASCADE_DTYPE_F32
      || !in->mem || !out->mem)
    return cascade_invalid_arg (error,
        "Fully connected layer: float tensors expected");
  if (cascade_tensor_numel (in) != n * fc->in)
    return cascade_invalid_arg (error, "Fully connected layer: input holds %"
        G_GSIZE_FORMAT " floats, expected %" G_GSIZE_FORMAT " rows of %u",
        cascade_tensor_numel (in), n, fc->in);
  if (cascade_tensor_numel (out) != n * fc->out)
    return cascade_invalid_arg (error, "Fully connected layer: output holds %"
        G_GSIZE_FORMAT " floats, expected %" G_GSIZE_FORMAT " rows of %u",
        cascade_tensor_numel (out), n, fc->out);
  if (in->offset + n * fc->in > (gsize) G_MAXINT
      || out->offset + n * fc->out > (gsize) G_MAXINT)
    return cascade_invalid_arg (error,
        "Fully connected layer: tensors too large");
  if (cascade_tensor_overlaps (in, out))
    return cascade_invalid_arg (error,
        "Fully connected layer: output overlaps input");
  if (act != CASCADE_ACT_NONE && act != CASCADE_ACT_RELU)
    return cascade_invalid_arg (error, "Unknown activation %d", (int) act);
  if (n == 0)
    return TRUE;
  if (fc->out_pad == fc->out)
    return cascade_gemm_ex (ctx, n, fc->out, fc->in, 1.0f, &ma, &mb, 0.0f,
        &mc, &epi, error);
  if (n * fc->out_pad > (gsize) G_MAXINT)
    return cascade_invalid_arg (error,
        "Fully connected layer: tensors too large");
  if (!cascade_arena_tensor (arena, "fc.pad", &pad, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, fc->out_pad), error))
    return FALSE;
  mc.mem = pad.mem;
  mc.offset = pad.offset;
  mc.ld = fc->out_pad;
  return cascade_gemm_ex (ctx, n, fc->out_pad, fc->in, 1.0f, &ma, &mb, 0.0f,
      &mc, &epi, error) && cascade_copy_rows (ctx, &pad, 0, fc->out_pad, out, 0,
      fc->out, n, fc->out, error);
}
