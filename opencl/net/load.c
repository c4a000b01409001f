/* gst-cascade: loading convolutions and FCs from the model file */
#include "net/load.h"

gboolean
cascade_load_conv_bn (CascadeConv * conv, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * conv_name,
    const gchar * bn_name, guint cin, guint cout, guint k, guint stride,
    guint pad, guint groups, GError ** error)
{
  gchar *n_w = g_strdup_printf ("%s.weight", conv_name);
  gchar *n_g = g_strdup_printf ("%s.weight", bn_name);
  gchar *n_b = g_strdup_printf ("%s.bias", bn_name);
  gchar *n_m = g_strdup_printf ("%s.running_mean", bn_name);
  gchar *n_v = g_strdup_printf ("%s.running_var", bn_name);
  const gsize wshape[4] = { cout, cin / groups, k, k };
  gfloat *w = NULL, *g = NULL, *b = NULL, *m = NULL, *v = NULL;
  gfloat *bias = g_new (gfloat, cout);
  gboolean ok = FALSE;

  if (!(w = cascade_model_read_f32 (model, n_w, 4, wshape, error))
      || !(g = cascade_model_read_f32 (model, n_g, 1, &wshape[0], error))
      || !(b = cascade_model_read_f32 (model, n_b, 1, &wshape[0], error))
      || !(m = cascade_model_read_f32 (model, n_m, 1, &wshape[0], error))
      || !(v = cascade_model_read_f32 (model, n_v, 1, &wshape[0], error)))
    goto out;
  cascade_fold_bn (w, bias, cout, (gsize) (cin / groups) * k * k, g, b, m, v,
      1e-5f);
  ok = cascade_conv_init (conv, ctx, cin, cout, k, stride, pad, groups, w,
      bias, error);
out:
  g_free (w);
  g_free (g);
  g_free (b);
  g_free (m);
  g_free (v);
  g_free (bias);
  g_free (n_w);
  g_free (n_g);
  g_free (n_b);
  g_free (n_m);
  g_free (n_v);
  return ok;
}

gboolean
cascade_load_conv (CascadeConv * conv, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * name, guint cin, guint cout,
    guint k, guint stride, guint pad, GError ** error)
{
  gchar *n_w = g_strdup_printf ("%s.weight", name);
  gchar *n_b = g_strdup_printf ("%s.bias", name);
  const gsize wshape[4] = { cout, cin, k, k };
  gfloat *w = NULL, *b = NULL;
  gboolean ok = FALSE;

  if ((w = cascade_model_read_f32 (model, n_w, 4, wshape, error))
      && (b = cascade_model_read_f32 (model, n_b, 1, &wshape[0], error)))
    ok = cascade_conv_init (conv, ctx, cin, cout, k, stride, pad, 1, w, b,
        error);
  g_free (w);
  g_free (b);
  g_free (n_w);
  g_free (n_b);
  return ok;
}

gboolean
cascade_load_fc (CascadeFC * fc, CascadeCtx * ctx, const CascadeModel * model,
    const gchar * name, guint in, guint out, GError ** error)
{
  gchar *n_w = g_strdup_printf ("%s.weight", name);
  gchar *n_b = g_strdup_printf ("%s.bias", name);
  const gsize wshape[2] = { out, in };
  gfloat *w = NULL, *b = NULL;
  gboolean ok = FALSE;

  if ((w = cascade_model_read_f32 (model, n_w, 2, wshape, error))
      && (b = cascade_model_read_f32 (model, n_b, 1, &wshape[0], error)))
    ok = cascade_fc_init (fc, ctx, in, out, w, b, error);
  g_free (w);
  g_free (b);
  g_free (n_w);
  g_free (n_b);
  return ok;
}
