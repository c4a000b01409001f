/* gst-cascade tests: plain-C transcript of mmcv's nms_cpu and
 * batched_nms (offset trick below 10000 boxes, a loop over groups above),
 * with ties in ascending index order; shared by the detection-op tests */
#pragma once

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  gfloat s;
  gint i;
} ScoreIdx;

static inline gint
cmp_score_desc (gconstpointer pa, gconstpointer pb)
{
  const ScoreIdx *a = pa, *b = pb;
  if (a->s != b->s)
    return a->s > b->s ? -1 : 1;
  return a->i - b->i;
}

/* mmcv nms_cpu on the boxes `ob` (already offset) of the listed indices,
 * visited in (descending score, ascending index) order; marks kept[] */
static inline void
ref_nms (const gfloat * ob, const gfloat * scores, const gint * list,
    gsize m, gfloat thr, gboolean * kept)
{
  ScoreIdx *order = g_new (ScoreIdx, MAX (m, 1));
  gboolean *sel = g_new (gboolean, MAX (m, 1));
  gfloat *area = g_new (gfloat, MAX (m, 1));
  gsize a, b;
  for (a = 0; a < m; a++) {
    order[a].s = scores[list[a]];
    order[a].i = list[a];
  }
  qsort (order, m, sizeof (ScoreIdx), cmp_score_desc);
  for (a = 0; a < m; a++) {
    const gfloat *p = ob + order[a].i * 4;
    sel[a] = TRUE;
    area[a] = (p[2] - p[0]) * (p[3] - p[1]);
  }
  for (a = 0; a < m; a++) {
    const gfloat *p = ob + order[a].i * 4;
    if (!sel[a])
      continue;
    kept[order[a].i] = TRUE;
    for (b = a + 1; b < m; b++) {
      const gfloat *q = ob + order[b].i * 4;
      gfloat xx1, yy1, xx2, yy2, w, h, inter, ovr;
      if (!sel[b])
        continue;
      xx1 = MAX (p[0], q[0]);
      yy1 = MAX (p[1], q[1]);
      xx2 = MIN (p[2], q[2]);
      yy2 = MIN (p[3], q[3]);
      w = MAX (0.0f, xx2 - xx1);
      h = MAX (0.0f, yy2 - yy1);
      inter = w * h;
      ovr = inter / (area[a] + area[b] - inter);
      if (ovr > thr)
        sel[b] = FALSE;
    }
  }
  g_free (order);
  g_free (sel);
  g_free (area);
}

/* mmcv batched_nms (boxes of negative groups excluded first); returns the
 * kept indices sorted by descending score (ties: ascending index) */
static inline gsize
ref_batched_nms (const gfloat * boxes, const gfloat * scores,
    const gint * groups, gsize n, gfloat thr, gint * keep)
{
  gint *list = g_new (gint, MAX (n, 1));
  gfloat *ob = g_new (gfloat, MAX (n, 1) * 4);
  gboolean *kept = g_new0 (gboolean, MAX (n, 1));
  ScoreIdx *out = g_new (ScoreIdx, MAX (n, 1));
  gsize m = 0, i, r, nk = 0;
  gfloat mx = -INFINITY;

  for (i = 0; i < n; i++)
    if (groups[i] >= 0) {
      list[m++] = i;
      for (r = 0; r < 4; r++)
        mx = MAX (mx, boxes[i * 4 + r]);
    }
  for (i = 0; i < n; i++) {
    gfloat off = (gfloat) groups[i] * (mx + 1.0f);
    for (r = 0; r < 4; r++)
      ob[i * 4 + r] = boxes[i * 4 + r] + off;
  }
  if (m < 10000) {
    /* one NMS over all boxes: the offsets keep the groups apart */
    ref_nms (ob, scores, list, m, thr, kept);
  } else {
    /* torch.unique(idxs): ascending group ids, one NMS each */
    gint g, gmax = -1;
    gint *sub = g_new (gint, m);
    for (i = 0; i < m; i++)
      gmax = MAX (gmax, groups[list[i]]);
    for (g = 0; g <= gmax; g++) {
      gsize k = 0;
      for (i = 0; i < m; i++)
        if (groups[list[i]] == g)
          sub[k++] = list[i];
      if (k)
        ref_nms (ob, scores, sub, k, thr, kept);
    }
    g_free (sub);
  }
  for (i = 0; i < n; i++)
    if (kept[i]) {
      out[nk].s = scores[i];
      out[nk].i = i;
      nk++;
    }
  qsort (out, nk, sizeof (ScoreIdx), cmp_score_desc);
  for (i = 0; i < nk; i++)
    keep[i] = out[i].i;
  g_free (list);
  g_free (ob);
  g_free (kept);
  g_free (out);
  return nk;
}

/* Boxes in clusters (many overlaps near any threshold), a few degenerate
 * (zero width or height), scores on a grid of 1/64 (many exact ties). */
static inline void
make_boxes (GRand * r, gsize n, guint clusters, gfloat * boxes,
    gfloat * scores)
{
  gfloat *cx = g_new (gfloat, clusters), *cy = g_new (gfloat, clusters);
  gsize i;
  guint c;
  for (c = 0; c < clusters; c++) {
    cx[c] = (gfloat) g_rand_double_range (r, 20, 380);
    cy[c] = (gfloat) g_rand_double_range (r, 20, 280);
  }
  for (i = 0; i < n; i++) {
    guint k = g_rand_int_range (r, 0, clusters);
    gfloat w = (gfloat) g_rand_double_range (r, 8, 60);
    gfloat h = (gfloat) g_rand_double_range (r, 8, 60);
    gfloat x = cx[k] + (gfloat) g_rand_double_range (r, -6, 6);
    gfloat y = cy[k] + (gfloat) g_rand_double_range (r, -6, 6);
    boxes[i * 4 + 0] = MAX (x - w / 2, 0.0f);
    boxes[i * 4 + 1] = MAX (y - h / 2, 0.0f);
    boxes[i * 4 + 2] = x + w / 2;
    boxes[i * 4 + 3] = y + h / 2;
    switch (g_rand_int_range (r, 0, 40)) {
      case 0:
        boxes[i * 4 + 2] = boxes[i * 4 + 0];    /* zero width */
        break;
      case 1:
        boxes[i * 4 + 3] = boxes[i * 4 + 1];    /* zero height */
        break;
      case 2:
        if (i > 0)              /* an exact duplicate */
          memcpy (boxes + i * 4, boxes + (i - 1) * 4, 4 * sizeof (gfloat));
        break;
      default:
        break;
    }
    scores[i] = (gfloat) g_rand_int_range (r, 0, 64) / 64.0f;
  }
  g_free (cx);
  g_free (cy);
}
