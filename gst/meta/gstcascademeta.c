/* gst-cascade: GstCascadeMeta, the detections of one video frame
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstcascademeta
 * @title: GstCascadeMeta
 * @short_description: detected objects and instance masks of a video frame
 *
 * cascadedetect attaches one #GstCascadeMeta to every frame it processes.
 * It holds all objects of the frame: box in frame pixels, score, class id,
 * label and, for mask models, the 28x28 mask probabilities relative to the
 * box.  gst_cascade_meta_get_mask() pastes a mask into a binary frame-sized
 * image exactly as mmdetection does (bilinear grid_sample with
 * align_corners=False and zero padding, then >= threshold; zero-width and
 * out-of-frame boxes included), on the CPU, so
 * that the meta is usable without the OpenCL engine, also after a scaler
 * has rescaled it.
 *
 * |[<!-- language="C" -->
 * GstCascadeMeta *meta = gst_buffer_get_cascade_meta (buffer);
 * guint i;
 *
 * for (i = 0; meta && i < gst_cascade_meta_get_count (meta); i++) {
 *   const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
 *   g_print ("%s %.2f [%.1f %.1f %.1f %.1f]\n",
 *       gst_cascade_meta_get_label (meta, i), o->score,
 *       o->x1, o->y1, o->x2, o->y2);
 * }
 * ]|
 *
 * Applications find the library with `pkg-config gst-cascade-meta-1.0`
 * and include `<gst/cascade/gstcascademeta.h>`.
 */

#include <math.h>
#include <string.h>

#include "gstcascademeta.h"
#include "mask-paste.h"

#define MASK_AREA (GST_CASCADE_META_MASK_SIZE * GST_CASCADE_META_MASK_SIZE)

GST_DEBUG_CATEGORY_STATIC (cascademeta_debug);
#define GST_CAT_DEFAULT cascademeta_debug

static void
object_clear (gpointer data)
{
  GstCascadeObject *o = data;

  g_free (o->mask);
  o->mask = NULL;
}

static gboolean
gst_cascade_meta_init (GstMeta * meta, gpointer params, GstBuffer * buffer)
{
  GstCascadeMeta *cmeta = (GstCascadeMeta *) meta;

  cmeta->width = 0;
  cmeta->height = 0;
  cmeta->mask_threshold = GST_CASCADE_META_DEFAULT_MASK_THRESHOLD;
  cmeta->flags = GST_CASCADE_META_FLAG_NONE;
  cmeta->source_pts = GST_CLOCK_TIME_NONE;
  cmeta->object_sources = NULL;
  cmeta->objects = g_array_new (FALSE, TRUE, sizeof (GstCascadeObject));
  g_array_set_clear_func (cmeta->objects, object_clear);

  return TRUE;
}

static void
gst_cascade_meta_free (GstMeta * meta, GstBuffer * buffer)
{
  GstCascadeMeta *cmeta = (GstCascadeMeta *) meta;

  g_clear_pointer (&cmeta->objects, g_array_unref);
  g_clear_pointer (&cmeta->object_sources, g_array_unref);
}

static GstCascadeMeta *
copy_meta (GstBuffer * dest, const GstCascadeMeta * src, gdouble sx,
    gdouble sy, guint width, guint height)
{
  GstCascadeMeta *dmeta;
  guint i;

  dmeta = gst_buffer_add_cascade_meta (dest, width, height);
  if (!dmeta)
    return NULL;

  dmeta->mask_threshold = src->mask_threshold;
  dmeta->flags = src->flags;
  dmeta->source_pts = src->source_pts;

  for (i = 0; i < src->objects->len; i++) {
    const GstCascadeObject *o =
        &g_array_index (src->objects, GstCascadeObject, i);
    GstCascadeObject copy = *o;

    copy.x1 = (gfloat) (o->x1 * sx);
    copy.x2 = (gfloat) (o->x2 * sx);
    copy.y1 = (gfloat) (o->y1 * sy);
    copy.y2 = (gfloat) (o->y2 * sy);
    copy.mask = o->mask ? g_memdup2 (o->mask, MASK_AREA * sizeof (gfloat))
        : NULL;
    g_array_append_val (dmeta->objects, copy);
  }
  if (src->object_sources) {
    dmeta->object_sources = g_array_sized_new (FALSE, TRUE, sizeof (GQuark),
        src->object_sources->len);
    g_array_append_vals (dmeta->object_sources, src->object_sources->data,
        src->object_sources->len);
  }

  return dmeta;
}

