/* cascade-run: runs a model on one image and prints the detections as JSON
 * (the format of mmdetection-reference's expected files), optionally with
 * every intermediate tensor saved for comparison with a reference. */
#include "image.h"
#include "engine-private.h"
#include "capture.h"
#include "rle.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gchar *device, *capture_path, *input_tensor, *input_size;
static gdouble score_thr = -1;
static gboolean no_masks;
static gint num_stages;
static gchar *mask_boxes;

static GOptionEntry entries[] = {
  {"device", 'd', 0, G_OPTION_ARG_STRING, &device, "OpenCL device spec",
      "SPEC"},
  {"capture", 'c', 0, G_OPTION_ARG_FILENAME, &capture_path,
      "Save intermediate tensors to this safetensors file", "FILE"},
  {"input-tensor", 'i', 0, G_OPTION_ARG_FILENAME, &input_tensor,
      "Run the network from this raw float32 [1,3,PH,PW] input (e.g. "
        "mmdetection's) instead of preprocessing the image", "FILE"},
  {"input-size", 's', 0, G_OPTION_ARG_STRING, &input_size,
      "Network input size LONGxSHORT (default: the model's)", "WxH"},
  {"score-threshold", 't', 0, G_OPTION_ARG_DOUBLE, &score_thr,
      "Score threshold (default: the model's, 0.05)", "T"},
  {"no-masks", 0, 0, G_OPTION_ARG_NONE, &no_masks, "Skip the mask heads",
      NULL},
  {"mask-boxes", 0, 0, G_OPTION_ARG_FILENAME, &mask_boxes,
      "With --input-tensor and --capture: also run the mask heads alone on "
        "these detections (raw float32 rows x1,y1,x2,y2,label in network "
        "input coordinates) and capture mask.given_boxes_probs", "FILE"},
  {"num-stages", 'n', 0, G_OPTION_ARG_INT, &num_stages,
      "Cascade stages used, 1..3 (default: all)", "N"},
  {NULL}
};

static void
add_float_array (JsonBuilder * b, const gfloat * v, guint n)
{
  guint i;
  json_builder_begin_array (b);
  for (i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

/* the mask heads alone on the --mask-boxes rows, into the capture as
 * mask.given_boxes_probs */
static gboolean
capture_given_masks (CascadeEngine * e, const gfloat * input,
    const CascadeResizeInfo * info, CascadeCapture * cap, GError ** error)
{
  gchar *rows;
  gsize nb, k;
  guint nd;
  gfloat *boxes, *probs;
  gint *labels;
  gboolean ok;

  if (!g_file_get_contents (mask_boxes, &rows, &nb, error))
    return FALSE;
  nd = nb / (5 * sizeof (gfloat));
  boxes = g_new (gfloat, 4 * nd + 1);
  labels = g_new (gint, nd + 1);
  probs = g_new (gfloat, (gsize) nd * 784 + 1);
  for (k = 0; k < nd; k++) {
    const gfloat *row = (const gfloat *) rows + 5 * k;
    memcpy (boxes + 4 * k, row, 4 * sizeof (gfloat));
    labels[k] = (gint) row[4];
  }
  ok = cascade_engine_mask_probs (e, input, info, boxes, labels, nd, probs,
      error);
  if (ok)
    cascade_capture_put_host (cap, "mask.given_boxes_probs", probs, 3,
        CASCADE_SHAPE (nd, 28, 28));
  g_free (rows);
  g_free (boxes);
  g_free (labels);
  g_free (probs);
  return ok;
}

/* --input-tensor: the network from mmdetection's preprocessed input */
static CascadeResult *
run_input_tensor (CascadeEngine * e, const CascadeFrame * frame,
    const CascadeDetectParams * p, CascadeCapture * cap, GError ** error)
{
  CascadeResizeInfo info;
  CascadeResult *r;
  gchar *data;
  gsize n;
  guint ls, ss;

  cascade_engine_get_input_size (e, &ls, &ss);
  cascade_resize_info (frame->width, frame->height, ls, ss, 32, &info);
  if (!g_file_get_contents (input_tensor, &data, &n, error))
    return NULL;
  if (n != (gsize) 3 * info.pad_h * info.pad_w * 4) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %"
        G_GSIZE_FORMAT " bytes, expected [1,3,%u,%u] float32", input_tensor,
        n, info.pad_h, info.pad_w);
    g_free (data);
    return NULL;
  }
  r = cascade_engine_run_input (e, (const gfloat *) data, &info, p, error);
  if (r && mask_boxes && cap
      && !capture_given_masks (e, (const gfloat *) data, &info, cap, error))
    g_clear_pointer (&r, cascade_result_free);
  g_free (data);
  return r;
}

