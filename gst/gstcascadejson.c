/* gst-cascade: cascadejson, the detections of each frame as a JSON line
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cascadejson
 * @title: cascadejson
 * @see_also: cascadedetect, cascadeoverlay
 *
 * Turns the #GstCascadeMeta of every video frame into one line of JSON
 * (newline-delimited JSON, `application/x-ndjson`), with the timestamps of
 * the frame:
 *
 * |[
 * {"frame": 0, "pts": 0, "width": 640, "height": 480, "objects": [
 *   {"label_id": 0, "label": "person", "score": 0.97,
 *    "box": [x1, y1, x2, y2],
 *    "mask": {"size": [480, 640], "counts": "<COCO compressed RLE>"},
 *    "source": "cascadedetect0"}]}
 * ]|
 *
 * (on a single line).  `frame` counts the buffers since the element
 * started, `pts` is in nanoseconds or `null`.  A frame with a
 * #GstCascadeMeta also gets, after `objects`, `"repeated"` (true when the
 * result was computed on an earlier frame: cascadedetect's `interval`, a
 * frame that QoS said was late, or its newest-frame mode, where a new
 * result shows as a new `result_pts`) and `"result_pts"` (the PTS of the
 * frame the result was computed on, or `null`).  Boxes are in frame pixels
 * (x2 - x1 is the width) and masks, for mask models, are the binary
 * frame-sized masks as COCO run-length encoding (column-major, the
 * compressed string of pycocotools), so that the output feeds COCO tools
 * directly.  `source` names the cascadedetect that found the object
 * (two chained detectors add to one frame's objects).  Frames without the
 * meta give `"objects": []`; built against GStreamer >= 1.24, a frame that
 * has no #GstCascadeMeta but a #GstAnalyticsRelationMeta (another
 * element's detections) gives its objects, with `label_id` -1.  After
 * cascadetrack, each object also has `"track_id"`, `"track_age"` (frames)
 * and `"predicted"`, and the line gets the frame's `"events"` (zone-enter,
 * zone-leave, line-cross, with `track_id`, `label`, `timestamp`, ...) and
 * `"zones"` (each zone's and line's counts).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=in.mp4 ! decodebin ! videoconvert ! \
 *     cascadedetect model=model.safetensors ! cascadejson ! \
 *     filesink location=detections.jsonl
 * ]|
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gst/video/video.h>
#include <json-glib/json-glib.h>

#include "rle.h"
#include "gstcascadejson.h"
#include "cascadejsontrack.h"
#include "gstcascademeta.h"
#include "cascadeanalyticsadapt.h"

GST_DEBUG_CATEGORY_STATIC (gst_cascade_json_debug);
#define GST_CAT_DEFAULT gst_cascade_json_debug

#define DEFAULT_MASKS TRUE

enum
{
  PROP_0,
  PROP_MASKS,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY)"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-ndjson"));

struct _GstCascadeJson
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* properties, under the object lock */
  gboolean masks;

  /* < private > streaming thread */
  GstVideoInfo info;
  gboolean have_info;
  guint64 frame;
  guint8 *mask;
  gsize mask_size;
};

#define gst_cascade_json_parent_class parent_class
G_DEFINE_TYPE (GstCascadeJson, gst_cascade_json, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (cascadejson, "cascadejson", GST_RANK_NONE,
    GST_TYPE_CASCADE_JSON);

static void gst_cascade_json_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_cascade_json_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_cascade_json_finalize (GObject * object);
static GstStateChangeReturn gst_cascade_json_change_state (GstElement *
    element, GstStateChange transition);
static gboolean gst_cascade_json_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event);
static GstFlowReturn gst_cascade_json_chain (GstPad * pad, GstObject * parent,
    GstBuffer * buffer);

