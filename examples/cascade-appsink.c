/* gst-cascade example: an application that embeds a detection pipeline
 * and reads every frame's objects from GstCascadeMeta through appsink.
 *
 *   cascade-appsink [-m model.safetensors] [-d device] [-n frames] [FILE]
 *
 * Without FILE it runs on videotestsrc.  Build it against an installed
 * gst-cascade with
 *
 *   cc cascade-appsink.c -o cascade-appsink \
 *       $(pkg-config --cflags --libs gst-cascade-meta-1.0 gstreamer-app-1.0)
 */
#include <stdio.h>
#include <stdlib.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/cascade/gstcascademeta.h>

static void
print_frame (GstSample * sample, guint64 n)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (buf);
  guint i, count = meta ? gst_cascade_meta_get_count (meta) : 0;

  g_print ("frame %" G_GUINT64_FORMAT " pts %" GST_TIME_FORMAT ": %u object%s%s\n",
      n, GST_TIME_ARGS (GST_BUFFER_PTS (buf)), count, count == 1 ? "" : "s",
      meta && (meta->flags & GST_CASCADE_META_FLAG_REPEATED) ?
      " (repeated)" : "");

  for (i = 0; i < count; i++) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    const gchar *label = gst_cascade_meta_get_label (meta, i);

    g_print ("  %-16s %.3f  [%7.1f %7.1f %7.1f %7.1f]", label ? label : "?",
        o->score, o->x1, o->y1, o->x2, o->y2);

    /* the full-frame binary mask, pasted on the CPU on request */
    if (o->mask) {
      guint8 *mask = g_malloc ((gsize) meta->width * meta->height);
      guint64 area = 0, k;

      if (gst_cascade_meta_get_mask (meta, i, meta->width, meta->height,
              mask, meta->width)) {
        for (k = 0; k < (guint64) meta->width * meta->height; k++)
          area += mask[k];
      }
      g_print ("  mask %" G_GUINT64_FORMAT " px", area);
      g_free (mask);
    }
    g_print ("\n");
  }
}

/* prints the bus's error, if there is one: 1, else 0 */
static gint
report_error (GstBus * bus)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *err = NULL;
  gchar *debug = NULL;

  if (!msg)
    return 0;
  gst_message_parse_error (msg, &err, &debug);
  g_printerr ("Error from %s: %s\n%s\n", GST_OBJECT_NAME (msg->src),
      err->message, debug ? debug : "");
  g_clear_error (&err);
  g_free (debug);
  gst_message_unref (msg);
  return 1;
}

int
main (int argc, char **argv)
{
  gchar *model = NULL, *device = NULL;
  gint max_frames = 0;
  GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model,
        "Model file (default: cascadedetect's)", "FILE"},
    {"device", 'd', 0, G_OPTION_ARG_STRING, &device,
        "OpenCL device (index or name substring)", "DEVICE"},
    {"frames", 'n', 0, G_OPTION_ARG_INT, &max_frames,
        "Stop after this many frames (0: all)", "N"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  GstElement *pipeline, *sink, *detect;
  GString *launch;
  GstSample *sample;
  GstBus *bus;
  guint64 n = 0;
  gint ret = 0;

  ctx = g_option_context_new ("[FILE] - print the objects cascadedetect "
      "finds on each frame");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    g_error_free (err);
    g_option_context_free (ctx);
    return 2;
  }
  g_option_context_free (ctx);

  launch = g_string_new (NULL);
  if (argc > 1) {
    gchar *uri = gst_filename_to_uri (argv[1], &err);
    if (!uri) {
      g_printerr ("%s\n", err->message);
      return 2;
    }
    g_string_append_printf (launch, "uridecodebin uri=\"%s\" ! ", uri);
    g_free (uri);
  } else {
    g_string_append (launch, "videotestsrc num-buffers=30 ! "
        "video/x-raw,width=640,height=480 ! ");
  }
  /* caps on the appsink: only what cascadedetect takes anyway */
  g_string_append (launch, "videoconvert ! cascadedetect name=detect ! "
      "appsink name=sink sync=false max-buffers=4");

  pipeline = gst_parse_launch (launch->str, &err);
  g_string_free (launch, TRUE);
  if (!pipeline) {
    g_printerr ("Could not build the pipeline: %s\n", err->message);
    return 1;
  }
  detect = gst_bin_get_by_name (GST_BIN (pipeline), "detect");
  if (model)
    g_object_set (detect, "model", model, NULL);
  if (device)
    g_object_set (detect, "device", device, NULL);
  gst_object_unref (detect);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");

  bus = gst_element_get_bus (pipeline);
  /* a failed start (a missing model, no OpenCL device) posts its error on
   * the bus: the appsink would wait for a sample forever */
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    ret = report_error (bus);
    if (!ret) {
      g_printerr ("Could not start the pipeline\n");
      ret = 1;
    }
  }

  /* samples until EOS, an error, or max_frames; the bus is read between
   * samples, since an error stops the stream without EOS */
  while (!ret) {
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        100 * GST_MSECOND);
    if (sample) {
      print_frame (sample, n++);
      gst_sample_unref (sample);
      if (max_frames > 0 && n >= (guint64) max_frames)
        break;
    } else if (gst_app_sink_is_eos (GST_APP_SINK (sink))) {
      break;
    }
    ret = report_error (bus);
  }
  gst_object_unref (bus);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (model);
  g_free (device);
  return ret;
}
