/* gst-cascade: COCO run-length encoding of binary masks (pycocotools'
 * compressed string form); GLib only, shared by the engine's tools and the
 * plugin's JSON element. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* COCO run-length encoding of a width x height binary mask (row stride
 * `stride`; any non-zero byte is foreground): column-major runs starting
 * with zeros, written as pycocotools' compressed string.  g_free it. */
gchar *cascade_rle_encode (const guint8 * mask, guint width, guint height,
    gsize stride);

/* Decodes a compressed RLE string into a width x height mask (0/1 bytes,
 * stride = width); FALSE if the string is malformed or does not cover
 * exactly width*height pixels. */
gboolean cascade_rle_decode (const gchar * counts, guint width, guint height,
    guint8 * mask);

G_END_DECLS
