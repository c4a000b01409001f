/* gst-cascade: the one GEMM interface every convolution and FC goes through.
 * Row-major: C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n].
 * Offsets and leading dimensions are in float elements.
 *
 * Two implementations stand behind it: CLBlast (what GPUs want) and our own
 * CPU-shaped kernel (blas/gemm.cl; what PoCL wants: CLBlast reaches a
 * tenth of its speed there).  The choice is per device and per shape, by
 * measurement (tuning.h: the first product of a shape times both, the
 * faster is stored on disk); $CASCADE_GEMM = "clblast" or "cpu" forces
 * one (options.h reads it).  Transposed products always go to CLBlast. */
#pragma once

#include "runtime/context.h"

G_BEGIN_DECLS

typedef struct
{
  cl_mem mem;
  gsize offset;
  gsize ld;
  gboolean trans;               /* only for A and B */
} CascadeMatrix;

/* What is applied to C after the product, in this order:
 * C = alpha*AB + beta*C + bias[row] (or bias[column]) + residual; then
 * ReLU.  The CPU kernel
 * does it in the GEMM's output pass; with CLBlast it is one extra pass. */
typedef struct
{
  cl_mem bias;                  /* NULL: none; else m (or n) floats */
  gsize bias_offset;
  gboolean bias_per_column;     /* FALSE: one per row (conv channels);
                                   TRUE: one per column (FC outputs) */
  cl_mem residual;              /* NULL: none; else like C (ld = c->ld) */
  gsize residual_offset;
  gboolean relu;
} CascadeEpilogue;

typedef enum
{
  CASCADE_GEMM_CLBLAST,
  CASCADE_GEMM_CPU,
} CascadeGemmImpl;

gboolean cascade_gemm (CascadeCtx * ctx, gsize m, gsize n, gsize k,
    gfloat alpha, const CascadeMatrix * a, const CascadeMatrix * b,
    gfloat beta, const CascadeMatrix * c, GError ** error);

/* cascade_gemm with an epilogue (NULL: none) */
gboolean cascade_gemm_ex (CascadeCtx * ctx, gsize m, gsize n, gsize k,
    gfloat alpha, const CascadeMatrix * a, const CascadeMatrix * b,
    gfloat beta, const CascadeMatrix * c, const CascadeEpilogue * epi,
    GError ** error);

/* `count` GEMMs whose operands are `stride_*` elements apart (grouped
 * convolutions). */
gboolean cascade_gemm_strided_batched (CascadeCtx * ctx, gsize m, gsize n,
    gsize k, gfloat alpha, const CascadeMatrix * a, gsize stride_a,
    const CascadeMatrix * b, gsize stride_b, gfloat beta,
    const CascadeMatrix * c, gsize stride_c, gsize count, GError ** error);

/* the implementation forced by $CASCADE_GEMM (options.h), else the
 * device's default (our kernel on CPU devices, CLBlast elsewhere): what an
 * untransposed product uses when nothing has been measured for its
 * shape */
CascadeGemmImpl cascade_gemm_impl (CascadeCtx * ctx);

/* The register tiles of our CPU kernels (blas/gemm.cl: cascade_gemm_nn and
 * cascade_conv_shift), one compiled program each, for a native float
 * vector width:
 *   16 (AVX-512's 32 zmm registers): "8x32" (16 accumulators); "12x32"
 *       (24, the BLIS Skylake-X shape) only when forced (measured no
 *       faster on a Zen 4), so AVX-512 has nothing to measure;
 *   8 (AVX2's 16 ymm registers, and SSE): "6x16" and "4x24" (12
 *       accumulators each, the BLIS and OpenBLAS Haswell shapes; 8x32
 *       would need 32 and spill).
 * The tile of a product or convolution is measured per shape among its
 * device's (cascade_gemm_tile_run); $CASCADE_GEMM_TILE (options.h)
 * forces one.  All give the same bits. */
typedef struct
{
  const gchar *name;            /* "8x32" */
  guint tm, tn;                 /* rows and columns of C per work-item */
  guint width;                  /* the native vector width it is made for */
  gboolean measured;            /* a candidate of its width's measurement */
  CascadeKernelDesc *gemm;      /* cascade_gemm_nn of this tile */
  CascadeKernelDesc *conv_shift;        /* cascade_conv_shift of this tile */
} CascadeGemmTile;

/* the forced tile, else the default of the device's width (what is used
 * unmeasured) */
const CascadeGemmTile *cascade_gemm_tile (CascadeCtx * ctx);

/* the tile called name, or NULL */
const CascadeGemmTile *cascade_gemm_tile_named (const gchar * name);

/* runs an operation with the given tile (same output whatever the tile) */
typedef gboolean (*CascadeTileRun) (gpointer data,
    const CascadeGemmTile * tile, GError ** error);

/* runs `run` once with the tile for (op, key): the forced one, else the
 * one measured fastest among the device's tiles (tuning.h's
 * cascade_tune_run; may_measure as there) */
gboolean cascade_gemm_tile_run (CascadeCtx * ctx, const gchar * op,
    const gchar * key, gboolean may_measure, CascadeTileRun run,
    gpointer data, GError ** error);

/* The operands of cascade_conv_shift (blas/gemm.cl): weights [cout, cin *
 * kk], the input x in the shifted layout that ops/conv.c makes (its
 * geometry: sx, phase, pitch, rb, plane, ncols), the output, bias and
 * residual (NULL: none) */
typedef struct
{
  gint cout, cin, kk, kw, stride, sx, phase, pitch, rb, oh, ow, nb, ncols;
  cl_mem weight, x, out, bias, residual;
  gint weight_offset, x_offset, plane, out_offset, bias_offset;
  gint residual_offset;
  gboolean relu;
} CascadeShiftArgs;

/* the shifted-input convolution, its tile measured per shape */
gboolean cascade_conv_shift_run (CascadeCtx * ctx, const CascadeShiftArgs * s,
    GError ** error);

/* the tuning key of an m x n x k product: m and n rounded up to a power of
 * two (the RoI count moves them frame to frame) */
gchar *cascade_gemm_tuning_key (gsize m, gsize n, gsize k);

G_END_DECLS
