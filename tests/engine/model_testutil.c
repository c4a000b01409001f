/* gst-cascade tests: the model file writer and the load assertions of the
 * model loader's tests (model_testutil.h) */
#include "model_testutil.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * a tiny safetensors writer
 * --------------------------------------------------------------------- */

static TF *
tf_new (void)
{
  TF *tf = g_new0 (TF, 1);
  tf->header = json_object_new ();
  tf->meta = json_object_new ();
  json_object_set_string_member (tf->meta, "format", "gst-cascade");
  json_object_set_string_member (tf->meta, "format_version", "1");
  tf->data = g_byte_array_new ();
  return tf;
}

void
tf_free (TF * tf)
{
  json_object_unref (tf->header);
  if (tf->meta)
    json_object_unref (tf->meta);
  if (tf->arch)
    json_object_unref (tf->arch);
  g_byte_array_unref (tf->data);
  g_free (tf);
}

static gsize
dtype_size (const gchar * dtype)
{
  if (!strcmp (dtype, "F32") || !strcmp (dtype, "I32"))
    return 4;
  if (!strcmp (dtype, "F16") || !strcmp (dtype, "BF16"))
    return 2;
  if (!strcmp (dtype, "I64") || !strcmp (dtype, "F64"))
    return 8;
  return 1;
}

/* element i of an F32 tensor / the bits of element i of an F16 tensor */
gfloat
pattern_f32 (gsize i)
{
  return (gfloat) (i % 17) * 0.5f - 4.0f;
}

static guint16
pattern_f16 (gsize i)
{
  return (guint16) (0x3c00 + i % 17);   /* 1 + (i % 17) / 1024 */
}

static JsonArray *
shape_array (guint ndim, const gsize * shape)
{
  JsonArray *a = json_array_new ();
  guint i;
  for (i = 0; i < ndim; i++)
    json_array_add_int_element (a, (gint64) shape[i]);
  return a;
}

static void
tf_add_v (TF * tf, const gchar * dtype, guint ndim, const gsize * shape,
    const gchar * format, va_list ap)
{
  gchar *name = g_strdup_vprintf (format, ap);
  JsonObject *e = json_object_new ();
  JsonArray *off = json_array_new ();
  gsize numel = 1, i, begin = tf->data->len, ds = dtype_size (dtype);

  for (i = 0; i < ndim; i++)
    numel *= shape[i];
  g_byte_array_set_size (tf->data, begin + numel * ds);
  for (i = 0; i < numel; i++) {
    guint8 *p = tf->data->data + begin + i * ds;
    if (!strcmp (dtype, "F32")) {
      gfloat f = pattern_f32 (i);
      guint32 bits;
      memcpy (&bits, &f, 4);
      bits = GUINT32_TO_LE (bits);
      memcpy (p, &bits, 4);
    } else if (!strcmp (dtype, "F16")) {
      guint16 h = GUINT16_TO_LE (pattern_f16 (i));
      memcpy (p, &h, 2);
    } else {
      memset (p, 0, ds);
    }
  }
  json_object_set_string_member (e, "dtype", dtype);
  json_object_set_array_member (e, "shape", shape_array (ndim, shape));
  json_array_add_int_element (off, (gint64) begin);
  json_array_add_int_element (off, (gint64) tf->data->len);
  json_object_set_array_member (e, "data_offsets", off);
  json_object_set_object_member (tf->header, name, e);
  tf->n_tensors++;
  g_free (name);
}

void
tf_add (TF * tf, const gchar * dtype, guint ndim, const gsize * shape,
    const gchar * format, ...)
{
  va_list ap;
  va_start (ap, format);
  tf_add_v (tf, dtype, ndim, shape, format, ap);
  va_end (ap);
}

/* a float tensor (F32 or F16 as the file says) of up to 4 dims */
static void tf_float (TF * tf, guint ndim, gsize d0, gsize d1, gsize d2,
    gsize d3, const gchar * format, ...) G_GNUC_PRINTF (7, 8);

