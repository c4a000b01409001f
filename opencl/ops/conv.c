/* gst-cascade: 2-D convolution, three ways (CascadeConvAlgo in ops/conv.h):
 * im2col + GEMM through blas/gemm.h (ops/im2col.h), the shifted conv (the
 * input laid out by ops/conv.cl, multiplied by blas/gemm.cl's
 * cascade_conv_shift), or Winograd (ops/winograd.h), chosen per shape by
 * measurement (blas/tuning.h).
 * Bias + residual + ReLU are applied in the GEMM's output pass. */
#include "ops/conv.h"
#include "ops/check.h"
#include "runtime/error.h"
#include "blas/gemm.h"
#include "blas/tuning.h"
#include "runtime/util.h"

#include <math.h>
#include <string.h>

/* the kernels launched here */
static CascadeKernelDesc desc_conv_shift_layout =
    CASCADE_KERNEL_DESC ("conv", "cascade_conv_shift_layout");

gboolean
cascade_conv_init (CascadeConv * conv, CascadeCtx * ctx, guint cin,
    guint cout, guint k, guint stride, guint pad, guint groups,
    const gfloat * weight, const gfloat * bias, GError ** error)
{
  gfloat *zeros = NULL;
  gboolean ok;

  memset (conv, 0, sizeof (*conv));
  if (cin == 0 || cout == 0 || k == 0 || stride == 0 || groups == 0
      || cin % groups != 0 || cout % groups != 0 || weight == NULL)
    return cascade_invalid_arg (error,
        "Invalid convolution: cin %u, cout %u, kernel %u, "
        "stride %u, groups %u%s", cin, cout, k, stride, groups,
        weight ? "" : ", no weights");
  if ((gsize) cout * (cin / groups) * k * k > (gsize) G_MAXINT)
    return cascade_invalid_arg (error,
        "Convolution of %u x %u x %u x %u is too large",
        cout, cin / groups, k, k);
  conv->cin = cin;
  conv->cout = cout;
  conv->kh = conv->kw = k;
  conv->stride = stride;
  conv->pad = pad;
  conv->groups = groups;
  if (!cascade_tensor_new (ctx, &conv->weight, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (cout, cin / groups, k, k), weight, error))
    goto fail;
  if (!bias)
    bias = zeros = g_new0 (gfloat, cout);
  ok = cascade_tensor_new (ctx, &conv->bias, CASCADE_DTYPE_F32, 1,
      CASCADE_SHAPE (cout), bias, error);
  conv->wino_applies = cascade_winograd_applies (cin, cout, k, stride, pad,
      groups);
  g_free (zeros);
  if (!ok)
    goto fail;
  return TRUE;

  /* ERRORS */
fail:
  cascade_conv_clear (conv);
  return FALSE;
}

void
cascade_conv_clear (CascadeConv * conv)
{
  if (conv->weight.mem)
    cascade_tensor_release (&conv->weight);
  if (conv->bias.mem)
    cascade_tensor_release (&conv->bias);
  cascade_winograd_clear (&conv->wino);
  cascade_winograd_clear (&conv->wino4);
  memset (conv, 0, sizeof (*conv));
}

void
cascade_conv_out_size (const CascadeConv * conv, gsize h, gsize w,
    gsize * oh, gsize * ow)
{
  gsize hp = h + 2 * conv->pad, wp = w + 2 * conv->pad;
  *oh = hp < conv->kh ? 0 : (hp - conv->kh) / conv->stride + 1;
  *ow = wp < conv->kw ? 0 : (wp - conv->kw) / conv->stride + 1;
}

gdouble
cascade_conv_flops (const CascadeConv * conv, gsize h, gsize w)
{
  gsize oh, ow;
  cascade_conv_out_size (conv, h, w, &oh, &ow);
  return 2.0 * conv->cout * (gdouble) (conv->cin / conv->groups) * conv->kh
      * conv->kw * (gdouble) oh * (gdouble) ow;
}

/* The most taps (kh * kw) blas/gemm.cl's cascade_conv_shift takes */
#define SHIFT_MAX_TAPS 49

gboolean
cascade_conv_shift_supported (const CascadeConv * conv)
{
  return conv->groups == 1 && conv->kh * conv->kw <= SHIFT_MAX_TAPS
      && !(conv->kh == 1 && conv->stride == 1 && conv->pad == 0);
}

/* The geometry of cascade_conv_shift's input layout (see ops/conv.cl):
 * images [n0, n0 + nb) of an h x w input */
typedef struct
{
  gsize sx, sy, hh, pitch, rb, plane, ncols, taps_max, floats;
} ShiftGeom;

