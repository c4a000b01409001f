/* gst-cascade: a SORT-style multi-object tracker (GLib only)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* SORT (Bewley et al. 2016) with DeepSORT's (Wojke et al. 2017) box
 * parametrisation and gating, in continuous time:
 *
 * - the state of a box is (cx, cy, w, h) and their velocities, in frame
 *   pixels and pixels per second; a constant-velocity Kalman filter with
 *   white-acceleration process noise (Q = q [dt^3/3, dt^2/2; dt^2/2, dt])
 *   and noise levels proportional to the box size, so that one set of
 *   parameters suits small and large objects; dt is the time between
 *   results, whatever the frame rate, interval or inference time;
 * - each result is consumed at the time of the frame it was computed on;
 *   boxes of later frames are predictions from it (never fed back);
 * - a detection that overlaps a better one with IoU >= 0.7 is a
 *   duplicate (the detector's NMS is per class) and is dropped;
 * - assignment in three stages after ByteTrack (Zhang et al. 2022), each
 *   one globally optimal (the Hungarian method, cascadeassign.c): the
 *   sure detections (score >= birth_score) first, by the largest total
 *   IoU x score between predicted and detected boxes over the pairs with
 *   IoU >= the threshold (a pair of different classes needs IoU >= 0.5
 *   and counts half; the score makes two mediocre matches lose against
 *   one good one); then the sure detections and tracks left, by the
 *   smallest total Mahalanobis distance among same-class pairs inside the
 *   95% gate of the chi-square distribution with 4 degrees of freedom (a
 *   young track whose velocity is still unknown, or one that coasted
 *   through an occlusion, is found again although its box no longer
 *   overlaps); both for the tracks with IDs first, then for the tentative
 *   ones (DeepSORT's matching cascade, in two steps: a newborn track
 *   never takes an established one's detection); last the unsure
 *   detections, by IoU >= 0.5 only, for the established tracks still
 *   unmatched.  Only sure detections start tracks;
 * - a track gets its ID after min_hits matched results (during the first
 *   min_hits results of a stream, at once); a tentative track that misses
 *   a result is deleted; a confirmed one that misses results is lost
 *   (kept, predicted, not shown) and is deleted once unmatched for longer
 *   than max_age, or 2.5 result periods when results are further apart
 *   (a slow device keeps its IDs across two missed results);
 * - classes: each match votes for its class with its score, older votes
 *   decaying by 0.8 per result; the track's class is the one of most
 *   votes, so a single misclassified result changes neither the ID nor
 *   the class (a long-held class gives way after about four results of
 *   another). */

#include <math.h>
#include <string.h>

#include "cascadeassign.h"
#include "cascadetracker.h"

#define CLASS_CHANGE_IOU 0.5
#define VOTE_DECAY 0.8
#define CHI2_4DOF_95 9.4877
#define PERIOD_FACTOR 2.5
#define FORBIDDEN 1e9
#define DUPLICATE_IOU 0.7
#define UNSURE_IOU 0.5

struct _GstCascadeTracker
{
  GstCascadeTrackerParams p;
  guint64 *next_id;
  GArray *tracks;               /* GstCascadeTracklet */
  GArray *removed;              /* GstCascadeTracklet, masks freed */
  guint64 last_time;            /* of the latest result */
  guint64 period;               /* smoothed time between results */
  guint results;                /* results since the reset */
};

void
gst_cascade_tracker_params_init (GstCascadeTrackerParams * p)
{
  p->iou_threshold = 0.3;
  p->birth_score = 0.5;
  p->min_hits = 2;
  p->max_age = G_GUINT64_CONSTANT (1000000000);
  p->meas_std = 0.05;
  p->acc_std = 1.0;
  p->vel_std = 2.0;
}

/* ------------------------------------------------------------------ */
/* tracks */

static void
track_clear (gpointer data)
{
  GstCascadeTracklet *tr = data;

  g_clear_pointer (&tr->mask, g_free);
}

GstCascadeTracker *
gst_cascade_tracker_new (const GstCascadeTrackerParams * p, guint64 * next_id)
{
  GstCascadeTracker *t = g_new0 (GstCascadeTracker, 1);

  t->p = *p;
  t->next_id = next_id;
  t->tracks = g_array_new (FALSE, TRUE, sizeof (GstCascadeTracklet));
  g_array_set_clear_func (t->tracks, track_clear);
  t->removed = g_array_new (FALSE, TRUE, sizeof (GstCascadeTracklet));
  t->last_time = GST_CASCADE_TRACKER_TIME_NONE;
  return t;
}

void
gst_cascade_tracker_free (GstCascadeTracker * t)
{
  if (!t)
    return;
  g_array_unref (t->tracks);
  g_array_unref (t->removed);
  g_free (t);
}

