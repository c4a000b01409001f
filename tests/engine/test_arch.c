/* gst-cascade tests: the architecture metadata of the model loader (no
 * OpenCL device needed): __metadata__'s format and version, and every
 * field of the architecture missing, mistyped or out of range. */
#include "model_testutil.h"

#include <string.h>

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
}

static void
test_arch (void)
{
  static const gdouble scales4[] = { 4 }, ratios[] = { 1.0 };
  static const gdouble strides[] = { 8, 16, 32, 64, 128 };
  static const gdouble big_scale[] = { 9000, 800 }, std0[] = { 58, 0, 57 };
  static const gdouble bad_stds[] = { 0.1, 0.1, 0.2, 0.2 };
  TF *tf;

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/bad/metadata", test_metadata);
  g_test_add_func ("/model/bad/arch", test_arch);
  return g_test_run ();
}
