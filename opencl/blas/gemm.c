/* gst-cascade: GEMM through CLBlast or our CPU-shaped kernel */
#include "blas/gemm.h"
#include "runtime/error.h"
#include "blas/tuning.h"
#include "runtime/options.h"
#include "runtime/util.h"

#include <clblast_c.h>
#include <string.h>

/* the kernels launched here: each tile's program is gemm.cl built with
 * its macro (runtime/program.h's "<file>:<MACRO>") */
#define TILE_DESCS(name, prog)                                          \
static CascadeKernelDesc desc_gemm_nn_##name =                          \
    CASCADE_KERNEL_DESC (prog, "cascade_gemm_nn");                      \
static CascadeKernelDesc desc_conv_shift_##name =                       \
    CASCADE_KERNEL_DESC (prog, "cascade_conv_shift");
TILE_DESCS (8x32, "gemm")
TILE_DESCS (12x32, "gemm:TILE_12X32")
TILE_DESCS (6x16, "gemm:TILE_6X16")
TILE_DESCS (4x24, "gemm:TILE_4X24")
#undef TILE_DESCS
static CascadeKernelDesc desc_gemm_epilogue =
    CASCADE_KERNEL_DESC ("gemm", "cascade_gemm_epilogue");

/* width: the native float vector width the tile is made for; the first
 * tile of a width is its default.  measured: a candidate of its width's
 * per-shape measurement.  12x32 is not: on a Zen 4 (cascade-layer-bench's
 * CPU time, 8x32 vs 12x32 alternated) it was within the noise of 8x32 on
 * every shape, and each candidate costs two runs of every shape at first
 * use; $CASCADE_GEMM_TILE=12x32 still runs it. */
static const CascadeGemmTile tiles[] = {
  {"8x32", 8, 32, 16, TRUE, &desc_gemm_nn_8x32, &desc_conv_shift_8x32},
  {"12x32", 12, 32, 16, FALSE, &desc_gemm_nn_12x32, &desc_conv_shift_12x32},
  {"6x16", 6, 16, 8, TRUE, &desc_gemm_nn_6x16, &desc_conv_shift_6x16},
  {"4x24", 4, 24, 8, TRUE, &desc_gemm_nn_4x24, &desc_conv_shift_4x24},
};

const CascadeGemmTile *
cascade_gemm_tile_named (const gchar * name)
{
  guint i;
  for (i = 0; name && i < G_N_ELEMENTS (tiles); i++)
    if (strcmp (tiles[i].name, name) == 0)
      return &tiles[i];
  return NULL;
}

/* the width whose tiles suit dev: AVX-512's 16, else AVX2's 8 (SSE's 4
 * has no tile of its own) */
static guint
tile_width (CascadeCtx * ctx)
{
  return cascade_device_vector_width (cascade_ctx_device (ctx)) >= 16 ?
      16 : 8;
}

const CascadeGemmTile *
cascade_gemm_tile (CascadeCtx * ctx)
{
  const CascadeGemmTile *forced =
      cascade_gemm_tile_named (cascade_options_gemm_tile ());
  guint i, w = tile_width (ctx);
  for (i = 0; !forced && i < G_N_ELEMENTS (tiles); i++)
    if (tiles[i].width == w)
      return &tiles[i];
  return forced;
}

typedef struct
{
  CascadeTileRun run;
  gpointer data;
} TileCall;

static gboolean
tile_run (gpointer data, guint i, GError ** error)
{
  TileCall *t = data;
  return t->run (t->data, &tiles[i], error);
}

