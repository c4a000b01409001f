/* gst-cascade: compiled OpenCL programs in the on-disk cache */

#include "runtime/program-cache.h"
#include "runtime/cache.h"
#include "runtime/error.h"
#include "runtime/log.h"

#include <string.h>

#define SUBDIR "programs"
/* file layout: MAGIC, payload length (u64 little-endian), SHA-256 of the
 * payload, payload (the driver's binary) */
#define MAGIC "CASCLBN1"
#define MAGIC_LEN 8
#define DIGEST_LEN 32
#define HEADER_LEN (MAGIC_LEN + 8 + DIGEST_LEN)

gchar *
cascade_program_cache_file (cl_device_id device, const gchar * options,
    const gchar * source)
{
  const gchar *extra[] = { options ? options : "", source, MAGIC, NULL };
  return cascade_cache_device_path (device, SUBDIR, ".bin", extra);
}

static void
digest (const guint8 * data, gsize len, guint8 out[DIGEST_LEN])
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = DIGEST_LEN;
  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &n);
  g_checksum_free (sum);
}

/* the payload of a well-formed entry, or NULL with the reason in *why */
static const guint8 *
check_entry (const guint8 * data, gsize len, gsize * payload_len,
    const gchar ** why)
{
  guint64 n;
  guint8 want[DIGEST_LEN];
  if (len < HEADER_LEN || memcmp (data, MAGIC, MAGIC_LEN) != 0) {
    *why = "not a program cache entry";
    return NULL;
  }
  memcpy (&n, data + MAGIC_LEN, 8);
  n = GUINT64_FROM_LE (n);
  if (n == 0 || n != len - HEADER_LEN) {
    *why = "truncated or wrong length";
    return NULL;
  }
  digest (data + HEADER_LEN, n, want);
  if (memcmp (want, data + MAGIC_LEN + 8, DIGEST_LEN) != 0) {
    *why = "checksum mismatch";
    return NULL;
  }
  *payload_len = n;
  return data + HEADER_LEN;
}

