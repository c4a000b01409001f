/* gst-cascade: sorting of u64 keys on the device (ops/sort.cl): a bitonic
 * sort whose steps up to a chunk run in local memory, and a top-k by radix
 * select followed by a sort of the k keys. */
#include "ops/sort.h"
#include "runtime/error.h"

#define SORT_CHUNK_MAX 2048
#define WG_MAX 256

/* the kernels launched here */
static CascadeKernelDesc desc_sort_step =
    CASCADE_KERNEL_DESC ("sort", "cascade_sort_step");
static CascadeKernelDesc desc_sort_local =
    CASCADE_KERNEL_DESC ("sort", "cascade_sort_local");
static CascadeKernelDesc desc_sort_merge =
    CASCADE_KERNEL_DESC ("sort", "cascade_sort_merge");
static CascadeKernelDesc desc_keys_fill =
    CASCADE_KERNEL_DESC ("sort", "cascade_keys_fill");
static CascadeKernelDesc desc_topk_init =
    CASCADE_KERNEL_DESC ("sort", "cascade_topk_init");
static CascadeKernelDesc desc_topk_hist =
    CASCADE_KERNEL_DESC ("sort", "cascade_topk_hist");
static CascadeKernelDesc desc_topk_select =
    CASCADE_KERNEL_DESC ("sort", "cascade_topk_select");
static CascadeKernelDesc desc_topk_gather =
    CASCADE_KERNEL_DESC ("sort", "cascade_topk_gather");

gsize
cascade_kernel_wg_pow2 (CascadeCtx * ctx, cl_kernel k, gsize want)
{
  size_t max = 1;
  gsize l = 1;
  clGetKernelWorkGroupInfo (k, cascade_device_id (cascade_ctx_device (ctx)),
      CL_KERNEL_WORK_GROUP_SIZE, sizeof (max), &max, NULL);
  while (l * 2 <= MIN ((gsize) max, want))
    l *= 2;
  return l;
}

static gsize
sort_chunk (CascadeCtx * ctx, gsize n_pad)
{
  cl_ulong local = 0;
  gsize chunk = SORT_CHUNK_MAX;
  clGetDeviceInfo (cascade_device_id (cascade_ctx_device (ctx)),
      CL_DEVICE_LOCAL_MEM_SIZE, sizeof (local), &local, NULL);
  while (chunk > 2 && chunk * 8 * 2 > local)
    chunk /= 2;
  return MIN (chunk, n_pad);
}

