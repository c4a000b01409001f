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
 * Built against GStreamer >= 1.24 (gstreamer-analytics-1.0), each frame
 * also carries its objects in its #GstAnalyticsRelationMeta: one ODMtd per
 * object, relating to a ClsMtd with its label and score, and on >= 1.26
 * each mask as a SegmentationMtd contained in its ODMtd; the ROI metas' ids are then their ODMtds' ids (the same indices
 * on a frame that had no relation meta).  README.md, "Metadata, by
 * GStreamer version".
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
 * Each #GstCascadeMeta also says where its result comes from:
 * gst_cascade_meta_get_source_pts() is the PTS of the frame it was computed
 * on; the ROI `detection` params carry the same as `repeated` (boolean) and
 * `source_pts` (guint64), the bus message as `repeated` and `result-pts`.
 *
 * Live sources: #GstCascadeDetect:mode `auto` (the default) runs the
 * engine on a worker thread (`newest-frame`) when the upstream latency
 * query says the source is live, and on the streaming thread (`blocking`,
 * every frame analysed) otherwise; see the property for both.  Elements of
 * one process that open the same model file (same path, size and
 * modification time) on the same device with the same input size share
 * one loaded engine; in newest-frame mode its worker serves their streams
 * round-robin, one frame at a time, each stream holding at most one
 * pending frame.  #GstCascadeDetect:stats counts frames, inferences,
 * repeated and late frames, inference times and the age of the attached
 * result.
 *
 * Start-up progress (the model read, each OpenCL program built, the
 * weights uploaded, and in newest-frame mode each network stage run once
 * at the frame size, which is when the per-shape tuning happens) goes to
 * GST_INFO and, as element messages `cascade-progress`, to the bus:
 * `phase` ("load", "build", "weights", "prepare"), `what` (a file, a
 * program or a stage name), `step` and `steps` (guint: k of n).
 *
 * The model is loaded and the OpenCL device opened when the element goes
 * from READY to PAUSED (in `newest-frame` mode on the worker, while the
 * video flows); a missing model file fails that state change with
 * a RESOURCE NOT_FOUND error, a damaged one with RESOURCE OPEN_READ, a
 * missing or unusable OpenCL device with LIBRARY INIT (in `newest-frame`
 * mode a damaged model or a missing device is posted as that error when
 * the worker finds it, and the stream stops).
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
 * |[
 * gst-launch-1.0 rtspsrc location=rtsp://camera/stream ! decodebin ! \
 *     videoconvert ! cascadedetect mode=auto stats-interval=5000 ! \
 *     cascadeoverlay ! videoconvert ! autovideosink
 * ]| A camera at its own frame rate, each frame with the newest result.
 */

#include "cascadedetectpriv.h"
#include "cascadeformats.h"
#include "cascademodelpath.h"

/* also the category of cascadedetectprops.c and cascadeworker.c */
GST_DEBUG_CATEGORY (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

/* the largest frame side of the caps */
#define MAX_FRAME_SIDE 8192


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
static gboolean gst_cascade_detect_src_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_cascade_detect_query (GstBaseTransform * trans,
    GstPadDirection direction, GstQuery * query);
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

  gst_cascade_detect_props_install (gobject_class);
  gst_cascade_detect_info_install (gobject_class);

  gst_element_class_set_static_metadata (element_class,
      "Cascade R-CNN object detector", "Filter/Analyzer/Video",
      "Detects objects and instance masks on every video frame with a "
      "Cascade R-CNN or Cascade Mask R-CNN model (mmdetection model zoo, "
      "converted to safetensors) on an OpenCL device; attaches a "
      "GstCascadeMeta with every object and one "
      "GstVideoRegionOfInterestMeta per object, and passes the pixels "
      "unchanged", "gst-cascade developers");

  gst_element_class_add_pad_template (element_class,
      gst_cascade_formats_pad_template ("sink", GST_PAD_SINK, MAX_FRAME_SIDE));
  gst_element_class_add_pad_template (element_class,
      gst_cascade_formats_pad_template ("src", GST_PAD_SRC, MAX_FRAME_SIDE));

  trans_class->start = GST_DEBUG_FUNCPTR (gst_cascade_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_cascade_detect_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_cascade_detect_sink_event);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_cascade_detect_src_event);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_cascade_detect_query);

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_cascade_detect_set_info);
  filter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_cascade_detect_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_CASCADE_DETECT_MODE, 0);
}