/* one detection's mask at frame size as COCO RLE */
static gboolean
add_mask (JsonBuilder * b, CascadeResult * r, guint i,
    const CascadeFrame * frame, GError ** error)
{
  guint8 *m = g_malloc ((gsize) frame->width * frame->height);
  gchar *rle;
  if (!cascade_result_paste_mask (r, i, m, frame->width, error)) {
    g_free (m);
    return FALSE;
  }
  rle = cascade_rle_encode (m, frame->width, frame->height, frame->width);
  json_builder_set_member_name (b, "mask");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "size");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, frame->height);
  json_builder_add_int_value (b, frame->width);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "counts");
  json_builder_add_string_value (b, rle);
  json_builder_end_object (b);
  g_free (rle);
  g_free (m);
  return TRUE;
}

/* the detections as one line of JSON on stdout */
static gboolean
print_json (CascadeResult * r, const CascadeFrame * frame, GError ** error)
{
  JsonBuilder *b = json_builder_new ();
  JsonGenerator *g;
  JsonNode *root;
  gchar *text;
  gboolean ok = TRUE;
  guint i;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ori_shape");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, frame->height);
  json_builder_add_int_value (b, frame->width);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "detections");
  json_builder_begin_array (b);
  for (i = 0; ok && i < cascade_result_count (r); i++) {
    const CascadeDetection *d = cascade_result_get (r, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "label");
    json_builder_add_int_value (b, d->class_id);
    json_builder_set_member_name (b, "score");
    json_builder_add_double_value (b, d->score);
    json_builder_set_member_name (b, "box");
    add_float_array (b, &d->x1, 4);
    if (cascade_result_mask_probs (r, i))
      ok = add_mask (b, r, i, frame, error);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (ok) {
    g = json_generator_new ();
    root = json_builder_get_root (b);
    json_generator_set_root (g, root);
    text = json_generator_to_data (g, NULL);
    printf ("%s\n", text);
    g_free (text);
    json_node_unref (root);
    g_object_unref (g);
  }
  g_object_unref (b);
  return ok;
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GOptionContext *oc = g_option_context_new ("MODEL IMAGE.ppm");
  CascadeEngine *e;
  CascadeFrame frame;
  CascadeDetectParams p;
  CascadeCapture *cap = NULL;
  CascadeResult *r;
  guint8 *pixels = NULL;
  guint ls, ss;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &err) || argc != 3) {
    g_printerr ("%s\n", err ? err->message :
        "usage: cascade-run [OPTIONS] MODEL IMAGE.ppm");
    g_clear_error (&err);
    g_option_context_free (oc);
    return 2;
  }
  e = cascade_engine_new (device, argv[1], &err);
  if (!e) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  if (input_size && (sscanf (input_size, "%ux%u", &ls, &ss) != 2
          || !cascade_engine_set_input_size (e, ls, ss, &err))) {
    g_printerr ("bad --input-size %s\n", input_size);
    return 2;
  }
  if (!tool_read_ppm (argv[2], &frame, &pixels, &err)) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  cascade_detect_params_init (&p, e);
  if (score_thr >= 0)
    p.score_threshold = score_thr;
  if (no_masks)
    p.masks = FALSE;
  if (num_stages > 0)
    p.num_stages = num_stages;
  if (capture_path) {
    CascadeObserver obs;
    cap = cascade_capture_new ();
    cascade_capture_observer (cap, &obs);
    cascade_engine_set_observer (e, &obs);
  }
  if (input_tensor)
    r = run_input_tensor (e, &frame, &p, cap, &err);
  else
    r = cascade_engine_detect (e, &frame, &p, &err);
  if (!r || (cap && !cascade_capture_save (cap, capture_path, &err))
      || !print_json (r, &frame, &err)) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  cascade_result_free (r);
  cascade_capture_free (cap);
  cascade_engine_free (e);
  g_free (pixels);
  g_option_context_free (oc);
  return 0;
}
