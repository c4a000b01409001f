/* gst-cascade: cascadedetect, runs Cascade (Mask) R-CNN on video frames
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cascadedetect
 * @title: cascadedetect
 * @see_also: cascadeoverlay, cascadejson, #GstCascadeMeta
 *
 * Runs a Cascade R-CNN or Cascade Mask R-CNN model (an mmdetection
 * checkpoint converted with models/convert_mmdet.py) on every video frame
 * with OpenCL and attaches the result; the pixels pass unchanged.
 *
 * Each processed frame gets one #GstCascadeMeta with all objects (box in
 * frame pixels, score, class id, label and, for mask models, the 28x28
 * mask probabilities) and one #GstVideoRegionOfInterestMeta per object,
 * whose `roi_type` is the label, whose `id` is the object's index in the
 * frame, and which carries a `detection` structure in DL Streamer's
 * convention: `label_id` (int), `confidence` (double), `x_min`, `x_max`,
 * `y_min`, `y_max` (doubles normalised to the frame, clipped to [0, 1])
 * and `label` (string).
 *
 * With #GstCascadeDetect:interval N > 1 the model runs on one frame in N;
 * the frames in between carry the last result again, with
 * %GST_CASCADE_META_FLAG_REPEATED set in the #GstCascadeMeta (and a
 * `repeated` field in the bus message).  After a flush the next frame is
 * always processed.
 *
 * With #GstCascadeDetect:post-messages the element posts an element
 * message `cascade-detections` for each frame: `timestamp`,
 * `stream-time`, `running-time`, `duration` (guint64), `frame` (guint64),
 * `repeated` (boolean) and `objects`, a list of `object` structures with
 * `label` (string), `label-id` (int), `score` (double) and `x1`, `y1`,
 * `x2`, `y2` (doubles, frame pixels).
 *
 * The model is loaded and the OpenCL device opened when the element goes
 * from READY to PAUSED; a missing model file fails that state change with
 * a RESOURCE NOT_FOUND error, a damaged one with RESOURCE OPEN_READ, a
 * missing or unusable OpenCL device with LIBRARY INIT.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     cascadedetect model=cascade_mask_rcnn_r50.safetensors ! \
 *     cascadeoverlay ! videoconvert ! autovideosink
 * ]| Detects, draws and shows.
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! \
 *     cascadedetect classes=person,car score-threshold=0.5 interval=5 \
 *     post-messages=true ! fakesink -m
 * ]| People and cars on one camera frame in five, printed as bus messages.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the engine's public API, and its error domain */
#include "cascade.h"
#include "gstcascadedetect.h"
#include "gstcascademeta.h"

GST_DEBUG_CATEGORY_STATIC (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

#ifndef CASCADE_DEFAULT_MODEL
#define CASCADE_DEFAULT_MODEL "/usr/local/share/gst-cascade/models/demo.safetensors"
#endif

#define DEFAULT_MODEL CASCADE_DEFAULT_MODEL
#define DEFAULT_DEVICE NULL
#define DEFAULT_SCORE_THRESHOLD 0.3
#define DEFAULT_NMS_THRESHOLD -1.0
#define DEFAULT_MAX_DETECTIONS 0
#define DEFAULT_INPUT_SIZE ""
#define DEFAULT_LABELS NULL
#define DEFAULT_CLASSES NULL
#define DEFAULT_MASKS TRUE
#define DEFAULT_INTERVAL 1
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_NUM_STAGES 3

#define MIN_INPUT_SIDE 32
#define MAX_INPUT_SIDE 4096
#define MAX_DETECTIONS 10000

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_SCORE_THRESHOLD,
  PROP_NMS_THRESHOLD,
  PROP_MAX_DETECTIONS,
  PROP_INPUT_SIZE,
  PROP_LABELS,
  PROP_CLASSES,
  PROP_MASKS,
  PROP_INTERVAL,
  PROP_POST_MESSAGES,
  PROP_NUM_STAGES,
};

