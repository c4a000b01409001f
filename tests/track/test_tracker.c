/* gst-cascade tests: cascadetrack's tracker (gst/cascadetracker.c) and
 * assignment (gst/cascadeassign.c); GLib only, no pipeline.
 *
 * References, independent of the code under test:
 * - the assignment against the brute-force minimum over every injection
 *   of rows into columns (exact), on random integer costs with ties and
 *   random real costs, square and rectangular;
 * - the Kalman filter against the textbook 8-state filter written out
 *   with dense matrices (x = F x, P = F P F' + Q, K = P H' (H P H' + R)^-1,
 *   x += K (z - H x), P = (I - K H) P), with the noise of each step
 *   computed the same documented way from the box size;
 * tracker behaviour on hand-built scenes: test_tracker_scenes.c. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "cascadeassign.h"
#include "cascadetracker.h"

#define SEC G_GUINT64_CONSTANT (1000000000)

/* ------------------------------------------------------------------ */
/* assignment */

static gdouble
brute_force (const gdouble * c, guint n, guint m, guint row, guint64 used)
{
  gdouble best = INFINITY;
  guint j;

  if (row == n || (n > m && __builtin_popcountll (used) == m))
    return 0.0;
  if (n > m) {
    /* rows may be left out: try leaving this one out */
    if (n - row > m - __builtin_popcountll (used))
      best = brute_force (c, n, m, row + 1, used);
  }
  for (j = 0; j < m; j++) {
    gdouble v;
    if (used & (G_GUINT64_CONSTANT (1) << j))
      continue;
    v = c[row * m + j] + brute_force (c, n, m, row + 1,
        used | (G_GUINT64_CONSTANT (1) << j));
    best = MIN (best, v);
  }
  return best;
}

static void
check_assignment (const gdouble * c, guint n, guint m)
{
  gint *r = g_new (gint, n + 1);
  gdouble total = gst_cascade_assign (c, n, m, r), sum = 0.0, want;
  guint64 used = 0;
  guint i, assigned = 0;

  for (i = 0; i < n; i++) {
    if (r[i] < 0)
      continue;
    g_assert_cmpint (r[i], <, (gint) m);
    g_assert_false (used & (G_GUINT64_CONSTANT (1) << r[i]));
    used |= G_GUINT64_CONSTANT (1) << r[i];
    sum += c[i * m + r[i]];
    assigned++;
  }
  g_assert_cmpuint (assigned, ==, MIN (n, m));
  g_assert_cmpfloat_with_epsilon (sum, total, 1e-9);
  want = brute_force (c, n, m, 0, 0);
  g_assert_cmpfloat_with_epsilon (total, want, 1e-9 * MAX (1.0, fabs (want)));
  g_free (r);
}

static void
test_assign_brute_force (void)
{
  GRand *rand = g_rand_new_with_seed (13);
  guint trial;

  for (trial = 0; trial < 600; trial++) {
    guint n = g_rand_int_range (rand, 1, 8), m = g_rand_int_range (rand, 1,
        8), i;
    gdouble *c = g_new (gdouble, n * m);

    for (i = 0; i < n * m; i++)
      c[i] = trial % 2 ? g_rand_int_range (rand, 0, 4)
          : g_rand_double_range (rand, -5.0, 5.0);
    check_assignment (c, n, m);
    g_free (c);
  }
  g_rand_free (rand);
}

static void
test_assign_known (void)
{
  /* the classic 3x3 example: the diagonal is not optimal */
  const gdouble c[] = { 4, 1, 3, 2, 0, 5, 3, 2, 2 };
  /* a row that prefers a column another row needs more */
  const gdouble d[] = { 1, 2, 1, 100 };
  gint r[3];

  g_assert_cmpfloat (gst_cascade_assign (c, 3, 3, r), ==, 5.0);
  g_assert_cmpint (r[0], ==, 1);
  g_assert_cmpint (r[1], ==, 0);
  g_assert_cmpint (r[2], ==, 2);
  g_assert_cmpfloat (gst_cascade_assign (d, 2, 2, r), ==, 3.0);
  g_assert_cmpint (r[0], ==, 1);
  g_assert_cmpint (r[1], ==, 0);
  /* empty sides */
  g_assert_cmpfloat (gst_cascade_assign (c, 3, 0, r), ==, 0.0);
  g_assert_cmpint (r[0], ==, -1);
  g_assert_cmpint (r[2], ==, -1);
}

/* ------------------------------------------------------------------ */
/* Kalman filter against the dense 8-state filter */

typedef struct
{
  gdouble x[8];                 /* cx cy w h, then their velocities */
  gdouble P[8][8];
} Dense;

