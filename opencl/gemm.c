/* gst-cascade: GEMM through CLBlast */
#include "gemm.h"
#include "error.h"

#include <clblast_c.h>

gboolean
cascade_gemm (CascadeCtx * ctx, gsize m, gsize n, gsize k, gfloat alpha,
    const CascadeMatrix * a, const CascadeMatrix * b, gfloat beta,
    const CascadeMatrix * c, GError ** error)
{
  cl_command_queue q = cascade_ctx_queue (ctx);
  CLBlastStatusCode st;
  if (m == 0 || n == 0)
    return TRUE;
  if (k == 0) {
    /* C = beta*C; CLBlast rejects k = 0 */
    return cascade_gemm (ctx, m, n, 1, 0.0f, a, b, beta, c, error);
  }
  st = CLBlastSgemm (CLBlastLayoutRowMajor,
      a->trans ? CLBlastTransposeYes : CLBlastTransposeNo,
      b->trans ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha,
      a->mem, a->offset, a->ld, b->mem, b->offset, b->ld, beta, c->mem,
      c->offset, c->ld, &q, NULL);
  return cascade_clblast_check (st, "CLBlastSgemm", error);
}

gboolean
cascade_gemm_strided_batched (CascadeCtx * ctx, gsize m, gsize n, gsize k,
    gfloat alpha, const CascadeMatrix * a, gsize stride_a,
    const CascadeMatrix * b, gsize stride_b, gfloat beta,
    const CascadeMatrix * c, gsize stride_c, gsize count, GError ** error)
{
  gsize i;
  /* CLBlast's batched kernels are several times slower than its plain GEMM
   * on CPU devices, so the batch is a loop of GEMMs. */
  for (i = 0; i < count; i++) {
    CascadeMatrix ai = *a, bi = *b, ci = *c;
    ai.offset += i * stride_a;
    bi.offset += i * stride_b;
    ci.offset += i * stride_c;
    if (!cascade_gemm (ctx, m, n, k, alpha, &ai, &bi, beta, &ci, error))
      return FALSE;
  }
  return TRUE;
}
