/* gst-cascade tests: the model file loader (no OpenCL device needed).
 *
 * Valid files are written here from C, with this file's own description
 * of mmdetection's tensor layout (add_model below, independent of the
 * loader's cascade_arch_expected_tensors), then damaged in every way the
 * loader must catch. */
#include "model/model-private.h"
#include "model/expected.h"
#include "model/safetensors.h"
#include "runtime/error.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * a tiny safetensors writer
 * --------------------------------------------------------------------- */

typedef struct
{
  JsonObject *header;           /* tensor entries, in data order */
  JsonObject *meta;             /* __metadata__ (NULL: left out) */
  JsonObject *arch;             /* serialised into meta.cascade (NULL: no) */
  GByteArray *data;
  guint n_tensors;
  gboolean f16;                 /* float tensors as F16 */
  gboolean nbt;                 /* add I64 num_batches_tracked after BNs */
} TF;

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

static void
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
static gfloat
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

static void tf_add (TF * tf, const gchar * dtype, guint ndim,
    const gsize * shape, const gchar * format, ...) G_GNUC_PRINTF (5, 6);

static void
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
static GBytes *
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

static GBytes *
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

typedef struct
{
  guint depth, groups, base_width, base, fpn, rpn, fc, mask, ncls;
  gboolean with_mask, caffe;
} Spec;

static const Spec r18_mask = { 18, 1, 4, 8, 8, 8, 16, 8, 2, TRUE, FALSE };
static const Spec r18_box = { 18, 1, 4, 8, 8, 8, 16, 8, 2, FALSE, TRUE };
/* ResNeXt-50 2x4d with base 8: conv2 widths 8, 16, 32, 64 (mmdet's
 * floor(planes * base_width / base_channels) * groups) */
static const Spec x50_mask = { 50, 2, 4, 8, 8, 12, 16, 6, 3, TRUE, FALSE };

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

static JsonArray *
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

static TF *
tf_model (const Spec * s, gboolean f16, gboolean nbt)
{
  TF *tf = tf_new ();
  tf->f16 = f16;
  tf->nbt = nbt;
  add_model (tf, s);
  return tf;
}

static JsonObject *
entry (TF * tf, const gchar * name)
{
  g_assert_true (json_object_has_member (tf->header, name));
  return json_object_get_object_member (tf->header, name);
}

static void
set_shape (TF * tf, const gchar * name, guint ndim, const gsize * shape)
{
  json_object_set_array_member (entry (tf, name), "shape",
      shape_array (ndim, shape));
}

static void
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

static CascadeModel *
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
static void
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
static void
expect_tf_fail (TF * tf, gint code, const gchar * phrase)
{
  GBytes *b = tf_bytes (tf);
  expect_fail (b, code, phrase);
  g_bytes_unref (b);
  tf_free (tf);
}

static void
expect_raw_fail (const gchar * header, gint code, const gchar * phrase)
{
  GBytes *b = raw_file (header, strlen (header), NULL, 0);
  expect_fail (b, code, phrase);
  g_bytes_unref (b);
}

/* ------------------------------------------------------------------------
 * valid files
 * --------------------------------------------------------------------- */

static guint
n_expected (const CascadeArch * a)
{
  GPtrArray *e = cascade_arch_expected_tensors (a);
  guint n = e->len;
  g_ptr_array_unref (e);
  return n;
}

