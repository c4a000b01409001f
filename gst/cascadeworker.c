/* gst-cascade: engines shared by the cascadedetect elements of a process,
 * and the worker thread that runs them for newest-frame streams
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Scheduling: one worker (thread) per shared engine.  It runs one frame at a
 * time, taking the streams round-robin: after a frame of stream i it looks
 * for a pending frame in the streams after i (in the order they were
 * attached), wrapping around, so that every stream with a pending frame is
 * served once before any is served twice.  Each stream holds at most one
 * pending frame (a newer one replaces it), so nothing queues up. */

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cascadeworkerpriv.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_detect_debug);
#define GST_CAT_DEFAULT gst_cascade_detect_debug

static GMutex registry_lock;
static GHashTable *registry;    /* key -> GstCascadeShared */
/* under registry_lock: */
static GSList *idle_runners;
static GCond runner_cond;
static guint n_quitting;        /* released workers not yet parked */

static gchar *
make_key (const gchar * model, const gchar * device, guint l, guint s)
{
  gchar *real = realpath (model, NULL);
  /* one device named two ways ("0", "pocl") is one engine; a spec that
   * names no device keys as written, and fails when it loads */
  gchar *dev = cascade_device_resolve (device, NULL);
  GStatBuf st;
  gchar *key;

  if (g_stat (model, &st) != 0)
    memset (&st, 0, sizeof (st));
  key = g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT
      "|%s|%ux%u", real ? real : model, (gint64) st.st_size,
      (gint64) st.st_mtime, dev ? dev : (device ? device : ""), l, s);
  free (real);
  g_free (dev);
  return key;
}

/* the registry's entry for the key, reffed */
static GstCascadeShared *
lookup (const gchar * model, const gchar * device, guint l, guint s)
{
  gchar *key = make_key (model, device, l, s);
  GstCascadeShared *sh;

  g_mutex_lock (&registry_lock);
  if (!registry)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  sh = g_hash_table_lookup (registry, key);
  if (sh) {
    g_free (key);
  } else {
    sh = g_new0 (GstCascadeShared, 1);
    sh->key = key;
    sh->model = g_strdup (model);
    sh->device = g_strdup (device);
    sh->input_long = l;
    sh->input_short = s;
    g_mutex_init (&sh->engine_lock);
    g_mutex_init (&sh->lock);
    g_cond_init (&sh->cond);
    sh->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        NULL);
    g_hash_table_insert (registry, sh->key, sh);
  }
  sh->refs++;
  g_mutex_unlock (&registry_lock);
  return sh;
}

static void
shared_free (GstCascadeShared * sh)
{
  cascade_engine_free (sh->engine);
  g_clear_error (&sh->error);
  g_hash_table_unref (sh->prepared);
  g_mutex_clear (&sh->engine_lock);
  g_mutex_clear (&sh->lock);
  g_cond_clear (&sh->cond);
  g_free (sh->key);
  g_free (sh->model);
  g_free (sh->device);
  g_free (sh);
}

/* loads the engine (sh->state is LOAD_RUNNING; called without sh->lock) */
static void
load (GstCascadeShared * sh, CascadeProgressFunc progress, gpointer data)
{
  GError *error = NULL;
  CascadeEngine *e;

  GST_DEBUG ("loading %s on device %s", sh->model,
      sh->device ? sh->device : "(default)");
  e = cascade_engine_new_with_progress (sh->device, sh->model, progress,
      data, &error);
  if (e && sh->input_long && !cascade_engine_set_input_size (e,
          sh->input_long, sh->input_short, &error))
    g_clear_pointer (&e, cascade_engine_free);

  g_mutex_lock (&sh->lock);
  sh->engine = e;
  sh->error = error;
  sh->state = e ? LOAD_DONE : LOAD_FAILED;
  g_cond_broadcast (&sh->cond);
  g_mutex_unlock (&sh->lock);
}

/* the attached elements, reffed, for posting to them out of the lock */
static GList *
owners (GstCascadeShared * sh)
{
  GList *l, *out = NULL;

  g_mutex_lock (&sh->lock);
  for (l = sh->streams; l; l = l->next) {
    GstCascadeStream *st = l->data;
    if (st->owner)
      out = g_list_prepend (out, gst_object_ref (st->owner));
  }
  g_mutex_unlock (&sh->lock);
  return out;
}