static void
gst_cascade_json_class_init (GstCascadeJsonClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cascade_json_debug, "cascadejson", 0,
      "cascadejson");

  gobject_class->set_property = gst_cascade_json_set_property;
  gobject_class->get_property = gst_cascade_json_get_property;
  gobject_class->finalize = gst_cascade_json_finalize;

  /**
   * GstCascadeJson:masks:
   *
   * Write the instance masks (COCO RLE) of mask models; without them the
   * objects have no "mask" member.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_MASKS,
      g_param_spec_boolean ("masks", "Masks",
          "Write the instance masks as COCO RLE", DEFAULT_MASKS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN detections to JSON", "Formatter/Metadata/Video",
      "Writes the GstCascadeMeta of every video frame as one line of JSON "
      "(application/x-ndjson): frame number, timestamp, frame size, and per "
      "object the label, score, box in frame pixels and the instance mask "
      "as COCO compressed RLE", "gst-cascade developers");

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_cascade_json_change_state);
}

static void
gst_cascade_json_init (GstCascadeJson * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_cascade_json_sink_event));
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_cascade_json_chain));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->masks = DEFAULT_MASKS;
  gst_video_info_init (&self->info);
}

static void
gst_cascade_json_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeJson *self = GST_CASCADE_JSON (object);

  switch (prop_id) {
    case PROP_MASKS:
      GST_OBJECT_LOCK (self);
      self->masks = g_value_get_boolean (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cascade_json_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeJson *self = GST_CASCADE_JSON (object);

  switch (prop_id) {
    case PROP_MASKS:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->masks);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_cascade_json_finalize (GObject * object)
{
  GstCascadeJson *self = GST_CASCADE_JSON (object);

  g_free (self->mask);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static GstStateChangeReturn
gst_cascade_json_change_state (GstElement * element, GstStateChange transition)
{
  GstCascadeJson *self = GST_CASCADE_JSON (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    self->frame = 0;
    self->have_info = FALSE;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);

  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_clear_pointer (&self->mask, g_free);
    self->mask_size = 0;
    self->have_info = FALSE;
  }
  return ret;
}

static gboolean
gst_cascade_json_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstCascadeJson *self = GST_CASCADE_JSON (parent);

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    GstCaps *caps, *outcaps;
    gboolean ret;

    gst_event_parse_caps (event, &caps);
    if (!gst_video_info_from_caps (&self->info, caps)) {
      GST_ERROR_OBJECT (self, "invalid caps %" GST_PTR_FORMAT, caps);
      gst_event_unref (event);
      return FALSE;
    }
    self->have_info = TRUE;
    gst_event_unref (event);

    outcaps = gst_static_pad_template_get_caps (&src_template);
    ret = gst_pad_push_event (self->srcpad, gst_event_new_caps (outcaps));
    gst_caps_unref (outcaps);
    return ret;
  }

  return gst_pad_event_default (pad, parent, event);
}

/* The shortest decimal form that reads back as the same float: the values
 * are float32 (boxes, scores), printing them as doubles would give
 * 0.97000002861022949 for 0.97. */
static void
append_float (GString * s, gdouble d)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  static const gchar *formats[] = { "%.6g", "%.7g", "%.8g", "%.9g" };
  gfloat f = (gfloat) d;
  guint i;

  if (!isfinite (f)) {
    /* JSON has no inf/nan */
    g_string_append (s, "null");
    return;
  }
  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    g_ascii_formatd (buf, sizeof (buf), formats[i], f);
    if ((gfloat) g_ascii_strtod (buf, NULL) == f)
      break;
  }
  g_string_append (s, buf);
}

/* Writes a JSON tree on one line in the layout of DESIGN.md: ", " between
 * members and elements, ": " after names.  json-glib's JsonGenerator
 * (1.6) cannot: it writes no spaces on one line and doubles with 17
 * digits (0.97000002861022949); it still writes the names, strings and
 * integers here, through json_to_string. */
static void
append_node (GString * s, JsonNode * node)
{
  switch (JSON_NODE_TYPE (node)) {
    case JSON_NODE_OBJECT:{
      JsonObject *obj = json_node_get_object (node);
      GList *members = json_object_get_members (obj), *l;

      g_string_append_c (s, '{');
      for (l = members; l; l = l->next) {
        JsonNode *name = json_node_init_string (json_node_alloc (), l->data);
        gchar *quoted = json_to_string (name, FALSE);

        if (l != members)
          g_string_append (s, ", ");
        g_string_append (s, quoted);
        g_string_append (s, ": ");
        append_node (s, json_object_get_member (obj, l->data));
        g_free (quoted);
        json_node_unref (name);
      }
      g_string_append_c (s, '}');
      g_list_free (members);
      break;
    }
    case JSON_NODE_ARRAY:{
      JsonArray *arr = json_node_get_array (node);
      guint i, n = json_array_get_length (arr);

      g_string_append_c (s, '[');
      for (i = 0; i < n; i++) {
        if (i)
          g_string_append (s, ", ");
        append_node (s, json_array_get_element (arr, i));
      }
      g_string_append_c (s, ']');
      break;
    }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
        append_float (s, json_node_get_double (node));
      } else {
        gchar *str = json_to_string (node, FALSE);
        g_string_append (s, str);
        g_free (str);
      }
      break;
    case JSON_NODE_NULL:
      g_string_append (s, "null");
      break;
  }
}

static gboolean
add_mask (GstCascadeJson * self, JsonBuilder * b, const GstCascadeMeta * meta,
    guint i, guint width, guint height)
{
  gsize size = (gsize) width * height;
  gchar *counts;

  if (size > self->mask_size) {
    g_free (self->mask);
    self->mask = g_malloc (size);
    self->mask_size = size;
  }
  if (!gst_cascade_meta_get_mask (meta, i, width, height, self->mask, width))
    return FALSE;

  counts = cascade_rle_encode (self->mask, width, height, width);
  json_builder_set_member_name (b, "mask");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "size");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, height);
  json_builder_add_int_value (b, width);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "counts");
  json_builder_add_string_value (b, counts);
  json_builder_end_object (b);
  g_free (counts);
  return TRUE;
}