static void
test_valid_r18_mask (void)
{
  TF *tf = tf_model (&r18_mask, FALSE, FALSE);
  guint n = tf->n_tensors;
  GBytes *b = tf_bytes (tf);
  CascadeModel *m = load_ok (b);
  const CascadeArch *a = cascade_model_arch (m);
  GError *err = NULL;
  gsize shape[8], want[4] = { 8, 3, 7, 7 };
  guint ndim, i;
  gfloat *w;
  gchar *desc;

  g_assert_cmpstr (cascade_model_path (m), ==, "/some/dir/ok.st");
  g_assert_cmpuint (cascade_model_n_tensors (m), ==, n);
  g_assert_cmpuint (cascade_model_n_unused (m), ==, 0);
  /* every tensor written is needed: the loader's list is this file's */
  g_assert_cmpuint (n_expected (a), ==, n);

  g_assert_true (a->with_mask);
  g_assert_cmpuint (a->num_classes, ==, 2);
  g_assert_cmpstr (a->classes[0], ==, "circle");
  g_assert_cmpstr (a->classes[1], ==, "square");
  g_assert_null (a->classes[2]);
  g_assert_cmpuint (a->depth, ==, 18);
  g_assert_cmpuint (a->groups, ==, 1);
  g_assert_cmpuint (a->base_channels, ==, 8);
  g_assert_false (a->caffe_style);
  g_assert_cmpuint (a->fpn_channels, ==, 8);
  g_assert_cmpuint (a->num_outs, ==, 5);
  /* inferred from the tensors */
  g_assert_cmpuint (a->rpn_channels, ==, 8);
  g_assert_cmpuint (a->fc_channels, ==, 16);
  g_assert_cmpuint (a->mask_channels, ==, 8);
  /* FORMAT.md's defaults */
  g_assert_cmpuint (a->rpn_nms_pre, ==, 1000);
  g_assert_cmpfloat (a->rpn_nms_iou, ==, 0.7f);
  g_assert_cmpuint (a->rpn_max_per_img, ==, 1000);
  g_assert_cmpfloat (a->rpn_min_bbox_size, ==, 0.0f);
  g_assert_cmpuint (a->num_stages, ==, 3);
  g_assert_cmpuint (a->roi_size, ==, 7);
  g_assert_cmpuint (a->finest_scale, ==, 56);
  g_assert_cmpuint (a->num_shared_fcs, ==, 2);
  g_assert_cmpfloat (a->stage_stds[0][0], ==, 0.1f);
  g_assert_cmpfloat (a->stage_stds[1][2], ==, 0.1f);
  g_assert_cmpfloat (a->stage_stds[2][3], ==, 0.067f);
  g_assert_cmpfloat (a->score_thr, ==, 0.05f);
  g_assert_cmpfloat (a->nms_iou, ==, 0.5f);
  g_assert_cmpuint (a->max_per_img, ==, 100);
  g_assert_cmpuint (a->mask_num_convs, ==, 4);
  g_assert_cmpuint (a->mask_roi_size, ==, 14);
  g_assert_cmpfloat (a->mask_thr, ==, 0.5f);
  g_assert_cmpuint (a->test_scale[0], ==, 1333);
  g_assert_cmpuint (a->test_scale[1], ==, 800);
  g_assert_cmpfloat (a->mean[0], ==, 123.675f);
  g_assert_cmpfloat (a->std[2], ==, 57.375f);
  g_assert_true (a->to_rgb);
  g_assert_cmpuint (a->pad_divisor, ==, 32);

  g_assert_true (cascade_model_has (m, "backbone.conv1.weight"));
  g_assert_false (cascade_model_has (m, "backbone.layer1.0.downsample.0."
          "weight"));
  g_assert_true (cascade_model_has (m, "backbone.layer2.0.downsample.0."
          "weight"));
  g_assert_false (cascade_model_has (m, "nope"));
  g_assert_true (cascade_model_shape (m, "backbone.conv1.weight", &ndim,
          shape));
  g_assert_cmpuint (ndim, ==, 4);
  g_assert_cmpmem (shape, 4 * sizeof (gsize), want, sizeof want);
  g_assert_cmpuint (shape[4], ==, 0);
  g_assert_false (cascade_model_shape (m, "nope", &ndim, shape));
  g_assert_cmpstr (cascade_model_dtype (m, "backbone.conv1.weight"), ==,
      "F32");

  w = cascade_model_read_f32 (m, "backbone.conv1.weight", 4, want, &err);
  g_assert_no_error (err);
  for (i = 0; i < 8 * 3 * 7 * 7; i++)
    g_assert_cmpfloat (w[i], ==, pattern_f32 (i));
  g_free (w);

  /* wrong shape, absent tensor */
  want[1] = 4;
  g_assert_null (cascade_model_read_f32 (m, "backbone.conv1.weight", 4,
          want, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "ok.st: tensor "
          "backbone.conv1.weight has shape [8, 3, 7, 7], expected "
          "[8, 4, 7, 7]"));
  g_clear_error (&err);
  g_assert_null (cascade_model_read_f32 (m, "backbone.conv1.weight", 3,
          want, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_clear_error (&err);
  g_assert_null (cascade_model_read_f32 (m, "backbone.conv9.weight", 4,
          want, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "backbone.conv9.weight is "
          "missing"));
  g_clear_error (&err);

  desc = cascade_model_describe (m);
  g_test_message ("%s", desc);
  g_assert_nonnull (strstr (desc, "Cascade Mask R-CNN, ResNet-18"));
  g_assert_nonnull (strstr (desc, "2 classes (circle, square)"));
  g_free (desc);

  cascade_model_free (m);
  g_bytes_unref (b);
  tf_free (tf);
}

static void
test_valid_r18_box_caffe (void)
{
  TF *tf = tf_model (&r18_box, FALSE, FALSE);
  JsonObject *rpn = json_object_new (), *roi = json_object_new ();
  JsonObject *pre = json_object_new ();
  static const gdouble scale[] = { 600, 1000 };
  GBytes *b;
  CascadeModel *m;
  const CascadeArch *a;

  /* explicit channel counts that agree with the tensors, and settings */
  json_object_set_int_member (rpn, "feat_channels", 8);
  json_object_set_double_member (rpn, "nms_iou", 0.6);
  json_object_set_object_member (tf->arch, "rpn", rpn);
  json_object_set_int_member (roi, "fc_out_channels", 16);
  json_object_set_int_member (roi, "max_per_img", 50);
  json_object_set_object_member (tf->arch, "roi_head", roi);
  json_object_set_array_member (pre, "test_scale", numbers (2, scale));
  json_object_set_object_member (tf->arch, "preprocess", pre);
  b = tf_bytes (tf);
  m = load_ok (b);
  a = cascade_model_arch (m);
  g_assert_false (a->with_mask);
  g_assert_true (a->caffe_style);
  g_assert_cmpuint (a->rpn_channels, ==, 8);
  g_assert_cmpuint (a->fc_channels, ==, 16);
  g_assert_cmpfloat (a->rpn_nms_iou, ==, 0.6f);
  g_assert_cmpuint (a->max_per_img, ==, 50);
  /* long side first */
  g_assert_cmpuint (a->test_scale[0], ==, 1000);
  g_assert_cmpuint (a->test_scale[1], ==, 600);
  /* caffe defaults: BGR, mean 103.53.., std 1 */
  g_assert_false (a->to_rgb);
  g_assert_cmpfloat (a->mean[0], ==, 103.53f);
  g_assert_cmpfloat (a->std[0], ==, 1.0f);
  g_assert_cmpuint (n_expected (a), ==, cascade_model_n_tensors (m));
  g_assert_false (cascade_model_has (m, "roi_head.mask_head.0.upsample."
          "weight"));
  cascade_model_free (m);
  g_bytes_unref (b);
  tf_free (tf);
}

static void
test_valid_x50_f16 (void)
{
  TF *tf = tf_model (&x50_mask, TRUE, TRUE);
  GBytes *b;
  CascadeModel *m;
  const CascadeArch *a;
  GError *err = NULL;
  gsize w2[4] = { 64, 32, 3, 3 }, n_nbt = 0, extra[2] = { 3, 5 };
  gchar **names, *path = NULL, *desc;
  gint fd;
  gfloat *w;
  guint i;

  /* an unknown extra tensor: allowed and ignored */
  tf_add (tf, "F32", 2, extra, "some.extra.tensor");
  b = tf_bytes (tf);
  m = load_ok (b);
  a = cascade_model_arch (m);
  g_assert_cmpuint (a->depth, ==, 50);
  g_assert_cmpuint (a->groups, ==, 2);
  g_assert_cmpuint (a->base_width, ==, 4);
  g_assert_cmpuint (a->rpn_channels, ==, 12);
  g_assert_cmpuint (a->mask_channels, ==, 6);
  names = cascade_model_tensor_names (m);
  g_assert_cmpuint (g_strv_length (names), ==, tf->n_tensors);
  for (i = 0; names[i]; i++)
    n_nbt += g_str_has_suffix (names[i], ".num_batches_tracked");
  g_strfreev (names);
  g_assert_cmpuint (n_nbt, ==, 53);     /* 1 + 16 * 3 + 4 BNs */
  g_assert_cmpuint (cascade_model_n_unused (m), ==, n_nbt + 1);
  g_assert_cmpuint (n_expected (a) + n_nbt + 1, ==, tf->n_tensors);
  g_assert_cmpstr (cascade_model_dtype (m, "backbone.bn1."
          "num_batches_tracked"), ==, "I64");

  /* the grouped conv of stage 4: width 4 * 8 * 2 = 64, 32 per group */
  w = cascade_model_read_f32 (m, "backbone.layer4.2.conv2.weight", 4, w2,
      &err);
  g_assert_no_error (err);
  for (i = 0; i < 64 * 32 * 9; i++)
    g_assert_cmpfloat (w[i], ==, 1.0f + (gfloat) (i % 17) / 1024.0f);
  g_free (w);
  g_assert_null (cascade_model_read_f32 (m, "backbone.bn1."
          "num_batches_tracked", 0, NULL, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_UNSUPPORTED);
  g_clear_error (&err);
  desc = cascade_model_describe (m);
  g_assert_nonnull (strstr (desc, "ResNeXt-50-2x4d"));
  g_assert_nonnull (strstr (desc, "F16"));
  g_free (desc);
  cascade_model_free (m);

  /* the same through a file on disk */
  fd = g_file_open_tmp ("test-model-XXXXXX.safetensors", &path, &err);
  g_assert_no_error (err);
  close (fd);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (b, NULL),
          (gssize) g_bytes_get_size (b), &err));
  g_assert_no_error (err);
  m = cascade_model_load (path, &err);
  g_assert_no_error (err);
  g_assert_cmpstr (cascade_model_path (m), ==, path);
  g_assert_cmpuint (cascade_model_n_tensors (m), ==, tf->n_tensors);
  cascade_model_free (m);

  /* truncated on disk, inside the data */
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (b, NULL),
          (gssize) g_bytes_get_size (b) - 10, &err));
  g_assert_null (cascade_model_load (path, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "run past the end of the data"));
  g_clear_error (&err);
  g_unlink (path);
  g_free (path);

  g_bytes_unref (b);
  tf_free (tf);
}

