/* gst-cascade: cascadeoverlay's pixel blending, one function per format
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* a colour in RGB and in the YUV of the negotiated format */
typedef struct
{
  guint8 r, g, b;
  guint8 y, u, v;
} GstCascadeColour;

typedef struct _GstCascadeBlender GstCascadeBlender;

/* Blends c with a w x h alpha map (row stride astride; 0 repeats the
 * first row) onto the frame at (x, y), already clipped to the frame. */
typedef void (*GstCascadeBlendFunc) (GstCascadeBlender * b,
    GstVideoFrame * frame, gint x, gint y, gint w, gint h,
    const guint8 * alpha, gsize astride, const GstCascadeColour * c);

/* What blending needs of the negotiated format, set by
 * gst_cascade_blender_set_info. */
struct _GstCascadeBlender
{
  GstCascadeBlendFunc blend;    /* the format's; NULL before set_info */
  guint bpp;                    /* packed formats: bytes per pixel */
  gint off[3];                  /* packed formats: byte of R, G, B */
  gdouble kr, kb;               /* YUV formats: colour matrix */
  gboolean full_range;

  guint8 *ones;                 /* a row of 255, frame width */
  guint8 *alpha_row;            /* per-byte alpha of one row */
  guint8 *colour_row;           /* per-byte colour of one row */
  guint8 *chroma_row;           /* per-chroma-sample alpha of one row */
};

/* Picks the blend function of the format of info (packed 8-bit RGB,
 * NV12 or I420) and sizes the rows; FALSE, changing nothing, for another
 * format. */
gboolean gst_cascade_blender_set_info (GstCascadeBlender * b,
    const GstVideoInfo * info);
void gst_cascade_blender_clear (GstCascadeBlender * b);

/* r, g, b and their YUV in the format's matrix and range */
void gst_cascade_blender_colour (const GstCascadeBlender * b, guint8 r,
    guint8 g, guint8 bl, GstCascadeColour * c);

/* Blends c with a w x h alpha map (row stride astride; 0 repeats the
 * first row) whose top-left pixel lands on frame pixel (x, y); everything
 * outside the frame is clipped. */
void gst_cascade_blender_blend (GstCascadeBlender * b, GstVideoFrame * frame,
    gint x, gint y, gint w, gint h, const guint8 * alpha, gsize astride,
    const GstCascadeColour * c);

/* an opaque rectangle, clipped to the frame */
void gst_cascade_blender_fill (GstCascadeBlender * b, GstVideoFrame * frame,
    gint x, gint y, gint w, gint h, const GstCascadeColour * c);

G_END_DECLS