#define DETECT_FORMATS \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, NV12, I420 }"
#define DETECT_CAPS \
  "video/x-raw, format = (string) " DETECT_FORMATS ", " \
  "width = (int) [ 1, 8192 ], height = (int) [ 1, 8192 ], " \
  "framerate = (fraction) [ 0, MAX ]"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (DETECT_CAPS));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (DETECT_CAPS));

struct _GstCascadeDetect
{
  GstVideoFilter parent;

  /* properties, under the object lock */
  gchar *model;
  gchar *device;
  gdouble score_threshold;
  gdouble nms_threshold;
  guint max_detections;
  guint input_long, input_short;        /* 0: the model's */
  gchar *labels_file;
  gchar *classes;
  gboolean masks;
  guint interval;
  gboolean post_messages;
  guint num_stages;
  gboolean classes_changed;

  /* < private > streaming thread (and start/stop) */
  CascadeEngine *engine;
  CascadeDetectParams model_params;     /* the model file's defaults */
  gchar **labels;               /* NULL or num_classes labels */
  gboolean *class_filter;       /* NULL or num_classes flags */
  CascadePixelFormat format;
  guint64 frame_count;
  CascadeResult *last;          /* result reattached by `interval` */
};

#define gst_cascade_detect_parent_class parent_class
G_DEFINE_TYPE (GstCascadeDetect, gst_cascade_detect, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (cascadedetect, "cascadedetect", GST_RANK_NONE,
    GST_TYPE_CASCADE_DETECT);

static void gst_cascade_detect_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_cascade_detect_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_cascade_detect_finalize (GObject * object);
static gboolean gst_cascade_detect_start (GstBaseTransform * trans);
static gboolean gst_cascade_detect_stop (GstBaseTransform * trans);
static gboolean gst_cascade_detect_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_cascade_detect_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_cascade_detect_transform_frame_ip (GstVideoFilter *
    filter, GstVideoFrame * frame);

static void
gst_cascade_detect_class_init (GstCascadeDetectClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cascade_detect_debug, "cascadedetect", 0,
      "cascadedetect");

  gobject_class->set_property = gst_cascade_detect_set_property;
  gobject_class->get_property = gst_cascade_detect_get_property;
  gobject_class->finalize = gst_cascade_detect_finalize;

  /**
   * GstCascadeDetect:model:
   *
   * Path of the model file (safetensors, see models/FORMAT.md); read when
   * the element starts.  The default is the demo model installed with
   * gst-cascade.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of the model file (.safetensors)", DEFAULT_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstCascadeDetect:device:
   *
   * The OpenCL device: NULL for the default (the first GPU, else any
   * device), an index ("1"), "platform:device" indices ("0:1"), or a
   * substring of the device name ("Intel").  The environment variable
   * CASCADE_DEVICE overrides it.  Elements on the same device share its
   * OpenCL context and compiled programs.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "OpenCL device: index, \"platform:device\" or a name substring "
          "(NULL: the default device)", DEFAULT_DEVICE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstCascadeDetect:score-threshold:
   *
   * Keep the objects scoring above this.  The default suits display;
   * 0.05 gives mmdetection's evaluation output.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SCORE_THRESHOLD,
      g_param_spec_double ("score-threshold", "Score threshold",
          "Keep objects scoring above this (0.05: mmdetection's evaluation)",
          0.0, 1.0, DEFAULT_SCORE_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:nms-threshold:
   *
   * IoU above which per-class non-maximum suppression drops the lower
   * scoring box; -1 takes the model file's value (0.5 in mmdetection's
   * test configuration).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_NMS_THRESHOLD,
      g_param_spec_double ("nms-threshold", "NMS threshold",
          "IoU threshold of the per-class NMS (-1: the model's)", -1.0, 1.0,
          DEFAULT_NMS_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:max-detections:
   *
   * Keep at most this many objects per frame, the best scoring; 0 takes
   * the model file's value (100 in mmdetection's test configuration).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MAX_DETECTIONS,
      g_param_spec_uint ("max-detections", "Max detections",
          "Maximum number of objects per frame (0: the model's)", 0,
          MAX_DETECTIONS, DEFAULT_MAX_DETECTIONS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:input-size:
   *
   * The network input scale as "LONGxSHORT" (e.g. "1333x800"): frames are
   * resized, keeping their aspect ratio, to fit a LONG x SHORT box, as
   * mmdetection's keep-ratio Resize does.  Both sides 32..4096.  Empty:
   * the model file's test scale.  A string that is not of this form is
   * rejected (the property keeps its value).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_INPUT_SIZE,
      g_param_spec_string ("input-size", "Input size",
          "Network input scale \"LONGxSHORT\", e.g. \"1333x800\" "
          "(empty: the model's)", DEFAULT_INPUT_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstCascadeDetect:labels:
   *
   * A text file with one label per line, in class order, replacing the
   * class names stored in the model file (missing lines keep the model's
   * names).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LABELS,
      g_param_spec_string ("labels", "Labels",
          "File with one label per line, overriding the model's class names",
          DEFAULT_LABELS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstCascadeDetect:classes:
   *
   * Keep only these classes: a comma-separated list of labels or 0-based
   * class ids, e.g. "person,car,2".  NULL or empty keeps every class.  A
   * list with an empty entry is rejected (the property keeps its value); an
   * unknown label fails the start of the element, or is ignored with a
   * warning when set while running.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_CLASSES,
      g_param_spec_string ("classes", "Classes",
          "Comma-separated labels or class ids to keep (empty: all)",
          DEFAULT_CLASSES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:masks:
   *
   * Compute instance masks (mask models only; ignored for box models).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MASKS,
      g_param_spec_boolean ("masks", "Masks",
          "Compute instance masks (mask models only)", DEFAULT_MASKS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:interval:
   *
   * Run the model on one frame in this many; the frames in between carry
   * the previous result again, flagged %GST_CASCADE_META_FLAG_REPEATED.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Run the model every Nth frame; the others repeat the last result",
          1, G_MAXINT, DEFAULT_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:post-messages:
   *
   * Post a `cascade-detections` element message on the bus for each frame.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a cascade-detections element message for each frame",
          DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstCascadeDetect:num-stages:
   *
   * Number of cascade stages used (1..3, at most the model's): fewer are
   * faster and less accurate.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_NUM_STAGES,
      g_param_spec_uint ("num-stages", "Number of stages",
          "Cascade stages used (fewer: faster, less accurate)", 1, 3,
          DEFAULT_NUM_STAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN object detector", "Filter/Analyzer/Video",
      "Detects objects and instance masks on every video frame with a "
      "Cascade R-CNN or Cascade Mask R-CNN model (mmdetection model zoo, "
      "converted to safetensors) on an OpenCL device; attaches a "
      "GstCascadeMeta with every object and one "
      "GstVideoRegionOfInterestMeta per object, and passes the pixels "
      "unchanged",
      "gst-cascade developers");

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cascade_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cascade_detect_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cascade_detect_sink_event);

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_cascade_detect_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_cascade_detect_transform_frame_ip);
}

static void
gst_cascade_detect_init (GstCascadeDetect * self)
{
  self->model = g_strdup (DEFAULT_MODEL);
  self->device = g_strdup (DEFAULT_DEVICE);
  self->score_threshold = DEFAULT_SCORE_THRESHOLD;
  self->nms_threshold = DEFAULT_NMS_THRESHOLD;
  self->max_detections = DEFAULT_MAX_DETECTIONS;
  self->input_long = self->input_short = 0;
  self->labels_file = g_strdup (DEFAULT_LABELS);
  self->classes = g_strdup (DEFAULT_CLASSES);
  self->masks = DEFAULT_MASKS;
  self->interval = DEFAULT_INTERVAL;
  self->post_messages = DEFAULT_POST_MESSAGES;
  self->num_stages = DEFAULT_NUM_STAGES;
  self->format = CASCADE_FORMAT_LAST;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

/* "LONGxSHORT" (either order) -> long, short; FALSE if malformed or out of
 * range.  "" -> 0, 0 (the model's). */
static gboolean
parse_input_size (const gchar * str, guint * long_side, guint * short_side)
{
  guint64 a, b;
  gchar *end;

  if (!str || !*str) {
    *long_side = *short_side = 0;
    return TRUE;
  }
  if (!g_ascii_isdigit (*str))
    return FALSE;
  a = g_ascii_strtoull (str, &end, 10);
  if (*end != 'x' && *end != 'X')
    return FALSE;
  str = end + 1;
  if (!g_ascii_isdigit (*str))
    return FALSE;
  b = g_ascii_strtoull (str, &end, 10);
  if (*end != '\0')
    return FALSE;
  if (a < MIN_INPUT_SIDE || a > MAX_INPUT_SIDE || b < MIN_INPUT_SIDE
      || b > MAX_INPUT_SIDE)
    return FALSE;
  *long_side = (guint) MAX (a, b);
  *short_side = (guint) MIN (a, b);
  return TRUE;
}

/* a comma-separated list of non-empty entries (spaces around them are
 * allowed) */
static gboolean
classes_valid (const gchar * str)
{
  gchar **tokens;
  gboolean ok = TRUE;
  guint i;

  if (!str || !*str)
    return TRUE;
  tokens = g_strsplit (str, ",", -1);
  for (i = 0; tokens[i]; i++) {
    if (*g_strstrip (tokens[i]) == '\0')
      ok = FALSE;
  }
  g_strfreev (tokens);
  return ok;
}

static void
gst_cascade_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      break;
    case PROP_SCORE_THRESHOLD:
      self->score_threshold = g_value_get_double (value);
      break;
    case PROP_NMS_THRESHOLD:
      self->nms_threshold = g_value_get_double (value);
      break;
    case PROP_MAX_DETECTIONS:
      self->max_detections = g_value_get_uint (value);
      break;
    case PROP_INPUT_SIZE:{
      const gchar *str = g_value_get_string (value);
      guint l, s;

      if (parse_input_size (str, &l, &s)) {
        self->input_long = l;
        self->input_short = s;
      } else {
        GST_WARNING_OBJECT (self, "invalid input-size '%s' (want LONGxSHORT, "
            "each %u..%u), keeping the previous value", str,
            MIN_INPUT_SIDE, MAX_INPUT_SIDE);
      }
      break;
    }
    case PROP_LABELS:
      g_free (self->labels_file);
      self->labels_file = g_value_dup_string (value);
      break;
    case PROP_CLASSES:{
      const gchar *str = g_value_get_string (value);

      if (classes_valid (str)) {
        g_free (self->classes);
        self->classes = g_strdup (str);
        self->classes_changed = TRUE;
      } else {
        GST_WARNING_OBJECT (self, "invalid classes '%s' (an empty entry), "
            "keeping the previous value", str);
      }
      break;
    }
    case PROP_MASKS:
      self->masks = g_value_get_boolean (value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_NUM_STAGES:
      self->num_stages = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cascade_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_SCORE_THRESHOLD:
      g_value_set_double (value, self->score_threshold);
      break;
    case PROP_NMS_THRESHOLD:
      g_value_set_double (value, self->nms_threshold);
      break;
    case PROP_MAX_DETECTIONS:
      g_value_set_uint (value, self->max_detections);
      break;
    case PROP_INPUT_SIZE:
      if (self->input_long)
        g_value_take_string (value, g_strdup_printf ("%ux%u",
                self->input_long, self->input_short));
      else
        g_value_set_string (value, "");
      break;
    case PROP_LABELS:
      g_value_set_string (value, self->labels_file);
      break;
    case PROP_CLASSES:
      g_value_set_string (value, self->classes);
      break;
    case PROP_MASKS:
      g_value_set_boolean (value, self->masks);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_NUM_STAGES:
      g_value_set_uint (value, self->num_stages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_cascade_detect_finalize (GObject * object)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);

  g_free (self->model);
  g_free (self->device);
  g_free (self->labels_file);
  g_free (self->classes);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static const gchar *
class_label (GstCascadeDetect * self, gint class_id)
{
  if (class_id < 0)
    return NULL;
  if (self->labels && self->labels[class_id])
    return self->labels[class_id];
  return cascade_engine_class_name (self->engine, class_id);
}

/* Reads the labels file into self->labels (num_classes entries; NULL for
 * lines the file lacks). */
static gboolean
load_labels (GstCascadeDetect * self, const gchar * path, GError ** error)
{
  guint n = cascade_engine_num_classes (self->engine), i;
  gchar *contents, **lines;
  guint n_lines;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  g_free (contents);
  n_lines = g_strv_length (lines);
  /* a final newline is no label */
  if (n_lines > 0 && *lines[n_lines - 1] == '\0')
    n_lines--;

  self->labels = g_new0 (gchar *, n + 1);
  for (i = 0; i < n && i < n_lines; i++) {
    g_strchomp (lines[i]);      /* \r of DOS files */
    self->labels[i] = g_strdup (lines[i]);
  }
  g_strfreev (lines);

  if (n_lines != n)
    GST_WARNING_OBJECT (self, "%s has %u labels for %u classes", path,
        n_lines, n);
  return TRUE;
}

/* Turns the classes list into per-class flags (NULL: keep all).  Unknown
 * entries are an error. */
static gboolean
resolve_classes (GstCascadeDetect * self, const gchar * classes,
    gboolean ** filter, GError ** error)
{
  guint n = cascade_engine_num_classes (self->engine), i, c;
  gchar **tokens;
  gboolean *flags;

  *filter = NULL;
  if (!classes || !*classes)
    return TRUE;

  flags = g_new0 (gboolean, n);
  tokens = g_strsplit (classes, ",", -1);
  for (i = 0; tokens[i]; i++) {
    const gchar *t = g_strstrip (tokens[i]);
    gboolean found = FALSE;
    gchar *end;
    guint64 id;

    if (g_ascii_isdigit (*t)) {
      id = g_ascii_strtoull (t, &end, 10);
      if (*end == '\0' && id < n) {
        flags[id] = TRUE;
        continue;
      }
    }
    for (c = 0; c < n; c++) {
      const gchar *label = class_label (self, c);
      if (label && g_ascii_strcasecmp (label, t) == 0) {
        flags[c] = TRUE;
        found = TRUE;
      }
    }
    if (!found) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "Unknown class '%s' in classes '%s': the model has %u classes "
          "(ids 0..%u)", t, classes, n, n - 1);
      g_strfreev (tokens);
      g_free (flags);
      return FALSE;
    }
  }
  g_strfreev (tokens);
  *filter = flags;
  return TRUE;
}