static void
test_files (void)
{
  GError *err = NULL;
  gchar *dir;

  g_assert_null (cascade_model_load ("/nonexistent/x.safetensors", &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "/nonexistent/x.safetensors: "
          "cannot read"));
  g_clear_error (&err);

  dir = g_dir_make_tmp ("test-model-XXXXXX", &err);
  g_assert_no_error (err);
  g_assert_null (cascade_model_load (dir, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
  g_assert_nonnull (strstr (err->message, "directory"));
  g_clear_error (&err);
  g_rmdir (dir);
  g_free (dir);

  if (g_file_test ("/dev/null", G_FILE_TEST_EXISTS)) {
    g_assert_null (cascade_model_load ("/dev/null", &err));
    g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_MODEL);
    g_assert_nonnull (strstr (err->message, "not a regular file"));
    g_clear_error (&err);
  }
}

/* ------------------------------------------------------------------------
 * damaged files
 * --------------------------------------------------------------------- */

static void
test_truncated (void)
{
  TF *tf = tf_model (&r18_mask, FALSE, FALSE);
  GBytes *b = tf_bytes (tf), *t;
  gsize size = g_bytes_get_size (b);
  const guint8 *raw = g_bytes_get_data (b, NULL);
  gsize hlen = raw[0] | raw[1] << 8 | raw[2] << 16, cuts[6], i;

  /* inside the length */
  cuts[0] = 0;
  cuts[1] = 3;
  cuts[2] = 7;
  for (i = 0; i < 3; i++) {
    t = g_bytes_new_from_bytes (b, 0, cuts[i]);
    expect_fail (t, CASCADE_ERROR_MODEL, "too short");
    g_bytes_unref (t);
  }
  /* inside the header */
  cuts[3] = 8;
  cuts[4] = 8 + hlen / 2;
  cuts[5] = 8 + hlen - 1;
  for (i = 3; i < 6; i++) {
    t = g_bytes_new_from_bytes (b, 0, cuts[i]);
    expect_fail (t, CASCADE_ERROR_MODEL, "runs past the end of the file");
    g_bytes_unref (t);
  }
  /* right after the header, inside the data, one byte short */
  cuts[0] = 8 + hlen;
  cuts[1] = 8 + hlen + (size - 8 - hlen) / 2;
  cuts[2] = size - 1;
  for (i = 0; i < 3; i++) {
    t = g_bytes_new_from_bytes (b, 0, cuts[i]);
    expect_fail (t, CASCADE_ERROR_MODEL, "run past the end of the data");
    g_bytes_unref (t);
  }
  g_bytes_unref (b);
  tf_free (tf);
}

static void
set_header_length (GBytes * b, guint64 v, GBytes ** out)
{
  gsize size;
  guint8 *copy = g_memdup2 (g_bytes_get_data (b, &size),
      g_bytes_get_size (b));
  guint i;
  for (i = 0; i < 8; i++)
    copy[i] = (guint8) (v >> (8 * i));
  *out = g_bytes_new_take (copy, size);
}

static void
test_header_length (void)
{
  TF *tf = tf_model (&r18_box, FALSE, FALSE);
  GBytes *b = tf_bytes (tf), *t;
  gsize size = g_bytes_get_size (b);

  set_header_length (b, size - 8 + 1, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "runs past the end of the file");
  g_bytes_unref (t);
  set_header_length (b, G_MAXUINT64, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "100 MiB");
  g_bytes_unref (t);
  set_header_length (b, 100u * 1024 * 1024 + 1, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "100 MiB");
  g_bytes_unref (t);
  /* shorter than the JSON: the header is cut */
  set_header_length (b, 100, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "not valid JSON");
  g_bytes_unref (t);
  set_header_length (b, 0, &t);
  expect_fail (t, CASCADE_ERROR_MODEL, "header is empty");
  g_bytes_unref (t);
  g_bytes_unref (b);
  tf_free (tf);
}

static void
test_header_json (void)
{
  static const guint8 bad_utf8[] = "{\"a\xff\": 1}";
  GBytes *b;
  GString *deep;
  guint i;

  b = raw_file ((const gchar *) bad_utf8, sizeof bad_utf8 - 1, NULL, 0);
  expect_fail (b, CASCADE_ERROR_MODEL, "not valid UTF-8");
  g_bytes_unref (b);
  /* an overlong encoding and a NUL byte are invalid too */
  b = raw_file ("{\"\xc0\xaf\": 1}", 9, NULL, 0);
  expect_fail (b, CASCADE_ERROR_MODEL, "not valid UTF-8");
  g_bytes_unref (b);
  b = raw_file ("{}\0  ", 5, NULL, 0);
  expect_fail (b, CASCADE_ERROR_MODEL, "not valid UTF-8");
  g_bytes_unref (b);

  expect_raw_fail ("{\"a\": {\"dtype\": \"F32\",", CASCADE_ERROR_MODEL,
      "header is not valid JSON");
  expect_raw_fail ("{\"a\": 1,}", CASCADE_ERROR_MODEL, "not valid JSON");
  expect_raw_fail ("[1, 2]", CASCADE_ERROR_MODEL, "header is not a JSON "
      "object");
  expect_raw_fail ("\"text\"", CASCADE_ERROR_MODEL, "not a JSON object");
  expect_raw_fail ("42", CASCADE_ERROR_MODEL, "not a JSON object");
  expect_raw_fail ("   ", CASCADE_ERROR_MODEL, "header is empty");
  expect_raw_fail ("var x = {}", CASCADE_ERROR_MODEL, "not valid JSON");
  /* an empty object: no tensors, no metadata */
  expect_raw_fail ("{}", CASCADE_ERROR_MODEL, "no __metadata__");
  expect_raw_fail ("{\"__metadata__\": [1]}", CASCADE_ERROR_MODEL,
      "__metadata__ is not a JSON object");

  deep = g_string_new ("{\"a\": ");
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (i = 0; i < 100000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  expect_raw_fail (deep->str, CASCADE_ERROR_MODEL, "nested more than");
  g_string_free (deep, TRUE);
}

static void
test_entries (void)
{
  static const gchar *name = "neck.fpn_convs.0.conv.bias";
  static const gchar *other = "neck.fpn_convs.1.conv.bias";
  gsize s9[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 8 }, s2[2] = { 2, 4 };
  gsize big[2] = { (gsize) 1 << 40, (gsize) 1 << 40 }, one[1] = { 9 };
  gsize s0[2] = { 0, 8 };
  JsonObject *e;
  JsonArray *a;
  TF *tf;
  gint64 b0;

  /* dtypes */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (entry (tf, name), "dtype", "I64");
  expect_tf_fail (tf, CASCADE_ERROR_UNSUPPORTED,
      "tensor neck.fpn_convs.0.conv.bias has dtype I64");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (entry (tf, name), "dtype", "BF16");
  expect_tf_fail (tf, CASCADE_ERROR_UNSUPPORTED, "has dtype BF16");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (entry (tf, name), "dtype", "Q4_0");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "has unknown dtype \"Q4_0\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_int_member (entry (tf, name), "dtype", 4);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"dtype\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_int_member (tf->header, name, 4);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "entry is not a JSON object");

  /* shapes */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 1, one);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "hold 32 bytes but shape [9] of "
      "F32 needs 36");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 9, s9);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "has 9 dimensions");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 2, big);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overflows");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  big[0] = (gsize) 1 << 62;
  big[1] = 1;
  set_shape (tf, name, 2, big);         /* numel fits, bytes do not */
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overflows");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 2, s0);          /* 0 elements in 32 bytes */
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "needs 0");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_array_new ();
  json_array_add_int_element (a, -8);
  json_object_set_array_member (entry (tf, name), "shape", a);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a non-negative integer");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_array_new ();
  json_array_add_double_element (a, 8.0);
  json_object_set_array_member (entry (tf, name), "shape", a);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a non-negative integer");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (entry (tf, name), "shape");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"shape\" array");

  /* offsets */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, (gint64) tf->data->len - 16,
      (gint64) tf->data->len + 16);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "run past the end of the data");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, G_MAXINT64 - 31, G_MAXINT64);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "run past the end of the data");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, 64, 32);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a valid range");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_offsets (tf, name, -32, 0);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "not a valid range");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (entry (tf, name), "data_offsets");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"data_offsets\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_array_new ();
  json_array_add_int_element (a, 0);
  json_object_set_array_member (entry (tf, name), "data_offsets", a);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"data_offsets\"");
  /* overlaps: two tensors on the same bytes, or shifted by 4 */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  e = entry (tf, other);
  a = json_object_get_array_member (e, "data_offsets");
  b0 = json_array_get_int_element (a, 0);
  set_offsets (tf, name, b0, b0 + 32);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overlap");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  a = json_object_get_array_member (entry (tf, other), "data_offsets");
  b0 = json_array_get_int_element (a, 0);
  set_offsets (tf, name, b0 + 28, b0 + 60);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "overlap");
  /* an empty tensor inside another one's bytes is no overlap */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  {
    GBytes *b;
    CascadeModel *m;
    a = json_object_get_array_member (entry (tf, other), "data_offsets");
    b0 = json_array_get_int_element (a, 0);
    tf_add (tf, "F32", 2, s0, "extra.empty");
    set_offsets (tf, "extra.empty", b0 + 4, b0 + 4);
    b = tf_bytes (tf);
    m = load_ok (b);
    g_assert_cmpuint (cascade_model_n_unused (m), ==, 1);
    cascade_model_free (m);
    g_bytes_unref (b);
    tf_free (tf);
  }

  /* a needed tensor: missing, wrong shape (same byte size) */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (tf->header, "backbone.layer2.0.conv1.weight");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "tensor backbone.layer2.0.conv1."
      "weight is missing (needed for ResNet-18 with base_channels 8)");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (tf->header, "roi_head.mask_head.2."
      "conv_logits.bias");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "conv_logits.bias is missing "
      "(needed for the mask head of cascade stage 3)");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (tf->header, "rpn_head.rpn_conv.weight");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "rpn_head.rpn_conv.weight is "
      "missing (needed for the RPN head)");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  set_shape (tf, name, 2, s2);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "tensor neck.fpn_convs.0.conv."
      "bias has shape [2, 4], expected [8]");
  /* the box model misses the mask head, so it is no mask model */
  tf = tf_model (&r18_box, FALSE, FALSE);
  json_object_set_boolean_member (tf->arch, "with_mask", TRUE);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "roi_head.mask_head.0.convs.0."
      "conv.weight is missing");
  /* depth 18 tensors declared as depth 34 */
  tf = tf_model (&r18_box, FALSE, FALSE);
  json_object_set_int_member (json_object_get_object_member (tf->arch,
          "backbone"), "depth", 34);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "backbone.layer1.2.conv1.weight "
      "is missing (needed for ResNet-34");
  /* fc_cls sized for another number of classes */
  tf = tf_model (&r18_box, FALSE, FALSE);
  {
    JsonArray *cls = json_object_get_array_member (tf->arch, "classes");
    json_array_add_string_element (cls, "extra");
    json_object_set_int_member (tf->arch, "num_classes", 3);
  }
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "roi_head.bbox_head.0.fc_cls."
      "weight has shape [3, 16], expected [4, 16]");
}