void
gst_cascade_tracker_set_params (GstCascadeTracker * t,
    const GstCascadeTrackerParams * p)
{
  t->p = *p;
}

/* moves track i to the removed list */
static void
remove_track (GstCascadeTracker * t, guint i)
{
  GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);
  GstCascadeTracklet copy = *tr;

  copy.mask = NULL;
  g_array_append_val (t->removed, copy);
  g_array_remove_index (t->tracks, i);
}

void
gst_cascade_tracker_reset (GstCascadeTracker * t)
{
  g_array_set_size (t->removed, 0);
  while (t->tracks->len)
    remove_track (t, t->tracks->len - 1);
  t->last_time = GST_CASCADE_TRACKER_TIME_NONE;
  t->period = 0;
  t->results = 0;
}

guint64
gst_cascade_tracker_hold_time (const GstCascadeTracker * t)
{
  return MAX (t->p.max_age, (guint64) (PERIOD_FACTOR * t->period));
}

static void
delete_old (GstCascadeTracker * t, guint64 now)
{
  guint64 hold = gst_cascade_tracker_hold_time (t);
  guint i;

  for (i = t->tracks->len; i-- > 0;) {
    GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);

    if (now > tr->update_time && now - tr->update_time > hold)
      remove_track (t, i);
  }
}

void
gst_cascade_tracker_expire (GstCascadeTracker * t, guint64 now)
{
  g_array_set_size (t->removed, 0);
  if (now != GST_CASCADE_TRACKER_TIME_NONE)
    delete_old (t, now);
}

static void
vote (GstCascadeTracklet * tr, const GstCascadeTrackInput * d)
{
  guint k, best = 0, slot = 0;

  for (k = 0; k < GST_CASCADE_TRACKER_VOTES; k++)
    tr->votes[k].weight *= VOTE_DECAY;
  for (k = 0; k < GST_CASCADE_TRACKER_VOTES; k++) {
    if (tr->votes[k].weight > 0.0 && tr->votes[k].class_id == d->class_id)
      break;
    if (tr->votes[k].weight < tr->votes[slot].weight)
      slot = k;
  }
  if (k == GST_CASCADE_TRACKER_VOTES) {
    /* a new class takes the weakest slot */
    k = slot;
    tr->votes[k].class_id = d->class_id;
    tr->votes[k].weight = 0.0;
  }
  tr->votes[k].label = d->label;
  tr->votes[k].weight += MAX (d->score, 1e-3f);
  for (k = 1; k < GST_CASCADE_TRACKER_VOTES; k++)
    if (tr->votes[k].weight > tr->votes[best].weight)
      best = k;
  tr->class_id = tr->votes[best].class_id;
  tr->label = tr->votes[best].label;
}

static void
det_box (const GstCascadeTrackInput * d, gdouble box[4])
{
  box[0] = d->x1;
  box[1] = d->y1;
  box[2] = d->x2;
  box[3] = d->y2;
}

/* what a matched detection gives a track besides its box */
static void
track_take (GstCascadeTracker * t, GstCascadeTracklet * tr,
    const GstCascadeTrackInput * d, gint index, guint64 time)
{
  tr->update_time = time;
  tr->hits++;
  tr->misses = 0;
  tr->det_index = index;
  tr->score = d->score;
  vote (tr, d);
  g_clear_pointer (&tr->mask, g_free);
  if (d->mask)
    tr->mask = g_memdup2 (d->mask, GST_CASCADE_TRACKER_MASK_AREA *
        sizeof (gfloat));
  if (tr->state != GST_CASCADE_TRACKLET_TENTATIVE || tr->hits >= t->p.min_hits)
    tr->state = GST_CASCADE_TRACKLET_CONFIRMED;
}

static void
track_match (GstCascadeTracker * t, GstCascadeTracklet * tr,
    const GstCascadeTrackInput * d, gint index, guint64 time)
{
  gdouble box[4];

  det_box (d, box);
  gst_cascade_kalman_update (&tr->kf, &t->p, box);
  track_take (t, tr, d, index, time);
}

static void
track_birth (GstCascadeTracker * t, const GstCascadeTrackInput * d,
    gint index, guint64 time)
{
  GstCascadeTracklet tr;
  gdouble box[4];

  memset (&tr, 0, sizeof (tr));
  det_box (d, box);
  gst_cascade_kalman_init (&tr.kf, &t->p, box);
  tr.time = tr.birth_time = time;
  tr.state = GST_CASCADE_TRACKLET_TENTATIVE;
  track_take (t, &tr, d, index, time);
  /* the start of a stream: no history to confirm against */
  if (t->results <= t->p.min_hits)
    tr.state = GST_CASCADE_TRACKLET_CONFIRMED;
  g_array_append_val (t->tracks, tr);
}