gboolean
cascade_gemm_tile_run (CascadeCtx * ctx, const gchar * op, const gchar * key,
    gboolean may_measure, CascadeTileRun run, gpointer data, GError ** error)
{
  const CascadeGemmTile *def = cascade_gemm_tile (ctx);
  const gchar *names[G_N_ELEMENTS (tiles)];
  TileCall call = { run, data };
  guint i, n = 0, w = tile_width (ctx);

  /* forced ($CASCADE_GEMM_TILE): that tile only */
  if (cascade_gemm_tile_named (cascade_options_gemm_tile ()))
    return run (data, def, error);
  for (i = 0; i < G_N_ELEMENTS (tiles); i++) {
    names[i] = tiles[i].width == w && tiles[i].measured ? tiles[i].name :
        NULL;
    n += names[i] != NULL;
  }
  /* one candidate: nothing to measure */
  if (n == 1)
    return run (data, def, error);
  return cascade_tune_run (ctx, op, key, names, G_N_ELEMENTS (tiles),
      def - tiles, may_measure, tile_run, &call, NULL, NULL, error);
}

CascadeGemmImpl
cascade_gemm_impl (CascadeCtx * ctx)
{
  CascadeForce force = cascade_options_gemm ();
  if (force == CASCADE_FORCE_CLBLAST)
    return CASCADE_GEMM_CLBLAST;
  if (force == CASCADE_FORCE_CPU)
    return CASCADE_GEMM_CPU;
  return cascade_device_is_cpu (cascade_ctx_device (ctx)) ?
      CASCADE_GEMM_CPU : CASCADE_GEMM_CLBLAST;
}

/* our kernel does not check bounds the way CLBlast does: check here */
static gboolean
fits (const CascadeMatrix * x, gsize rows, gsize cols, const gchar * what,
    GError ** error)
{
  gsize size = 0, need = x->offset + (rows - 1) * x->ld + cols;
  clGetMemObjectInfo (x->mem, CL_MEM_SIZE, sizeof (size), &size, NULL);
  if (x->ld < cols || need > size / sizeof (gfloat)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "GEMM matrix %s (%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT ", ld %"
        G_GSIZE_FORMAT ", offset %" G_GSIZE_FORMAT ") does not fit its "
        "buffer of %" G_GSIZE_FORMAT " floats", what, rows, cols, x->ld,
        x->offset, size / sizeof (gfloat));
    return FALSE;
  }
  return TRUE;
}

typedef struct
{
  CascadeCtx *ctx;
  gsize m, n, k;
  gfloat alpha, beta;
  const CascadeMatrix *a, *b, *c;
  const CascadeEpilogue *epi;
} GemmCall;

/* one launch of cascade_gemm_nn over all of C */
static gboolean
gemm_cpu_pass (CascadeCtx * ctx, cl_kernel kern,
    const CascadeGemmTile * tile, gsize m, gsize n, gsize k,
    gfloat alpha, const CascadeMatrix * a, const CascadeMatrix * b,
    gfloat beta, const CascadeMatrix * c, const CascadeEpilogue * epi,
    GError ** error)
{
  /* row blocks vary fastest: the work-groups that run together share one
   * panel of B, which stays in cache */
  const gsize gws[2] = { (m + tile->tm - 1) / tile->tm,
    (n + tile->tn - 1) / tile->tn
  };
  CascadeArgs args = cascade_args (kern);
  cascade_arg_int (&args, m);
  cascade_arg_int (&args, n);
  cascade_arg_int (&args, k);
  cascade_arg_float (&args, alpha);
  cascade_arg_mem (&args, a->mem);
  cascade_arg_int (&args, a->offset);
  cascade_arg_int (&args, a->ld);
  cascade_arg_mem (&args, b->mem);
  cascade_arg_int (&args, b->offset);
  cascade_arg_int (&args, b->ld);
  cascade_arg_float (&args, beta);
  cascade_arg_mem (&args, c->mem);
  cascade_arg_int (&args, c->offset);
  cascade_arg_int (&args, c->ld);
  /* unused pointers still need a valid buffer: pass C */
  cascade_arg_mem (&args, epi && epi->bias ? epi->bias : c->mem);
  cascade_arg_int (&args, epi && epi->bias ? epi->bias_offset : 0);
  cascade_arg_int (&args, epi && epi->bias ? 1 : 0);
  cascade_arg_int (&args, epi && epi->bias_per_column ? 1 : 0);
  cascade_arg_mem (&args, epi && epi->residual ? epi->residual : c->mem);
  cascade_arg_int (&args, epi && epi->residual ? epi->residual_offset : 0);
  cascade_arg_int (&args, epi && epi->residual ? 1 : 0);
  cascade_arg_int (&args, epi && epi->relu ? 1 : 0);
  return cascade_args_check (&args, error)
      && cascade_ctx_launch (ctx, kern, 2, gws, cascade_ctx_tile_lws (ctx),
      error);
}

