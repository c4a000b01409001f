/* gst-cascade: the one GEMM interface every convolution and FC goes through.
 * Row-major: C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n].
 * Offsets and leading dimensions are in float elements. */
#pragma once

#include "context.h"

G_BEGIN_DECLS

typedef struct
{
  cl_mem mem;
  gsize offset;
  gsize ld;
  gboolean trans;               /* only for A and B */
} CascadeMatrix;

gboolean cascade_gemm (CascadeCtx * ctx, gsize m, gsize n, gsize k,
    gfloat alpha, const CascadeMatrix * a, const CascadeMatrix * b,
    gfloat beta, const CascadeMatrix * c, GError ** error);

/* `count` GEMMs whose operands are `stride_*` elements apart (grouped
 * convolutions). */
gboolean cascade_gemm_strided_batched (CascadeCtx * ctx, gsize m, gsize n,
    gsize k, gfloat alpha, const CascadeMatrix * a, gsize stride_a,
    const CascadeMatrix * b, gsize stride_b, gfloat beta,
    const CascadeMatrix * c, gsize stride_c, gsize count, GError ** error);

G_END_DECLS