static gboolean
gst_cascade_meta_transform (GstBuffer * dest, GstMeta * meta,
    GstBuffer * buffer, GQuark type, gpointer data)
{
  GstCascadeMeta *smeta = (GstCascadeMeta *) meta;

  if (GST_META_TRANSFORM_IS_COPY (type)) {
    /* a plain copy, or a copy of a memory region: same frame geometry */
    GST_TRACE ("copying %u objects", smeta->objects->len);
    return copy_meta (dest, smeta, 1.0, 1.0, smeta->width,
        smeta->height) != NULL;
  } else if (GST_VIDEO_META_TRANSFORM_IS_SCALE (type)) {
    GstVideoMetaTransform *trans = data;
    gint in_w = GST_VIDEO_INFO_WIDTH (trans->in_info);
    gint in_h = GST_VIDEO_INFO_HEIGHT (trans->in_info);
    gint out_w = GST_VIDEO_INFO_WIDTH (trans->out_info);
    gint out_h = GST_VIDEO_INFO_HEIGHT (trans->out_info);
    gdouble sx, sy;
    guint width, height;

    if (in_w <= 0 || in_h <= 0 || out_w <= 0 || out_h <= 0)
      return FALSE;

    sx = (gdouble) out_w / in_w;
    sy = (gdouble) out_h / in_h;
    /* the meta normally refers to the input frame; if not, scale its own
     * size by the same factors */
    width = smeta->width == (guint) in_w ? (guint) out_w :
        (guint) MAX (1, lrint (smeta->width * sx));
    height = smeta->height == (guint) in_h ? (guint) out_h :
        (guint) MAX (1, lrint (smeta->height * sy));

    GST_TRACE ("scaling %u objects by %f x %f", smeta->objects->len, sx, sy);
    return copy_meta (dest, smeta, sx, sy, width, height) != NULL;
  }

  /* another transform that changes the geometry: drop the meta */
  GST_DEBUG ("dropping the meta on transform %s", g_quark_to_string (type));
  return FALSE;
}

/**
 * gst_cascade_meta_api_get_type:
 *
 * The API type of #GstCascadeMeta, to look the meta up on a buffer.
 *
 * Returns: the #GType of the #GstCascadeMeta API, tagged "video" and
 * "size".
 *
 * Since: 0.1
 */
GType
gst_cascade_meta_api_get_type (void)
{
  static GType type = 0;
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR,
    GST_META_TAG_VIDEO_SIZE_STR, NULL
  };

  if (g_once_init_enter (&type)) {
    GType _type = gst_meta_api_type_register ("GstCascadeMetaAPI", tags);
    g_once_init_leave (&type, _type);
  }
  return type;
}

/**
 * gst_cascade_meta_get_info:
 *
 * The registered #GstMetaInfo of #GstCascadeMeta (registered on first use).
 *
 * Returns: the #GstMetaInfo of #GstCascadeMeta
 *
 * Since: 0.1
 */
const GstMetaInfo *
gst_cascade_meta_get_info (void)
{
  static const GstMetaInfo *meta_info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & meta_info)) {
    const GstMetaInfo *mi;

    GST_DEBUG_CATEGORY_INIT (cascademeta_debug, "cascademeta", 0,
        "GstCascadeMeta");
    mi = gst_meta_register (GST_CASCADE_META_API_TYPE, "GstCascadeMeta",
        sizeof (GstCascadeMeta), gst_cascade_meta_init,
        gst_cascade_meta_free, gst_cascade_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & meta_info, (GstMetaInfo *) mi);
  }
  return meta_info;
}

/**
 * gst_buffer_add_cascade_meta:
 * @buffer: a writable #GstBuffer
 * @width: width of the frame the boxes will refer to
 * @height: height of that frame
 *
 * Attaches an empty #GstCascadeMeta to @buffer.
 *
 * Returns: (transfer none) (nullable): the new meta
 *
 * Since: 0.1
 */
GstCascadeMeta *
gst_buffer_add_cascade_meta (GstBuffer * buffer, guint width, guint height)
{
  GstCascadeMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  meta = (GstCascadeMeta *) gst_buffer_add_meta (buffer,
      GST_CASCADE_META_INFO, NULL);
  if (meta) {
    meta->width = width;
    meta->height = height;
  }
  return meta;
}

/**
 * gst_cascade_meta_add_object:
 * @meta: a #GstCascadeMeta
 * @x1: left edge in frame pixels
 * @y1: top edge
 * @x2: right edge
 * @y2: bottom edge
 * @score: confidence
 * @class_id: class index
 * @label: (nullable): class label, interned
 * @mask: (nullable) (array fixed-size=784): GST_CASCADE_META_MASK_SIZE
 *   squared box-relative mask probabilities (copied), or %NULL
 *
 * Appends an object to @meta.
 *
 * Returns: the index of the new object
 *
 * Since: 0.1
 */
