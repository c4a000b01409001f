/* gst-cascade example cascade-rtsp: the types its two files share.
 *
 * cascade-rtsp.c builds the pipeline and runs the application (options,
 * bus, signals, clean stop); cascade-rtsp-camera.c runs each camera's
 * source: building it, noticing its failures and stalls, tearing it down
 * and rebuilding it with back-off.
 */
#ifndef CASCADE_RTSP_H
#define CASCADE_RTSP_H

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _CascadeRtspApp CascadeRtspApp;

typedef enum
{
  CAMERA_CONNECTING,            /* source built, no buffer yet */
  CAMERA_STREAMING,             /* buffers arriving */
  CAMERA_STALLED,               /* no buffer for the stall timeout, or EOS */
  CAMERA_RECONNECTING,          /* source torn down, waiting the back-off */
  CAMERA_STOPPED                /* the application is stopping */
} CameraState;

typedef struct
{
  CascadeRtspApp *app;
  guint index;
  gchar *url;
  gchar *out_path;

  /* the persistent branch: cascadedetect ! cascadejson ! filesink (and
   * with --mqtt, a tee to cascademqttsink) */
  GstElement *detect, *json, *sink, *mqtt;
  GstPad *branch_pad;           /* cascadedetect's sink pad (a ref) */

  /* the current source bin (NULL while reconnecting); the generation
   * tells its messages and events from those of bins already replaced */
  GstElement *source;
  guint generation;

  CameraState state;
  gint64 state_since;           /* g_get_monotonic_time () */
  gint64 last_buffer;
  guint attempt;                /* failures since the last buffer */
  gdouble delay;                /* the back-off before the next attempt, s */
  guint retry_id;               /* the back-off timer */

  /* buffers entering the branch since the last tick: written by the
   * streaming thread (atomically), read and reset by the main loop */
  gint new_buffers;
  guint64 buffers;
  gboolean eos_sent;            /* stopping: EOS sent into the branch */
} Camera;

struct _CascadeRtspApp
{
  GMainLoop *loop;
  GstElement *pipeline;
  GPtrArray *cameras;           /* Camera * */

  /* options */
  gdouble stall_timeout, connect_timeout;
  gdouble backoff_initial, backoff_max;
  gchar **rtsp_props;           /* NULL-terminated "key=value" */
  gchar *mqtt;                  /* --mqtt HOST[:PORT], or NULL */
  gchar **mqtt_props;

  GPtrArray *teardowns;         /* sources being set to NULL off the loop */
  gboolean stopping;
  gint exit_code;
};

/* a line on stdout with the local time */
void cascade_rtsp_log (const gchar * format, ...) G_GNUC_PRINTF (1, 2);

/* sets "key=value" strings on obj; FALSE (and a message) on a bad one */
gboolean cascade_rtsp_set_props (GObject * obj, gchar ** props,
    const gchar * what);

/* cascade-rtsp-camera.c */
void camera_start (Camera * cam);
void camera_tick (Camera * cam);
gboolean camera_owns_message (Camera * cam, GstMessage * msg,
    gboolean * stale);
void camera_fail (Camera * cam, const gchar * reason);
void camera_stop (Camera * cam);
void cascade_rtsp_reap_teardowns (CascadeRtspApp * app, gboolean wait);
GstElement *camera_make_mqtt (Camera * cam);

G_END_DECLS

#endif /* CASCADE_RTSP_H */