/* The depth of one pass: a work-item's 8 rows of A and 32 columns of B
 * over KC are 32 KB + 128 KB, which stay in a CPU core's L2 while the
 * work-items running together reuse them; a deeper product (the box
 * head's first FC: K = 12544) is summed in passes of KC, each adding to
 * C, with the epilogue on the last.  The 1000 x 1024 x 12544 FC
 * (tools/clblast-bench --engine, PoCL, machine loaded): one pass 23-27
 * GFLOP/s; KC 4096: 31; 2048: 50; 1024: 57-69; 512: 64; 256: 58.
 * $CASCADE_GEMM_KC overrides it (0: one pass), for such measurements. */
#define GEMM_KC 1024

/* the product in passes of KC through one tile */
static gboolean
gemm_cpu_tile (gpointer data, const CascadeGemmTile * tile, GError ** error)
{
  const GemmCall *g = data;
  cl_kernel kern = cascade_ctx_kernel (g->ctx, tile->gemm, error);
  gsize kc = cascade_options_gemm_kc (GEMM_KC), k0;
  if (!kern)
    return FALSE;
  if (kc == 0)
    kc = g->k;
  for (k0 = 0; k0 < g->k; k0 += kc) {
    CascadeMatrix ak = *g->a, bk = *g->b;
    gsize kk = MIN (kc, g->k - k0);
    ak.offset += k0;
    bk.offset += k0 * g->b->ld;
    if (!gemm_cpu_pass (g->ctx, kern, tile, g->m, g->n, kk, g->alpha, &ak,
            &bk, k0 == 0 ? g->beta : 1.0f, g->c, k0 + kk >= g->k ? g->epi :
            NULL, error))
      return FALSE;
  }
  return TRUE;
}

/* our kernel, its tile measured per shape when the product can be run
 * twice (it reads neither C nor a residual that is C) */
static gboolean
gemm_cpu (CascadeCtx * ctx, gsize m, gsize n, gsize k, gfloat alpha,
    const CascadeMatrix * a, const CascadeMatrix * b, gfloat beta,
    const CascadeMatrix * c, const CascadeEpilogue * epi, GError ** error)
{
  GemmCall call = { ctx, m, n, k, alpha, beta, a, b, c, epi };
  gchar *key;
  gboolean ok;
  if (!fits (a, m, k, "A", error) || !fits (b, k, n, "B", error)
      || !fits (c, m, n, "C", error))
    return FALSE;
  key = cascade_gemm_tuning_key (m, n, k);
  ok = cascade_gemm_tile_run (ctx, "gemm-tile", key, beta == 0.0f
      && !(epi && epi->residual == c->mem), gemm_cpu_tile, &call, error);
  g_free (key);
  return ok;
}

/* the epilogue as its own pass, after CLBlast */
static gboolean
epilogue_pass (CascadeCtx * ctx, gsize m, gsize n, const CascadeMatrix * c,
    const CascadeEpilogue * epi, GError ** error)
{
  cl_kernel kern = cascade_ctx_kernel (ctx, &desc_gemm_epilogue, error);
  const gsize gws[2] = { n, m };
  CascadeArgs args;
  if (!kern)
    return FALSE;
  args = cascade_args (kern);
  cascade_arg_int (&args, m);
  cascade_arg_int (&args, n);
  cascade_arg_mem (&args, c->mem);
  cascade_arg_int (&args, c->offset);
  cascade_arg_int (&args, c->ld);
  cascade_arg_mem (&args, epi->bias ? epi->bias : c->mem);
  cascade_arg_int (&args, epi->bias ? epi->bias_offset : 0);
  cascade_arg_int (&args, epi->bias ? 1 : 0);
  cascade_arg_int (&args, epi->bias_per_column ? 1 : 0);
  cascade_arg_mem (&args, epi->residual ? epi->residual : c->mem);
  cascade_arg_int (&args, epi->residual ? epi->residual_offset : 0);
  cascade_arg_int (&args, epi->residual ? 1 : 0);
  cascade_arg_int (&args, epi->relu ? 1 : 0);
  return cascade_args_check (&args, error)
      && cascade_ctx_launch (ctx, kern, 2, gws, NULL, error);
}