guint
gst_cascade_meta_add_object (GstCascadeMeta * meta, gfloat x1, gfloat y1,
    gfloat x2, gfloat y2, gfloat score, gint class_id, const gchar * label,
    const gfloat * mask)
{
  GstCascadeObject o;

  g_return_val_if_fail (meta != NULL, G_MAXUINT);

  memset (&o, 0, sizeof (o));
  o.x1 = x1;
  o.y1 = y1;
  o.x2 = x2;
  o.y2 = y2;
  o.score = score;
  o.class_id = class_id;
  o.label = label ? g_quark_from_string (label) : 0;
  o.mask = mask ? g_memdup2 (mask, MASK_AREA * sizeof (gfloat)) : NULL;
  g_array_append_val (meta->objects, o);

  return meta->objects->len - 1;
}

/**
 * gst_cascade_meta_get_count:
 * @meta: a #GstCascadeMeta
 *
 * The number of objects in @meta.
 *
 * Returns: the number of objects
 *
 * Since: 0.1
 */
guint
gst_cascade_meta_get_count (const GstCascadeMeta * meta)
{
  g_return_val_if_fail (meta != NULL, 0);

  return meta->objects->len;
}

/**
 * gst_cascade_meta_get_object:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * Object @index of @meta, boxes in pixels of its @width x @height frame.
 *
 * Returns: (transfer none) (nullable): object @index, or %NULL when out of
 * range; valid as long as the meta is
 *
 * Since: 0.1
 */
const GstCascadeObject *
gst_cascade_meta_get_object (const GstCascadeMeta * meta, guint index)
{
  g_return_val_if_fail (meta != NULL, NULL);

  if (index >= meta->objects->len)
    return NULL;
  return &g_array_index (meta->objects, GstCascadeObject, index);
}

/**
 * gst_cascade_meta_get_label:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * The class label of object @index.
 *
 * Returns: (transfer none) (nullable): the label of object @index
 *
 * Since: 0.1
 */
const gchar *
gst_cascade_meta_get_label (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? g_quark_to_string (o->label) : NULL;
}

/**
 * gst_cascade_meta_get_mask_probs:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * The mask probabilities of object @index, as the mask head computed them.
 *
 * Returns: (transfer none) (nullable) (array fixed-size=784): the
 * box-relative GST_CASCADE_META_MASK_SIZE squared mask probabilities
 * (row-major) of object @index, or %NULL without a mask
 *
 * Since: 0.1
 */
const gfloat *
gst_cascade_meta_get_mask_probs (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? o->mask : NULL;
}

/* The box of object `o` in pixels of a width x height frame. */
static void
scaled_box (const GstCascadeMeta * meta, const GstCascadeObject * o,
    guint width, guint height, gfloat box[4])
{
  gfloat sx = 1.0f, sy = 1.0f;

  if (meta->width && meta->width != width)
    sx = (gfloat) ((gdouble) width / meta->width);
  if (meta->height && meta->height != height)
    sy = (gfloat) ((gdouble) height / meta->height);
  box[0] = o->x1 * sx;
  box[1] = o->y1 * sy;
  box[2] = o->x2 * sx;
  box[3] = o->y2 * sy;
}

/**
 * gst_cascade_meta_get_mask_bounds:
 * @meta: a #GstCascadeMeta
 * @index: object index
 * @width: width of the target image
 * @height: height of the target image
 * @x: (out): left column of the region the mask can cover
 * @y: (out): top row
 * @w: (out): region width (0 when the mask is empty)
 * @h: (out): region height
 *
 * The rectangle of a @width x @height image outside which the pasted mask
 * of object @index is 0, for use with gst_cascade_meta_get_mask_region().
 *
 * Returns: %FALSE when @index is out of range or the object has no mask
 *
 * Since: 0.1
 */
gboolean
gst_cascade_meta_get_mask_bounds (const GstCascadeMeta * meta, guint index,
    guint width, guint height, guint * x, guint * y, guint * w, guint * h)
{
  const GstCascadeObject *o;
  gfloat box[4];
  gint b[4];

  g_return_val_if_fail (meta != NULL, FALSE);

  o = gst_cascade_meta_get_object (meta, index);
  if (!o || !o->mask)
    return FALSE;

  scaled_box (meta, o, width, height, box);
  cascade_paste_region (box, width, height, b);
  if (x)
    *x = b[0];
  if (y)
    *y = b[1];
  if (w)
    *w = b[2] - b[0];
  if (h)
    *h = b[3] - b[1];
  return TRUE;
}

