/* gst-cascade: the properties of cascadedetect
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadedetectprops.h"
#include "cascadelabels.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

/* a name, found along the model search path (cascademodelpath.h) */
#define DEFAULT_MODEL "demo"
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
#define DEFAULT_MODE GST_CASCADE_DETECT_MODE_AUTO
#define DEFAULT_STATS_INTERVAL 0

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
  PROP_MODE,
  PROP_STATS,
  PROP_STATS_INTERVAL,
};

GType
gst_cascade_detect_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_CASCADE_DETECT_MODE_AUTO, "newest-frame when upstream is live, "
          "else blocking", "auto"},
    {GST_CASCADE_DETECT_MODE_BLOCKING, "every frame analysed on the "
          "streaming thread", "blocking"},
    {GST_CASCADE_DETECT_MODE_NEWEST_FRAME, "a worker analyses the newest "
          "frame; frames pass at once with the newest result",
        "newest-frame"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstCascadeDetectMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* the model, the device and the detection thresholds */
static void
install_model_props (GObjectClass * gobject_class)
{
  /**
   * GstCascadeDetect:model:
   *
   * A model file (safetensors, see models/FORMAT.md), or a model name
   * looked up as NAME[.safetensors] in $CASCADE_MODEL_PATH, the user's
   * data dir (gst-cascade/models), the installed data dir and, from the
   * build tree, models/; read when the element starts.  The default is the
   * demo model.  A directory, or a name found nowhere, fails the start
   * with an error that lists where it looked.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file (.safetensors) or name (see cascade-model)",
          DEFAULT_MODEL,
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
   * refused: the property keeps its value and the element's start fails
   * with an error saying what is allowed (a warning when set running).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_INPUT_SIZE,
      g_param_spec_string ("input-size", "Input size",
          "Network input scale \"LONGxSHORT\", e.g. \"1333x800\" "
          "(empty: the model's)", DEFAULT_INPUT_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

}

/* labels, classes and what runs per frame */
static void
install_output_props (GObjectClass * gobject_class)
{
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
   * list with an empty entry is refused as #GstCascadeDetect:input-size
   * is; an unknown label fails the start with an error that lists the
   * model's classes, or is ignored with a warning when set running.
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

}

/* live behaviour and counters */
static void
install_live_props (GObjectClass * gobject_class)
{
  /**
   * GstCascadeDetect:mode:
   *
   * How the engine runs.  `blocking`: every frame is analysed on the
   * streaming thread (files, offline work); the element adds the largest
   * of its last 32 inference times to the latency query, and a frame that
   * QoS says is late passes with the last result, flagged repeated,
   * instead of being analysed.  `newest-frame`: a worker thread runs the
   * engine and the streaming thread never waits for it; whenever the
   * worker is idle it takes the newest frame (a copy of its pixels, made
   * on the streaming thread: a reference would let in-place elements
   * downstream, such as cascadeoverlay, draw on the pixels while the
   * engine reads them, and would hold buffers of the upstream pool), and
   * every frame
   * passes at once carrying the newest finished result (flagged repeated,
   * with the PTS of the frame it came from); the model loads and the
   * per-shape tuning for the frame size runs on the worker while the video
   * flows (frames pass without results until then).  `auto`: newest-frame
   * when the upstream latency query says the source is live, else
   * blocking; the model is loaded when the element starts, so that a bad
   * model fails the state change.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "blocking: analyse every frame; newest-frame: a worker analyses "
          "the newest frame and frames never wait; auto: newest-frame for "
          "live sources", GST_TYPE_CASCADE_DETECT_MODE, DEFAULT_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstCascadeDetect:stats:
   *
   * Counters since the element started, as a `cascade-stats` structure:
   * `mode` (string: the mode in use, "" before it is decided),
   * `frames-in`, `inferred` (results computed for this element),
   * `repeated` (frames that carried an earlier frame's result),
   * `skipped-late` (frames QoS said were late, not analysed),
   * `no-result` (frames that passed without any result), `replaced`
   * (newest-frame: frames a newer one replaced before the worker took
   * them) (guint64); `pending` (guint: frames waiting for the worker, at
   * most 1); `last-inference-ms`, `mean-inference-ms` and
   * `max-recent-inference-ms` (the largest of the last 32, what blocking
   * mode adds to the latency) (doubles); and the age of the result
   * attached to the last frame, as `result-age-ms` (double: that frame's
   * PTS minus the result's frame's PTS) and `result-age-frames` (guint64).
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters: frames in, inferred, repeated, skipped as late, "
          "inference times, result age", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstCascadeDetect:stats-interval:
   *
   * Post the #GstCascadeDetect:stats structure as a `cascade-stats`
   * element message every this many milliseconds (checked as frames
   * pass); 0 posts none.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_STATS_INTERVAL,
      g_param_spec_uint ("stats-interval", "Stats interval",
          "Post a cascade-stats message every N ms (0: never)", 0, G_MAXINT,
          DEFAULT_STATS_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
}

void
gst_cascade_detect_props_install (GObjectClass * gobject_class)
{
  install_model_props (gobject_class);
  install_output_props (gobject_class);
  install_live_props (gobject_class);
}

void
gst_cascade_detect_props_init (GstCascadeDetectProps * props)
{
  props->model = g_strdup (DEFAULT_MODEL);
  props->device = g_strdup (DEFAULT_DEVICE);
  props->score_threshold = DEFAULT_SCORE_THRESHOLD;
  props->nms_threshold = DEFAULT_NMS_THRESHOLD;
  props->max_detections = DEFAULT_MAX_DETECTIONS;
  props->input_long = props->input_short = 0;
  props->labels_file = g_strdup (DEFAULT_LABELS);
  props->classes = g_strdup (DEFAULT_CLASSES);
  props->masks = DEFAULT_MASKS;
  props->interval = DEFAULT_INTERVAL;
  props->post_messages = DEFAULT_POST_MESSAGES;
  props->num_stages = DEFAULT_NUM_STAGES;
  props->mode = DEFAULT_MODE;
  props->stats_interval = DEFAULT_STATS_INTERVAL;
  props->classes_changed = FALSE;
}

void
gst_cascade_detect_props_clear (GstCascadeDetectProps * props)
{
  g_clear_pointer (&props->model, g_free);
  g_clear_pointer (&props->device, g_free);
  g_clear_pointer (&props->labels_file, g_free);
  g_clear_pointer (&props->classes, g_free);
  g_clear_pointer (&props->invalid_input_size, g_free);
  g_clear_pointer (&props->invalid_classes, g_free);
}

gchar *
gst_cascade_detect_props_invalid (const GstCascadeDetectProps * props)
{
  if (props->invalid_input_size)
    return g_strdup (props->invalid_input_size);
  return g_strdup (props->invalid_classes);
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

gboolean
gst_cascade_detect_props_set (GstCascadeDetectProps * props,
    GObject * object, guint prop_id, const GValue * value)
{
  switch (prop_id) {
    case PROP_MODEL:
      g_free (props->model);
      props->model = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      g_free (props->device);
      props->device = g_value_dup_string (value);
      break;
    case PROP_SCORE_THRESHOLD:
      props->score_threshold = g_value_get_double (value);
      break;
    case PROP_NMS_THRESHOLD:
      props->nms_threshold = g_value_get_double (value);
      break;
    case PROP_MAX_DETECTIONS:
      props->max_detections = g_value_get_uint (value);
      break;
    case PROP_INPUT_SIZE:{
      const gchar *str = g_value_get_string (value);
      guint l, s;

      g_clear_pointer (&props->invalid_input_size, g_free);
      if (parse_input_size (str, &l, &s)) {
        props->input_long = l;
        props->input_short = s;
      } else {
        props->invalid_input_size = g_strdup_printf ("Invalid input-size "
            "\"%s\": want LONGxSHORT, e.g. 1333x800, each side %u..%u, or "
            "empty for the model's test scale", str, MIN_INPUT_SIDE,
            MAX_INPUT_SIDE);
        props->refused = TRUE;
      }
      break;
    }
    case PROP_LABELS:
      g_free (props->labels_file);
      props->labels_file = g_value_dup_string (value);
      break;
    case PROP_CLASSES:{
      const gchar *str = g_value_get_string (value);

      g_clear_pointer (&props->invalid_classes, g_free);
      if (gst_cascade_classes_valid (str)) {
        g_free (props->classes);
        props->classes = g_strdup (str);
        props->classes_changed = TRUE;
      } else {
        props->invalid_classes = g_strdup_printf ("Invalid classes \"%s\": "
            "an empty entry; want comma-separated labels or class ids, e.g. "
            "person,car,2", str);
        props->refused = TRUE;
      }
      break;
    }
    case PROP_MASKS:
      props->masks = g_value_get_boolean (value);
      break;
    case PROP_INTERVAL:
      props->interval = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      props->post_messages = g_value_get_boolean (value);
      break;
    case PROP_NUM_STAGES:
      props->num_stages = g_value_get_uint (value);
      break;
    case PROP_MODE:
      props->mode = g_value_get_enum (value);
      break;
    case PROP_STATS_INTERVAL:
      props->stats_interval = g_value_get_uint (value);
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

gboolean
gst_cascade_detect_props_get (const GstCascadeDetectProps * props,
    guint prop_id, GValue * value)
{
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, props->model);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, props->device);
      break;
    case PROP_SCORE_THRESHOLD:
      g_value_set_double (value, props->score_threshold);
      break;
    case PROP_NMS_THRESHOLD:
      g_value_set_double (value, props->nms_threshold);
      break;
    case PROP_MAX_DETECTIONS:
      g_value_set_uint (value, props->max_detections);
      break;
    case PROP_INPUT_SIZE:
      if (props->input_long)
        g_value_take_string (value, g_strdup_printf ("%ux%u",
                props->input_long, props->input_short));
      else
        g_value_set_string (value, "");
      break;
    case PROP_LABELS:
      g_value_set_string (value, props->labels_file);
      break;
    case PROP_CLASSES:
      g_value_set_string (value, props->classes);
      break;
    case PROP_MASKS:
      g_value_set_boolean (value, props->masks);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, props->interval);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, props->post_messages);
      break;
    case PROP_NUM_STAGES:
      g_value_set_uint (value, props->num_stages);
      break;
    case PROP_MODE:
      g_value_set_enum (value, props->mode);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint (value, props->stats_interval);
      break;
    default:
      return FALSE;
  }
  return TRUE;
}

void
gst_cascade_detect_props_frame_params (const GstCascadeDetectProps * props,
    CascadeDetectParams * p, guint * interval, gboolean * post)
{
  p->score_threshold = (gfloat) props->score_threshold;
  if (props->nms_threshold >= 0.0)
    p->nms_threshold = (gfloat) props->nms_threshold;
  if (props->max_detections > 0)
    p->max_detections = props->max_detections;
  p->masks = p->masks && props->masks;
  p->num_stages = MIN (props->num_stages, p->num_stages);
  *interval = MAX (props->interval, 1);
  *post = props->post_messages;
}