static void
tf_float (TF * tf, guint ndim, gsize d0, gsize d1, gsize d2, gsize d3,
    const gchar * format, ...)
{
  gsize shape[4] = { d0, d1, d2, d3 };
  va_list ap;
  va_start (ap, format);
  tf_add_v (tf, tf->f16 ? "F16" : "F32", ndim, shape, format, ap);
  va_end (ap);
}

static gchar *
object_to_string (JsonObject * o)
{
  JsonNode *n = json_node_new (JSON_NODE_OBJECT);
  JsonGenerator *g = json_generator_new ();
  gchar *s;
  json_node_set_object (n, o);
  json_generator_set_root (g, n);
  s = json_generator_to_data (g, NULL);
  g_object_unref (g);
  json_node_unref (n);
  return s;
}

/* header text + data -> a whole file: 8-byte LE length, header, data */
GBytes *
raw_file (const gchar * header, gsize hlen, const guint8 * data, gsize dlen)
{
  GByteArray *b = g_byte_array_new ();
  guint8 len[8];
  guint i;
  for (i = 0; i < 8; i++)
    len[i] = (guint8) ((guint64) hlen >> (8 * i));
  g_byte_array_append (b, len, 8);
  g_byte_array_append (b, (const guint8 *) header, hlen);
  if (dlen)
    g_byte_array_append (b, data, dlen);
  return g_byte_array_free_to_bytes (b);
}

static gchar *
tf_header (TF * tf)
{
  if (tf->meta) {
    if (tf->arch) {
      gchar *s = object_to_string (tf->arch);
      json_object_set_string_member (tf->meta, "cascade", s);
      g_free (s);
    }
    json_object_set_object_member (tf->header, "__metadata__",
        json_object_ref (tf->meta));
  }
  return object_to_string (tf->header);
}

GBytes *
tf_bytes (TF * tf)
{
  gchar *h = tf_header (tf);
  GBytes *b = raw_file (h, strlen (h), tf->data->data, tf->data->len);
  g_free (h);
  return b;
}

/* ------------------------------------------------------------------------
 * mmdetection's Cascade (Mask) R-CNN layout, written independently of the
 * loader (after mmdet's ResNet/ResNeXt, FPN, RPNHead, Shared2FCBBoxHead,
 * FCNMaskHead)
 * --------------------------------------------------------------------- */

const Spec r18_mask = { 18, 1, 4, 8, 8, 8, 16, 8, 2, TRUE, FALSE };
const Spec r18_box = { 18, 1, 4, 8, 8, 8, 16, 8, 2, FALSE, TRUE };
/* ResNeXt-50 2x4d with base 8: conv2 widths 8, 16, 32, 64 (mmdet's
 * floor(planes * base_width / base_channels) * groups) */
const Spec x50_mask = { 50, 2, 4, 8, 8, 12, 16, 6, 3, TRUE, FALSE };

static void
add_conv_bn (TF * tf, const gchar * p, const gchar * conv, const gchar * bn,
    gsize co, gsize ci, gsize k)
{
  const gchar *stats[] = { "weight", "bias", "running_mean", "running_var" };
  guint i;
  tf_float (tf, 4, co, ci, k, k, "%s.%s.weight", p, conv);
  for (i = 0; i < 4; i++)
    tf_float (tf, 1, co, 0, 0, 0, "%s.%s.%s", p, bn, stats[i]);
  if (tf->nbt)
    tf_add (tf, "I64", 0, NULL, "%s.%s.num_batches_tracked", p, bn);
}

static void
add_conv_bias (TF * tf, const gchar * p, gsize co, gsize ci, gsize k)
{
  tf_float (tf, 4, co, ci, k, k, "%s.weight", p);
  tf_float (tf, 1, co, 0, 0, 0, "%s.bias", p);
}

static void
add_linear (TF * tf, const gchar * p, gsize co, gsize ci)
{
  tf_float (tf, 2, co, ci, 0, 0, "%s.weight", p);
  tf_float (tf, 1, co, 0, 0, 0, "%s.bias", p);
}

JsonArray *
numbers (guint n, const gdouble * v)
{
  JsonArray *a = json_array_new ();
  guint i;
  for (i = 0; i < n; i++)
    json_array_add_double_element (a, v[i]);
  return a;
}

