/* gst-cascade test helper: an RTSP server on 127.0.0.1 serving a live test
 * picture, for tests/live/test_rtsp_recovery.py.
 *
 *   rtsp-test-server [--port N] [--max-seconds S] [--frames N]
 *                    [--width W --height H] [--mount /cam]
 *
 * It serves rtsp://127.0.0.1:PORT/cam: videotestsrc is-live=true
 * pattern=ball, 640x480 (or --width x --height) at 25 fps, as RTP/JPEG (jpegenc, plugins-good; I420,
 * since RTP/JPEG carries 4:2:0 or 4:2:2 only).
 * Port 0 (the default) lets the kernel pick a free one.  Once it listens it
 * prints "PORT <n>" on a line of its own (stdout, flushed).  It quits after
 * --max-seconds (default 300) so that it never outlives a test, and on
 * SIGINT or SIGTERM.  With --frames N each session's stream ends after N
 * frames (an RTCP BYE: the client sees the end of the stream).
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#define LAUNCH \
  "( videotestsrc is-live=true pattern=ball num-buffers=%d ! " \
  "video/x-raw,format=I420,width=%d,height=%d,framerate=25/1 ! " \
  "jpegenc quality=60 ! rtpjpegpay name=pay0 pt=26 )"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit ((GMainLoop *) data);
  return G_SOURCE_REMOVE;
}

static gboolean
session_pool_cleanup_cb (gpointer data)
{
  /* drop the sessions of clients that went away without a TEARDOWN */
  gst_rtsp_session_pool_cleanup (GST_RTSP_SESSION_POOL (data));
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  gint port = 0, max_seconds = 300, frames = -1, width = 640, height = 480;
  gchar *mount = NULL, *service, *launch;
  GOptionEntry entries[] = {
    {"port", 'p', 0, G_OPTION_ARG_INT, &port,
        "TCP port on 127.0.0.1 (0: any free port)", "N"},
    {"max-seconds", 0, 0, G_OPTION_ARG_INT, &max_seconds,
        "Quit after this many seconds (default 300)", "S"},
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames,
        "End each session's stream after N frames (default: never)", "N"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Picture width (default 640)",
        "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height,
        "Picture height (default 480)", "H"},
    {"mount", 0, 0, G_OPTION_ARG_STRING, &mount,
        "Mount point (default /cam)", "PATH"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  GMainLoop *loop;
  GstRTSPServer *server;
  GstRTSPMountPoints *mounts;
  GstRTSPMediaFactory *factory;
  GstRTSPSessionPool *pool;

  ctx = g_option_context_new ("- serve a live test picture over RTSP on "
      "127.0.0.1");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    g_error_free (err);
    g_option_context_free (ctx);
    return 2;
  }
  g_option_context_free (ctx);
  if (port < 0 || port > 65535 || max_seconds <= 0 || width < 16
      || height < 16 || width > 4096 || height > 4096) {
    g_printerr ("--port must be 0..65535, --max-seconds positive, the size "
        "16..4096\n");
    return 2;
  }

  loop = g_main_loop_new (NULL, FALSE);
  server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (server, "127.0.0.1");
  service = g_strdup_printf ("%d", port);
  gst_rtsp_server_set_service (server, service);
  g_free (service);

  factory = gst_rtsp_media_factory_new ();
  launch = g_strdup_printf (LAUNCH, frames > 0 ? frames : -1, width, height);
  gst_rtsp_media_factory_set_launch (factory, launch);
  g_free (launch);
  /* not shared: each session has its own pipeline, so that a session a
   * vanished client left behind never holds up a new one */
  mounts = gst_rtsp_server_get_mount_points (server);
  gst_rtsp_mount_points_add_factory (mounts, mount ? mount : "/cam", factory);
  g_object_unref (mounts);

  if (gst_rtsp_server_attach (server, NULL) == 0) {
    g_printerr ("cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  g_print ("PORT %d\n", gst_rtsp_server_get_bound_port (server));
  fflush (stdout);

  pool = gst_rtsp_server_get_session_pool (server);
  g_timeout_add_seconds (2, session_pool_cleanup_cb, pool);
  g_timeout_add_seconds (max_seconds, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_object_unref (pool);
  g_object_unref (server);
  g_main_loop_unref (loop);
  g_free (mount);
  return 0;
}
