/* gst-cascade: the insides of the shared engines and their streams
 * (cascadeworker.c: the registry and the worker; cascadestream.c: the
 * streams' side)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include "cascadeworker.h"

G_BEGIN_DECLS

typedef enum
{
  LOAD_NONE,
  LOAD_RUNNING,
  LOAD_DONE,
  LOAD_FAILED,
} LoadState;

/* The threads that run the workers are kept for the process: a released
 * worker's thread finishes its frame in flight, frees the engine and parks,
 * ready for the next shared engine (a thread that ran the OpenCL compiler
 * must not exit before the process: LLVM leaves its signal stack on it).
 * At exit the process waits for the frames still in flight. */
typedef struct
{
  GThread *thread;
  GstCascadeShared *next;       /* the engine to run, under registry_lock */
} Runner;

struct _GstCascadeShared
{
  gint refs;                    /* under registry_lock */
  gchar *key;
  gchar *model, *device;
  guint input_long, input_short;

  GMutex engine_lock;           /* the engine's use */

  GMutex lock;                  /* guards what follows */
  GCond cond;
  LoadState state;
  CascadeEngine *engine;
  GError *error;
  gboolean has_worker;
  gboolean quit;
  GList *streams;               /* attached streams, in attach order */
  GstCascadeStream *last_served;
  GHashTable *prepared;         /* "WxH" of the sizes prepared */
};

/* a pending frame: a copy of the pixels and the parameters to run with */
typedef struct
{
  guint8 *data;
  gsize size;
  CascadeFrame frame;
  CascadeDetectParams params;
  gboolean *filter;
  GstClockTime pts;
  guint64 number;
  guint generation;
} Pending;

struct _GstCascadeStream
{
  GstCascadeShared *shared;
  /* under shared->lock */
  GstElement *owner;            /* NULL once detached */
  gboolean busy;                /* a frame of it in flight */
  guint generation;             /* bumped by flushes */
  gboolean has_pending;
  Pending pending;
  guint8 *spare;                /* a pixel block to reuse */
  gsize spare_size;
  GstCascadeDone *done;
  GError *error;
};

/* Gives sh a worker thread if it has none; with sh->lock held. */
void gst_cascade_shared_ensure_worker (GstCascadeShared * sh);

/* Frees a detached stream; with its shared engine's lock held. */
void gst_cascade_stream_destroy (GstCascadeStream * st);

G_END_DECLS