static void
set_arch_member (TF * tf, const gchar * section, const gchar * key,
    JsonNode * value)
{
  JsonObject *o = tf->arch;
  if (section) {
    if (!json_object_has_member (o, section))
      json_object_set_object_member (o, section, json_object_new ());
    o = json_object_get_object_member (o, section);
  }
  json_object_set_member (o, key, value);
}

static JsonNode *
int_node (gint64 v)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (n, v);
  return n;
}

static JsonNode *
str_node (const gchar * v)
{
  JsonNode *n = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (n, v);
  return n;
}

static JsonNode *
array_node (guint n, const gdouble * v)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, numbers (n, v));
  return node;
}

static void
arch_case (const gchar * section, const gchar * key, JsonNode * value,
    gint code, const gchar * phrase)
{
  TF *tf = tf_model (&r18_mask, FALSE, FALSE);
  if (key)
    set_arch_member (tf, section, key, value);
  else
    json_object_remove_member (tf->arch, section);
  expect_tf_fail (tf, code, phrase);
}

static void
test_metadata (void)
{
  static const gdouble scales4[] = { 4 }, ratios[] = { 1.0 };
  static const gdouble strides[] = { 8, 16, 32, 64, 128 };
  static const gdouble big_scale[] = { 9000, 800 }, std0[] = { 58, 0, 57 };
  static const gdouble bad_stds[] = { 0.1, 0.1, 0.2, 0.2 };
  TF *tf;

  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_unref (tf->meta);
  tf->meta = NULL;
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no __metadata__");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_remove_member (tf->meta, "format");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "has no \"format\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (tf->meta, "format", "pt");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "format is \"pt\", expected "
      "\"gst-cascade\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (tf->meta, "format_version", "2");
  expect_tf_fail (tf, CASCADE_ERROR_UNSUPPORTED, "format_version 2 is newer");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_string_member (tf->meta, "format_version", "one");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "format_version is \"one\"");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_set_int_member (tf->meta, "format_version", 1);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"format_version\" string");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_unref (tf->arch);
  tf->arch = NULL;
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "no \"cascade\" string");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_unref (tf->arch);
  tf->arch = NULL;
  json_object_set_string_member (tf->meta, "cascade", "{\"with_mask\": tr");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "architecture metadata is not "
      "valid JSON");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_object_unref (tf->arch);
  tf->arch = NULL;
  json_object_set_string_member (tf->meta, "cascade", "[]");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "architecture metadata is not a "
      "JSON object");

  /* classes */
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_array_add_string_element (json_object_get_array_member (tf->arch,
          "classes"), "extra");
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "classes has 3 names but "
      "num_classes is 2");
  tf = tf_model (&r18_mask, FALSE, FALSE);
  json_array_remove_element (json_object_get_array_member (tf->arch,
          "classes"), 1);
  json_array_add_int_element (json_object_get_array_member (tf->arch,
          "classes"), 7);
  expect_tf_fail (tf, CASCADE_ERROR_MODEL, "classes has an entry that is "
      "not a string");
  arch_case ("classes", NULL, NULL, CASCADE_ERROR_MODEL, "classes is "
      "missing");
  arch_case (NULL, "num_classes", int_node (0), CASCADE_ERROR_MODEL,
      "num_classes is 0, outside 1..10000");
  arch_case (NULL, "num_classes", str_node ("2"), CASCADE_ERROR_MODEL,
      "num_classes is not an integer");
  arch_case ("with_mask", NULL, NULL, CASCADE_ERROR_MODEL, "with_mask is "
      "missing");
  arch_case (NULL, "with_mask", int_node (1), CASCADE_ERROR_MODEL,
      "with_mask is not true/false");
  arch_case (NULL, "detector", str_node ("FasterRCNN"),
      CASCADE_ERROR_UNSUPPORTED, "detector is not CascadeRCNN");

  /* backbone */
  arch_case ("backbone", "depth", int_node (42), CASCADE_ERROR_UNSUPPORTED,
      "backbone.depth is 42; gst-cascade runs ResNet depths");
  arch_case ("backbone", "depth", int_node (-50), CASCADE_ERROR_UNSUPPORTED,
      "backbone.depth");
  arch_case ("backbone", "groups", int_node (0), CASCADE_ERROR_MODEL,
      "backbone.groups is 0");
  arch_case ("backbone", "groups", int_node (32), CASCADE_ERROR_UNSUPPORTED,
      "ResNeXt needs depth >= 50");
  arch_case ("backbone", "style", str_node ("keras"),
      CASCADE_ERROR_UNSUPPORTED, "backbone.style is neither");
  arch_case ("backbone", "type", str_node ("VGG"), CASCADE_ERROR_UNSUPPORTED,
      "backbone.type is \"VGG\"");
  arch_case ("backbone", "base_channels", int_node (0), CASCADE_ERROR_MODEL,
      "backbone.base_channels is 0");
  arch_case ("backbone", NULL, NULL, CASCADE_ERROR_MODEL,
      "backbone is missing");
  arch_case (NULL, "backbone", int_node (1), CASCADE_ERROR_MODEL,
      "backbone is not a JSON object");
  arch_case ("neck", "out_channels", int_node (70000), CASCADE_ERROR_MODEL,
      "neck.out_channels is 70000");
  arch_case ("neck", "num_outs", int_node (6), CASCADE_ERROR_UNSUPPORTED,
      "neck.num_outs must be 5");

  /* anchors and heads */
  arch_case ("rpn", "anchor_scales", array_node (1, scales4),
      CASCADE_ERROR_UNSUPPORTED, "rpn.anchor_scales must be [8]");
  arch_case ("rpn", "anchor_ratios", array_node (1, ratios),
      CASCADE_ERROR_UNSUPPORTED, "rpn.anchor_ratios");
  arch_case ("rpn", "strides", array_node (5, strides),
      CASCADE_ERROR_UNSUPPORTED, "rpn.strides");
  arch_case ("rpn", "target_stds", array_node (4, bad_stds),
      CASCADE_ERROR_UNSUPPORTED, "rpn.target_stds");
  arch_case ("rpn", "feat_channels", int_node (16), CASCADE_ERROR_MODEL,
      "metadata says rpn.feat_channels is 16 but tensor "
      "rpn_head.rpn_conv.weight has 8");
  arch_case ("roi_head", "fc_out_channels", int_node (1024),
      CASCADE_ERROR_MODEL, "roi_head.fc_out_channels is 1024 but");
  arch_case ("mask_head", "conv_channels", int_node (256),
      CASCADE_ERROR_MODEL, "mask_head.conv_channels is 256 but");
  arch_case ("roi_head", "num_stages", int_node (2),
      CASCADE_ERROR_UNSUPPORTED, "roi_head.num_stages must be 3");
  arch_case ("roi_head", "num_shared_fcs", int_node (4),
      CASCADE_ERROR_UNSUPPORTED, "num_shared_fcs must be 2");
  arch_case ("roi_head", "target_stds", array_node (4, bad_stds),
      CASCADE_ERROR_MODEL, "roi_head.target_stds is not 3 lists");
  arch_case ("roi_head", "score_thr", int_node (2), CASCADE_ERROR_MODEL,
      "roi_head.score_thr is 2, outside");
  arch_case ("mask_head", "roi_size", int_node (7),
      CASCADE_ERROR_UNSUPPORTED, "mask_head.roi_size must be 14");

  /* preprocessing */
  arch_case ("preprocess", "test_scale", array_node (2, big_scale),
      CASCADE_ERROR_MODEL, "test_scale must hold two integers from 1 to "
      "8192");
  arch_case ("preprocess", "std", array_node (3, std0), CASCADE_ERROR_MODEL,
      "preprocess.std must hold three non-zero numbers");
  arch_case ("preprocess", "mean", array_node (2, std0), CASCADE_ERROR_MODEL,
      "preprocess.mean is not an array of 3 numbers");
  arch_case ("preprocess", "pad_size_divisor", int_node (0),
      CASCADE_ERROR_MODEL, "pad_size_divisor is 0");
}

