/* gst-cascade: the architecture metadata (models/FORMAT.md), one function
 * per section of the JSON object, read in the order below; the first
 * problem found is the error. */
#include "model/arch.h"
#include "model/arch-fields.h"
#include "model/json.h"
#include "runtime/error.h"

#include <math.h>
#include <string.h>

#define MAX_CHANNELS CASCADE_ARCH_MAX_CHANNELS

/* detector, with_mask, num_classes, classes */
static gboolean
parse_detector (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  JsonNode *n;
  JsonArray *arr;
  const gchar *s;
  guint i, ncls;

  if (!cascade_arch_string (c, root, NULL, "detector", FALSE, &s))
    return FALSE;
  if (s && strcmp (s, "CascadeRCNN") != 0) {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, NULL, "detector",
        "is not CascadeRCNN");
    return FALSE;
  }
  if (!cascade_arch_bool (c, root, NULL, "with_mask", TRUE, FALSE,
          &a->with_mask)
      || !cascade_arch_uint (c, root, NULL, "num_classes", TRUE, 0, 1, 10000,
          CASCADE_ERROR_MODEL, &a->num_classes))
    return FALSE;

  n = cascade_json_member (root, "classes");
  if (!n || !JSON_NODE_HOLDS_ARRAY (n)) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, NULL, "classes",
        n ? "is not an array of names" : "is missing");
    return FALSE;
  }
  arr = json_node_get_array (n);
  ncls = json_array_get_length (arr);
  if (ncls != a->num_classes) {
    cascade_model_error (c->error, CASCADE_ERROR_MODEL, c->file,
        "architecture metadata: classes has %u names but num_classes is %u",
        ncls, a->num_classes);
    return FALSE;
  }
  a->classes = g_new0 (gchar *, ncls + 1);
  for (i = 0; i < ncls; i++) {
    JsonNode *e = json_array_get_element (arr, i);
    if (!cascade_json_is_string (e)) {
      cascade_arch_error (c, CASCADE_ERROR_MODEL, NULL, "classes",
          "has an entry that is not a string");
      return FALSE;
    }
    a->classes[i] = g_strdup (json_node_get_string (e));
  }
  return TRUE;
}

/* that the backbone's channel counts stay within MAX_CHANNELS */
static gboolean
check_backbone_channels (CascadeArchCtx * c, const CascadeArch * a)
{
  if (a->depth >= 50) {
    /* every channel count of the backbone must be sane: stage 4 has
     * base * 8 * 4 outputs and the widest grouped conv */
    guint64 out4 = (guint64) a->base_channels * 32;
    guint64 w1 = (guint64) a->base_channels * a->base_width
        / a->base_channels * a->groups;
    if (out4 > MAX_CHANNELS || w1 * 8 > MAX_CHANNELS) {
      cascade_arch_error (c, CASCADE_ERROR_MODEL, "backbone", "base_channels",
          "gives channel counts over 65535");
      return FALSE;
    }
  } else if ((guint64) a->base_channels * 8 > MAX_CHANNELS) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, "backbone", "base_channels",
        "gives channel counts over 65535");
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_backbone (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  JsonObject *bb;
  const gchar *s;

  if (!cascade_arch_section (c, root, "backbone", TRUE, &bb)
      || !cascade_arch_string (c, bb, "backbone", "type", FALSE, &s))
    return FALSE;
  if (s && strcmp (s, "ResNet") != 0 && strcmp (s, "ResNeXt") != 0) {
    gchar *what = g_strdup_printf ("is \"%s\"; gst-cascade runs ResNet and "
        "ResNeXt", s);
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "type",
        what);
    g_free (what);
    return FALSE;
  }
  if (!cascade_arch_uint (c, bb, "backbone", "depth", TRUE, 0, 0, G_MAXINT,
          CASCADE_ERROR_UNSUPPORTED, &a->depth))
    return FALSE;
  if (a->depth != 18 && a->depth != 34 && a->depth != 50 && a->depth != 101
      && a->depth != 152) {
    gchar *what = g_strdup_printf ("is %u; gst-cascade runs ResNet depths "
        "18, 34, 50, 101 and 152", a->depth);
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "depth",
        what);
    g_free (what);
    return FALSE;
  }
  if (!cascade_arch_uint (c, bb, "backbone", "groups", TRUE, 1, 1, 1024,
          CASCADE_ERROR_MODEL, &a->groups)
      || !cascade_arch_uint (c, bb, "backbone", "base_width", TRUE, 4, 1,
          1024, CASCADE_ERROR_MODEL, &a->base_width)
      || !cascade_arch_uint (c, bb, "backbone", "base_channels", FALSE, 64, 1,
          1024, CASCADE_ERROR_MODEL, &a->base_channels)
      || !cascade_arch_string (c, bb, "backbone", "style", TRUE, &s))
    return FALSE;
  if (strcmp (s, "pytorch") == 0) {
    a->caffe_style = FALSE;
  } else if (strcmp (s, "caffe") == 0) {
    a->caffe_style = TRUE;
  } else {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "style",
        "is neither \"pytorch\" nor \"caffe\"");
    return FALSE;
  }
  if (a->groups > 1 && a->depth < 50) {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "backbone", "groups",
        "is over 1 with a BasicBlock ResNet (ResNeXt needs depth >= 50)");
    return FALSE;
  }
  return check_backbone_channels (c, a);
}