/**
 * gst_cascade_meta_get_mask_region:
 * @meta: a #GstCascadeMeta
 * @index: object index
 * @width: width of the whole target image
 * @height: height of the whole target image
 * @x: left column of the region to compute
 * @y: top row of the region
 * @w: region width
 * @h: region height
 * @out: (out caller-allocates): @h rows of @w bytes, @stride apart
 * @stride: bytes between rows of @out
 *
 * Like gst_cascade_meta_get_mask(), for the rectangle (@x, @y, @w, @h) of
 * the @width x @height image only: out[r * stride + c] is pixel
 * (@x + c, @y + r) of the full mask.
 *
 * Returns: %FALSE when @index is out of range, the object has no mask or
 * the region is not inside the image
 *
 * Since: 0.1
 */
gboolean
gst_cascade_meta_get_mask_region (const GstCascadeMeta * meta, guint index,
    guint width, guint height, guint x, guint y, guint w, guint h,
    guint8 * out, gsize stride)
{
  const GstCascadeObject *o;
  gfloat box[4];

  g_return_val_if_fail (meta != NULL, FALSE);
  g_return_val_if_fail (out != NULL || w == 0 || h == 0, FALSE);

  o = gst_cascade_meta_get_object (meta, index);
  if (!o || !o->mask)
    return FALSE;
  if (x > width || y > height || w > width - x || h > height - y || stride < w)
    return FALSE;

  scaled_box (meta, o, width, height, box);
  cascade_paste_mask_rect (o->mask, GST_CASCADE_META_MASK_SIZE, box, width,
      height, meta->mask_threshold, x, y, w, h, out, stride);
  return TRUE;
}

/**
 * gst_cascade_meta_get_mask:
 * @meta: a #GstCascadeMeta
 * @index: object index
 * @width: width of the target image (normally #GstCascadeMeta.width)
 * @height: height of the target image
 * @out: (out caller-allocates): @height rows of @width bytes
 * @stride: bytes between rows of @out
 *
 * Pastes the mask of object @index into a @width x @height binary image
 * (0/1 bytes) as mmdetection's _do_paste_mask does: every pixel centre
 * samples the box-relative probabilities bilinearly (grid_sample,
 * align_corners=False, zero padding) and is set when the value is >=
 * #GstCascadeMeta.mask_threshold.  When @width x @height differs from the
 * meta's frame size the box is scaled to it first.
 *
 * Returns: %FALSE when @index is out of range or the object has no mask
 *
 * Since: 0.1
 */
gboolean
gst_cascade_meta_get_mask (const GstCascadeMeta * meta, guint index,
    guint width, guint height, guint8 * out, gsize stride)
{
  return gst_cascade_meta_get_mask_region (meta, index, width, height, 0, 0,
      width, height, out, stride);
}

/**
 * gst_cascade_meta_set_source:
 * @meta: a #GstCascadeMeta
 * @pts: the PTS of the frame the detections were computed on, or
 *   %GST_CLOCK_TIME_NONE
 * @repeated: %TRUE when that frame is not the one @meta is attached to
 *   (sets or clears %GST_CASCADE_META_FLAG_REPEATED)
 *
 * Says where the detections come from: how old they are.
 *
 * Since: 0.2
 */
void
gst_cascade_meta_set_source (GstCascadeMeta * meta, GstClockTime pts,
    gboolean repeated)
{
  g_return_if_fail (meta != NULL);

  meta->source_pts = pts;
  if (repeated)
    meta->flags |= GST_CASCADE_META_FLAG_REPEATED;
  else
    meta->flags &= ~GST_CASCADE_META_FLAG_REPEATED;
}

/**
 * gst_cascade_meta_get_source_pts:
 * @meta: a #GstCascadeMeta
 *
 * The PTS of the frame the result was computed on.
 *
 * Returns: the PTS of the frame the detections were computed on (the
 *   frame's own PTS unless the meta is repeated), or %GST_CLOCK_TIME_NONE
 *   when unknown.  Copies and scaled copies of the meta keep it.
 *
 * Since: 0.2
 */
GstClockTime
gst_cascade_meta_get_source_pts (const GstCascadeMeta * meta)
{
  g_return_val_if_fail (meta != NULL, GST_CLOCK_TIME_NONE);

  return meta->source_pts;
}

/**
 * gst_cascade_meta_is_repeated:
 * @meta: a #GstCascadeMeta
 *
 * Whether the result was computed on an earlier frame than the one it is attached to.
 *
 * Returns: %TRUE when the detections were computed on an earlier frame
 *   (%GST_CASCADE_META_FLAG_REPEATED)
 *
 * Since: 0.2
 */
gboolean
gst_cascade_meta_is_repeated (const GstCascadeMeta * meta)
{
  g_return_val_if_fail (meta != NULL, FALSE);

  return (meta->flags & GST_CASCADE_META_FLAG_REPEATED) != 0;
}