static gdouble
dense_size (const Dense * d)
{
  return sqrt (MAX (d->x[2], 1.0) * MAX (d->x[3], 1.0));
}

static void
dense_init (Dense * d, const GstCascadeTrackerParams * p, const gdouble b[4])
{
  gdouble s = sqrt (MAX (b[2] - b[0], 1.0) * MAX (b[3] - b[1], 1.0));
  guint k;

  memset (d, 0, sizeof (*d));
  d->x[0] = 0.5 * (b[0] + b[2]);
  d->x[1] = 0.5 * (b[1] + b[3]);
  d->x[2] = b[2] - b[0];
  d->x[3] = b[3] - b[1];
  for (k = 0; k < 4; k++) {
    d->P[k][k] = pow (p->meas_std * s, 2);
    d->P[k + 4][k + 4] = pow (p->vel_std * s, 2);
  }
}

static void
matmul (guint n, guint l, guint m, const gdouble * a, const gdouble * b,
    gdouble * out)
{
  guint i, j, k;

  for (i = 0; i < n; i++)
    for (j = 0; j < m; j++) {
      gdouble s = 0.0;
      for (k = 0; k < l; k++)
        s += a[i * l + k] * b[k * m + j];
      out[i * m + j] = s;
    }
}

static void
transpose (guint n, guint m, const gdouble * a, gdouble * out)
{
  guint i, j;

  for (i = 0; i < n; i++)
    for (j = 0; j < m; j++)
      out[j * n + i] = a[i * m + j];
}

static void
dense_predict (Dense * d, const GstCascadeTrackerParams * p, gdouble dt)
{
  gdouble F[64] = { 0 }, Ft[64], Q[64] = { 0 }, T[64], x[8];
  gdouble q = pow (p->acc_std * dense_size (d), 2);
  guint k;

  for (k = 0; k < 8; k++)
    F[k * 8 + k] = 1.0;
  for (k = 0; k < 4; k++) {
    F[k * 8 + k + 4] = dt;
    Q[k * 8 + k] = q * dt * dt * dt / 3.0;
    Q[k * 8 + k + 4] = Q[(k + 4) * 8 + k] = q * dt * dt / 2.0;
    Q[(k + 4) * 8 + k + 4] = q * dt;
  }
  matmul (8, 8, 1, F, d->x, x);
  memcpy (d->x, x, sizeof (x));
  transpose (8, 8, F, Ft);
  matmul (8, 8, 8, F, &d->P[0][0], T);
  matmul (8, 8, 8, T, Ft, &d->P[0][0]);
  for (k = 0; k < 64; k++)
    (&d->P[0][0])[k] += Q[k];
}

/* inverse of a 4x4 by Gauss-Jordan with partial pivoting */
static void
invert4 (const gdouble * a, gdouble * inv)
{
  gdouble m[4][8];
  guint i, j, k;

  for (i = 0; i < 4; i++)
    for (j = 0; j < 8; j++)
      m[i][j] = j < 4 ? a[i * 4 + j] : (j - 4 == i);
  for (k = 0; k < 4; k++) {
    guint piv = k;
    for (i = k + 1; i < 4; i++)
      if (fabs (m[i][k]) > fabs (m[piv][k]))
        piv = i;
    for (j = 0; j < 8; j++) {
      gdouble t = m[k][j];
      m[k][j] = m[piv][j];
      m[piv][j] = t;
    }
    for (j = 0; j < 8; j++)
      if (j != k)
        m[k][j] /= m[k][k];
    m[k][k] = 1.0;
    for (i = 0; i < 4; i++) {
      gdouble f = m[i][k];
      if (i == k)
        continue;
      for (j = 0; j < 8; j++)
        m[i][j] -= f * m[k][j];
    }
  }
  for (i = 0; i < 4; i++)
    for (j = 0; j < 4; j++)
      inv[i * 4 + j] = m[i][j + 4];
}

static void
dense_update (Dense * d, const GstCascadeTrackerParams * p, const gdouble b[4])
{
  gdouble H[32] = { 0 }, Ht[32], R[16] = { 0 }, S[16], Si[16], PHt[32];
  gdouble K[32], KH[64], IKH[64], Pn[64], z[4], y[4], hx[4], ky[8];
  gdouble r = pow (p->meas_std * dense_size (d), 2);
  guint k;

  for (k = 0; k < 4; k++) {
    H[k * 8 + k] = 1.0;
    R[k * 4 + k] = r;
  }
  z[0] = 0.5 * (b[0] + b[2]);
  z[1] = 0.5 * (b[1] + b[3]);
  z[2] = b[2] - b[0];
  z[3] = b[3] - b[1];
  transpose (4, 8, H, Ht);
  matmul (8, 8, 4, &d->P[0][0], Ht, PHt);
  matmul (4, 8, 4, H, PHt, S);
  for (k = 0; k < 16; k++)
    S[k] += R[k];
  invert4 (S, Si);
  matmul (8, 4, 4, PHt, Si, K);
  matmul (4, 8, 1, H, d->x, hx);
  for (k = 0; k < 4; k++)
    y[k] = z[k] - hx[k];
  matmul (8, 4, 1, K, y, ky);
  for (k = 0; k < 8; k++)
    d->x[k] += ky[k];
  matmul (8, 4, 8, K, H, KH);
  for (k = 0; k < 64; k++)
    IKH[k] = (k % 9 == 0 ? 1.0 : 0.0) - KH[k];
  matmul (8, 8, 8, IKH, &d->P[0][0], Pn);
  memcpy (&d->P[0][0], Pn, sizeof (Pn));
}