/* "source": the element that found the object (chained detectors add to
 * one frame's objects) */
static void
add_object_source (JsonBuilder * b, const GstCascadeMeta * meta, guint i)
{
  const gchar *source = gst_cascade_meta_get_object_source (meta, i);

  if (!source)
    return;
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
}

/* where the frame's result comes from: "repeated" (not this frame's own)
 * and "result_pts" (the PTS of the frame it was computed on, or null) */
static void
add_source (JsonBuilder * b, const GstCascadeMeta * meta)
{
  GstClockTime pts = gst_cascade_meta_get_source_pts (meta);

  json_builder_set_member_name (b, "repeated");
  json_builder_add_boolean_value (b, gst_cascade_meta_is_repeated (meta));
  json_builder_set_member_name (b, "result_pts");
  if (GST_CLOCK_TIME_IS_VALID (pts))
    json_builder_add_int_value (b, (gint64) pts);
  else
    json_builder_add_null_value (b);
}

static GstFlowReturn
gst_cascade_json_chain (GstPad * pad, GstObject * parent, GstBuffer * buffer)
{
  GstCascadeJson *self = GST_CASCADE_JSON (parent);
  GstCascadeMeta *meta;
  GstBuffer *adapted = NULL;
  JsonBuilder *b;
  JsonNode *root;
  GString *line;
  GstBuffer *out;
  guint width, height, i, n;
  gboolean masks;
  gsize len;

  if (!self->have_info)
    goto not_negotiated;

  GST_OBJECT_LOCK (self);
  masks = self->masks;
  GST_OBJECT_UNLOCK (self);

  width = GST_VIDEO_INFO_WIDTH (&self->info);
  height = GST_VIDEO_INFO_HEIGHT (&self->info);
  meta = gst_buffer_get_cascade_meta (buffer);
  /* no GstCascadeMeta: another element's analytics relation meta */
  if (!meta)
    meta = gst_cascade_analytics_adapt (buffer, width, height, &adapted);
  n = meta ? gst_cascade_meta_get_count (meta) : 0;

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "frame");
  json_builder_add_int_value (b, (gint64) self->frame);
  json_builder_set_member_name (b, "pts");
  if (GST_BUFFER_PTS_IS_VALID (buffer))
    json_builder_add_int_value (b, (gint64) GST_BUFFER_PTS (buffer));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, height);
  json_builder_set_member_name (b, "objects");
  json_builder_begin_array (b);
  for (i = 0; i < n; i++) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    const gchar *label = gst_cascade_meta_get_label (meta, i);
    gdouble sx = 1.0, sy = 1.0;

    /* boxes in pixels of this frame, should the meta refer to another
     * size */
    if (meta->width && meta->height) {
      sx = (gdouble) width / meta->width;
      sy = (gdouble) height / meta->height;
    }

    json_builder_begin_object (b);
    json_builder_set_member_name (b, "label_id");
    json_builder_add_int_value (b, o->class_id);
    json_builder_set_member_name (b, "label");
    json_builder_add_string_value (b, label ? label : "");
    json_builder_set_member_name (b, "score");
    json_builder_add_double_value (b, o->score);
    json_builder_set_member_name (b, "box");
    json_builder_begin_array (b);
    json_builder_add_double_value (b, (gfloat) (o->x1 * sx));
    json_builder_add_double_value (b, (gfloat) (o->y1 * sy));
    json_builder_add_double_value (b, (gfloat) (o->x2 * sx));
    json_builder_add_double_value (b, (gfloat) (o->y2 * sy));
    json_builder_end_array (b);
    gst_cascade_json_add_track (b, meta, i);
    if (masks && o->mask)
      add_mask (self, b, meta, i, width, height);
    add_object_source (b, meta, i);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  if (meta)
    add_source (b, meta);
  gst_cascade_json_add_events (b, buffer);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = g_string_sized_new (256);
  append_node (line, root);
  g_string_append_c (line, '\n');
  json_node_unref (root);
  g_object_unref (b);

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %u objects, %"
      G_GSIZE_FORMAT " bytes", self->frame, n, line->len);

  len = line->len;
  out = gst_buffer_new_wrapped (g_string_free (line, FALSE), len);
  gst_buffer_copy_into (out, buffer, GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
  GST_BUFFER_OFFSET (out) = self->frame;
  GST_BUFFER_OFFSET_END (out) = self->frame + 1;
  self->frame++;
  gst_buffer_unref (buffer);
  gst_clear_buffer (&adapted);

  return gst_pad_push (self->srcpad, out);

  /* ERRORS */
not_negotiated:
  {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("no caps before the first buffer"));
    gst_buffer_unref (buffer);
    return GST_FLOW_NOT_NEGOTIATED;
  }
}