cl_program
cascade_program_cache_load (cl_context context, cl_device_id device,
    const gchar * name, const gchar * options, const gchar * source)
{
  gchar *path = cascade_program_cache_file (device, options, source);
  gchar *data = NULL;
  gsize len = 0, bin_len = 0;
  const guint8 *bin;
  const gchar *why = NULL;
  cl_program prog = NULL;
  cl_int st, bin_st = CL_SUCCESS;
  GError *err = NULL;

  if (!path)
    return NULL;
  if (!g_file_get_contents (path, &data, &len, &err)) {
    if (!g_error_matches (err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      CASCADE_LOG_DEBUG ("program cache: %s", err->message);
    CASCADE_LOG_INFO ("program cache: miss for %s.cl (%s)", name, path);
    g_clear_error (&err);
    goto out;
  }
  bin = check_entry ((const guint8 *) data, len, &bin_len, &why);
  if (!bin)
    goto bad;
  prog = clCreateProgramWithBinary (context, 1, &device, &bin_len, &bin,
      &bin_st, &st);
  if (st != CL_SUCCESS || bin_st != CL_SUCCESS) {
    why = cascade_cl_status_string (st != CL_SUCCESS ? st : bin_st);
    goto bad;
  }
  st = clBuildProgram (prog, 1, &device, options, NULL, NULL);
  if (st != CL_SUCCESS) {
    why = cascade_cl_status_string (st);
    goto bad;
  }
  CASCADE_LOG_INFO ("program cache: hit for %s.cl, loaded from %s", name,
      path);
  goto out;

  /* ERRORS */
bad:
  CASCADE_LOG_INFO ("program cache: miss for %s.cl: ignoring %s: %s", name,
      path, why);
  if (prog)
    clReleaseProgram (prog);
  prog = NULL;
out:
  g_free (data);
  g_free (path);
  return prog;
}

gboolean
cascade_program_cache_store (cl_program prog, cl_device_id device,
    const gchar * name, const gchar * options, const gchar * source)
{
  gchar *path = cascade_program_cache_file (device, options, source);
  cl_uint ndev = 0;
  size_t size = 0;
  guint8 *file = NULL, *bin;
  guint64 n;
  cl_int st;
  GError *err = NULL;
  gboolean ok = FALSE;

  if (!path)
    return FALSE;
  st = clGetProgramInfo (prog, CL_PROGRAM_NUM_DEVICES, sizeof (ndev), &ndev,
      NULL);
  if (st != CL_SUCCESS || ndev != 1) {
    CASCADE_LOG_DEBUG ("program cache: %s.cl: not built for one device", name);
    goto out;
  }
  st = clGetProgramInfo (prog, CL_PROGRAM_BINARY_SIZES, sizeof (size), &size,
      NULL);
  if (st != CL_SUCCESS || size == 0) {
    CASCADE_LOG_DEBUG ("program cache: %s.cl: no binary (%s)", name,
        cascade_cl_status_string (st));
    goto out;
  }
  file = g_malloc (HEADER_LEN + size);
  bin = file + HEADER_LEN;
  st = clGetProgramInfo (prog, CL_PROGRAM_BINARIES, sizeof (bin), &bin, NULL);
  if (st != CL_SUCCESS) {
    CASCADE_LOG_DEBUG ("program cache: %s.cl: CL_PROGRAM_BINARIES: %s", name,
        cascade_cl_status_string (st));
    goto out;
  }
  memcpy (file, MAGIC, MAGIC_LEN);
  n = GUINT64_TO_LE ((guint64) size);
  memcpy (file + MAGIC_LEN, &n, 8);
  digest (bin, size, file + MAGIC_LEN + 8);
  ok = cascade_cache_write (path, file, HEADER_LEN + size, &err);
  if (ok)
    CASCADE_LOG_INFO ("program cache: %s.cl stored in %s", name, path);
  else
    CASCADE_LOG_DEBUG ("program cache: %s", err->message);
  g_clear_error (&err);
out:
  g_free (file);
  g_free (path);
  return ok;
}

/* programs waiting to be written (cascade_program_cache_defer) */
typedef struct
{
  cl_program prog;
  cl_device_id device;
  gchar *name, *options, *source;
} Pending;

static GMutex queue_lock;       /* guards deferred, running and queue */
static gboolean deferred, running;
static GQueue queue = G_QUEUE_INIT;
static GMutex writer_lock;      /* guards writer */
static GThread *writer;

static void
pending_free (Pending * p)
{
  clReleaseProgram (p->prog);
  g_free (p->name);
  g_free (p->options);
  g_free (p->source);
  g_free (p);
}

void
cascade_program_cache_put (cl_program prog, cl_device_id device,
    const gchar * name, const gchar * options, const gchar * source)
{
  Pending *p;

  g_mutex_lock (&queue_lock);
  if (!deferred) {
    g_mutex_unlock (&queue_lock);
    cascade_program_cache_store (prog, device, name, options, source);
    return;
  }
  p = g_new0 (Pending, 1);
  clRetainProgram (prog);
  p->prog = prog;
  p->device = device;
  p->name = g_strdup (name);
  p->options = g_strdup (options);
  p->source = g_strdup (source);
  g_queue_push_tail (&queue, p);
  g_mutex_unlock (&queue_lock);
  CASCADE_LOG_DEBUG ("program cache: %s.cl to be stored later", name);
}

void
cascade_program_cache_defer (void)
{
  g_mutex_lock (&queue_lock);
  deferred = TRUE;
  g_mutex_unlock (&queue_lock);
}

static gpointer
write_queue (gpointer unused)
{
  Pending *p;
  for (;;) {
    g_mutex_lock (&queue_lock);
    p = g_queue_pop_head (&queue);
    if (!p)
      running = FALSE;
    g_mutex_unlock (&queue_lock);
    if (!p)
      return NULL;
    cascade_program_cache_store (p->prog, p->device, p->name, p->options,
        p->source);
    pending_free (p);
  }
}

void
cascade_program_cache_wait (void)
{
  g_mutex_lock (&writer_lock);
  if (writer)
    g_thread_join (writer);
  writer = NULL;
  g_mutex_unlock (&writer_lock);
}

void
cascade_program_cache_flush (void)
{
  gboolean start;

  g_mutex_lock (&writer_lock);
  g_mutex_lock (&queue_lock);
  deferred = FALSE;
  /* a running writer takes new entries too */
  start = !running && !g_queue_is_empty (&queue);
  if (start)
    running = TRUE;
  g_mutex_unlock (&queue_lock);
  if (start) {
    /* the last writer found the queue empty: it has ended or is ending */
    if (writer)
      g_thread_join (writer);
    writer = g_thread_new ("cascade-progcache", write_queue, NULL);
  }
  g_mutex_unlock (&writer_lock);
}
