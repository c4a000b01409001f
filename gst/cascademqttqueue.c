/* gst-cascade: cascademqttsink's outgoing queue and counters
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "cascademqttqueue.h"

CascadeMqttMsg *
cascade_mqtt_msg_new (const gchar * topic, const guint8 * payload, gsize len)
{
  gsize tlen = strlen (topic) + 1;
  CascadeMqttMsg *msg = g_malloc (sizeof (CascadeMqttMsg) + tlen + len);
  gchar *data = (gchar *) (msg + 1);

  memcpy (data, topic, tlen);
  if (len)
    memcpy (data + tlen, payload, len);
  msg->topic = data;
  msg->payload = (const guint8 *) data + tlen;
  msg->len = len;
  return msg;
}

void
cascade_mqtt_msg_free (CascadeMqttMsg * msg)
{
  g_free (msg);
}

void
cascade_mqtt_queue_init (CascadeMqttQueue * q, guint max_msgs,
    gsize max_bytes)
{
  memset (q, 0, sizeof (*q));
  g_queue_init (&q->pending);
  q->max_msgs = MAX (max_msgs, 1);
  q->max_bytes = max_bytes;
}

void
cascade_mqtt_queue_clear (CascadeMqttQueue * q)
{
  g_queue_clear_full (&q->pending, (GDestroyNotify) cascade_mqtt_msg_free);
  q->bytes = 0;
}

static gboolean
over_limits (const CascadeMqttQueue * q)
{
  return q->pending.length > q->max_msgs
      || (q->max_bytes && q->bytes > q->max_bytes);
}

guint
cascade_mqtt_queue_push (CascadeMqttQueue * q, CascadeMqttMsg * msg,
    gboolean * first_drop)
{
  guint dropped = 0;

  g_queue_push_tail (&q->pending, msg);
  q->bytes += msg->len;
  q->queued_total++;
  while (over_limits (q)) {
    CascadeMqttMsg *old = g_queue_pop_head (&q->pending);

    q->bytes -= old->len;
    cascade_mqtt_msg_free (old);
    dropped++;
  }
  q->dropped += dropped;
  *first_drop = dropped > 0 && !q->overflowing;
  if (dropped)
    q->overflowing = TRUE;
  return dropped;
}

CascadeMqttMsg *
cascade_mqtt_queue_pop (CascadeMqttQueue * q)
{
  CascadeMqttMsg *msg = g_queue_pop_head (&q->pending);

  if (!msg)
    return NULL;
  q->bytes -= msg->len;
  /* an overflow ends when the queue is down to half its limits */
  if (q->overflowing && q->pending.length <= q->max_msgs / 2
      && (!q->max_bytes || q->bytes <= q->max_bytes / 2))
    q->overflowing = FALSE;
  return msg;
}

void
cascade_mqtt_queue_push_front (CascadeMqttQueue * q, CascadeMqttMsg * msg)
{
  g_queue_push_head (&q->pending, msg);
  q->bytes += msg->len;
}

guint
cascade_mqtt_queue_length (const CascadeMqttQueue * q)
{
  return q->pending.length;
}

gboolean
cascade_mqtt_split_lines (GByteArray * carry, gboolean keep_partial,
    const guint8 * data, gsize size, CascadeMqttLineFunc func,
    gpointer user_data)
{
  const guint8 *p = data;
  gsize n = size, start = 0;

  if (!data || carry->len) {
    if (data)
      g_byte_array_append (carry, data, size);
    p = carry->data;
    n = carry->len;
  }
  while (start < n) {
    const guint8 *nl = memchr (p + start, '\n', n - start);
    gsize end, len;

    if (!nl && keep_partial && data)
      break;
    end = nl ? (gsize) (nl - p) : n;
    len = end - start;
    if (len > 0 && p[start + len - 1] == '\r')
      len--;
    if (len > 0 && !func (p + start, len, user_data)) {
      g_byte_array_set_size (carry, 0);
      return FALSE;
    }
    start = end + 1;
  }
  start = MIN (start, n);
  if (p == carry->data)
    g_byte_array_remove_range (carry, 0, start);
  else
    g_byte_array_append (carry, p + start, n - start);
  return TRUE;
}