/* ------------------------------------------------------------------------
 * layout and F16
 * --------------------------------------------------------------------- */

static const CascadeTensorSpec *
find_spec (GPtrArray * specs, const gchar * name)
{
  guint i;
  for (i = 0; i < specs->len; i++) {
    const CascadeTensorSpec *s = g_ptr_array_index (specs, i);
    if (!strcmp (s->name, name))
      return s;
  }
  return NULL;
}

static void
assert_spec (GPtrArray * specs, const gchar * name, guint ndim, gsize d0,
    gsize d1, gsize d2, gsize d3)
{
  const CascadeTensorSpec *s = find_spec (specs, name);
  gsize want[4] = { d0, d1, d2, d3 };
  if (!s)
    g_error ("%s not expected", name);
  g_assert_cmpuint (s->ndim, ==, ndim);
  g_assert_cmpmem (s->shape, ndim * sizeof (gsize), want,
      ndim * sizeof (gsize));
}

static void
test_layout_zoo (void)
{
  /* the zoo's R-50 and X-101-32x4d with mmdetection's shapes */
  CascadeArch a = { 0 };
  GPtrArray *s;

  a.with_mask = TRUE;
  a.num_classes = 80;
  a.depth = 50;
  a.groups = 1;
  a.base_width = 4;
  a.base_channels = 64;
  a.fpn_channels = 256;
  a.rpn_channels = 256;
  a.num_stages = 3;
  a.roi_size = 7;
  a.fc_channels = 1024;
  a.mask_channels = 256;
  a.mask_num_convs = 4;
  s = cascade_arch_expected_tensors (&a);
  /* backbone 5 + 16 * 15 + 4 * 5, FPN 16, RPN 6, 3 * 8 box, 3 * 12 mask */
  g_assert_cmpuint (s->len, ==, 265 + 16 + 6 + 24 + 36);
  assert_spec (s, "backbone.conv1.weight", 4, 64, 3, 7, 7);
  assert_spec (s, "backbone.layer1.0.downsample.0.weight", 4, 256, 64, 1, 1);
  assert_spec (s, "backbone.layer1.0.downsample.1.running_var", 1, 256, 0, 0,
      0);
  assert_spec (s, "backbone.layer3.5.conv2.weight", 4, 256, 256, 3, 3);
  assert_spec (s, "backbone.layer4.0.downsample.0.weight", 4, 2048, 1024, 1,
      1);
  g_assert_null (find_spec (s, "backbone.layer4.1.downsample.0.weight"));
  assert_spec (s, "neck.lateral_convs.3.conv.weight", 4, 256, 2048, 1, 1);
  assert_spec (s, "rpn_head.rpn_cls.weight", 4, 3, 256, 1, 1);
  assert_spec (s, "rpn_head.rpn_reg.bias", 1, 12, 0, 0, 0);
  assert_spec (s, "roi_head.bbox_head.2.shared_fcs.0.weight", 2, 1024,
      12544, 0, 0);
  assert_spec (s, "roi_head.bbox_head.1.fc_cls.weight", 2, 81, 1024, 0, 0);
  assert_spec (s, "roi_head.bbox_head.0.fc_reg.weight", 2, 4, 1024, 0, 0);
  assert_spec (s, "roi_head.mask_head.1.upsample.weight", 4, 256, 256, 2, 2);
  assert_spec (s, "roi_head.mask_head.2.conv_logits.weight", 4, 80, 256, 1,
      1);
  g_ptr_array_unref (s);

  a.depth = 101;
  a.groups = 32;
  a.with_mask = FALSE;
  s = cascade_arch_expected_tensors (&a);
  g_assert_cmpuint (s->len, ==, 5 + 33 * 15 + 4 * 5 + 16 + 6 + 24);
  assert_spec (s, "backbone.layer1.0.conv2.weight", 4, 128, 4, 3, 3);
  assert_spec (s, "backbone.layer3.22.conv1.weight", 4, 512, 1024, 1, 1);
  assert_spec (s, "backbone.layer4.2.conv2.weight", 4, 1024, 32, 3, 3);
  assert_spec (s, "backbone.layer4.2.conv3.weight", 4, 2048, 1024, 1, 1);
  g_assert_null (find_spec (s, "roi_head.mask_head.0.upsample.weight"));
  g_ptr_array_unref (s);

  /* ResNet-34: BasicBlock, no downsample in stage 1 */
  a.depth = 34;
  a.groups = 1;
  s = cascade_arch_expected_tensors (&a);
  g_assert_cmpuint (s->len, ==, 5 + 16 * 10 + 3 * 5 + 16 + 6 + 24);
  g_assert_null (find_spec (s, "backbone.layer1.0.downsample.0.weight"));
  assert_spec (s, "backbone.layer2.0.downsample.0.weight", 4, 128, 64, 1, 1);
  assert_spec (s, "neck.lateral_convs.0.conv.weight", 4, 256, 64, 1, 1);
  g_ptr_array_unref (s);
}