static gboolean
parse_neck (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  JsonObject *neck;

  if (!cascade_arch_section (c, root, "neck", TRUE, &neck)
      || !cascade_arch_uint (c, neck, "neck", "out_channels", TRUE, 0, 1,
          MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->fpn_channels)
      || !cascade_arch_uint (c, neck, "neck", "num_outs", FALSE, 5, 0,
          G_MAXINT, CASCADE_ERROR_UNSUPPORTED, &a->num_outs))
    return FALSE;
  if (a->num_outs != 5) {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "neck", "num_outs",
        "must be 5 (P2..P6, the only setting gst-cascade runs)");
    return FALSE;
  }
  return TRUE;
}

/* the RPN; feat_channels 0 (absent): read from the tensors */
static gboolean
parse_rpn (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  static const gdouble scales[] = { 8 };
  static const gdouble ratios[] = { 0.5, 1.0, 2.0 };
  static const gdouble strides[] = { 4, 8, 16, 32, 64 };
  static const gdouble ones[] = { 1, 1, 1, 1 };
  JsonObject *rpn;

  return cascade_arch_section (c, root, "rpn", FALSE, &rpn)
      && cascade_arch_uint (c, rpn, "rpn", "feat_channels", FALSE, 0, 1,
      MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->rpn_channels)
      && cascade_arch_fixed_list (c, rpn, "rpn", "anchor_scales", 1, scales,
      "[8]")
      && cascade_arch_fixed_list (c, rpn, "rpn", "anchor_ratios", 3, ratios,
      "[0.5, 1.0, 2.0]")
      && cascade_arch_fixed_list (c, rpn, "rpn", "strides", 5, strides,
      "[4, 8, 16, 32, 64]")
      && cascade_arch_fixed_list (c, rpn, "rpn", "target_stds", 4, ones,
      "[1.0, 1.0, 1.0, 1.0]")
      && cascade_arch_uint (c, rpn, "rpn", "nms_pre", FALSE, 1000, 1, 100000,
      CASCADE_ERROR_MODEL, &a->rpn_nms_pre)
      && cascade_arch_float (c, rpn, "rpn", "nms_iou", 0.7, 0.0, 1.0,
      &a->rpn_nms_iou)
      && cascade_arch_uint (c, rpn, "rpn", "max_per_img", FALSE, 1000, 1,
      100000, CASCADE_ERROR_MODEL, &a->rpn_max_per_img)
      && cascade_arch_float (c, rpn, "rpn", "min_bbox_size", 0.0, 0.0, 1e6,
      &a->rpn_min_bbox_size);
}

