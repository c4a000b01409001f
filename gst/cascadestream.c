/* gst-cascade: a newest-frame stream on a shared engine's worker: its
 * pending frame (a copy of the newest frame's pixels) and its newest
 * finished result
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "cascadeworkerpriv.h"
#include "cascadeformats.h"

void
gst_cascade_stream_destroy (GstCascadeStream * st)
{
  g_free (st->pending.data);
  g_free (st->pending.filter);
  g_free (st->spare);
  gst_cascade_done_free (st->done);
  g_clear_error (&st->error);
  g_free (st);
}

GstCascadeStream *
gst_cascade_stream_new (GstCascadeShared * sh, GstElement * owner)
{
  GstCascadeStream *st = g_new0 (GstCascadeStream, 1);

  st->shared = sh;
  st->owner = owner;
  g_mutex_lock (&sh->lock);
  sh->streams = g_list_append (sh->streams, st);
  gst_cascade_shared_ensure_worker (sh);
  g_mutex_unlock (&sh->lock);
  return st;
}

void
gst_cascade_stream_free (GstCascadeStream * st)
{
  GstCascadeShared *sh;

  if (!st)
    return;
  sh = st->shared;
  g_mutex_lock (&sh->lock);
  sh->streams = g_list_remove (sh->streams, st);
  if (sh->last_served == st)
    sh->last_served = NULL;
  st->owner = NULL;
  if (!st->busy)
    gst_cascade_stream_destroy (st);
  g_mutex_unlock (&sh->lock);
}

gboolean
gst_cascade_stream_submit (GstCascadeStream * st, const GstVideoFrame * frame,
    CascadePixelFormat format, const CascadeDetectParams * params,
    guint n_classes, guint64 number)
{
  GstCascadeShared *sh = st->shared;
  CascadeFrame cf;
  Pending p, old;
  guint8 *block;
  gsize size;
  gboolean replaced;

  memset (&p, 0, sizeof (p));
  g_mutex_lock (&sh->lock);
  block = st->spare;
  size = st->spare_size;
  st->spare = NULL;
  g_mutex_unlock (&sh->lock);

  gst_cascade_frame_from_video ((GstVideoFrame *) frame, format, &cf);
  gst_cascade_frame_copy (&cf, &p.frame, &block, &size);
  p.data = block;
  p.size = size;
  p.params = *params;
  p.params.class_filter = NULL;
  if (params->class_filter)
    p.filter = g_memdup2 (params->class_filter, n_classes * sizeof (gboolean));
  p.pts = GST_BUFFER_PTS (frame->buffer);
  p.number = number;

  g_mutex_lock (&sh->lock);
  p.generation = st->generation;
  replaced = st->has_pending;
  old = st->pending;
  st->pending = p;
  st->has_pending = TRUE;
  if (replaced && !st->spare) {
    st->spare = old.data;
    st->spare_size = old.size;
    old.data = NULL;
  }
  g_cond_broadcast (&sh->cond);
  g_mutex_unlock (&sh->lock);
  g_free (old.data);
  g_free (old.filter);
  return !replaced;
}

GstCascadeDone *
gst_cascade_stream_take (GstCascadeStream * st)
{
  GstCascadeDone *done;

  g_mutex_lock (&st->shared->lock);
  done = st->done;
  st->done = NULL;
  g_mutex_unlock (&st->shared->lock);
  return done;
}

void
gst_cascade_stream_flush (GstCascadeStream * st)
{
  Pending old;

  /* (an empty slot is all zeroes) */
  g_mutex_lock (&st->shared->lock);
  st->generation++;
  old = st->pending;
  memset (&st->pending, 0, sizeof (st->pending));
  st->has_pending = FALSE;
  g_clear_pointer (&st->done, gst_cascade_done_free);
  g_mutex_unlock (&st->shared->lock);
  g_free (old.data);
  g_free (old.filter);
}

guint
gst_cascade_stream_pending (GstCascadeStream * st)
{
  guint n;

  g_mutex_lock (&st->shared->lock);
  n = st->has_pending ? 1 : 0;
  g_mutex_unlock (&st->shared->lock);
  return n;
}

GError *
gst_cascade_stream_take_error (GstCascadeStream * st)
{
  GError *e;

  g_mutex_lock (&st->shared->lock);
  e = st->error;
  st->error = NULL;
  g_mutex_unlock (&st->shared->lock);
  return e;
}
