/* gst-cascade: cascadeoverlay's label texts, rendered with Pango
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/* an alpha map of a rendered label text */
typedef struct
{
  gint width, height;
  guint8 *alpha;
} GstCascadeTextBitmap;

/* the rendered texts of one element, by text */
typedef struct
{
  PangoFontMap *font_map;
  PangoContext *pango;
  GHashTable *labels;           /* text -> GstCascadeTextBitmap */
  gint font_px;
} GstCascadeTextCache;

/* start: the Pango context and an empty cache; clear: all released */
void gst_cascade_text_cache_init (GstCascadeTextCache * cache);
void gst_cascade_text_cache_clear (GstCascadeTextCache * cache);

/* A new font size (pixels): the cached texts are dropped. */
void gst_cascade_text_cache_set_font_px (GstCascadeTextCache * cache,
    gint font_px);

/* The alpha map of text in bold sans at the font size, rendered on first
 * use (owner: the element, for the log). */
const GstCascadeTextBitmap *gst_cascade_text_cache_get (GstCascadeTextCache *
    cache, GstObject * owner, const gchar * text);

G_END_DECLS