static void
compare (const GstCascadeKalman * kf, const Dense * d)
{
  guint k;

  for (k = 0; k < 4; k++) {
    gdouble tol = 1e-9 * MAX (1.0, fabs (d->P[k + 4][k + 4]));

    g_assert_cmpfloat_with_epsilon (kf->x[k], d->x[k], 1e-7);
    g_assert_cmpfloat_with_epsilon (kf->v[k], d->x[k + 4], 1e-7);
    g_assert_cmpfloat_with_epsilon (kf->p[k][0], d->P[k][k], tol);
    g_assert_cmpfloat_with_epsilon (kf->p[k][1], d->P[k][k + 4], tol);
    g_assert_cmpfloat_with_epsilon (kf->p[k][1], d->P[k + 4][k], tol);
    g_assert_cmpfloat_with_epsilon (kf->p[k][2], d->P[k + 4][k + 4], tol);
  }
}

static void
test_kalman_dense (void)
{
  GstCascadeTrackerParams p;
  GRand *rand = g_rand_new_with_seed (7);
  guint seq, step;

  gst_cascade_tracker_params_init (&p);
  for (seq = 0; seq < 50; seq++) {
    gdouble b[4] = { 100, 50, 140, 130 };
    GstCascadeKalman kf;
    Dense d;

    gst_cascade_kalman_init (&kf, &p, b);
    dense_init (&d, &p, b);
    compare (&kf, &d);
    for (step = 0; step < 30; step++) {
      gdouble dt = g_rand_double_range (rand, 0.0, 1.5);
      guint k;

      gst_cascade_kalman_predict (&kf, &p, dt);
      dense_predict (&d, &p, dt);
      compare (&kf, &d);
      for (k = 0; k < 4; k++)
        b[k] += g_rand_double_range (rand, -6.0, 6.0);
      b[2] = MAX (b[2], b[0] + 2.0);
      b[3] = MAX (b[3], b[1] + 2.0);
      gst_cascade_kalman_update (&kf, &p, b);
      dense_update (&d, &p, b);
      compare (&kf, &d);
    }
  }
  g_rand_free (rand);
}

/* exact measurements of a constant-velocity box: the velocity is learnt
 * and the prediction one second ahead lands on the truth */
static void
test_kalman_constant_velocity (void)
{
  GstCascadeTrackerParams p;
  GstCascadeKalman kf;
  gdouble b[4], pred[4];
  guint i;

  gst_cascade_tracker_params_init (&p);
  for (i = 0; i <= 20; i++) {
    gdouble t = i * 0.1;
    b[0] = 10 + 50 * t;
    b[1] = 200 - 20 * t;
    b[2] = b[0] + 40;
    b[3] = b[1] + 60;
    if (i == 0) {
      gst_cascade_kalman_init (&kf, &p, b);
    } else {
      gst_cascade_kalman_predict (&kf, &p, 0.1);
      gst_cascade_kalman_update (&kf, &p, b);
    }
  }
  g_assert_cmpfloat (fabs (kf.v[0] - 50.0), <, 1.0);
  g_assert_cmpfloat (fabs (kf.v[1] + 20.0), <, 1.0);
  g_assert_cmpfloat (fabs (kf.v[2]), <, 0.5);
  gst_cascade_kalman_box (&kf, 1.0, pred);
  g_assert_cmpfloat (fabs (pred[0] - (10 + 50 * 3.0)), <, 1.5);
  g_assert_cmpfloat (fabs (pred[1] - (200 - 20 * 3.0)), <, 1.5);
  g_assert_cmpfloat (fabs ((pred[2] - pred[0]) - 40), <, 1.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/assign/brute-force", test_assign_brute_force);
  g_test_add_func ("/assign/known", test_assign_known);
  g_test_add_func ("/kalman/dense", test_kalman_dense);
  g_test_add_func ("/kalman/constant-velocity", test_kalman_constant_velocity);
  return g_test_run ();
}