static void
gst_cascade_detect_init (GstCascadeDetect * self)
{
  gst_cascade_detect_props_init (&self->props);
  self->format = CASCADE_FORMAT_LAST;
  g_mutex_init (&self->lock);
  self->qos_earliest = GST_CLOCK_TIME_NONE;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

/* A refused property value: running, a warning on the bus (the previous
 * value stays in use); else start will fail with it as an error. */
static void
refuse_value (GstCascadeDetect * self, gchar * message)
{
  GST_WARNING_OBJECT (self, "%s; keeping the previous value", message);
  if (GST_STATE (self) >= GST_STATE_PAUSED) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("%s", message),
        ("the previous value stays in use"));
    GST_OBJECT_LOCK (self);
    g_clear_pointer (&self->props.invalid_input_size, g_free);
    g_clear_pointer (&self->props.invalid_classes, g_free);
    GST_OBJECT_UNLOCK (self);
  }
  g_free (message);
}

static void
gst_cascade_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);
  gboolean known;
  gchar *refused = NULL;

  GST_OBJECT_LOCK (self);
  self->props.refused = FALSE;
  known = gst_cascade_detect_props_set (&self->props, object, prop_id, value);
  if (self->props.refused)
    refused = gst_cascade_detect_props_invalid (&self->props);
  GST_OBJECT_UNLOCK (self);
  if (!known)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  if (refused)
    refuse_value (self, refused);
}

static void
gst_cascade_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);
  gboolean known;

  if (g_str_equal (pspec->name, "stats")) {
    g_value_take_boxed (value, gst_cascade_detect_get_stats (self));
    return;
  }
  g_mutex_lock (&self->lock);
  known = gst_cascade_detect_info_get (&self->info, prop_id, value);
  g_mutex_unlock (&self->lock);
  if (known)
    return;
  GST_OBJECT_LOCK (self);
  known = gst_cascade_detect_props_get (&self->props, prop_id, value);
  GST_OBJECT_UNLOCK (self);
  if (!known)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_cascade_detect_finalize (GObject * object)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (object);

  gst_cascade_detect_props_clear (&self->props);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

/* *model (a path or a name) -> the file's path; posts the error */
static gboolean
resolve_model (GstCascadeDetect * self, gchar ** model)
{
  GError *error = NULL;
  gchar *path = gst_cascade_model_find (*model, &error);

  if (!path) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
        ("model property \"%s\"", *model ? *model : ""));
    g_clear_error (&error);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "model \"%s\": %s", *model, path);
  g_free (*model);
  *model = path;
  return TRUE;
}

static gboolean
gst_cascade_detect_start (GstBaseTransform * trans)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);
  gchar *model, *device, *invalid;
  guint input_long, input_short;
  GstCascadeDetectMode mode;
  GstCascadeShared *shared;
  GError *error = NULL;
  gboolean sync;

  GST_OBJECT_LOCK (self);
  model = g_strdup (self->props.model);
  device = g_strdup (self->props.device);
  input_long = self->props.input_long;
  input_short = self->props.input_short;
  mode = self->props.mode;
  invalid = gst_cascade_detect_props_invalid (&self->props);
  GST_OBJECT_UNLOCK (self);

  if (invalid)
    goto invalid_value;
  if (!resolve_model (self, &model))
    goto failed;

  gst_cascade_stats_reset (&self->stats);
  self->running = mode;
  self->stats.mode = mode == GST_CASCADE_DETECT_MODE_AUTO ? NULL :
      mode == GST_CASCADE_DETECT_MODE_BLOCKING ? "blocking" : "newest-frame";
  self->qos_earliest = GST_CLOCK_TIME_NONE;
  self->reported = 0;
  self->frame_count = 0;
  self->stats_posted = g_get_monotonic_time ();

  /* newest-frame: the worker loads it, while the video flows */
  sync = mode != GST_CASCADE_DETECT_MODE_NEWEST_FRAME;
  shared = gst_cascade_shared_acquire (model, device, input_long,
      input_short, sync, gst_cascade_detect_start_progress, self, &error);
  if (!shared)
    goto engine_failed;
  g_mutex_lock (&self->lock);
  self->shared = shared;
  if (!sync)
    self->stream = gst_cascade_stream_new (shared, GST_ELEMENT (self));
  g_mutex_unlock (&self->lock);
  if (sync && !gst_cascade_detect_setup_engine (self,
          gst_cascade_shared_engine (shared, NULL)))
    goto failed;

  g_free (model);
  g_free (device);
  return TRUE;

  /* ERRORS */