static gboolean
gst_cascade_detect_start (GstBaseTransform * trans)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);
  gchar *model, *device, *labels_file, *classes;
  guint input_long, input_short;
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  model = g_strdup (self->model);
  device = g_strdup (self->device);
  labels_file = g_strdup (self->labels_file);
  classes = g_strdup (self->classes);
  input_long = self->input_long;
  input_short = self->input_short;
  self->classes_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  if (!model || !*model)
    goto no_model;
  if (!g_file_test (model, G_FILE_TEST_IS_REGULAR))
    goto model_not_found;

  GST_DEBUG_OBJECT (self, "loading %s on device %s", model,
      device ? device : "(default)");
  self->engine = cascade_engine_new (device, model, &error);
  if (!self->engine)
    goto engine_failed;
  GST_INFO_OBJECT (self, "%s: %u classes%s on %s", model,
      cascade_engine_num_classes (self->engine),
      cascade_engine_has_masks (self->engine) ? " with masks" : "",
      cascade_engine_device_name (self->engine));
  cascade_detect_params_init (&self->model_params, self->engine);

  if (input_long && !cascade_engine_set_input_size (self->engine,
          input_long, input_short, &error))
    goto bad_input_size;

  if (labels_file && *labels_file && !load_labels (self, labels_file, &error))
    goto labels_failed;

  if (!resolve_classes (self, classes, &self->class_filter, &error))
    goto bad_classes;

  self->frame_count = 0;
  g_free (model);
  g_free (device);
  g_free (labels_file);
  g_free (classes);
  return TRUE;

  /* ERRORS */