gboolean
cascade_sort_u64 (CascadeCtx * ctx, cl_mem keys, gsize n_pad,
    GError ** error)
{
  cl_kernel ks, kl, km;
  CascadeArgs a;
  gsize chunk, k, j, lws, gws;

  if (n_pad <= 1)
    return TRUE;
  if ((n_pad & (n_pad - 1)) != 0 || n_pad > G_MAXUINT32) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_sort_u64: %" G_GSIZE_FORMAT " is not a power of two below "
        "2^32", n_pad);
    return FALSE;
  }
  if (!(ks = cascade_ctx_kernel (ctx, &desc_sort_step, error))
      || !(kl = cascade_ctx_kernel (ctx, &desc_sort_local, error))
      || !(km = cascade_ctx_kernel (ctx, &desc_sort_merge, error)))
    return FALSE;
  chunk = sort_chunk (ctx, n_pad);
  lws = MIN (cascade_kernel_wg_pow2 (ctx, kl, WG_MAX),
      cascade_kernel_wg_pow2 (ctx, km, WG_MAX));
  lws = MIN (lws, chunk / 2);
  gws = n_pad / chunk * lws;

  a = cascade_args (kl);
  cascade_arg_mem (&a, keys);
  cascade_arg_int (&a, (gint) chunk);
  cascade_arg_local (&a, chunk * sizeof (cl_ulong));
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, kl, 1, &gws, &lws, error))
    return FALSE;
  for (k = 2 * chunk; k <= n_pad; k <<= 1) {
    for (j = k / 2; j >= chunk; j >>= 1) {
      gsize pairs = n_pad / 2;
      a = cascade_args (ks);
      cascade_arg_mem (&a, keys);
      cascade_arg_int (&a, (gint) n_pad);
      cascade_arg_int (&a, (gint) k);
      cascade_arg_int (&a, (gint) j);
      if (!cascade_args_check (&a, error)
          || !cascade_ctx_launch (ctx, ks, 1, &pairs, NULL, error))
        return FALSE;
    }
    a = cascade_args (km);
    cascade_arg_mem (&a, keys);
    cascade_arg_int (&a, (gint) chunk);
    cascade_arg_int (&a, (gint) k);
    cascade_arg_local (&a, chunk * sizeof (cl_ulong));
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, km, 1, &gws, &lws, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
cascade_keys_fill (CascadeCtx * ctx, cl_mem keys, gsize from, gsize to,
    GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  gsize n = to - from;
  cl_ulong inv = CASCADE_KEY_INVALID;
  if (to <= from)
    return TRUE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_keys_fill, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, keys);
  cascade_arg_int (&a, (gint) from);
  cascade_arg_int (&a, (gint) to);
  cascade_arg (&a, sizeof (inv), &inv);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_topk_u64 (CascadeCtx * ctx, CascadeArena * arena, cl_mem keys,
    gsize n, gsize k, cl_mem out, GError ** error)
{
  CascadeTensor state, hist;
  cl_kernel ki, kh, ks, kg;
  CascadeArgs a;
  gsize k_pad = cascade_next_pow2 (k), lws, gws, one = 1, init = 258;
  gint shift;

  if (k == 0)
    return TRUE;
  if (k >= n || n > G_MAXUINT32) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_topk_u64: k = %" G_GSIZE_FORMAT " of n = %" G_GSIZE_FORMAT,
        k, n);
    return FALSE;
  }
  if (!cascade_arena_tensor (arena, "topk.state", &state, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (6), error)
      || !cascade_arena_tensor (arena, "topk.hist", &hist, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (258), error))
    return FALSE;
  if (!(ki = cascade_ctx_kernel (ctx, &desc_topk_init, error))
      || !(kh = cascade_ctx_kernel (ctx, &desc_topk_hist, error))
      || !(ks = cascade_ctx_kernel (ctx, &desc_topk_select, error))
      || !(kg = cascade_ctx_kernel (ctx, &desc_topk_gather, error)))
    return FALSE;
  a = cascade_args (ki);
  cascade_arg_mem (&a, state.mem);
  cascade_arg_mem (&a, hist.mem);
  cascade_arg_int (&a, (gint) k);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, ki, 1, &init, NULL, error))
    return FALSE;
  /* a few work-groups per compute unit, each looping over the keys */
  lws = cascade_kernel_wg_pow2 (ctx, kh, WG_MAX);
  gws = lws * CLAMP (n / (lws * 32), 1,
      4 * (gsize) cascade_device_compute_units (cascade_ctx_device (ctx)));
  for (shift = 56; shift >= 0; shift -= 8) {
    a = cascade_args (kh);
    cascade_arg_mem (&a, keys);
    cascade_arg_int (&a, (gint) n);
    cascade_arg_mem (&a, state.mem);
    cascade_arg_int (&a, shift);
    cascade_arg_mem (&a, hist.mem);
    cascade_arg_local (&a, 256 * sizeof (cl_int));
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, kh, 1, &gws, &lws, error))
      return FALSE;
    a = cascade_args (ks);
    cascade_arg_mem (&a, state.mem);
    cascade_arg_int (&a, shift);
    cascade_arg_mem (&a, hist.mem);
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, ks, 1, &one, NULL, error))
      return FALSE;
  }
  if (!cascade_keys_fill (ctx, out, k, k_pad, error))
    return FALSE;
  a = cascade_args (kg);
  cascade_arg_mem (&a, keys);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_mem (&a, state.mem);
  cascade_arg_int (&a, (gint) k);
  cascade_arg_mem (&a, hist.mem);
  cascade_arg_mem (&a, out);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, kg, 1, &n, NULL, error)
      && cascade_sort_u64 (ctx, out, k_pad, error);
}