/* the exact value of half h, from its definition */
static gdouble
half_reference (guint16 h)
{
  gint e = (h >> 10) & 0x1f, mant = h & 0x3ff;
  gdouble v = e == 0 ? ldexp (mant, -24) : ldexp (1024 + mant, e - 25);
  return (h & 0x8000) ? -v : v;
}

static void
test_f16 (void)
{
  static const struct
  {
    guint16 h;
    gfloat f;
  } known[] = {
    {0x0000, 0.0f}, {0x3c00, 1.0f}, {0xc000, -2.0f}, {0x3555, 0.333251953125f},
    {0x7bff, 65504.0f}, {0x0400, 6.103515625e-05f},
    {0x0001, 5.9604644775390625e-08f}, {0x03ff, 6.097555160522461e-05f},
    {0x8001, -5.9604644775390625e-08f}, {0x3bff, 0.99951171875f},
  };
  static const guint16 more[] = { 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x0200,
    0x8200
  };
  guint32 h, bits;
  guint i;
  gfloat f;
  TF *tf;
  GBytes *b;
  CascadeModel *m;
  gsize shape[1] = { 16 };
  gfloat *v;
  GError *err = NULL;
  guint8 *p;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    g_assert_cmpfloat (cascade_half_to_float (known[i].h), ==, known[i].f);
  /* signed zero, infinities, NaN payload and sign */
  f = cascade_half_to_float (0x8000);
  g_assert_true (f == 0.0f && signbit (f));
  g_assert_true (isinf (cascade_half_to_float (0x7c00))
      && cascade_half_to_float (0x7c00) > 0);
  g_assert_true (isinf (cascade_half_to_float (0xfc00))
      && cascade_half_to_float (0xfc00) < 0);
  f = cascade_half_to_float (0x7e01);
  memcpy (&bits, &f, 4);
  g_assert_true (isnan (f));
  g_assert_cmphex (bits, ==, 0x7fc02000);
  f = cascade_half_to_float (0xfd00);   /* signalling NaN stays a NaN */
  memcpy (&bits, &f, 4);
  g_assert_cmphex (bits, ==, 0xffa00000);
  /* all 63488 finite values, exactly */
  for (h = 0; h < 0x10000; h++) {
    if (((h >> 10) & 0x1f) == 0x1f)
      continue;
    f = cascade_half_to_float ((guint16) h);
    if ((gdouble) f != half_reference ((guint16) h))
      g_error ("half 0x%04x -> %.10g, want %.10g", h, f,
          half_reference ((guint16) h));
  }

  /* the same through read_f32 of an F16 tensor */
  tf = tf_model (&r18_box, FALSE, FALSE);
  tf_add (tf, "F16", 1, shape, "test.halves");
  p = tf->data->data + tf->data->len - 32;
  for (i = 0; i < 16; i++) {
    guint16 v16 = i < G_N_ELEMENTS (known) ? known[i].h
        : more[i - G_N_ELEMENTS (known)];
    p[2 * i] = v16 & 0xff;
    p[2 * i + 1] = v16 >> 8;
  }
  b = tf_bytes (tf);
  m = load_ok (b);
  v = cascade_model_read_f32 (m, "test.halves", 1, shape, &err);
  g_assert_no_error (err);
  for (i = 0; i < G_N_ELEMENTS (known); i++)
    g_assert_cmpfloat (v[i], ==, known[i].f);
  g_assert_true (isinf (v[10]) && v[10] > 0);
  g_assert_true (isinf (v[11]) && v[11] < 0);
  g_assert_true (isnan (v[12]));
  g_assert_true (v[13] == 0.0f && signbit (v[13]));
  g_assert_cmpfloat (v[14], ==, 3.0517578125e-05f);     /* 2^-15 */
  g_assert_cmpfloat (v[15], ==, -3.0517578125e-05f);
  g_free (v);
  cascade_model_free (m);
  g_bytes_unref (b);
  tf_free (tf);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/valid/r18-mask", test_valid_r18_mask);
  g_test_add_func ("/model/valid/r18-box-caffe", test_valid_r18_box_caffe);
  g_test_add_func ("/model/valid/x50-f16", test_valid_x50_f16);
  g_test_add_func ("/model/files", test_files);
  g_test_add_func ("/model/bad/truncated", test_truncated);
  g_test_add_func ("/model/bad/header-length", test_header_length);
  g_test_add_func ("/model/bad/header-json", test_header_json);
  g_test_add_func ("/model/bad/entries", test_entries);
  g_test_add_func ("/model/bad/metadata", test_metadata);
  g_test_add_func ("/model/layout-zoo", test_layout_zoo);
  g_test_add_func ("/model/f16", test_f16);
  return g_test_run ();
}
