/* gst-cascade: cascadetrack's Kalman filter on boxes (GLib only)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The constant-velocity filter of cascadetracker.c on (cx, cy, w, h):
 * the 8-state filter with block-diagonal F, Q, H and R computed exactly as
 * four (position, velocity) filters.  Continuous time: predicting by dt
 * seconds adds the white-acceleration noise q [dt^3/3, dt^2/2; dt^2/2, dt]
 * with q = (acc_std s)^2; measurements have the noise (meas_std s)^2; s is
 * the box size sqrt(w h) of the state (DeepSORT scales its noise by the
 * box height the same way). */

#include <math.h>

#include "cascadetracker.h"

gdouble
gst_cascade_kalman_size (const GstCascadeKalman * kf)
{
  return sqrt (MAX (kf->x[2], 1.0) * MAX (kf->x[3], 1.0));
}

static gdouble
box_size (const gdouble box[4])
{
  return sqrt (MAX (box[2] - box[0], 1.0) * MAX (box[3] - box[1], 1.0));
}

static void
box_to_z (const gdouble box[4], gdouble z[4])
{
  z[0] = 0.5 * (box[0] + box[2]);
  z[1] = 0.5 * (box[1] + box[3]);
  z[2] = box[2] - box[0];
  z[3] = box[3] - box[1];
}

void
gst_cascade_kalman_init (GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, const gdouble box[4])
{
  gdouble s = box_size (box);
  gdouble r = p->meas_std * s, v = p->vel_std * s;
  guint k;

  box_to_z (box, kf->x);
  for (k = 0; k < 4; k++) {
    kf->v[k] = 0.0;
    kf->p[k][0] = r * r;
    kf->p[k][1] = 0.0;
    kf->p[k][2] = v * v;
  }
}

void
gst_cascade_kalman_predict (GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, gdouble dt)
{
  gdouble s = gst_cascade_kalman_size (kf);
  gdouble q = (p->acc_std * s) * (p->acc_std * s);
  guint k;

  if (!(dt > 0.0))
    return;
  for (k = 0; k < 4; k++) {
    gdouble *P = kf->p[k];
    gdouble pp = P[0], pv = P[1], vv = P[2];

    kf->x[k] += dt * kf->v[k];
    P[0] = pp + 2.0 * dt * pv + dt * dt * vv + q * dt * dt * dt / 3.0;
    P[1] = pv + dt * vv + q * dt * dt / 2.0;
    P[2] = vv + q * dt;
  }
}

void
gst_cascade_kalman_update (GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, const gdouble box[4])
{
  gdouble s = gst_cascade_kalman_size (kf);
  gdouble r = (p->meas_std * s) * (p->meas_std * s);
  gdouble z[4];
  guint k;

  box_to_z (box, z);
  for (k = 0; k < 4; k++) {
    gdouble *P = kf->p[k];
    gdouble pp = P[0], pv = P[1], vv = P[2];
    gdouble S = pp + r, kp = pp / S, kv = pv / S, y = z[k] - kf->x[k];

    kf->x[k] += kp * y;
    kf->v[k] += kv * y;
    P[0] = pp - kp * pp;
    P[1] = pv - kp * pv;
    P[2] = vv - kv * pv;
  }
}

gdouble
gst_cascade_kalman_distance (const GstCascadeKalman * kf,
    const GstCascadeTrackerParams * p, const gdouble box[4])
{
  gdouble s = gst_cascade_kalman_size (kf);
  gdouble r = (p->meas_std * s) * (p->meas_std * s);
  gdouble z[4], d = 0.0;
  guint k;

  box_to_z (box, z);
  for (k = 0; k < 4; k++) {
    gdouble y = z[k] - kf->x[k];
    d += y * y / (kf->p[k][0] + r);
  }
  return d;
}

void
gst_cascade_kalman_box (const GstCascadeKalman * kf, gdouble dt, gdouble box[4])
{
  gdouble cx = kf->x[0] + dt * kf->v[0], cy = kf->x[1] + dt * kf->v[1];
  gdouble w = MAX (kf->x[2] + dt * kf->v[2], 1.0);
  gdouble h = MAX (kf->x[3] + dt * kf->v[3], 1.0);

  box[0] = cx - 0.5 * w;
  box[1] = cy - 0.5 * h;
  box[2] = cx + 0.5 * w;
  box[3] = cy + 0.5 * h;
}

gdouble
gst_cascade_box_iou (const gdouble a[4], const gdouble b[4])
{
  gdouble iw = MIN (a[2], b[2]) - MAX (a[0], b[0]);
  gdouble ih = MIN (a[3], b[3]) - MAX (a[1], b[1]);
  gdouble inter, uni;

  if (iw <= 0.0 || ih <= 0.0)
    return 0.0;
  inter = iw * ih;
  uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return uni > 0.0 ? inter / uni : 0.0;
}