static void
shift_geom (const CascadeConv * conv, gsize cin, gsize nb, gsize h, gsize w,
    gsize oh, ShiftGeom * g)
{
  gsize s = conv->stride, k = conv->kh, pad = conv->pad;
  g->sx = g->sy = MIN (s, k);
  if (s == 1) {
    /* the last rows' taps run up to pad - 1 columns into the row below:
     * one more zero row at the end */
    g->pitch = w + pad;
    g->hh = pad + nb * (h + pad) + 1;
    g->rb = h + pad;
    g->plane = g->hh * g->pitch;
    g->ncols = ((nb - 1) * (h + pad) + oh) * g->pitch;
    g->taps_max = (k - 1) * g->pitch + k - 1;
  } else {
    g->pitch = (w + 2 * pad + s - 1) / s;
    g->hh = (h + 2 * pad + s - 1) / s;
    g->rb = g->hh;
    g->plane = g->sy * g->sx * g->hh * g->pitch;
    g->ncols = oh * g->pitch;
    g->taps_max = (g->sy * g->sx - 1) * g->hh * g->pitch + (k - 1) / s *
        g->pitch + (k - 1) / s;
  }
  /* the last column tile reads up to 31 columns past ncols (the widest
   * tile, blas/gemm.h, is 32 columns) */
  g->floats = MAX (cin * g->plane, (cin - 1) * g->plane + g->taps_max +
      g->ncols + 31);
}

/* images [n0, n0 + nb) through cascade_conv_shift; the layout goes to
 * arena slot "conv.shift" */
static gboolean
conv_shift (CascadeCtx * ctx, CascadeArena * arena, const CascadeConv * conv,
    const CascadeTensor * in, gsize n0, gsize nb, gsize oh, gsize ow,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error)
{
  gsize cin = conv->cin, h = in->shape[2], w = in->shape[3];
  gsize out_off = n0 * conv->cout * oh * ow;
  ShiftGeom g;
  CascadeTensor x;
  cl_kernel lay;
  CascadeArgs a;

  shift_geom (conv, cin, nb, h, w, oh, &g);
  if (g.floats > (gsize) G_MAXINT || g.ncols > (gsize) G_MAXINT - 32)
    return cascade_invalid_arg (error, "Convolution input %" G_GSIZE_FORMAT
        "x%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT " is too large", cin, h, w);
  if (!cascade_arena_tensor (arena, "conv.shift", &x, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (g.floats), error)
      || !(lay = cascade_ctx_kernel (ctx, &desc_conv_shift_layout, error)))
    return FALSE;

  a = cascade_args (lay);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) (in->offset + n0 * cin * h * w));
  cascade_arg_int (&a, (gint) (h * w));
  cascade_arg_int (&a, (gint) (cin * h * w));
  cascade_arg_mem (&a, x.mem);
  cascade_arg_int (&a, (gint) x.offset);
  cascade_arg_int (&a, (gint) g.plane);
  cascade_arg_int (&a, (gint) cin);
  cascade_arg_int (&a, (gint) h);
  cascade_arg_int (&a, (gint) w);
  cascade_arg_int (&a, (gint) conv->pad);
  cascade_arg_int (&a, (gint) conv->stride);
  cascade_arg_int (&a, (gint) g.sx);
  cascade_arg_int (&a, (gint) g.hh);
  cascade_arg_int (&a, (gint) g.pitch);
  cascade_arg_int (&a, (gint) nb);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, lay, 2, (gsize[2]) {
            g.plane / g.pitch, cin}, NULL, error))
    return FALSE;

  return cascade_conv_shift_run (ctx, &(CascadeShiftArgs) {
        conv->cout, cin, conv->kh * conv->kw, conv->kw, conv->stride, g.sx,
        g.hh * g.pitch, g.pitch, g.rb, oh, ow, nb, g.ncols,
        conv->weight.mem, x.mem, out->mem, conv->bias.mem,
        residual ? residual->mem : NULL, conv->weight.offset, x.offset,
        g.plane, out->offset + out_off, conv->bias.offset,
        residual ? residual->offset + out_off : 0,
        act == CASCADE_ACT_RELU}, error);
}

gboolean
cascade_conv_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error)
{
  return cascade_conv_forward_algo (ctx, arena, conv, CASCADE_CONV_AUTO, in,
      residual, act, out, error);
}