invalid_value:
  {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", invalid),
        ("a property value was refused when it was set"));
    g_free (invalid);
    goto failed;
  }
engine_failed:
  {
    gst_cascade_detect_post_load_error (self, error, model);
    goto failed;
  }
failed:
  {
    g_clear_error (&error);
    g_free (model);
    g_free (device);
    gst_cascade_detect_stop (trans);
    return FALSE;
  }
}

static gboolean
gst_cascade_detect_stop (GstBaseTransform * trans)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);
  GstCascadeStream *stream;
  GstCascadeShared *shared;

  g_mutex_lock (&self->lock);
  stream = self->stream;
  self->stream = NULL;
  shared = self->shared;
  self->shared = NULL;
  /* a late latency query makes no stream any more */
  self->running = GST_CASCADE_DETECT_MODE_BLOCKING;
  gst_cascade_detect_info_clear (&self->info);
  g_mutex_unlock (&self->lock);
  /* never waits for a frame in flight */
  gst_cascade_stream_free (stream);
  gst_cascade_shared_release (shared);
  self->engine = NULL;

  g_clear_pointer (&self->last, cascade_result_free);
  g_clear_pointer (&self->class_filter, g_free);
  g_clear_pointer (&self->labels, g_strfreev);
  self->format = CASCADE_FORMAT_LAST;
  self->width = self->height = 0;

  return TRUE;
}

/* forgets the results of another part of the stream or another size */
static void
forget_results (GstCascadeDetect * self)
{
  g_clear_pointer (&self->last, cascade_result_free);
  g_mutex_lock (&self->lock);
  if (self->stream)
    gst_cascade_stream_flush (self->stream);
  g_mutex_unlock (&self->lock);
}

static gboolean
gst_cascade_detect_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    /* after a seek, process the next frame instead of repeating a result
     * of another part of the stream */
    forget_results (self);
    self->frame_count = 0;
    g_mutex_lock (&self->lock);
    self->qos_earliest = GST_CLOCK_TIME_NONE;
    g_mutex_unlock (&self->lock);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* QoS events: kept here, not given to GstBaseTransform, which would drop
 * the late frames; a late frame passes with the last result instead */
static gboolean
gst_cascade_detect_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);

  if (GST_EVENT_TYPE (event) == GST_EVENT_QOS) {
    GstClockTimeDiff diff;
    GstClockTime timestamp;

    gst_event_parse_qos (event, NULL, NULL, &diff, &timestamp);
    g_mutex_lock (&self->lock);
    if (!GST_CLOCK_TIME_IS_VALID (timestamp))
      self->qos_earliest = GST_CLOCK_TIME_NONE;
    else if (diff < 0 && (GstClockTime) (-diff) > timestamp)
      self->qos_earliest = 0;
    else
      self->qos_earliest = timestamp + diff;
    g_mutex_unlock (&self->lock);
    GST_LOG_OBJECT (self, "QoS: earliest %" GST_TIME_FORMAT,
        GST_TIME_ARGS (timestamp + diff));
    return gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (trans), event);
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

/* the mode in use: auto decides it once, from upstream's liveness */
static GstCascadeDetectMode
set_mode (GstCascadeDetect * self, gboolean live)
{
  GstCascadeDetectMode m;

  g_mutex_lock (&self->lock);
  /* (not before start has the engine) */
  if (self->running == GST_CASCADE_DETECT_MODE_AUTO && !self->shared) {
    g_mutex_unlock (&self->lock);
    return GST_CASCADE_DETECT_MODE_BLOCKING;
  }
  if (self->running == GST_CASCADE_DETECT_MODE_AUTO) {
    self->running = live ? GST_CASCADE_DETECT_MODE_NEWEST_FRAME :
        GST_CASCADE_DETECT_MODE_BLOCKING;
    self->stats.mode = live ? "newest-frame" : "blocking";
    if (live && !self->stream)
      self->stream = gst_cascade_stream_new (self->shared, GST_ELEMENT (self));
    GST_INFO_OBJECT (self, "auto: upstream is %slive, running %s",
        live ? "" : "not ", self->stats.mode);
  }
  m = self->running;
  g_mutex_unlock (&self->lock);
  return m;
}