/* roi_head.target_stds: the box coder's stds of each cascade stage */
static gboolean
parse_stage_stds (CascadeArchCtx * c, JsonObject * roi, CascadeArch * a)
{
  static const gdouble def_stds[3][4] = {
    {0.1, 0.1, 0.2, 0.2}, {0.05, 0.05, 0.1, 0.1},
    {0.033, 0.033, 0.067, 0.067}
  };
  JsonNode *n;
  JsonArray *arr;
  gboolean ok;
  guint i, j;

  for (i = 0; i < 3; i++)
    for (j = 0; j < 4; j++)
      a->stage_stds[i][j] = (gfloat) def_stds[i][j];
  n = cascade_json_member (roi, "target_stds");
  if (!n)
    return TRUE;
  ok = JSON_NODE_HOLDS_ARRAY (n)
      && json_array_get_length (arr = json_node_get_array (n)) == 3;
  for (i = 0; ok && i < 3; i++) {
    JsonNode *row = json_array_get_element (arr, i);
    JsonArray *r;
    ok = JSON_NODE_HOLDS_ARRAY (row)
        && json_array_get_length (r = json_node_get_array (row)) == 4;
    for (j = 0; ok && j < 4; j++) {
      JsonNode *e = json_array_get_element (r, j);
      ok = cascade_json_is_number (e) && cascade_json_number (e) > 0.0
          && cascade_json_number (e) <= 1e3;
      if (ok)
        a->stage_stds[i][j] = (gfloat) cascade_json_number (e);
    }
  }
  if (!ok) {
    cascade_arch_error (c, CASCADE_ERROR_MODEL, "roi_head", "target_stds",
        "is not 3 lists of 4 positive numbers");
    return FALSE;
  }
  return TRUE;
}

/* the cascade roi head; fc_out_channels 0 (absent): read from the
 * tensors */
static gboolean
parse_roi_head (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  JsonObject *roi;

  if (!cascade_arch_section (c, root, "roi_head", FALSE, &roi)
      || !cascade_arch_uint (c, roi, "roi_head", "num_stages", FALSE, 3, 0,
          G_MAXINT, CASCADE_ERROR_UNSUPPORTED, &a->num_stages))
    return FALSE;
  if (a->num_stages != 3) {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "roi_head",
        "num_stages", "must be 3 (the only setting gst-cascade runs)");
    return FALSE;
  }
  if (!cascade_arch_uint (c, roi, "roi_head", "roi_size", FALSE, 7, 1, 32,
          CASCADE_ERROR_MODEL, &a->roi_size)
      || !cascade_arch_uint (c, roi, "roi_head", "finest_scale", FALSE, 56,
          1, 100000, CASCADE_ERROR_MODEL, &a->finest_scale)
      || !cascade_arch_uint (c, roi, "roi_head", "fc_out_channels", FALSE, 0,
          1, MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->fc_channels)
      || !cascade_arch_uint (c, roi, "roi_head", "num_shared_fcs", FALSE, 2,
          0, G_MAXINT, CASCADE_ERROR_UNSUPPORTED, &a->num_shared_fcs))
    return FALSE;
  if (a->num_shared_fcs != 2) {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "roi_head",
        "num_shared_fcs",
        "must be 2 (Shared2FCBBoxHead, the only head gst-cascade runs)");
    return FALSE;
  }
  return parse_stage_stds (c, roi, a)
      && cascade_arch_float (c, roi, "roi_head", "score_thr", 0.05, 0.0, 1.0,
      &a->score_thr)
      && cascade_arch_float (c, roi, "roi_head", "nms_iou", 0.5, 0.0, 1.0,
      &a->nms_iou)
      && cascade_arch_uint (c, roi, "roi_head", "max_per_img", FALSE, 100, 1,
      10000, CASCADE_ERROR_MODEL, &a->max_per_img);
}

/* the mask head: only read with with_mask (FORMAT.md: absent otherwise);
 * conv_channels 0 (absent): read from the tensors */
static gboolean
parse_mask_head (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  JsonObject *mask;

  a->mask_num_convs = 4;
  a->mask_roi_size = 14;
  a->mask_thr = 0.5f;
  if (!a->with_mask)
    return TRUE;
  if (!cascade_arch_section (c, root, "mask_head", FALSE, &mask)
      || !cascade_arch_uint (c, mask, "mask_head", "conv_channels", FALSE, 0,
          1, MAX_CHANNELS, CASCADE_ERROR_MODEL, &a->mask_channels)
      || !cascade_arch_uint (c, mask, "mask_head", "num_convs", FALSE, 4, 1,
          16, CASCADE_ERROR_MODEL, &a->mask_num_convs)
      || !cascade_arch_uint (c, mask, "mask_head", "roi_size", FALSE, 14, 0,
          G_MAXINT, CASCADE_ERROR_UNSUPPORTED, &a->mask_roi_size)
      || !cascade_arch_float (c, mask, "mask_head", "mask_thr_binary", 0.5,
          0.0, 1.0, &a->mask_thr))
    return FALSE;
  if (a->mask_roi_size != 14) {
    cascade_arch_error (c, CASCADE_ERROR_UNSUPPORTED, "mask_head", "roi_size",
        "must be 14 (28x28 masks, the only setting gst-cascade runs)");
    return FALSE;
  }
  return TRUE;
}

