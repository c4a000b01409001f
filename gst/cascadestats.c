/* gst-cascade: cascadedetect's counters, and its start-up progress
 * messages
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cascadestats.h"
#include "cascadeworker.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

void
gst_cascade_stats_reset (GstCascadeStats * stats)
{
  memset (stats, 0, sizeof (*stats));
}

void
gst_cascade_stats_add_inference (GstCascadeStats * stats, gdouble ms,
    gboolean counted)
{
  stats->inferred++;
  stats->last_ms = ms;
  stats->total_ms += ms;
  if (counted)
    gst_cascade_window_add (&stats->inferences, ms);
}

gdouble
gst_cascade_stats_window_max (const GstCascadeStats * stats)
{
  return gst_cascade_window_max (&stats->inferences);
}

void
gst_cascade_stats_add_copy (GstCascadeStats * stats, gdouble ms)
{
  gst_cascade_window_add (&stats->copies, ms);
}

gdouble
gst_cascade_stats_copy_latency (const GstCascadeStats * stats)
{
  return gst_cascade_window_quantile (&stats->copies, 0.9);
}

void
gst_cascade_window_add (GstCascadeWindow * w, gdouble ms)
{
  w->v[w->next] = ms;
  w->next = (w->next + 1) % GST_CASCADE_STATS_WINDOW;
  if (w->n < GST_CASCADE_STATS_WINDOW)
    w->n++;
}

gdouble
gst_cascade_window_max (const GstCascadeWindow * w)
{
  return gst_cascade_window_quantile (w, 1.0);
}

static gint
cmp_ms (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

gdouble
gst_cascade_window_quantile (const GstCascadeWindow * w, gdouble p)
{
  gdouble sorted[GST_CASCADE_STATS_WINDOW];
  guint rank;

  if (w->n == 0)
    return 0.0;
  memcpy (sorted, w->v, w->n * sizeof (gdouble));
  qsort (sorted, w->n, sizeof (gdouble), cmp_ms);
  /* nearest rank: the smallest value with at least p of them at or below */
  rank = (guint) ceil (CLAMP (p, 0.0, 1.0) * w->n - 1e-9);
  return sorted[MAX (rank, 1) - 1];
}

GstStructure *
gst_cascade_stats_structure (const GstCascadeStats * s, const gchar * name)
{
  return gst_structure_new (name,
      "mode", G_TYPE_STRING, s->mode ? s->mode : "",
      "frames-in", G_TYPE_UINT64, s->frames_in,
      "inferred", G_TYPE_UINT64, s->inferred,
      "repeated", G_TYPE_UINT64, s->repeated,
      "skipped-late", G_TYPE_UINT64, s->skipped_late,
      "no-result", G_TYPE_UINT64, s->no_result,
      "replaced", G_TYPE_UINT64, s->replaced,
      "pending", G_TYPE_UINT, s->pending,
      "last-inference-ms", G_TYPE_DOUBLE, s->last_ms,
      "mean-inference-ms", G_TYPE_DOUBLE,
      s->inferred ? s->total_ms / s->inferred : 0.0,
      "max-recent-inference-ms", G_TYPE_DOUBLE,
      gst_cascade_stats_window_max (s),
      "result-age-ms", G_TYPE_DOUBLE, s->age_ms,
      "result-age-frames", G_TYPE_UINT64, s->age_frames, NULL);
}

void
gst_cascade_done_free (GstCascadeDone * done)
{
  if (!done)
    return;
  cascade_result_free (done->result);
  g_free (done);
}

void
gst_cascade_post_progress (GstElement * element, CascadeProgressPhase phase,
    const gchar * what, guint k, guint n)
{
  const gchar *name = cascade_progress_phase_name (phase);

  GST_INFO_OBJECT (element, "start-up: %s %s (%u of %u)", name, what, k, n);
  gst_element_post_message (element, gst_message_new_element (GST_OBJECT
          (element), gst_structure_new ("cascade-progress", "phase",
              G_TYPE_STRING, name, "what", G_TYPE_STRING, what, "step",
              G_TYPE_UINT, k, "steps", G_TYPE_UINT, n, NULL)));
}