static GstCascadeDetectMode
decide_mode (GstCascadeDetect * self)
{
  GstQuery *q;
  gboolean live = FALSE, answered;
  GstCascadeDetectMode m;

  g_mutex_lock (&self->lock);
  m = self->running;
  g_mutex_unlock (&self->lock);
  if (m != GST_CASCADE_DETECT_MODE_AUTO)
    return m;

  q = gst_query_new_latency ();
  answered = gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (self), q);
  if (answered)
    gst_query_parse_latency (q, &live, NULL, NULL);
  gst_query_unref (q);
  if (!answered) {
    /* no answer (yet): this frame blocking, ask again with the next */
    GST_DEBUG_OBJECT (self, "auto: upstream does not answer the latency "
        "query");
    return GST_CASCADE_DETECT_MODE_BLOCKING;
  }
  return set_mode (self, live);
}

/* the latency query: upstream's plus ours (blocking: the largest recent
 * inference time; newest-frame: the 90th percentile of recent frame
 * copies) */
static gboolean
gst_cascade_detect_query (GstBaseTransform * trans, GstPadDirection direction,
    GstQuery * query)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (trans);
  GstClockTime min, max, ours;
  GstCascadeDetectMode m;
  gboolean live;

  if (direction != GST_PAD_SRC || GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans, direction,
        query);

  if (!gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), query))
    return FALSE;
  gst_query_parse_latency (query, &live, &min, &max);
  m = set_mode (self, live);
  g_mutex_lock (&self->lock);
  if (m == GST_CASCADE_DETECT_MODE_BLOCKING)
    ours = (GstClockTime) (gst_cascade_stats_window_max (&self->stats) *
        GST_MSECOND);
  else
    ours = (GstClockTime) (gst_cascade_stats_copy_latency (&self->stats) *
        GST_MSECOND);
  self->reported = ours;
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "latency: upstream %" GST_TIME_FORMAT " + ours %"
      GST_TIME_FORMAT, GST_TIME_ARGS (min), GST_TIME_ARGS (ours));
  gst_query_set_latency (query, live, min + ours,
      GST_CLOCK_TIME_IS_VALID (max) ? max + ours : max);
  return TRUE;
}

static gboolean
gst_cascade_detect_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (filter);
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT (in_info);
  guint w = GST_VIDEO_INFO_WIDTH (in_info), h = GST_VIDEO_INFO_HEIGHT (in_info);

  self->format = gst_cascade_format_from_video (format);
  if (self->format == CASCADE_FORMAT_LAST)
    goto unsupported;

  /* a new geometry: an older result does not fit it, nor does the frame
   * the worker may hold */
  forget_results (self);
  if (w != self->width || h != self->height)
    self->size_seen = FALSE;
  self->width = w;
  self->height = h;

  GST_DEBUG_OBJECT (self, "%s %ux%u", gst_video_format_to_string (format),
      w, h);
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

static GstFlowReturn
gst_cascade_detect_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  GstCascadeDetect *self = GST_CASCADE_DETECT (filter);
  GstFlowReturn ret = GST_FLOW_OK;

  if (!self->shared || self->format == CASCADE_FORMAT_LAST)
    return GST_FLOW_NOT_NEGOTIATED;

  g_mutex_lock (&self->lock);
  self->stats.frames_in++;
  g_mutex_unlock (&self->lock);

  if (!self->engine && !gst_cascade_detect_engine_ready (self, &ret)) {
    /* newest-frame while the worker loads the model: video flows */
    g_mutex_lock (&self->lock);
    self->stats.no_result++;
    g_mutex_unlock (&self->lock);
  } else if (decide_mode (self) == GST_CASCADE_DETECT_MODE_NEWEST_FRAME) {
    ret = gst_cascade_detect_newest_frame (self, frame);
  } else {
    ret = gst_cascade_detect_blocking_frame (self, frame);
  }
  self->frame_count++;
  gst_cascade_detect_post_stats (self);
  return ret;
}
