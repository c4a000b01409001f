/* gst-cascade: cascadeoverlay's label texts, rendered with Pango
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "cascadeoverlaytext.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_overlay_debug);
#define GST_CAT_DEFAULT gst_cascade_overlay_debug

/* cached label bitmaps, cleared when they grow beyond this */
#define LABEL_CACHE_MAX 512

static void
text_bitmap_free (gpointer data)
{
  GstCascadeTextBitmap *bm = data;

  g_free (bm->alpha);
  g_free (bm);
}

void
gst_cascade_text_cache_init (GstCascadeTextCache * cache)
{
  cache->font_map = pango_cairo_font_map_new ();
  cache->pango = pango_font_map_create_context (cache->font_map);
  cache->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      text_bitmap_free);
}

void
gst_cascade_text_cache_clear (GstCascadeTextCache * cache)
{
  g_clear_pointer (&cache->labels, g_hash_table_unref);
  g_clear_object (&cache->pango);
  g_clear_object (&cache->font_map);
}

void
gst_cascade_text_cache_set_font_px (GstCascadeTextCache * cache, gint font_px)
{
  cache->font_px = font_px;
  if (cache->labels)
    g_hash_table_remove_all (cache->labels);
}

/* white text on an ARGB surface, of which the alpha is kept */
static void
render (GstCascadeTextBitmap * bm, PangoLayout * layout,
    const PangoRectangle * logical, gint pad)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  const guint8 *data;
  gint stride, r, i;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, bm->width,
      bm->height);
  cr = cairo_create (surface);
  cairo_set_source_rgba (cr, 1.0, 1.0, 1.0, 1.0);
  cairo_move_to (cr, pad - logical->x, -logical->y);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  bm->alpha = g_malloc ((gsize) bm->width * bm->height);
  for (r = 0; r < bm->height; r++) {
    const guint32 *px = (const guint32 *) (data + (gsize) r * stride);
    for (i = 0; i < bm->width; i++)
      bm->alpha[(gsize) r * bm->width + i] = px[i] >> 24;
  }
  cairo_surface_destroy (surface);
}

const GstCascadeTextBitmap *
gst_cascade_text_cache_get (GstCascadeTextCache * cache, GstObject * owner,
    const gchar * text)
{
  GstCascadeTextBitmap *bm;
  PangoLayout *layout;
  PangoFontDescription *desc;
  PangoRectangle ink, logical;
  gint pad = 2;

  bm = g_hash_table_lookup (cache->labels, text);
  if (bm)
    return bm;

  if (g_hash_table_size (cache->labels) >= LABEL_CACHE_MAX)
    g_hash_table_remove_all (cache->labels);

  layout = pango_layout_new (cache->pango);
  desc = pango_font_description_from_string ("Sans Bold");
  pango_font_description_set_absolute_size (desc,
      (gdouble) cache->font_px * PANGO_SCALE);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, &ink, &logical);

  bm = g_new0 (GstCascadeTextBitmap, 1);
  bm->width = MAX (logical.width, 1) + 2 * pad;
  bm->height = MAX (logical.height, 1);
  render (bm, layout, &logical, pad);
  g_object_unref (layout);

  g_hash_table_insert (cache->labels, g_strdup (text), bm);
  GST_DEBUG_OBJECT (owner, "rendered label '%s': %dx%d", text, bm->width,
      bm->height);
  return bm;
}
