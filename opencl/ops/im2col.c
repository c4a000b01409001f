/* gst-cascade: the im2col path of the convolution (ops/conv.h
 * cascade_conv_im2col): the input unrolled by ops/conv.cl's
 * cascade_im2col, multiplied by the weights through blas/gemm.h, bias +
 * residual + ReLU in the GEMM's output pass.
 *
 * An image whose oh * ow is not a whole number of 32-column tiles (ResNet's
 * layer4 at 1333x800: 25 x 42 = 1050 = 32 * 32 + 26) is unrolled with
 * zero columns up to one, multiplied into arena slot "conv.pad" and its
 * columns copied out: the CPU kernel's partial tile runs one element at a
 * time and cost those layers more than half their time.  Not with a
 * residual (its epilogue reads the residual with C's row pitch). */
#include "ops/conv.h"
#include "runtime/error.h"
#include "blas/gemm.h"
#include "runtime/util.h"

/* im2col scratch per chunk of images: a batch of small maps (the mask
 * head's RoIs) is unrolled this many bytes at a time, so that one launch
 * and one batched GEMM cover many images without a col buffer N times the
 * size of one image's. */
#define COL_CHUNK_BYTES (32u << 20)

/* the columns of the widest GEMM tile (blas/gemm.h); the narrower divides
 * it */
#define PAD_COLS 32

/* the kernels launched here */
static CascadeKernelDesc desc_im2col =
    CASCADE_KERNEL_DESC ("conv", "cascade_im2col");
static CascadeKernelDesc desc_cnhw_to_nchw =
    CASCADE_KERNEL_DESC ("conv", "cascade_cnhw_to_nchw");

/* unrolls images [n0, n0 + nb) of in into col: [nb, cin * k * k, ld] (ld
 * >= oh * ow, the columns past oh * ow zero), or with batch_columns one
 * [cin * k * k, nb * oh * ow] (ld = oh * ow) */
static gboolean
im2col (CascadeCtx * ctx, const CascadeConv * conv, const CascadeTensor * in,
    gsize n0, gsize nb, gsize oh, gsize ow, gboolean batch_columns, gsize ld,
    const CascadeTensor * col, GError ** error)
{
  gsize h = in->shape[2], w = in->shape[3], rows = conv->cin * conv->kh *
      conv->kw, ohw = oh * ow;
  gsize gws[1] = { nb * rows * oh }, lws[1] = { 64 };
  cl_kernel k = cascade_ctx_kernel (ctx, &desc_im2col, error);
  CascadeArgs a;
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) (in->offset + n0 * conv->cin * h * w));
  cascade_arg_mem (&a, col->mem);
  cascade_arg_int (&a, (gint) col->offset);
  cascade_arg_int (&a, (gint) h);
  cascade_arg_int (&a, (gint) w);
  cascade_arg_int (&a, (gint) conv->kh);
  cascade_arg_int (&a, (gint) conv->stride);
  cascade_arg_int (&a, (gint) conv->pad);
  cascade_arg_int (&a, (gint) ow);
  cascade_arg_int (&a, (gint) ohw);
  cascade_arg_int (&a, (gint) rows);
  cascade_arg_int (&a, (gint) nb);
  cascade_arg_int (&a, (gint) (batch_columns ? ohw : rows * ld));
  cascade_arg_int (&a, (gint) (batch_columns ? nb * ohw : ld));
  cascade_arg_int (&a, (gint) (batch_columns ? 0 : ld - ohw));
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, gws, lws, error);
}

/* out[n0 + b] = act (W * B[b] + bias [+ residual[n0 + b]]) for b < nb,
 * where B[b] = [cin * k * k, ld] at src + b * src_stride (floats), of
 * which the first ohw columns are the image's; per group g the GEMM is
 *   [cout/g, ohw] = W_g [cout/g, cin/g*k*k] * B_g [cin/g*k*k, ohw]
 * and the bias, residual and ReLU are applied in the GEMM's output pass.
 * ld > ohw (no residual): the product of all ld columns goes to arena
 * slot "conv.pad", its first ohw to out. */
static gboolean
gemm_images (CascadeCtx * ctx, CascadeArena * arena, const CascadeConv * conv,
    cl_mem src, gsize src_off, gsize src_stride, gsize ld, gsize nb,
    const CascadeTensor * out, gsize n0, gsize ohw,
    const CascadeTensor * residual, CascadeAct act, GError ** error)
{
  gsize g = conv->groups, m = conv->cout / g;
  gsize kk = conv->cin / g * conv->kh * conv->kw;
  gsize out_stride = conv->cout * ohw, b, gi;
  CascadeTensor pad;

  if (ld != ohw && !cascade_arena_tensor (arena, "conv.pad", &pad,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (m, ld), error))
    return FALSE;
  for (b = 0; b < nb; b++)
    for (gi = 0; gi < g; gi++) {
      gsize o = (n0 + b) * out_stride + gi * m * ohw;
      CascadeMatrix ma = { conv->weight.mem, conv->weight.offset + gi * m * kk,
        kk, FALSE
      };
      CascadeMatrix mb = { src, src_off + b * src_stride + gi * kk * ld, ld,
        FALSE
      };
      CascadeMatrix mc = { out->mem, out->offset + o, ohw, FALSE };
      CascadeEpilogue epi = {.bias = conv->bias.mem,.bias_offset =
            conv->bias.offset + gi * m,.residual =
            residual ? residual->mem : NULL,.residual_offset =
            residual ? residual->offset + o : 0,.relu =
            act == CASCADE_ACT_RELU
      };
      if (ld != ohw) {
        mc.mem = pad.mem;
        mc.offset = pad.offset;
        mc.ld = ld;
      }
      if (!cascade_gemm_ex (ctx, m, ld, kk, 1.0f, &ma, &mb, 0.0f, &mc, &epi,
              error)
          || (ld != ohw && !cascade_copy_rows (ctx, &pad, 0, ld, out, o, ohw,
                  m, ohw, error)))
        return FALSE;
    }
  return TRUE;
}
/* out[n0 .. n0+nb) = act (W * col + bias) as ONE GEMM over the batch:
 * col is [rows, nb * ohw], the product goes to arena slot "conv.cnhw"
 * ([cout, nb * ohw]) and is copied back to NCHW.  Many small images (the
 * mask heads' RoIs) then make one wide GEMM instead of nb narrow ones. */
