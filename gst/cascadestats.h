/* gst-cascade: cascadedetect's counters (the `stats` property and the
 * `cascade-stats` message)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* times kept for the latency: the last inferences (their maximum), the
 * last frame copies (their 90th percentile) */
#define GST_CASCADE_STATS_WINDOW 32

/* the last GST_CASCADE_STATS_WINDOW of a series of times, in ms */
typedef struct
{
  gdouble v[GST_CASCADE_STATS_WINDOW];
  guint n, next;
} GstCascadeWindow;

void gst_cascade_window_add (GstCascadeWindow * w, gdouble ms);
/* the largest kept, 0 when empty */
gdouble gst_cascade_window_max (const GstCascadeWindow * w);
/* the nearest-rank p-th quantile (0 < p <= 1) of those kept, 0 when
 * empty: with p = 0.9 of 32, the 4th largest, so that three stalls in the
 * window (a preempted thread) do not count */
gdouble gst_cascade_window_quantile (const GstCascadeWindow * w, gdouble p);

/* The counters of one element since it started; the caller locks. */
typedef struct
{
  const gchar *mode;            /* "blocking", "newest-frame", or NULL */
  guint64 frames_in;            /* frames that entered */
  guint64 inferred;             /* results computed for this element */
  guint64 repeated;             /* frames that carried an earlier frame's
                                   result */
  guint64 skipped_late;         /* frames QoS said were late: not analysed */
  guint64 no_result;            /* frames that passed without a result */
  guint64 replaced;             /* newest-frame: frames dropped from the
                                   pending slot by a newer one */
  gdouble last_ms, total_ms;    /* inference times */
  gdouble age_ms;               /* frame PTS - result PTS, last frame */
  guint64 age_frames;           /* frames between them */
  guint pending;                /* frames waiting for the worker (0 or 1) */
  GstCascadeWindow inferences;  /* counted inference times */
  GstCascadeWindow copies;      /* newest-frame: frame copy times */
} GstCascadeStats;

void gst_cascade_stats_reset (GstCascadeStats * stats);

/* Records one inference of ms milliseconds (counted = FALSE: not in the
 * latency window, e.g. the first one at a new size, which includes the
 * per-shape tuning). */
void gst_cascade_stats_add_inference (GstCascadeStats * stats, gdouble ms,
    gboolean counted);

/* The largest of the last GST_CASCADE_STATS_WINDOW inference times. */
gdouble gst_cascade_stats_window_max (const GstCascadeStats * stats);

/* Records one frame copy (newest-frame mode) of ms milliseconds. */
void gst_cascade_stats_add_copy (GstCascadeStats * stats, gdouble ms);

/* What a frame copy adds to the latency: the 90th percentile of the last
 * copies.  Not their maximum: one copy stalled by the scheduler on a
 * loaded machine would then delay every frame, from the next latency
 * query to the end of the stream. */
gdouble gst_cascade_stats_copy_latency (const GstCascadeStats * stats);

/* The structure `name` with the fields documented on cascadedetect:stats. */
GstStructure *gst_cascade_stats_structure (const GstCascadeStats * stats,
    const gchar * name);

G_END_DECLS