CascadeConvAlgo
cascade_conv_default_algo (CascadeCtx * ctx, const CascadeConv * conv)
{
  CascadeForce force = cascade_options_conv ();
  if ((force == CASCADE_FORCE_WINOGRAD || force == CASCADE_FORCE_WINOGRAD4)
      && conv->wino_applies)
    return force == CASCADE_FORCE_WINOGRAD ? CASCADE_CONV_WINOGRAD :
        CASCADE_CONV_WINOGRAD4;
  if (!cascade_conv_shift_supported (conv))
    return CASCADE_CONV_IM2COL;
  if (force == CASCADE_FORCE_IM2COL)
    return CASCADE_CONV_IM2COL;
  if (force == CASCADE_FORCE_SHIFT)
    return CASCADE_CONV_SHIFT;
  return cascade_gemm_impl (ctx) == CASCADE_GEMM_CPU ? CASCADE_CONV_SHIFT :
      CASCADE_CONV_IM2COL;
}

static gboolean conv_compute (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, CascadeConvAlgo algo, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error);

typedef struct
{
  CascadeCtx *ctx;
  CascadeArena *arena;
  const CascadeConv *conv;
  const CascadeTensor *in, *residual, *out;
  CascadeAct act;
} ConvCall;

static const CascadeConvAlgo conv_algos[] = { CASCADE_CONV_IM2COL,
  CASCADE_CONV_SHIFT, CASCADE_CONV_WINOGRAD, CASCADE_CONV_WINOGRAD4
};

static gboolean
conv_run (gpointer data, guint i, GError ** error)
{
  ConvCall *c = data;
  return conv_compute (c->ctx, c->arena, c->conv, conv_algos[i], c->in,
      c->residual, c->act, c->out, error);
}

gchar *
cascade_conv_tuning_key (const CascadeConv * conv, gsize n, gsize h, gsize w)
{
  return g_strdup_printf ("c%u-o%u-k%u-s%u-p%u-g%u-n%" G_GSIZE_FORMAT "-h%"
      G_GSIZE_FORMAT "-w%" G_GSIZE_FORMAT, conv->cin, conv->cout, conv->kh,
      conv->stride, conv->pad, conv->groups, cascade_next_pow2 (n), h, w);
}

/* $CASCADE_CONV, else the measured choice for this shape (tuning.h) */
static gboolean
conv_auto (CascadeCtx * ctx, CascadeArena * arena, const CascadeConv * conv,
    const CascadeTensor * in, const CascadeTensor * residual, CascadeAct act,
    const CascadeTensor * out, GError ** error)
{
  ConvCall call = { ctx, arena, conv, in, residual, out, act };
  const gchar *names[3] = { "im2col", "shift", NULL };
  gchar *key;
  gboolean ok, measured, had_wino = conv->wino.u.mem != NULL;
  CascadeConvAlgo first = cascade_conv_builtin_algo (ctx, conv,
      cascade_conv_default_algo (ctx, conv), in->shape[0], out->shape[2],
      out->shape[3]);
  guint chosen, fallback = 0;

  if (!cascade_conv_shift_supported (conv)
      || cascade_options_conv () != CASCADE_FORCE_NONE)
    return conv_compute (ctx, arena, conv, cascade_conv_default_algo (ctx,
            conv), in, residual, act, out, error);
  /* not F(4x4) (winograd4): forced through every 3x3 stride-1 conv it
   * moves a proposal across the NMS of test_engine's tiny_box/img_c */
  if (conv->wino_applies)
    names[2] = "winograd";
  key = cascade_conv_tuning_key (conv, in->shape[0], in->shape[2],
      in->shape[3]);
  /* out overlaps neither in nor residual (checked): runs repeat exactly */
  while (conv_algos[fallback] != first)
    fallback++;
  ok = cascade_tune_run (ctx, "conv", key, names, names[2] ? 3 : 2, fallback,
      TRUE, conv_run, &call, &chosen, &measured, error);
  g_free (key);
  /* give back the losers' scratch (hundreds of MB on large maps) */
  if (ok && measured && conv_algos[chosen] != CASCADE_CONV_IM2COL) {
    cascade_arena_release (arena, "conv.col");
    cascade_arena_release (arena, "conv.cnhw");
    cascade_arena_release (arena, "conv.pad");
  }
  if (ok && measured && chosen < 2) {
    cascade_arena_release (arena, "wino.v");
    cascade_arena_release (arena, "wino.m");
  }
  /* and the filters, when made only to be measured (another shape of
   * this layer may use them) */
  if (ok && measured && chosen != 2 && !had_wino)
    cascade_winograd_clear ((CascadeWinograd *) & conv->wino);
  return ok;
}