no_model:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model file set"), ("set the model property"));
    goto failed;
  }
model_not_found:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Model file \"%s\" not found", model), (NULL));
    goto failed;
  }
engine_failed:
  {
    if (error->domain == G_FILE_ERROR)
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
          ("model %s", model));
    else if (g_error_matches (error, CASCADE_ERROR, CASCADE_ERROR_MODEL))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", error->message),
          ("model %s", model));
    else
      GST_ELEMENT_ERROR (self, LIBRARY, INIT, ("%s", error->message),
          ("model %s, device %s", model, device ? device : "(default)"));
    goto failed;
  }
bad_input_size:
  {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS, ("%s", error->message),
        (NULL));
    goto failed;
  }
labels_failed:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
        ("labels %s", labels_file));
    goto failed;
  }
bad_classes:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        (NULL));
    goto failed;
  }
failed:
  {
    g_clear_error (&error);
    g_free (model);
    g_free (device);
    g_free (labels_file);
    g_free (classes);
    gst_cascade_detect_stop (trans);
    return FALSE;
  }
}

static gboolean
gst_cascade_detect_stop (GstBaseTransform * trans)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);

  g_clear_pointer (&self->last, cascade_result_free);
  g_clear_pointer (&self->class_filter, g_free);
  g_clear_pointer (&self->labels, g_strfreev);
  g_clear_pointer (&self->engine, cascade_engine_free);
  self->format = CASCADE_FORMAT_LAST;

  return TRUE;
}

