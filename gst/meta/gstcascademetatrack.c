/* gst-cascade: GstCascadeMeta, the tracking state of its objects
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* cascadetrack sets a track ID, an age and a "predicted" flag on each
 * object; they live in what was the object's padding (the ABI union of
 * #GstCascadeObject), so copies and scaled copies of the meta keep them. */

#include "gstcascademeta.h"

/* the track fields fit the padding they took, on every ABI */
G_STATIC_ASSERT (sizeof (((GstCascadeObject *) NULL)->ABI.track) <=
    sizeof (gpointer) * GST_PADDING);

#define TRACK_FLAG_PREDICTED (1u << 0)

/**
 * gst_cascade_meta_set_track:
 * @meta: a writable #GstCascadeMeta
 * @index: object index
 * @track_id: the object's track ID (cascadetrack gives 1, 2, ...; 0 is
 *   "not tracked")
 * @age: frames since the track was first shown (0 on that frame)
 * @predicted: %TRUE when the box is the tracker's prediction for this
 *   frame, not a detection made on it
 *
 * Sets the tracking state of object @index; copies and scaled copies of
 * the meta keep it.
 *
 * Since: 0.3
 */
void
gst_cascade_meta_set_track (GstCascadeMeta * meta, guint index,
    guint64 track_id, guint age, gboolean predicted)
{
  GstCascadeObject *o;

  g_return_if_fail (meta != NULL);
  g_return_if_fail (index < gst_cascade_meta_get_count (meta));

  o = (GstCascadeObject *) gst_cascade_meta_get_object (meta, index);
  o->ABI.track.track_id = track_id;
  o->ABI.track.track_age = age;
  o->ABI.track.track_flags = predicted ? TRACK_FLAG_PREDICTED : 0;
}

/**
 * gst_cascade_meta_get_track_id:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * The track ID of an object.
 *
 * Returns: the track ID of object @index (unique in the stream, never
 *   reused), or 0 when the object is not tracked or @index is out of range
 *
 * Since: 0.3
 */
guint64
gst_cascade_meta_get_track_id (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? o->ABI.track.track_id : 0;
}

/**
 * gst_cascade_meta_get_track_age:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * How long an object has been tracked.
 *
 * Returns: the number of frames since the track of object @index was
 *   first shown (0 on that frame, and for untracked objects)
 *
 * Since: 0.3
 */
guint
gst_cascade_meta_get_track_age (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? o->ABI.track.track_age : 0;
}

/**
 * gst_cascade_meta_is_predicted:
 * @meta: a #GstCascadeMeta
 * @index: object index
 *
 * Whether an object's box is a prediction.
 *
 * Returns: %TRUE when the box of object @index is the tracker's
 *   prediction for this frame (made from a result of an earlier frame),
 *   %FALSE when it is a detection on this frame, or not tracked
 *
 * Since: 0.3
 */
gboolean
gst_cascade_meta_is_predicted (const GstCascadeMeta * meta, guint index)
{
  const GstCascadeObject *o = gst_cascade_meta_get_object (meta, index);

  return o ? (o->ABI.track.track_flags & TRACK_FLAG_PREDICTED) != 0 : FALSE;
}