/* the product through one implementation */
static gboolean
gemm_with (CascadeCtx * ctx, CascadeGemmImpl impl, gsize m, gsize n, gsize k,
    gfloat alpha, const CascadeMatrix * a, const CascadeMatrix * b,
    gfloat beta, const CascadeMatrix * c, const CascadeEpilogue * epi,
    GError ** error)
{
  cl_command_queue q = cascade_ctx_queue (ctx);
  CLBlastStatusCode st;
  gboolean has_epi = epi && (epi->bias || epi->residual || epi->relu);

  if (!a->trans && !b->trans && k > 0 && impl == CASCADE_GEMM_CPU)
    return gemm_cpu (ctx, m, n, k, alpha, a, b, beta, c, epi, error);
  if (k == 0) {
    /* C = beta*C; CLBlast rejects k = 0 */
    if (!gemm_with (ctx, CASCADE_GEMM_CLBLAST, m, n, 1, 0.0f, a, b, beta, c,
            NULL, error))
      return FALSE;
  } else {
    st = CLBlastSgemm (CLBlastLayoutRowMajor,
        a->trans ? CLBlastTransposeYes : CLBlastTransposeNo,
        b->trans ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha,
        a->mem, a->offset, a->ld, b->mem, b->offset, b->ld, beta, c->mem,
        c->offset, c->ld, &q, NULL);
    if (!cascade_clblast_check (st, "CLBlastSgemm", error))
      return FALSE;
  }
  return !has_epi || epilogue_pass (ctx, m, n, c, epi, error);
}

static const CascadeGemmImpl gemm_impls[] = { CASCADE_GEMM_CPU,
  CASCADE_GEMM_CLBLAST
};

static const gchar *const gemm_names[] = { "cpu", "clblast" };

static gboolean
gemm_run (gpointer data, guint i, GError ** error)
{
  GemmCall *g = data;
  return gemm_with (g->ctx, gemm_impls[i], g->m, g->n, g->k, g->alpha, g->a,
      g->b, g->beta, g->c, g->epi, error);
}

/* shapes that differ only by the number of RoIs or images share a choice:
 * m and n are rounded up to a power of two */
gchar *
cascade_gemm_tuning_key (gsize m, gsize n, gsize k)
{
  return g_strdup_printf ("m%" G_GSIZE_FORMAT "-n%" G_GSIZE_FORMAT "-k%"
      G_GSIZE_FORMAT, cascade_next_pow2 (m), cascade_next_pow2 (n), k);
}

gboolean
cascade_gemm_ex (CascadeCtx * ctx, gsize m, gsize n, gsize k, gfloat alpha,
    const CascadeMatrix * a, const CascadeMatrix * b, gfloat beta,
    const CascadeMatrix * c, const CascadeEpilogue * epi, GError ** error)
{
  GemmCall call = { ctx, m, n, k, alpha, beta, a, b, c, epi };
  gchar *key;
  gboolean ok;

  if (m == 0 || n == 0)
    return TRUE;
  if (m > G_MAXINT || n > G_MAXINT || k > G_MAXINT) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "GEMM %" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT
        " is too large", m, n, k);
    return FALSE;
  }
  /* one implementation only: forced, transposed (CLBlast), or empty */
  if (cascade_options_gemm () != CASCADE_FORCE_NONE || a->trans || b->trans
      || k == 0)
    return gemm_with (ctx, cascade_gemm_impl (ctx), m, n, k, alpha, a, b,
        beta, c, epi, error);
  /* measured per shape (tuning.h); a product that reads C (beta != 0) or
   * whose residual may be C cannot be run twice, so is not measured */
  key = cascade_gemm_tuning_key (m, n, k);
  ok = cascade_tune_run (ctx, "gemm", key, gemm_names, 2,
      cascade_gemm_impl (ctx) == CASCADE_GEMM_CPU ? 0 : 1, beta == 0.0f
      && !(epi && epi->residual == c->mem), gemm_run, &call, NULL, NULL,
      error);
  g_free (key);
  return ok;
}