/* Stage 1, largest total gated IoU; fills track_det / det_track. */
/* which tracks a stage matches */
#define ESTABLISHED(tr) ((tr)->state != GST_CASCADE_TRACKLET_TENTATIVE)
#define TAKES(tr, tentative) (ESTABLISHED (tr) != (tentative))

static void
match_iou (GstCascadeTracker * t, const GstCascadeTrackInput * dets,
    guint n, const gboolean * use, gboolean tentative, gdouble min_iou,
    gint * track_det, gint * det_track)
{
  guint nt = t->tracks->len, i, j;
  gdouble *cost = g_new (gdouble, (gsize) nt * n);
  gint *row = g_new (gint, nt);

  for (i = 0; i < nt; i++) {
    GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);
    gdouble pb[4];

    gst_cascade_kalman_box (&tr->kf, 0.0, pb);
    for (j = 0; j < n; j++) {
      gdouble db[4], iou, w = 0.0;

      det_box (&dets[j], db);
      iou = gst_cascade_box_iou (pb, db);
      if (!use[j] || det_track[j] >= 0 || track_det[i] >= 0
          || !TAKES (tr, tentative)) {
        w = 0.0;
      } else if (dets[j].class_id == tr->class_id) {
        if (iou >= min_iou)
          w = iou * dets[j].score;
      } else if (iou >= MAX (min_iou, CLASS_CHANGE_IOU)) {
        w = 0.5 * iou * dets[j].score;
      }
      cost[(gsize) i * n + j] = -w;
    }
  }
  gst_cascade_assign (cost, nt, n, row);
  for (i = 0; i < nt; i++) {
    j = (guint) row[i];
    if (row[i] >= 0 && cost[(gsize) i * n + j] < 0.0) {
      track_det[i] = (gint) j;
      det_track[j] = (gint) i;
    }
  }
  g_free (cost);
  g_free (row);
}

/* Stage 2: the smallest total Mahalanobis distance within the gate among
 * the same-class pairs left. */
static void
match_distance (GstCascadeTracker * t, const GstCascadeTrackInput * dets,
    guint n, const gboolean * use, gboolean tentative, gint * track_det,
    gint * det_track)
{
  guint nt = t->tracks->len, i, j, a = 0, b = 0;
  guint *ti = g_new (guint, nt + 1), *dj = g_new (guint, n + 1);
  gdouble *cost;
  gint *row;

  for (i = 0; i < nt; i++)
    if (track_det[i] < 0 && TAKES (&g_array_index (t->tracks,
                GstCascadeTracklet, i), tentative))
      ti[a++] = i;
  for (j = 0; j < n; j++)
    if (det_track[j] < 0 && use[j])
      dj[b++] = j;
  cost = g_new (gdouble, (gsize) a * b + 1);
  row = g_new (gint, a + 1);
  for (i = 0; i < a; i++) {
    GstCascadeTracklet *tr =
        &g_array_index (t->tracks, GstCascadeTracklet, ti[i]);

    for (j = 0; j < b; j++) {
      const GstCascadeTrackInput *d = &dets[dj[j]];
      gdouble db[4], m = FORBIDDEN;

      det_box (d, db);
      if (d->class_id == tr->class_id) {
        m = gst_cascade_kalman_distance (&tr->kf, &t->p, db);
        if (!(m <= CHI2_4DOF_95))
          m = FORBIDDEN;
      }
      cost[(gsize) i * b + j] = m;
    }
  }
  if (a && b) {
    gst_cascade_assign (cost, a, b, row);
    for (i = 0; i < a; i++) {
      if (row[i] < 0 || cost[(gsize) i * b + row[i]] >= FORBIDDEN)
        continue;
      track_det[ti[i]] = (gint) dj[row[i]];
      det_track[dj[row[i]]] = (gint) ti[i];
    }
  }
  g_free (cost);
  g_free (row);
  g_free (ti);
  g_free (dj);
}

/* Duplicates: of two detections (any classes) with IoU >= DUPLICATE_IOU
 * the lower-scored one is dropped (the detector's NMS is per class, so one
 * object often comes as two classes). */
static gboolean *
find_duplicates (const GstCascadeTrackInput * dets, guint n)
{
  gboolean *alive = g_new (gboolean, n + 1);
  guint i, j;

  for (i = 0; i < n; i++)
    alive[i] = TRUE;
  for (i = 0; i < n; i++) {
    gdouble a[4];

    det_box (&dets[i], a);
    for (j = 0; j < n && alive[i]; j++) {
      gdouble b[4];

      if (j == i || !alive[j] || dets[j].score < dets[i].score
          || (dets[j].score == dets[i].score && j > i))
        continue;
      det_box (&dets[j], b);
      if (gst_cascade_box_iou (a, b) >= DUPLICATE_IOU)
        alive[i] = FALSE;
    }
  }
  return alive;
}