static gboolean
gst_cascade_detect_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    /* after a seek, process the next frame instead of repeating a result
     * of another part of the stream */
    g_clear_pointer (&self->last, cascade_result_free);
    self->frame_count = 0;
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_cascade_detect_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (filter);
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT (in_info);

  switch (format) {
    case GST_VIDEO_FORMAT_RGB:
      self->format = CASCADE_FORMAT_RGB;
      break;
    case GST_VIDEO_FORMAT_BGR:
      self->format = CASCADE_FORMAT_BGR;
      break;
    case GST_VIDEO_FORMAT_RGBx:
      self->format = CASCADE_FORMAT_RGBx;
      break;
    case GST_VIDEO_FORMAT_BGRx:
      self->format = CASCADE_FORMAT_BGRx;
      break;
    case GST_VIDEO_FORMAT_xRGB:
      self->format = CASCADE_FORMAT_xRGB;
      break;
    case GST_VIDEO_FORMAT_xBGR:
      self->format = CASCADE_FORMAT_xBGR;
      break;
    case GST_VIDEO_FORMAT_RGBA:
      self->format = CASCADE_FORMAT_RGBA;
      break;
    case GST_VIDEO_FORMAT_BGRA:
      self->format = CASCADE_FORMAT_BGRA;
      break;
    case GST_VIDEO_FORMAT_ARGB:
      self->format = CASCADE_FORMAT_ARGB;
      break;
    case GST_VIDEO_FORMAT_ABGR:
      self->format = CASCADE_FORMAT_ABGR;
      break;
    case GST_VIDEO_FORMAT_NV12:
      self->format = CASCADE_FORMAT_NV12;
      break;
    case GST_VIDEO_FORMAT_I420:
      self->format = CASCADE_FORMAT_I420;
      break;
    default:
      goto unsupported;
  }

  /* a new geometry: an older result does not fit it */
  g_clear_pointer (&self->last, cascade_result_free);

  GST_DEBUG_OBJECT (self, "%s %dx%d", gst_video_format_to_string (format),
      GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info));
  return TRUE;

  /* ERRORS */
