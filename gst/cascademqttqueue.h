/* gst-cascade: cascademqttsink's outgoing queue and counters
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* One message: the topic and the payload in one allocation. */
typedef struct
{
  gchar *topic;                 /* NUL-terminated, inside the allocation */
  const guint8 *payload;
  gsize len;
} CascadeMqttMsg;

CascadeMqttMsg *cascade_mqtt_msg_new (const gchar * topic,
    const guint8 * payload, gsize len);
void cascade_mqtt_msg_free (CascadeMqttMsg * msg);

/* The messages waiting to be handed to the connection, oldest first, at
 * most max_msgs of them and max_bytes of payload (0: no limit), and the
 * counters of the element.  No lock inside: the caller locks. */
typedef struct
{
  GQueue pending;               /* CascadeMqttMsg * */
  gsize bytes;                  /* payload bytes in pending */
  guint max_msgs;
  gsize max_bytes;

  guint64 queued_total;         /* messages that entered the queue */
  guint64 dropped;              /* the oldest, dropped on overflow */
  guint64 sent;                 /* QoS 0: written; QoS 1/2: acknowledged */
  guint inflight;               /* handed to the connection, not yet
                                   acknowledged */
  gboolean overflowing;         /* dropping; ends once the queue is down to
                                   half its limits */
} CascadeMqttQueue;

void cascade_mqtt_queue_init (CascadeMqttQueue * q, guint max_msgs,
    gsize max_bytes);
void cascade_mqtt_queue_clear (CascadeMqttQueue * q);

/* Appends msg (taking it), then drops the oldest messages until the
 * limits hold again (a message larger than max_bytes on its own is
 * dropped too).  Returns how many were dropped; *first_drop is TRUE when
 * this push began an overflow (the element warns once per overflow). */
guint cascade_mqtt_queue_push (CascadeMqttQueue * q, CascadeMqttMsg * msg,
    gboolean * first_drop);

/* The oldest waiting message, out of the queue (NULL when empty). */
CascadeMqttMsg *cascade_mqtt_queue_pop (CascadeMqttQueue * q);

/* Puts msg back at the head (the connection did not take it). */
void cascade_mqtt_queue_push_front (CascadeMqttQueue * q,
    CascadeMqttMsg * msg);

guint cascade_mqtt_queue_length (const CascadeMqttQueue * q);

/* Called with each line (without its newline, nor a '\r' before it). */
typedef gboolean (*CascadeMqttLineFunc) (const guint8 * line, gsize len,
    gpointer user_data);

/* Cuts data into lines and calls func with each non-empty one.  With
 * keep_partial, an unfinished last line waits in carry for the rest (the
 * next call); data NULL: what waits in carry is a line.  Returns FALSE
 * (carry emptied) as soon as func does. */
gboolean cascade_mqtt_split_lines (GByteArray * carry, gboolean keep_partial,
    const guint8 * data, gsize size, CascadeMqttLineFunc func,
    gpointer user_data);

G_END_DECLS
