/* gst-cascade: the state of cascadetrack's zones and lines (private)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include "cascadezones.h"

G_BEGIN_DECLS

enum
{
  C_IN,                         /* zones: entered; lines: forward */
  C_OUT,                        /* zones: left; lines: backward */
  C_OCC,                        /* zones: occupancy */
  C_N
};

typedef struct
{
  const gchar *label;           /* interned */
  gint class_id;
  guint n[C_N];
} ClassCount;

typedef struct
{
  gchar *name;
  gboolean line;
  gboolean normalized;
  guint n;                      /* points */
  gdouble *spec;                /* 2n, as given */
  gdouble *px;                  /* 2n, in pixels */
  gdouble dir[2];               /* lines: forward direction as given */
  gboolean has_dir;
  gdouble fwd;                  /* lines: +1 or -1, the side forward goes to */
  gdouble hysteresis, hyst_px;
  gchar **classes;              /* NULL: every class */
  GArray *counts;               /* ClassCount */
  guint total[C_N];
} Region;

typedef struct
{
  gint8 *side;                  /* per region: line side, or inside (1) */
  gdouble *last;                /* per region: lines: last point on side */
  guint64 *enter;               /* per region: zones: entry time */
  const gchar **enter_label;    /* per region: zones: label at entry */
  gint *enter_class;
} TrackState;

struct _GstCascadeZones
{
  GPtrArray *regions;
  GHashTable *tracks;           /* guint64 * -> TrackState */
  guint width, height;
};

G_END_DECLS