static JsonObject *
make_arch (const Spec * s)
{
  static const gchar *names[] = { "circle", "square", "triangle", "star" };
  JsonObject *a = json_object_new (), *bb = json_object_new ();
  JsonObject *neck = json_object_new ();
  JsonArray *cls = json_array_new ();
  guint i;

  json_object_set_string_member (a, "detector", "CascadeRCNN");
  json_object_set_boolean_member (a, "with_mask", s->with_mask);
  json_object_set_int_member (a, "num_classes", s->ncls);
  for (i = 0; i < s->ncls; i++)
    json_array_add_string_element (cls, names[i % 4]);
  json_object_set_array_member (a, "classes", cls);
  json_object_set_string_member (bb, "type",
      s->groups > 1 ? "ResNeXt" : "ResNet");
  json_object_set_int_member (bb, "depth", s->depth);
  json_object_set_int_member (bb, "groups", s->groups);
  json_object_set_int_member (bb, "base_width", s->base_width);
  json_object_set_int_member (bb, "base_channels", s->base);
  json_object_set_string_member (bb, "style", s->caffe ? "caffe" : "pytorch");
  json_object_set_object_member (a, "backbone", bb);
  json_object_set_int_member (neck, "out_channels", s->fpn);
  json_object_set_int_member (neck, "num_outs", 5);
  json_object_set_object_member (a, "neck", neck);
  json_object_set_string_member (a, "source", "test");
  /* rpn, roi_head, mask_head, preprocess: left to the defaults (the
   * channel counts come from the tensors) */
  return a;
}

static void
add_model (TF * tf, const Spec * s)
{
  static const guint blocks[][4] = {
    {2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}
  };
  guint di = s->depth == 18 ? 0 : s->depth == 34 ? 1 : s->depth == 50 ? 2
      : s->depth == 101 ? 3 : 4;
  gboolean bottleneck = s->depth >= 50;
  gsize inplanes = s->base, outs[4];
  guint l, b, st, k;

  tf->arch = make_arch (s);
  add_conv_bn (tf, "backbone", "conv1", "bn1", s->base, 3, 7);
  for (l = 0; l < 4; l++) {
    gsize planes = s->base * (1u << l);
    gsize outc = bottleneck ? 4 * planes : planes;
    for (b = 0; b < blocks[di][l]; b++) {
      gchar *p = g_strdup_printf ("backbone.layer%u.%u", l + 1, b);
      if (bottleneck) {
        gsize w = s->groups == 1 ? planes
            : (gsize) floor ((gdouble) planes * s->base_width / s->base)
            * s->groups;
        add_conv_bn (tf, p, "conv1", "bn1", w, inplanes, 1);
        add_conv_bn (tf, p, "conv2", "bn2", w, w / s->groups, 3);
        add_conv_bn (tf, p, "conv3", "bn3", outc, w, 1);
      } else {
        add_conv_bn (tf, p, "conv1", "bn1", planes, inplanes, 3);
        add_conv_bn (tf, p, "conv2", "bn2", planes, planes, 3);
      }
      /* mmdet: stride != 1 or inplanes != planes * expansion */
      if (b == 0 && (l > 0 || inplanes != outc))
        add_conv_bn (tf, p, "downsample.0", "downsample.1", outc, inplanes, 1);
      inplanes = outc;
      g_free (p);
    }
    outs[l] = outc;
  }
  for (l = 0; l < 4; l++) {
    gchar *p = g_strdup_printf ("neck.lateral_convs.%u.conv", l);
    add_conv_bias (tf, p, s->fpn, outs[l], 1);
    g_free (p);
  }
  for (l = 0; l < 4; l++) {
    gchar *p = g_strdup_printf ("neck.fpn_convs.%u.conv", l);
    add_conv_bias (tf, p, s->fpn, s->fpn, 3);
    g_free (p);
  }
  add_conv_bias (tf, "rpn_head.rpn_conv", s->rpn, s->fpn, 3);
  add_conv_bias (tf, "rpn_head.rpn_cls", 3, s->rpn, 1);
  add_conv_bias (tf, "rpn_head.rpn_reg", 12, s->rpn, 1);
  for (st = 0; st < 3; st++) {
    gchar *p[4];
    p[0] = g_strdup_printf ("roi_head.bbox_head.%u.fc_cls", st);
    p[1] = g_strdup_printf ("roi_head.bbox_head.%u.fc_reg", st);
    p[2] = g_strdup_printf ("roi_head.bbox_head.%u.shared_fcs.0", st);
    p[3] = g_strdup_printf ("roi_head.bbox_head.%u.shared_fcs.1", st);
    add_linear (tf, p[0], s->ncls + 1, s->fc);
    add_linear (tf, p[1], 4, s->fc);
    add_linear (tf, p[2], s->fc, s->fpn * 7 * 7);
    add_linear (tf, p[3], s->fc, s->fc);
    for (k = 0; k < 4; k++)
      g_free (p[k]);
  }
  if (s->with_mask) {
    for (st = 0; st < 3; st++) {
      gchar *p;
      for (k = 0; k < 4; k++) {
        p = g_strdup_printf ("roi_head.mask_head.%u.convs.%u.conv", st, k);
        add_conv_bias (tf, p, s->mask, k ? s->mask : s->fpn, 3);
        g_free (p);
      }
      p = g_strdup_printf ("roi_head.mask_head.%u.upsample", st);
      add_conv_bias (tf, p, s->mask, s->mask, 2);
      g_free (p);
      p = g_strdup_printf ("roi_head.mask_head.%u.conv_logits", st);
      add_conv_bias (tf, p, s->ncls, s->mask, 1);
      g_free (p);
    }
  }
}