static void
worker_progress (CascadeProgressPhase phase, const gchar * what, guint k,
    guint n, gpointer user_data)
{
  GList *list = owners (user_data), *l;

  for (l = list; l; l = l->next)
    gst_cascade_post_progress (l->data, phase, what, k, n);
  g_list_free_full (list, gst_object_unref);
}

/* the next stream with a pending frame after the last served one */
static GstCascadeStream *
next_stream (GstCascadeShared * sh)
{
  GList *start = sh->last_served ? g_list_find (sh->streams,
      sh->last_served) : NULL, *l;
  guint i, n = g_list_length (sh->streams);

  l = start ? start->next : sh->streams;
  for (i = 0; i < n; i++, l = l->next) {
    if (!l)
      l = sh->streams;
    if (((GstCascadeStream *) l->data)->has_pending)
      return l->data;
  }
  return NULL;
}


/* runs cascade_engine_prepare once per frame size */
static void
prepare_size (GstCascadeShared * sh, guint w, guint h)
{
  gchar *size = g_strdup_printf ("%ux%u", w, h);
  GError *error = NULL;
  gboolean done;

  g_mutex_lock (&sh->lock);
  done = !g_hash_table_add (sh->prepared, size);
  g_mutex_unlock (&sh->lock);
  if (done)
    return;
  GST_INFO ("preparing %s for %ux%u frames", sh->model, w, h);
  g_mutex_lock (&sh->engine_lock);
  if (!cascade_engine_prepare (sh->engine, w, h, worker_progress, sh, &error)) {
    GST_WARNING ("preparing for %ux%u: %s", w, h, error->message);
    g_clear_error (&error);
  }
  g_mutex_unlock (&sh->engine_lock);
}

/* one frame of st (taken from its pending slot); with sh->lock held, which
 * it drops while the engine runs */
static void
run_one (GstCascadeShared * sh, GstCascadeStream * st)
{
  Pending p = st->pending;
  GError *error = NULL;
  CascadeResult *r;
  gint64 t0;
  gdouble ms;
  gboolean attached;

  memset (&st->pending, 0, sizeof (st->pending));
  st->has_pending = FALSE;
  st->busy = TRUE;
  sh->last_served = st;
  g_mutex_unlock (&sh->lock);

  prepare_size (sh, p.frame.width, p.frame.height);
  p.params.class_filter = p.filter;
  g_mutex_lock (&sh->engine_lock);
  t0 = g_get_monotonic_time ();
  r = cascade_engine_detect (sh->engine, &p.frame, &p.params, &error);
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_mutex_unlock (&sh->engine_lock);

  g_mutex_lock (&sh->lock);
  st->busy = FALSE;
  attached = st->owner != NULL;
  if (!attached) {
    /* detached meanwhile: the worker frees it (and its block, below) */
    cascade_result_free (r);
    g_clear_error (&error);
    gst_cascade_stream_destroy (st);
  } else if (p.generation != st->generation) {
    GST_DEBUG_OBJECT (st->owner, "dropping a result from before a flush");
    cascade_result_free (r);
    g_clear_error (&error);
  } else if (r) {
    GstCascadeDone *done = g_new0 (GstCascadeDone, 1);

    done->result = r;
    done->pts = p.pts;
    done->frame = p.number;
    done->ms = ms;
    gst_cascade_done_free (st->done);
    st->done = done;
  } else {
    g_clear_error (&st->error);
    st->error = error;
  }
  if (attached && !st->spare) {
    st->spare = p.data;
    st->spare_size = p.size;
    p.data = NULL;
  }
  g_free (p.data);
  g_free (p.filter);
  g_cond_broadcast (&sh->cond);
}

/* runs sh until it is released (then frees it) */
static void
worker (GstCascadeShared * sh)
{
  GstCascadeStream *st;

  g_mutex_lock (&sh->lock);
  while (!sh->quit) {
    if (sh->state == LOAD_NONE) {
      sh->state = LOAD_RUNNING;
      g_mutex_unlock (&sh->lock);
      load (sh, worker_progress, sh);
      g_mutex_lock (&sh->lock);
    } else if (sh->state == LOAD_DONE && (st = next_stream (sh))) {
      run_one (sh, st);
    } else {
      g_cond_wait (&sh->cond, &sh->lock);
    }
  }
  g_mutex_unlock (&sh->lock);
  /* released: the last user left it to this thread */
  shared_free (sh);
}

