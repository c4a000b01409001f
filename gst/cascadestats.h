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

/* inference times kept for the latency (the maximum of the last ones) */
#define GST_CASCADE_STATS_WINDOW 32

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
  gdouble window[GST_CASCADE_STATS_WINDOW];
  guint n_window, next_window;
} GstCascadeStats;

void gst_cascade_stats_reset (GstCascadeStats * stats);

/* Records one inference of ms milliseconds (counted = FALSE: not in the
 * latency window, e.g. the first one at a new size, which includes the
 * per-shape tuning). */
void gst_cascade_stats_add_inference (GstCascadeStats * stats, gdouble ms,
    gboolean counted);

/* The largest of the last GST_CASCADE_STATS_WINDOW inference times. */
gdouble gst_cascade_stats_window_max (const GstCascadeStats * stats);

/* The structure `name` with the fields documented on cascadedetect:stats. */
GstStructure *gst_cascade_stats_structure (const GstCascadeStats * stats,
    const gchar * name);

G_END_DECLS