TF *
tf_model (const Spec * s, gboolean f16, gboolean nbt)
{
  TF *tf = tf_new ();
  tf->f16 = f16;
  tf->nbt = nbt;
  add_model (tf, s);
  return tf;
}

JsonObject *
entry (TF * tf, const gchar * name)
{
  g_assert_true (json_object_has_member (tf->header, name));
  return json_object_get_object_member (tf->header, name);
}

void
set_shape (TF * tf, const gchar * name, guint ndim, const gsize * shape)
{
  json_object_set_array_member (entry (tf, name), "shape",
      shape_array (ndim, shape));
}

void
set_offsets (TF * tf, const gchar * name, gint64 b, gint64 e)
{
  JsonArray *a = json_array_new ();
  json_array_add_int_element (a, b);
  json_array_add_int_element (a, e);
  json_object_set_array_member (entry (tf, name), "data_offsets", a);
}

/* ------------------------------------------------------------------------
 * assertions
 * --------------------------------------------------------------------- */

CascadeModel *
load_ok (GBytes * b)
{
  GError *err = NULL;
  CascadeModel *m = cascade_model_load_from_bytes (b, "/some/dir/ok.st",
      &err);
  g_assert_no_error (err);
  g_assert_nonnull (m);
  return m;
}

/* loading fails with `code` and a message "bad.safetensors: ...phrase..." */
void
expect_fail (GBytes * b, gint code, const gchar * phrase)
{
  GError *err = NULL;
  CascadeModel *m = cascade_model_load_from_bytes (b, "dir/bad.safetensors",
      &err);
  if (m || !err)
    g_error ("loaded a file that should fail with \"%s\"", phrase);
  if (!g_error_matches (err, CASCADE_ERROR, code))
    g_error ("error code %d (want %d): %s", err->code, code, err->message);
  if (!g_str_has_prefix (err->message, "bad.safetensors: ")
      || !strstr (err->message, phrase))
    g_error ("message \"%s\" lacks \"%s\"", err->message, phrase);
  g_test_message ("%s", err->message);
  g_error_free (err);
}

/* tf_bytes + expect_fail + frees both */
void
expect_tf_fail (TF * tf, gint code, const gchar * phrase)
{
  GBytes *b = tf_bytes (tf);
  expect_fail (b, code, phrase);
  g_bytes_unref (b);
  tf_free (tf);
}

void
expect_raw_fail (const gchar * header, gint code, const gchar * phrase)
{
  GBytes *b = raw_file (header, strlen (header), NULL, 0);
  expect_fail (b, code, phrase);
  g_bytes_unref (b);
}