gboolean
cascade_gemm (CascadeCtx * ctx, gsize m, gsize n, gsize k, gfloat alpha,
    const CascadeMatrix * a, const CascadeMatrix * b, gfloat beta,
    const CascadeMatrix * c, GError ** error)
{
  return cascade_gemm_ex (ctx, m, n, k, alpha, a, b, beta, c, NULL, error);
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

typedef struct
{
  CascadeCtx *ctx;
  const CascadeShiftArgs *s;
} ShiftCall;

static gboolean
conv_shift_tile (gpointer data, const CascadeGemmTile * tile, GError ** error)
{
  const ShiftCall *call = data;
  const CascadeShiftArgs *s = call->s;
  cl_kernel k = cascade_ctx_kernel (call->ctx, tile->conv_shift, error);
  CascadeArgs a;
  if (!k)
    return FALSE;
  a = cascade_args (k);
  cascade_arg_int (&a, s->cout);
  cascade_arg_int (&a, s->cin);
  cascade_arg_int (&a, s->kk);
  cascade_arg_int (&a, s->kw);
  cascade_arg_int (&a, s->stride);
  cascade_arg_int (&a, s->sx);
  cascade_arg_int (&a, s->phase);
  cascade_arg_int (&a, s->pitch);
  cascade_arg_int (&a, s->rb);
  cascade_arg_int (&a, s->oh);
  cascade_arg_int (&a, s->ow);
  cascade_arg_int (&a, s->nb);
  cascade_arg_int (&a, s->ncols);
  cascade_arg_mem (&a, s->weight);
  cascade_arg_int (&a, s->weight_offset);
  cascade_arg_mem (&a, s->x);
  cascade_arg_int (&a, s->x_offset);
  cascade_arg_int (&a, s->plane);
  cascade_arg_mem (&a, s->out);
  cascade_arg_int (&a, s->out_offset);
  cascade_arg_mem (&a, s->bias);
  cascade_arg_int (&a, s->bias_offset);
  /* unused, the residual pointer still needs a valid buffer: the output */
  cascade_arg_mem (&a, s->residual ? s->residual : s->out);
  cascade_arg_int (&a, s->residual ? s->residual_offset : 0);
  cascade_arg_int (&a, s->residual ? 1 : 0);
  cascade_arg_int (&a, s->relu ? 1 : 0);
  /* row blocks vary fastest, as in cascade_gemm_nn: the work-groups
   * running together share one panel of X */
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (call->ctx, k, 2, (gsize[2]) {
        (s->cout + tile->tm - 1) / tile->tm,
        (s->ncols + tile->tn - 1) / tile->tn},
      cascade_ctx_tile_lws (call->ctx), error);
}

gboolean
cascade_conv_shift_run (CascadeCtx * ctx, const CascadeShiftArgs * s,
    GError ** error)
{
  ShiftCall call = { ctx, s };
  /* the output overlaps neither the input nor the residual (ops/conv.c
   * checks): it can be run again */
  gchar *key = g_strdup_printf ("co%d-ci%d-k%d-s%d-n%" G_GSIZE_FORMAT,
      s->cout, s->cin, s->kk, s->stride, cascade_next_pow2 (s->ncols));
  gboolean ok = cascade_gemm_tile_run (ctx, "shift-tile", key, TRUE,
      conv_shift_tile, &call, error);
  g_free (key);
  return ok;
}