/* preprocessing; the defaults follow the style (FORMAT.md) */
static gboolean
parse_preprocess (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  JsonObject *pre;
  gdouble v[4];
  gboolean present;
  guint i;

  if (!cascade_arch_section (c, root, "preprocess", FALSE, &pre))
    return FALSE;
  a->test_scale[0] = 1333;
  a->test_scale[1] = 800;
  if (!cascade_arch_numbers (c, pre, "preprocess", "test_scale", 2, v,
          &present))
    return FALSE;
  if (present) {
    for (i = 0; i < 2; i++) {
      if (v[i] != floor (v[i]) || v[i] < 1 || v[i] > 8192) {
        cascade_arch_error (c, CASCADE_ERROR_MODEL, "preprocess",
            "test_scale", "must hold two integers from 1 to 8192");
        return FALSE;
      }
    }
    /* mmdetection's keep-ratio rescale takes max/min of the scale */
    a->test_scale[0] = (guint) MAX (v[0], v[1]);
    a->test_scale[1] = (guint) MIN (v[0], v[1]);
  }
  if (a->caffe_style) {
    a->mean[0] = 103.53f;
    a->mean[1] = 116.28f;
    a->mean[2] = 123.675f;
    a->std[0] = a->std[1] = a->std[2] = 1.0f;
  } else {
    a->mean[0] = 123.675f;
    a->mean[1] = 116.28f;
    a->mean[2] = 103.53f;
    a->std[0] = 58.395f;
    a->std[1] = 57.12f;
    a->std[2] = 57.375f;
  }
  if (!cascade_arch_numbers (c, pre, "preprocess", "mean", 3, v, &present))
    return FALSE;
  for (i = 0; present && i < 3; i++)
    a->mean[i] = (gfloat) v[i];
  if (!cascade_arch_numbers (c, pre, "preprocess", "std", 3, v, &present))
    return FALSE;
  for (i = 0; present && i < 3; i++) {
    if (v[i] == 0.0 || fabs (v[i]) < 1e-6 || fabs (v[i]) > 1e6) {
      cascade_arch_error (c, CASCADE_ERROR_MODEL, "preprocess", "std",
          "must hold three non-zero numbers");
      return FALSE;
    }
    a->std[i] = (gfloat) v[i];
  }
  return cascade_arch_bool (c, pre, "preprocess", "to_rgb", FALSE,
      !a->caffe_style, &a->to_rgb)
      && cascade_arch_uint (c, pre, "preprocess", "pad_size_divisor", FALSE,
      32, 1, 1024, CASCADE_ERROR_MODEL, &a->pad_divisor);
}

/* the architecture object (the parsed `cascade` string) */
static gboolean
parse_arch (CascadeArchCtx * c, JsonObject * root, CascadeArch * a)
{
  return parse_detector (c, root, a)
      && parse_backbone (c, root, a)
      && parse_neck (c, root, a)
      && parse_rpn (c, root, a)
      && parse_roi_head (c, root, a)
      && parse_mask_head (c, root, a)
      && parse_preprocess (c, root, a);
}

gboolean
cascade_arch_parse (const gchar * file, const gchar * text,
    CascadeArch * arch, GError ** error)
{
  CascadeArchCtx ctx = { file, error };
  JsonNode *root;
  const gchar *bad;
  gboolean ok;

  memset (arch, 0, sizeof *arch);
  if (!g_utf8_validate (text, -1, &bad)) {
    cascade_model_error (error, CASCADE_ERROR_MODEL, file,
        "architecture metadata is not valid UTF-8");
    return FALSE;
  }
  root = cascade_json_parse_object (file, text, strlen (text),
      "architecture metadata", error);
  if (!root)
    return FALSE;
  ok = parse_arch (&ctx, json_node_get_object (root), arch);
  json_node_unref (root);
  if (!ok)
    cascade_arch_clear (arch);
  return ok;
}

void
cascade_arch_clear (CascadeArch * arch)
{
  g_strfreev (arch->classes);
  arch->classes = NULL;
}

gchar *
cascade_arch_backbone_name (const CascadeArch * arch)
{
  if (arch->groups > 1)
    return g_strdup_printf ("ResNeXt-%u-%ux%ud", arch->depth, arch->groups,
        arch->base_width);
  return g_strdup_printf ("ResNet-%u", arch->depth);
}
