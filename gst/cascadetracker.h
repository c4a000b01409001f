/* gst-cascade: a SORT-style multi-object tracker (GLib only)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* times are nanoseconds (GstClockTime); G_MAXUINT64 is "none" */
#define GST_CASCADE_TRACKER_TIME_NONE G_MAXUINT64

/* side of the box-relative masks (as GST_CASCADE_META_MASK_SIZE) */
#define GST_CASCADE_TRACKER_MASK_AREA (28 * 28)

/* the class votes a track keeps */
#define GST_CASCADE_TRACKER_VOTES 4

typedef struct
{
  gdouble iou_threshold;        /* a match needs at least this IoU ... */
  gdouble birth_score;          /* ... and a new track a detection this sure */
  guint min_hits;               /* results matched before a track has an ID */
  guint64 max_age;              /* ns unmatched before a track is deleted
                                 * (at least 2.5 result periods) */
  /* the motion model, relative to the box size s = sqrt(w h) */
  gdouble meas_std;             /* measurement noise, in s */
  gdouble acc_std;              /* process noise (white acceleration), s/s^2 */
  gdouble vel_std;              /* initial velocity uncertainty, s/s */
} GstCascadeTrackerParams;

/* one detection of a result */
typedef struct
{
  gfloat x1, y1, x2, y2;
  gfloat score;
  gint class_id;
  guint32 label;                /* a GQuark */
  const gfloat *mask;           /* NULL or GST_CASCADE_TRACKER_MASK_AREA */
} GstCascadeTrackInput;

/* a constant-velocity Kalman filter on (cx, cy, w, h): the 8-state filter
 * with block-diagonal F, Q, H, R, computed as four independent
 * (position, velocity) filters; p[k] = {Ppp, Ppv, Pvv} */
typedef struct
{
  gdouble x[4];
  gdouble v[4];
  gdouble p[4][3];
} GstCascadeKalman;

typedef enum
{
  GST_CASCADE_TRACKLET_TENTATIVE,  /* not yet min_hits results: no ID */
  GST_CASCADE_TRACKLET_CONFIRMED,  /* matched by the latest result */
  GST_CASCADE_TRACKLET_LOST,       /* confirmed, missed by the latest result */
} GstCascadeTrackletState;

typedef struct
{
  guint32 label;
  gint class_id;
  gdouble weight;
} GstCascadeClassVote;

typedef struct
{
  guint64 id;                   /* 0 while tentative; never reused */
  GstCascadeTrackletState state;
  GstCascadeKalman kf;
  guint64 time;                 /* time of kf (the latest result) */
  guint64 birth_time;
  guint64 update_time;          /* the latest match */
  guint hits;                   /* results matched */
  guint misses;                 /* consecutive results not matched */
  guint frames;                 /* frames output (the element counts) */
  gint det_index;               /* the detection of the latest result, -1 */
  gint class_id;                /* the class of most votes */
  guint32 label;
  gfloat score;                 /* of the latest matched detection */
  gfloat *mask;                 /* the latest matched detection's, or NULL */
  GstCascadeClassVote votes[GST_CASCADE_TRACKER_VOTES];
} GstCascadeTracklet;

typedef struct _GstCascadeTracker GstCascadeTracker;

void gst_cascade_tracker_params_init (GstCascadeTrackerParams * p);

/* next_id: the ID counter, shared by the trackers of one element so that
 * no ID repeats among them; it outlives the tracker */
GstCascadeTracker *gst_cascade_tracker_new (const GstCascadeTrackerParams *
    p, guint64 * next_id);
void gst_cascade_tracker_free (GstCascadeTracker * t);
void gst_cascade_tracker_set_params (GstCascadeTracker * t,
    const GstCascadeTrackerParams * p);

/* all tracks go (into the removed list) */
void gst_cascade_tracker_reset (GstCascadeTracker * t);

/* Consumes a result computed at time: predicts every track to it, assigns
 * the detections, updates, confirms, deletes and creates tracks.  A time
 * before the previous result's resets the tracker first. */
void gst_cascade_tracker_update (GstCascadeTracker * t, guint64 time,
    const GstCascadeTrackInput * dets, guint n);

/* Deletes the tracks unmatched for longer than the age limit at now (no
 * result at all for a while). */
void gst_cascade_tracker_expire (GstCascadeTracker * t, guint64 now);

guint gst_cascade_tracker_count (const GstCascadeTracker * t);
GstCascadeTracklet *gst_cascade_tracker_get (GstCascadeTracker * t, guint i);

/* The tracks the latest update, expire or reset deleted (no masks). */
const GstCascadeTracklet *gst_cascade_tracker_removed (const GstCascadeTracker *
    t, guint * n);

/* the age limit in use: max(max_age, 2.5 x the result period) */
guint64 gst_cascade_tracker_hold_time (const GstCascadeTracker * t);

/* The box of track at time (predicted from its latest result, at most
 * max_age ahead: beyond, it stays), x1 y1 x2 y2. */
void gst_cascade_tracklet_box_at (const GstCascadeTracker * t,
    const GstCascadeTracklet * track, guint64 time, gdouble box[4]);

gdouble gst_cascade_box_iou (const gdouble a[4], const gdouble b[4]);

/* The Kalman filter's steps (public for the tests): init from a box,
 * predict by dt seconds, update with a box; the noise of a box size */
void gst_cascade_kalman_init (GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, const gdouble box[4]);
void gst_cascade_kalman_predict (GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, gdouble dt);
void gst_cascade_kalman_update (GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, const gdouble box[4]);
void gst_cascade_kalman_box (const GstCascadeKalman * kf, gdouble dt,
    gdouble box[4]);
gdouble gst_cascade_kalman_size (const GstCascadeKalman * kf);
/* squared Mahalanobis distance of box from the filter's prediction */
gdouble gst_cascade_kalman_distance (const GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, const gdouble box[4]);

G_END_DECLS