static void
predict_all (GstCascadeTracker * t, guint64 time)
{
  guint i;

  for (i = 0; i < t->tracks->len; i++) {
    GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);

    if (time > tr->time)
      gst_cascade_kalman_predict (&tr->kf, &t->p,
          (gdouble) (time - tr->time) / 1e9);
    tr->time = time;
    tr->det_index = -1;
  }
}

void
gst_cascade_tracker_update (GstCascadeTracker * t, guint64 time,
    const GstCascadeTrackInput * dets, guint n)
{
  guint nt, i, j;
  gint *track_det, *det_track;
  gboolean *alive, *sure, *unsure;

  g_array_set_size (t->removed, 0);
  if (t->last_time != GST_CASCADE_TRACKER_TIME_NONE && time < t->last_time) {
    /* time went back without a flush: another stream */
    gst_cascade_tracker_reset (t);
  }
  if (t->last_time != GST_CASCADE_TRACKER_TIME_NONE && time > t->last_time) {
    guint64 d = time - t->last_time;
    t->period = t->period ? (guint64) (0.7 * t->period + 0.3 * d) : d;
  }
  t->last_time = time;
  t->results++;

  predict_all (t, time);
  nt = t->tracks->len;
  track_det = g_new (gint, nt + 1);
  det_track = g_new (gint, n + 1);
  for (i = 0; i < nt; i++)
    track_det[i] = -1;
  for (j = 0; j < n; j++)
    det_track[j] = -1;
  alive = find_duplicates (dets, n);
  sure = g_new (gboolean, n + 1);
  unsure = g_new (gboolean, n + 1);
  for (j = 0; j < n; j++) {
    sure[j] = alive[j] && dets[j].score >= t->p.birth_score;
    unsure[j] = alive[j] && !sure[j];
  }
  if (nt && n) {
    gboolean tentative;

    /* the tracks with IDs first, then the tentative ones (DeepSORT's
     * matching cascade in two steps): a newborn track never takes an
     * established track's detection */
    for (tentative = FALSE; tentative <= TRUE; tentative++) {
      match_iou (t, dets, n, sure, tentative, t->p.iou_threshold, track_det,
          det_track);
      match_distance (t, dets, n, sure, tentative, track_det, det_track);
    }
    match_iou (t, dets, n, unsure, FALSE, UNSURE_IOU, track_det, det_track);
  }

  for (i = 0; i < nt; i++) {
    GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);

    if (track_det[i] >= 0) {
      track_match (t, tr, &dets[track_det[i]], track_det[i], time);
    } else {
      tr->misses++;
      if (tr->state == GST_CASCADE_TRACKLET_CONFIRMED)
        tr->state = GST_CASCADE_TRACKLET_LOST;
    }
  }
  /* tentative tracks that missed go at once; the others after the age
   * limit (back to front: indices stay valid) */
  for (i = nt; i-- > 0;) {
    GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);

    if (tr->state == GST_CASCADE_TRACKLET_TENTATIVE && track_det[i] < 0)
      remove_track (t, i);
  }
  delete_old (t, time);

  /* new tracks from the sure detections only; the others can extend
   * tracks (ByteTrack's two thresholds) */
  for (j = 0; j < n; j++)
    if (det_track[j] < 0 && sure[j])
      track_birth (t, &dets[j], (gint) j, time);

  /* IDs are given on confirmation, in the order of the tracks */
  for (i = 0; i < t->tracks->len; i++) {
    GstCascadeTracklet *tr = &g_array_index (t->tracks, GstCascadeTracklet, i);

    if (tr->state != GST_CASCADE_TRACKLET_TENTATIVE && tr->id == 0)
      tr->id = (*t->next_id)++;
  }
  g_free (track_det);
  g_free (det_track);
  g_free (alive);
  g_free (sure);
  g_free (unsure);
}

guint
gst_cascade_tracker_count (const GstCascadeTracker * t)
{
  return t->tracks->len;
}

GstCascadeTracklet *
gst_cascade_tracker_get (GstCascadeTracker * t, guint i)
{
  g_return_val_if_fail (i < t->tracks->len, NULL);
  return &g_array_index (t->tracks, GstCascadeTracklet, i);
}

const GstCascadeTracklet *
gst_cascade_tracker_removed (const GstCascadeTracker * t, guint * n)
{
  *n = t->removed->len;
  return (const GstCascadeTracklet *) t->removed->data;
}

void
gst_cascade_tracklet_box_at (const GstCascadeTracker * t,
    const GstCascadeTracklet * track, guint64 time, gdouble box[4])
{
  gdouble dt = 0.0;

  if (time != GST_CASCADE_TRACKER_TIME_NONE && time > track->time)
    dt = (gdouble) MIN (time - track->time, t->p.max_age) / 1e9;
  gst_cascade_kalman_box (&track->kf, dt, box);
}