unsupported:
  {
    GST_ERROR_OBJECT (self, "unsupported format %s",
        gst_video_format_to_string (format));
    self->format = CASCADE_FORMAT_LAST;
    return FALSE;
  }
}

/* The parameters of the next frame, copied under the object lock. */
static void
get_params (GstCascadeDetect * self, CascadeDetectParams * p,
    guint * interval, gboolean * post)
{
  gchar *classes = NULL;
  gboolean changed;

  *p = self->model_params;

  GST_OBJECT_LOCK (self);
  p->score_threshold = (gfloat) self->score_threshold;
  if (self->nms_threshold >= 0.0)
    p->nms_threshold = (gfloat) self->nms_threshold;
  if (self->max_detections > 0)
    p->max_detections = self->max_detections;
  p->masks = self->model_params.masks && self->masks;
  p->num_stages = MIN (self->num_stages, self->model_params.num_stages);
  *interval = MAX (self->interval, 1);
  *post = self->post_messages;
  changed = self->classes_changed;
  if (changed) {
    classes = g_strdup (self->classes);
    self->classes_changed = FALSE;
  }
  GST_OBJECT_UNLOCK (self);

  if (changed) {
    gboolean *filter = NULL;
    GError *error = NULL;

    if (resolve_classes (self, classes, &filter, &error)) {
      g_free (self->class_filter);
      self->class_filter = filter;
    } else {
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s", error->message),
          ("keeping the previous class filter"));
      g_clear_error (&error);
    }
    g_free (classes);
  }
  p->class_filter = self->class_filter;
}

