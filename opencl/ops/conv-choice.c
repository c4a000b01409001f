/* gst-cascade: the convolution algorithm a shape gets before it is
 * measured (ops/conv.h cascade_conv_builtin_algo).
 *
 * A rule per register tile of blas/gemm.h (so per vector width), from the
 * per-shape measurements of an R-50-FPN Cascade Mask R-CNN at 1333x800 on
 * AVX-512 (PoCL, tile 8x32; tools/cascade-tune):
 *  - SHIFT wins almost every shape it applies to: 2-4x faster than
 *    im2col + GEMM on 3x3 and 7x7 convs, and ahead of Winograd F(2x2) on
 *    every map of under 256 channels or of few pixels;
 *  - WINOGRAD wins 3x3 stride-1 convs of >= 256 input and output channels
 *    over >= 16384 output pixels (the FPN's P2 output conv, 200x272:
 *    379 vs 437 ms; the mask head's 128 RoIs of 14x14: 282 vs 322 ms),
 *    and loses at 100x136 (116 vs 92 ms).
 * The 6x16 tile (AVX2) keeps the same rule: it is not measured yet, and
 * measurement (tuning.h) replaces the rule shape by shape anyway. */
#include "ops/conv.h"
#include "blas/gemm.h"

#include <string.h>

typedef struct
{
  const gchar *tile;            /* blas/gemm.h CascadeGemmTile name */
  guint wino_min_channels;      /* both cin and cout at least this */
  gsize wino_min_pixels;        /* n * oh * ow at least this */
} ConvRule;

static const ConvRule rules[] = {
  {"8x32", 256, 16384},
  {"6x16", 256, 16384},
};

CascadeConvAlgo
cascade_conv_builtin_algo (CascadeCtx * ctx, const CascadeConv * conv,
    CascadeConvAlgo algo, gsize n, gsize oh, gsize ow)
{
  const gchar *tile = cascade_gemm_tile (ctx)->name;
  const ConvRule *r = &rules[0];
  guint i;

  if (algo != CASCADE_CONV_SHIFT || !conv->wino_applies)
    return algo;
  for (i = 0; i < G_N_ELEMENTS (rules); i++)
    if (strcmp (rules[i].tile, tile) == 0)
      r = &rules[i];
  if (conv->cin >= r->wino_min_channels && conv->cout >= r->wino_min_channels
      && n * oh * ow >= r->wino_min_pixels)
    return CASCADE_CONV_WINOGRAD;
  return algo;
}
