/* gst-cascade tests: the model file loader, whole files (no OpenCL
 * device needed): valid files of each kind load with every accessor right,
 * and files that cannot be read fail.  The container, the architecture and
 * the expected tensors are tested in test_safetensors.c, test_arch.c and
 * test_expected.c. */
#include "model_testutil.h"
#include "model/expected.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/valid/r18-mask", test_valid_r18_mask);
  g_test_add_func ("/model/valid/r18-box-caffe", test_valid_r18_box_caffe);
  g_test_add_func ("/model/valid/x50-f16", test_valid_x50_f16);
  g_test_add_func ("/model/files", test_files);
  return g_test_run ();
}
