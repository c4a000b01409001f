/* gst-cascade devtools: per-stage timings of a forward pass */
#include "timing.h"

#include <stdlib.h>
#include <string.h>

static void
observe_stage (CascadeStage stage, gboolean begin, gdouble flops,
    guint count, gpointer user_data)
{
  CascadeTimings *t = user_data;
  gint64 now = g_get_monotonic_time ();

  if (begin) {
    t->begin_us = now;
    return;
  }
  t->ms[stage] = (now - t->begin_us) / 1000.0;
  t->flops[stage] = flops;
  if (stage == CASCADE_STAGE_RPN)
    t->proposals = count;
  else if (stage == CASCADE_STAGE_NMS)
    t->detections = count;
}

void
cascade_timings_clear (CascadeTimings * t)
{
  memset (t, 0, sizeof (*t));
}

void
cascade_timings_observer (CascadeTimings * t, CascadeObserver * observer)
{
  cascade_timings_clear (t);
  observer->stage = observe_stage;
  observer->tensor = NULL;
  observer->user_data = t;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

gdouble
cascade_median (gdouble * v, guint n)
{
  qsort (v, n, sizeof (gdouble), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
