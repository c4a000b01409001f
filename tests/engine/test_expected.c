/* gst-cascade tests: the tensors an architecture needs (no OpenCL device
 * needed): the table against the zoo's shapes, and files that miss a
 * needed tensor or hold it in another shape. */
#include "model_testutil.h"
#include "model/expected.h"

#include <string.h>

static void
test_needed (void)
{
  static const gchar *name = "neck.fpn_convs.0.conv.bias";
  gsize s2[2] = { 2, 4 };
  TF *tf;

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

/* ------------------------------------------------------------------------
 * the table of expected tensors
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
int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/bad/needed", test_needed);
  g_test_add_func ("/model/layout-zoo", test_layout_zoo);
  return g_test_run ();
}
