/* gst-cascade: GstCascadeMeta's getters for bindings, and the element that
 * found each object
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Every field of the meta and its objects through a function, so that
 * GObject introspection (GstCascade-1.0.typelib) gives Python and other
 * languages the whole meta: in Python
 *
 *   meta = GstCascade.buffer_get_cascade_meta (buffer)
 *   for i in range (meta.get_count ()):
 *       ok, x1, y1, x2, y2 = meta.get_box (i)
 *       probs = meta.get_mask_probs (i)             # 784 floats or None
 *       mask = meta.get_mask_bytes (i, w, h)        # GLib.Bytes, w*h 0/1
 */

#include "gstcascademeta.h"

/**
 * gst_buffer_get_cascade_meta:
 * @buffer: a #GstBuffer
 *
 * The #GstCascadeMeta of @buffer (the first, should there be several).
 *
 * Returns: (transfer none) (nullable): the #GstCascadeMeta of @buffer
 *
 * Since: 0.1
 */
GstCascadeMeta *
gst_buffer_get_cascade_meta (GstBuffer * buffer)
{
  return (GstCascadeMeta *) gst_buffer_get_meta (buffer,
      GST_CASCADE_META_API_TYPE);
}

/**
 * gst_cascade_meta_get_box:
 * @meta: a #GstCascadeMeta
 * @index: object index
 * @x1: (out): left edge, in pixels of the meta's frame
 * @y1: (out): top edge
 * @x2: (out): right edge (@x2 - @x1 is the width)
 * @y2: (out): bottom edge
 *
 * The box of object @index.
 *
 * Returns: %FALSE if @index is out of range
 *
 * Since: 0.3
 */
gboolean
gst_cascade_meta_get_box (const GstCascadeMeta * meta, guint index,
    gfloat * x1, gfloat * y1, gfloat * x2, gfloat * y2)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  *x1 = o ? o->x1 : 0.0f;
  *y1 = o ? o->y1 : 0.0f;
  *x2 = o ? o->x2 : 0.0f;
  *y2 = o ? o->y2 : 0.0f;
  return o != NULL;
}

/**
 * gst_cascade_meta_get_score:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * The confidence of object @index.
 *
 * Returns: the confidence of object @index, -1 if out of range
 *
 * Since: 0.3
 */
gfloat
gst_cascade_meta_get_score (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? o->score : -1.0f;
}

/**
 * gst_cascade_meta_get_class_id:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * The class of object @index.
 *
 * Returns: the 0-based class of object @index, -1 if out of range
 *
 * Since: 0.3
 */
gint
gst_cascade_meta_get_class_id (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? o->class_id : -1;
}

/**
 * gst_cascade_meta_has_mask:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * Whether object @index has mask probabilities.
 *
 * Returns: whether object @index has a mask
 *
 * Since: 0.3
 */
gboolean
gst_cascade_meta_has_mask (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o && o->mask;
}

/**
 * gst_cascade_meta_get_mask_bytes:
 * @meta: a #GstCascadeMeta
 * @index: object index
 * @width: width of the mask image (normally the frame's)
 * @height: its height
 *
 * The mask of object @index pasted into a @width x @height image, as
 * gst_cascade_meta_get_mask() does: one byte per pixel, 1 inside, 0
 * outside, rows of @width bytes.
 *
 * Returns: (transfer full) (nullable): the mask, %NULL without one
 *
 * Since: 0.3
 */
GBytes *
gst_cascade_meta_get_mask_bytes (const GstCascadeMeta * meta, guint index,
    guint width, guint height)
{
  gsize size = (gsize) width * height;
  guint8 *data;

  if (size == 0 || !gst_cascade_meta_has_mask (meta, index))
    return NULL;
  data = g_malloc (size);
  if (!gst_cascade_meta_get_mask (meta, index, width, height, data, width)) {
    g_free (data);
    return NULL;
  }
  return g_bytes_new_take (data, size);
}

/**
 * gst_cascade_meta_get_flags:
 * @meta: a #GstCascadeMeta
 *
 * The flags of @meta.
 *
 * Returns: the #GstCascadeMetaFlags of @meta
 *
 * Since: 0.3
 */
GstCascadeMetaFlags
gst_cascade_meta_get_flags (const GstCascadeMeta * meta)
{
  g_return_val_if_fail (meta != NULL, GST_CASCADE_META_FLAG_NONE);
  return meta->flags;
}

/**
 * gst_cascade_meta_get_width:
 * @meta: a #GstCascadeMeta
 *
 * The width of the frame the boxes of @meta refer to.
 *
 * Returns: the width of the frame the boxes refer to
 *
 * Since: 0.3
 */
guint
gst_cascade_meta_get_width (const GstCascadeMeta * meta)
{
  g_return_val_if_fail (meta != NULL, 0);
  return meta->width;
}

/**
 * gst_cascade_meta_get_height:
 * @meta: a #GstCascadeMeta
 *
 * The height of the frame the boxes of @meta refer to.
 *
 * Returns: the height of the frame the boxes refer to
 *
 * Since: 0.3
 */
guint
gst_cascade_meta_get_height (const GstCascadeMeta * meta)
{
  g_return_val_if_fail (meta != NULL, 0);
  return meta->height;
}

/**
 * gst_cascade_meta_get_result_age:
 * @meta: a #GstCascadeMeta
 * @pts: the PTS of the buffer that carries @meta
 *
 * How old the result is: @pts minus the PTS of the frame it was computed
 * on (0 for a frame's own result).
 *
 * Returns: the age in nanoseconds, or GST_CLOCK_STIME_NONE when either
 * PTS is unknown
 *
 * Since: 0.3
 */
GstClockTimeDiff
gst_cascade_meta_get_result_age (const GstCascadeMeta * meta, GstClockTime pts)
{
  GstClockTime src = gst_cascade_meta_get_source_pts (meta);

  if (!GST_CLOCK_TIME_IS_VALID (pts) || !GST_CLOCK_TIME_IS_VALID (src))
    return GST_CLOCK_STIME_NONE;
  return GST_CLOCK_DIFF (src, pts);
}

/**
 * gst_cascade_meta_set_object_source:
 * @meta: a #GstCascadeMeta
 * @index: object index
 * @source: (nullable): the name of the element that found object @index
 *
 * Tags an object with the element that found it, so that the objects of
 * chained detectors on one frame stay told apart.
 *
 * Since: 0.3
 */
void
gst_cascade_meta_set_object_source (GstCascadeMeta * meta, guint index,
    const gchar * source)
{
  GQuark q = source ? g_quark_from_string (source) : 0;

  g_return_if_fail (meta != NULL);
  g_return_if_fail (index < meta->objects->len);

  if (!meta->object_sources)
    meta->object_sources = g_array_new (FALSE, TRUE, sizeof (GQuark));
  if (meta->object_sources->len <= index)
    g_array_set_size (meta->object_sources, index + 1);
  g_array_index (meta->object_sources, GQuark, index) = q;
}

/**
 * gst_cascade_meta_get_object_source:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * The element that found object @index (cascadedetect tags every object
 * with its name).
 *
 * Returns: (transfer none) (nullable): the element's name, or %NULL
 *
 * Since: 0.3
 */
const gchar *
gst_cascade_meta_get_object_source (const GstCascadeMeta * meta, guint index)
{
  g_return_val_if_fail (meta != NULL, NULL);

  if (!meta->object_sources || index >= meta->object_sources->len)
    return NULL;
  return g_quark_to_string (g_array_index (meta->object_sources, GQuark,
          index));
}