static gpointer
runner_main (gpointer data)
{
  Runner *r = data;
  GstCascadeShared *sh;

  g_mutex_lock (&registry_lock);
  for (;;) {
    while (!r->next)
      g_cond_wait (&runner_cond, &registry_lock);
    sh = r->next;
    r->next = NULL;
    g_mutex_unlock (&registry_lock);
    worker (sh);
    g_mutex_lock (&registry_lock);
    n_quitting--;
    idle_runners = g_slist_prepend (idle_runners, r);
    g_cond_broadcast (&runner_cond);
  }
  return NULL;
}

static void
wait_for_workers (void)
{
  g_mutex_lock (&registry_lock);
  while (n_quitting > 0)
    g_cond_wait (&runner_cond, &registry_lock);
  g_mutex_unlock (&registry_lock);
}

void
gst_cascade_shared_ensure_worker (GstCascadeShared * sh)
{
  static gsize exit_hook = 0;
  Runner *r;

  if (g_once_init_enter (&exit_hook)) {
    atexit (wait_for_workers);
    g_once_init_leave (&exit_hook, 1);
  }
  if (sh->has_worker)
    return;
  sh->has_worker = TRUE;
  g_mutex_lock (&registry_lock);
  if (idle_runners) {
    r = idle_runners->data;
    idle_runners = g_slist_delete_link (idle_runners, idle_runners);
  } else {
    r = g_new0 (Runner, 1);
    r->thread = g_thread_new ("cascadeworker", runner_main, r);
  }
  r->next = sh;
  g_cond_broadcast (&runner_cond);
  g_mutex_unlock (&registry_lock);
}

GstCascadeShared *
gst_cascade_shared_acquire (const gchar * model, const gchar * device,
    guint input_long, guint input_short, gboolean sync,
    CascadeProgressFunc progress, gpointer user_data, GError ** error)
{
  GstCascadeShared *sh = lookup (model, device, input_long, input_short);

  g_mutex_lock (&sh->lock);
  if (!sync) {
    gst_cascade_shared_ensure_worker (sh);
    g_cond_broadcast (&sh->cond);
    g_mutex_unlock (&sh->lock);
    return sh;
  }
  while (sh->state == LOAD_RUNNING || (sh->state == LOAD_NONE
          && sh->has_worker))
    g_cond_wait (&sh->cond, &sh->lock);
  if (sh->state == LOAD_NONE) {
    sh->state = LOAD_RUNNING;
    g_mutex_unlock (&sh->lock);
    load (sh, progress, user_data);
    g_mutex_lock (&sh->lock);
  }
  if (sh->state == LOAD_FAILED) {
    g_propagate_error (error, g_error_copy (sh->error));
    g_mutex_unlock (&sh->lock);
    gst_cascade_shared_release (sh);
    return NULL;
  }
  g_mutex_unlock (&sh->lock);
  return sh;
}

void
gst_cascade_shared_release (GstCascadeShared * sh)
{
  gboolean last;

  if (!sh)
    return;
  g_mutex_lock (&registry_lock);
  last = --sh->refs == 0;
  if (last)
    g_hash_table_remove (registry, sh->key);
  g_mutex_unlock (&registry_lock);
  if (!last)
    return;

  g_mutex_lock (&sh->lock);
  if (sh->has_worker) {
    /* its thread frees it once its frame in flight (if any) is done: a
     * state change never waits for an inference */
    g_mutex_lock (&registry_lock);
    n_quitting++;
    g_mutex_unlock (&registry_lock);
    sh->quit = TRUE;
    g_cond_broadcast (&sh->cond);
    g_mutex_unlock (&sh->lock);
    return;
  }
  g_mutex_unlock (&sh->lock);
  shared_free (sh);
}

CascadeEngine *
gst_cascade_shared_engine (GstCascadeShared * sh, GError ** error)
{
  CascadeEngine *e;

  g_mutex_lock (&sh->lock);
  e = sh->state == LOAD_DONE ? sh->engine : NULL;
  if (sh->state == LOAD_FAILED && error)
    *error = g_error_copy (sh->error);
  g_mutex_unlock (&sh->lock);
  return e;
}

void
gst_cascade_shared_lock (GstCascadeShared * sh)
{
  g_mutex_lock (&sh->engine_lock);
}

void
gst_cascade_shared_unlock (GstCascadeShared * sh)
{
  g_mutex_unlock (&sh->engine_lock);
}
