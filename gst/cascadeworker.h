/* gst-cascade: engines shared by the cascadedetect elements of a process,
 * and the worker thread that runs them for newest-frame streams
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "cascade.h"

G_BEGIN_DECLS

/* One loaded engine, shared (refcounted) by every element that opens the
 * same model file (same path, size and modification time) on the same
 * device spec with the same input size.  The engine is used from one
 * thread at a time: blocking elements take it with
 * gst_cascade_shared_lock on their streaming threads, the worker takes the
 * same lock for each frame it runs. */
typedef struct _GstCascadeShared GstCascadeShared;

/* One element's newest-frame stream on the worker of a shared engine: at
 * most one pending frame (a copy of its pixels) and the newest finished
 * result. */
typedef struct _GstCascadeStream GstCascadeStream;

/* A finished result and where it came from. */
typedef struct
{
  CascadeResult *result;
  GstClockTime pts;             /* of the frame it was computed on */
  guint64 frame;                /* that frame's number in its stream */
  gdouble ms;                   /* inference time */
} GstCascadeDone;

void gst_cascade_done_free (GstCascadeDone * done);

/* Finds or makes the shared engine for (model, device, input size; 0x0 the
 * model's).  sync: loads it now, on this thread, reporting to `progress`;
 * NULL with error set when the load fails (then or earlier).  Otherwise
 * the worker thread loads it (gst_cascade_shared_engine tells when it is
 * ready) and posts its progress to the attached streams' elements. */
GstCascadeShared *gst_cascade_shared_acquire (const gchar * model,
    const gchar * device, guint input_long, guint input_short, gboolean sync,
    CascadeProgressFunc progress, gpointer user_data, GError ** error);
void gst_cascade_shared_release (GstCascadeShared * shared);

/* The engine once loaded, else NULL (still loading, or failed: then
 * *error, if given, is set to a copy of the load error). */
CascadeEngine *gst_cascade_shared_engine (GstCascadeShared * shared,
    GError ** error);

/* Exclusive use of the engine. */
void gst_cascade_shared_lock (GstCascadeShared * shared);
void gst_cascade_shared_unlock (GstCascadeShared * shared);

/* A stream of `owner` (not reffed; gst_cascade_stream_free detaches it, so
 * that the worker never touches the element afterwards). */
GstCascadeStream *gst_cascade_stream_new (GstCascadeShared * shared,
    GstElement * owner);
/* Detaches and frees the stream; never waits for a frame in flight (its
 * result is dropped when it finishes). */
void gst_cascade_stream_free (GstCascadeStream * stream);

/* Offers the newest frame to the worker: copies its pixels into the
 * stream's pending slot, replacing (dropping) a frame that the worker has
 * not taken yet.  params' class filter is copied (n_classes flags).
 * Returns FALSE when a pending frame was replaced. */
gboolean gst_cascade_stream_submit (GstCascadeStream * stream,
    const GstVideoFrame * frame, CascadePixelFormat format,
    const CascadeDetectParams * params, guint n_classes, guint64 number);

/* The newest result finished since the last call, or NULL. */
GstCascadeDone *gst_cascade_stream_take (GstCascadeStream * stream);

/* Forgets the pending frame and, when it finishes, the result of the frame
 * in flight (flushing seeks, caps changes). */
void gst_cascade_stream_flush (GstCascadeStream * stream);

/* 1 when a frame waits for the worker, else 0 (a frame in flight is not
 * pending) */
guint gst_cascade_stream_pending (GstCascadeStream * stream);

/* The error of a frame the worker failed on, or NULL (transfer full). */
GError *gst_cascade_stream_take_error (GstCascadeStream * stream);

/* Posts the `cascade-progress` element message and logs it at INFO. */
void gst_cascade_post_progress (GstElement * element,
    CascadeProgressPhase phase, const gchar * what, guint k, guint n);

G_END_DECLS