gboolean
cascade_conv_forward_algo (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, CascadeConvAlgo algo, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error)
{
  gsize n, h, w, oh, ow;

  /* shapes first: a mismatch is the caller's bug, never a device fault */
  if (!conv->weight.mem)
    return cascade_invalid_arg (error, "Convolution is not initialised");
  if (!cascade_check_map (in, "Convolution input", error)
      || !cascade_check_map (out, "Convolution output", error)
      || (residual && !cascade_check_map (residual, "Convolution residual",
              error)))
    return FALSE;
  n = in->shape[0];
  h = in->shape[2];
  w = in->shape[3];
  if (in->shape[1] != conv->cin)
    return cascade_invalid_arg (error,
        "Convolution expects %u input channels, got %"
        G_GSIZE_FORMAT, conv->cin, in->shape[1]);
  cascade_conv_out_size (conv, h, w, &oh, &ow);
  if (h == 0 || w == 0 || oh == 0 || ow == 0)
    return cascade_invalid_arg (error, "Convolution input %" G_GSIZE_FORMAT "x%"
        G_GSIZE_FORMAT " is smaller than its %ux%u kernel (pad %u)", h, w,
        conv->kh, conv->kw, conv->pad);
  if (out->shape[0] != n || out->shape[1] != conv->cout || out->shape[2] != oh
      || out->shape[3] != ow)
    return cascade_invalid_arg (error,
        "Convolution output must be [%" G_GSIZE_FORMAT
        ", %u, %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT "], got [%"
        G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ", %"
        G_GSIZE_FORMAT "]", n, conv->cout, oh, ow, out->shape[0],
        out->shape[1], out->shape[2], out->shape[3]);
  if (residual && memcmp (residual->shape, out->shape, sizeof (out->shape)))
    return cascade_invalid_arg (error,
        "Convolution residual must have the output's "
        "shape");
  /* the GEMM overwrites out before the epilogue reads the residual */
  if (cascade_tensor_overlaps (in, out)
      || (residual && cascade_tensor_overlaps (residual, out)))
    return cascade_invalid_arg (error,
        "Convolution output overlaps its input or "
        "residual");
  if (act != CASCADE_ACT_NONE && act != CASCADE_ACT_RELU)
    return cascade_invalid_arg (error, "Unknown activation %d", (int) act);
  if (n == 0)
    return TRUE;
  if (algo == CASCADE_CONV_AUTO)
    return conv_auto (ctx, arena, conv, in, residual, act, out, error);
  return conv_compute (ctx, arena, conv, algo, in, residual, act, out, error);
}

/* the convolution, arguments checked */
static gboolean
conv_compute (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, CascadeConvAlgo algo, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error)
{
  gsize n = in->shape[0], oh = out->shape[2], ow = out->shape[3], n0;

  /* the filters are a cache of the weights, made here (engines are used
   * from one thread at a time; the conv itself is not const) */
  if (algo == CASCADE_CONV_WINOGRAD || algo == CASCADE_CONV_WINOGRAD4)
    return conv->wino_applies ? cascade_winograd_run ((CascadeWinograd *)
        (algo == CASCADE_CONV_WINOGRAD ? &conv->wino : &conv->wino4), ctx,
        arena, algo == CASCADE_CONV_WINOGRAD ? 2 : 4, &conv->weight,
        &conv->bias, conv->pad, in, residual, act == CASCADE_ACT_RELU, out,
        error) : cascade_invalid_arg (error, "Convolution %ux%u stride %u "
        "has no Winograd implementation", conv->kh, conv->kw, conv->stride);
  if (algo == CASCADE_CONV_SHIFT) {
    if (!cascade_conv_shift_supported (conv))
      return cascade_invalid_arg (error, "Convolution %ux%u stride %u with "
          "%u groups has no shifted-input implementation", conv->kh,
          conv->kw, conv->stride, conv->groups);
    /* strided layouts hold one image: one pass per image */
    if (conv->stride == 1)
      return conv_shift (ctx, arena, conv, in, 0, n, oh, ow, residual, act,
          out, error);
    for (n0 = 0; n0 < n; n0++)
      if (!conv_shift (ctx, arena, conv, in, n0, 1, oh, ow, residual, act,
              out, error))
        return FALSE;
    return TRUE;
  }
  return cascade_conv_im2col (ctx, arena, conv, in, residual, act, out,
      error);
}

void
cascade_fold_bn (gfloat * weight, gfloat * bias, guint cout, gsize per_out,
    const gfloat * gamma, const gfloat * beta, const gfloat * mean,
    const gfloat * var, gfloat eps)
{
  guint o;
  gsize i;
  for (o = 0; o < cout; o++) {
    gdouble s = (gdouble) gamma[o] / sqrt ((gdouble) var[o] + (gdouble) eps);
    gfloat *wo = weight + (gsize) o * per_out;
    for (i = 0; i < per_out; i++)
      wo[i] = (gfloat) (wo[i] * s);
    bias[o] = (gfloat) ((gdouble) beta[o] - (gdouble) mean[o] * s);
  }
}