static void
attach_result (GstCascadeDetect * self, GstBuffer * buffer,
    CascadeResult * result, gboolean repeated, gboolean post)
{
  guint width = cascade_result_frame_width (result);
  guint height = cascade_result_frame_height (result);
  guint n = cascade_result_count (result), i;
  GstCascadeMeta *meta;
  GValue objects = G_VALUE_INIT;

  meta = gst_buffer_add_cascade_meta (buffer, width, height);
  meta->mask_threshold = self->model_params.mask_threshold;
  if (repeated)
    meta->flags |= GST_CASCADE_META_FLAG_REPEATED;
  if (post)
    g_value_init (&objects, GST_TYPE_LIST);

  for (i = 0; i < n; i++) {
    const CascadeDetection *d = cascade_result_get (result, i);
    const gchar *label = class_label (self, d->class_id);
    GstVideoRegionOfInterestMeta *roi;
    GstStructure *s;
    gdouble x0, y0, x1, y1;
    guint px0, py0, px1, py1;

    if (!label)
      label = "";
    gst_cascade_meta_add_object (meta, d->x1, d->y1, d->x2, d->y2, d->score,
        d->class_id, label, cascade_result_mask_probs (result, i));

    x0 = CLAMP (d->x1 / (gdouble) width, 0.0, 1.0);
    x1 = CLAMP (d->x2 / (gdouble) width, 0.0, 1.0);
    y0 = CLAMP (d->y1 / (gdouble) height, 0.0, 1.0);
    y1 = CLAMP (d->y2 / (gdouble) height, 0.0, 1.0);
    px0 = (guint) CLAMP (floor (d->x1), 0.0, (gdouble) width);
    py0 = (guint) CLAMP (floor (d->y1), 0.0, (gdouble) height);
    px1 = (guint) CLAMP (ceil (d->x2), (gdouble) px0, (gdouble) width);
    py1 = (guint) CLAMP (ceil (d->y2), (gdouble) py0, (gdouble) height);
    roi = gst_buffer_add_video_region_of_interest_meta (buffer, label, px0,
        py0, px1 - px0, py1 - py0);
    roi->id = (gint) i;
    s = gst_structure_new ("detection",
        "label_id", G_TYPE_INT, d->class_id,
        "confidence", G_TYPE_DOUBLE, (gdouble) d->score,
        "x_min", G_TYPE_DOUBLE, x0, "x_max", G_TYPE_DOUBLE, x1,
        "y_min", G_TYPE_DOUBLE, y0, "y_max", G_TYPE_DOUBLE, y1,
        "label", G_TYPE_STRING, label, NULL);
    gst_video_region_of_interest_meta_add_param (roi, s);

    if (post) {
      GValue v = G_VALUE_INIT;

      s = gst_structure_new ("object", "label", G_TYPE_STRING, label,
          "label-id", G_TYPE_INT, d->class_id,
          "score", G_TYPE_DOUBLE, (gdouble) d->score,
          "x1", G_TYPE_DOUBLE, (gdouble) d->x1,
          "y1", G_TYPE_DOUBLE, (gdouble) d->y1,
          "x2", G_TYPE_DOUBLE, (gdouble) d->x2,
          "y2", G_TYPE_DOUBLE, (gdouble) d->y2, NULL);
      g_value_init (&v, GST_TYPE_STRUCTURE);
      g_value_take_boxed (&v, s);
      gst_value_list_append_and_take_value (&objects, &v);
    }
  }

  if (post) {
    GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
    GstSegment *segment = &trans->segment;
    GstClockTime ts = GST_BUFFER_PTS (buffer);
    GstStructure *s;

    s = gst_structure_new ("cascade-detections",
        "timestamp", G_TYPE_UINT64, ts,
        "stream-time", G_TYPE_UINT64,
        gst_segment_to_stream_time (segment, GST_FORMAT_TIME, ts),
        "running-time", G_TYPE_UINT64,
        gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts),
        "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buffer),
        "frame", G_TYPE_UINT64, self->frame_count,
        "repeated", G_TYPE_BOOLEAN, repeated, NULL);
    gst_structure_take_value (s, "objects", &objects);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
  }
}