static gboolean
gemm_batch_columns (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, const CascadeTensor * col, gsize nb,
    const CascadeTensor * out, gsize n0, gsize ohw, CascadeAct act,
    GError ** error)
{
  gsize rows = conv->cin * conv->kh * conv->kw, wide = nb * ohw;
  gsize gws[3] = { ohw, conv->cout, nb };
  CascadeTensor tmp;
  CascadeMatrix ma = { conv->weight.mem, conv->weight.offset, rows, FALSE };
  CascadeMatrix mb = { col->mem, col->offset, wide, FALSE };
  CascadeMatrix mc;
  CascadeEpilogue epi = {.bias = conv->bias.mem,.bias_offset =
        conv->bias.offset,.relu = act == CASCADE_ACT_RELU
  };
  cl_kernel k;
  CascadeArgs a;

  if (!cascade_arena_tensor (arena, "conv.cnhw", &tmp, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (conv->cout, wide), error))
    return FALSE;
  mc.mem = tmp.mem;
  mc.offset = tmp.offset;
  mc.ld = wide;
  mc.trans = FALSE;
  if (!cascade_gemm_ex (ctx, conv->cout, wide, rows, 1.0f, &ma, &mb, 0.0f,
          &mc, &epi, error)
      || !(k = cascade_ctx_kernel (ctx, &desc_cnhw_to_nchw, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, tmp.mem);
  cascade_arg_int (&a, (gint) tmp.offset);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) (out->offset + n0 * conv->cout * ohw));
  cascade_arg_int (&a, (gint) conv->cout);
  cascade_arg_int (&a, (gint) ohw);
  cascade_arg_int (&a, (gint) nb);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 3, gws, NULL, error);
}


gboolean
cascade_conv_im2col (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error)
{
  gsize n = in->shape[0], h = in->shape[2], w = in->shape[3];
  gsize oh = out->shape[2], ow = out->shape[3], ohw = oh * ow, ld;
  gsize rows = conv->cin * conv->kh * conv->kw, chunk, n0;
  gboolean batched;
  CascadeTensor col;

  /* 1x1 stride 1: the input already is the [cin, h*w] matrix, used as it
   * is unless one image's columns want padding (no residual): then
   * unrolled by the 1x1 im2col, a copy, and padded.  (A batch, the mask
   * heads' 100 x 28 x 28 logits, gained nothing from being transposed for
   * one GEMM.) */
  if (conv->kh == 1 && conv->kw == 1 && conv->stride == 1 && conv->pad == 0
      && (residual || n > 1 || ohw % PAD_COLS == 0))
    return gemm_images (ctx, arena, conv, in->mem, in->offset,
        conv->cin * h * w, ohw, n, out, 0, ohw, residual, act, error);
  /* a batch without groups or residual: one wide GEMM per chunk; an image
   * at a time: its columns padded to whole tiles (without a residual) */
  batched = n > 1 && conv->groups == 1 && !residual;
  ld = batched || residual ? ohw : (ohw + PAD_COLS - 1) / PAD_COLS * PAD_COLS;
  chunk = MAX (COL_CHUNK_BYTES / (rows * ld * sizeof (gfloat)), 1);
  chunk = MIN (chunk, n);
  if ((gsize) chunk * rows * ld > (gsize) G_MAXINT)
    return cascade_invalid_arg (error,
        "Convolution im2col buffer of %" G_GSIZE_FORMAT
        " x %" G_GSIZE_FORMAT " is too large", rows, ohw);
  if (!cascade_arena_tensor (arena, "conv.col", &col, CASCADE_DTYPE_F32, 3,
          CASCADE_SHAPE (chunk, rows, ld), error))
    return FALSE;
  for (n0 = 0; n0 < n; n0 += chunk) {
    gsize nb = MIN (chunk, n - n0);
    if (!im2col (ctx, conv, in, n0, nb, oh, ow, batched, ld, &col, error)
        || !(batched ? gemm_batch_columns (ctx, arena, conv, &col, nb, out,
                n0, ohw, act, error) : gemm_images (ctx, arena, conv,
                col.mem, col.offset, rows * ld, ld, nb, out, n0, ohw,
                residual, act, error)))
      return FALSE;
  }
  return TRUE;
}