static GstFlowReturn
gst_cascade_detect_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (filter);
  CascadeDetectParams params;
  CascadeFrame cf;
  CascadeResult *result;
  GError *error = NULL;
  guint interval, i;
  gboolean post;

  if (!self->engine || self->format == CASCADE_FORMAT_LAST)
    return GST_FLOW_NOT_NEGOTIATED;

  get_params (self, &params, &interval, &post);

  if (self->last && self->frame_count % interval != 0) {
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": repeating %u objects",
        self->frame_count, cascade_result_count (self->last));
    attach_result (self, frame->buffer, self->last, TRUE, post);
    self->frame_count++;
    return GST_FLOW_OK;
  }

  memset (&cf, 0, sizeof (cf));
  cf.format = self->format;
  cf.width = GST_VIDEO_FRAME_WIDTH (frame);
  cf.height = GST_VIDEO_FRAME_HEIGHT (frame);
  for (i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < 3; i++) {
    cf.planes[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    cf.strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }

  result = cascade_engine_detect (self->engine, &cf, &params, &error);
  if (!result)
    goto detect_failed;

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %u objects",
      self->frame_count, cascade_result_count (result));
  attach_result (self, frame->buffer, result, FALSE, post);

  g_clear_pointer (&self->last, cascade_result_free);
  if (interval > 1)
    self->last = result;
  else
    cascade_result_free (result);
  self->frame_count++;

  return GST_FLOW_OK;

  /* ERRORS */
detect_failed:
  {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("%s", error->message),
        ("frame %" G_GUINT64_FORMAT, self->frame_count));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
}
