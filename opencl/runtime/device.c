/* gst-cascade: OpenCL device, context and the programs built for it */
#include "runtime/device.h"
#include "runtime/clinfo.h"
#include "runtime/error.h"
#include "runtime/options.h"
#include "runtime/program.h"

#include <stdio.h>
#include <string.h>

#define MIN_GLOBAL_MEM (512u << 20)
#define MIN_MAX_ALLOC (128u << 20)

struct _CascadeDevice
{
  gint refcount;
  cl_platform_id platform;
  cl_device_id device;
  cl_context context;
  gchar *name;
  gboolean is_cpu;
  guint64 max_alloc;
  guint64 global_mem;
  guint compute_units;
  guint vector_width;           /* native float vector width */
  GMutex lock;                  /* guards programs */
  GHashTable *programs;         /* name -> cl_program */
};

static void
release_program (gpointer p)
{
  clReleaseProgram (p);
}

/* every open device, so that callers share contexts */
static GMutex registry_lock;
static GList *registry;

static gboolean
parse_uint (const gchar * s, guint * out)
{
  guint64 v;
  return g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT, &v, NULL)
      && (*out = (guint) v, TRUE);
}

/* entry i of all as "P:D": its platform's index, and its index there */
static void
position (GArray * all, guint i, guint * p, guint * d)
{
  guint j;

  *p = *d = 0;
  for (j = 1; j <= i; j++) {
    if (g_array_index (all, CascadeClDevice, j).platform !=
        g_array_index (all, CascadeClDevice, j - 1).platform) {
      (*p)++;
      *d = 0;
    } else {
      (*d)++;
    }
  }
}

/* resolves spec to one entry of all, or sets error */
static const CascadeClDevice *
pick (GArray * all, const gchar * spec, GError ** error)
{
  guint i, idx, p, d;
  gchar **pd;

  if (spec == NULL || *spec == '\0') {
    for (i = 0; i < all->len; i++)
      if (g_array_index (all, CascadeClDevice, i).type & CL_DEVICE_TYPE_GPU)
        return &g_array_index (all, CascadeClDevice, i);
    return &g_array_index (all, CascadeClDevice, 0);
  }
  if (parse_uint (spec, &idx)) {
    if (idx < all->len)
      return &g_array_index (all, CascadeClDevice, idx);
    goto not_found;
  }
  pd = g_strsplit (spec, ":", 2);
  if (g_strv_length (pd) == 2 && parse_uint (pd[0], &p)
      && parse_uint (pd[1], &d)) {
    g_strfreev (pd);
    for (i = 0; i < all->len; i++) {
      guint pi, di;
      position (all, i, &pi, &di);
      if (pi == p && di == d)
        return &g_array_index (all, CascadeClDevice, i);
    }
    goto not_found;
  }
  g_strfreev (pd);
  {
    gchar *needle = g_utf8_casefold (spec, -1);
    for (i = 0; i < all->len; i++) {
      const CascadeClDevice *e = &g_array_index (all, CascadeClDevice, i);
      gchar *hay = g_utf8_casefold (e->label, -1);
      gboolean hit = strstr (hay, needle) != NULL;
      g_free (hay);
      if (hit) {
        g_free (needle);
        return e;
      }
    }
    g_free (needle);
  }
not_found:
  {
    gchar *list = cascade_cl_device_list ();
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE,
        "No OpenCL device matches \"%s\" (available: %s)", spec, list);
    g_free (list);
  }
  return NULL;
}

/* under registry_lock: the entry of *all (listed here; the caller unrefs
 * it when set) that spec names, CASCADE_DEVICE overriding spec (the
 * environment is read again: making an engine sees a changed one), or NULL
 * with error saying where an unknown name came from */
static const CascadeClDevice *
lookup_locked (const gchar * spec, GArray ** all, GError ** error)
{
  const CascadeClDevice *e = NULL;
  gchar *env;

  cascade_options_reload ();
  env = cascade_options_device ();
  if (env)
    spec = env;
  *all = cascade_cl_devices (error);
  if (*all && !(e = pick (*all, spec, error))) {
    /* the environment overrides whatever the caller asked for */
    if (env)
      g_prefix_error (error, "CASCADE_DEVICE=\"%s\" (the environment "
          "variable, which overrides the device asked for): ", env);
    else if (spec && *spec)
      g_prefix_error (error, "device \"%s\" (as asked for; "
          "CASCADE_DEVICE is not set): ", spec);
  }
  g_free (env);
  return e;
}

gchar *
cascade_device_resolve (const gchar * spec, GError ** error)
{
  GArray *all;
  const CascadeClDevice *e;
  gchar *out = NULL;

  g_mutex_lock (&registry_lock);
  e = lookup_locked (spec, &all, error);
  if (e) {
    guint p, d;
    position (all, (guint) (e - &g_array_index (all, CascadeClDevice, 0)),
        &p, &d);
    out = g_strdup_printf ("%u:%u", p, d);
  }
  g_mutex_unlock (&registry_lock);
  if (all)
    g_array_unref (all);
  return out;
}

/* the memory requirement, checked on every open (it may be raised) */
static gboolean
check_memory (CascadeDevice * dev, GError ** error)
{
  /* $CASCADE_DEVICE_MIN_MEM_MB raises it (for tests of the refusal, and
   * for users who want to keep small devices out) */
  guint64 need = MAX (MIN_GLOBAL_MEM >> 20, cascade_options_min_mem_mb ());
  if ((dev->global_mem >> 20) >= need && dev->max_alloc >= MIN_MAX_ALLOC)
    return TRUE;
  g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_DEVICE,
      "OpenCL device %s has %" G_GUINT64_FORMAT " MiB of memory (largest "
      "buffer %" G_GUINT64_FORMAT " MiB); at least %" G_GUINT64_FORMAT
      " MiB (%u MiB) are needed", dev->name, dev->global_mem >> 20,
      dev->max_alloc >> 20, need, MIN_MAX_ALLOC >> 20);
  return FALSE;
}

/* refuses devices that cannot run the engine */
static gboolean
check_device (CascadeDevice * dev, GError ** error)
{
  cl_bool compiler = CL_FALSE;
  cl_uint units = 0;
  gchar *version = cascade_cl_device_string (dev->device, CL_DEVICE_VERSION);
  cl_device_type type = 0;
  guint major = 0, minor = 0;
  gboolean ok = FALSE;

  clGetDeviceInfo (dev->device, CL_DEVICE_COMPILER_AVAILABLE,
      sizeof (compiler), &compiler, NULL);
  clGetDeviceInfo (dev->device, CL_DEVICE_GLOBAL_MEM_SIZE,
      sizeof (dev->global_mem), &dev->global_mem, NULL);
  clGetDeviceInfo (dev->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE,
      sizeof (dev->max_alloc), &dev->max_alloc, NULL);
  clGetDeviceInfo (dev->device, CL_DEVICE_MAX_COMPUTE_UNITS,
      sizeof (units), &units, NULL);
  clGetDeviceInfo (dev->device, CL_DEVICE_TYPE, sizeof (type), &type, NULL);
  dev->compute_units = units;
  units = 0;
  clGetDeviceInfo (dev->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT,
      sizeof (units), &units, NULL);
  dev->vector_width = MAX (units, 1);
  dev->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;

  if (sscanf (version, "OpenCL %u.%u", &major, &minor) != 2
      || major * 10 + minor < 12) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_DEVICE,
        "OpenCL device %s reports \"%s\"; OpenCL 1.2 or newer is needed",
        dev->name, version);
  } else if (!compiler) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_DEVICE,
        "OpenCL device %s has no kernel compiler", dev->name);
  } else {
    ok = check_memory (dev, error);
  }
  g_free (version);
  return ok;
}

CascadeDevice *
cascade_device_open (const gchar * spec, GError ** error)
{
  GArray *all;
  const CascadeClDevice *e;
  CascadeDevice *dev = NULL;
  cl_context_properties props[3];
  cl_int st;
  GList *l;

  g_mutex_lock (&registry_lock);
  e = lookup_locked (spec, &all, error);
  if (!e)
    goto out;
  for (l = registry; l; l = l->next) {
    CascadeDevice *d = l->data;
    if (d->device == e->device) {
      if (check_memory (d, error))
        dev = cascade_device_ref (d);
      goto out;
    }
  }

  dev = g_new0 (CascadeDevice, 1);
  dev->refcount = 1;
  dev->platform = e->platform;
  dev->device = e->device;
  dev->name = g_strdup (e->label);
  g_mutex_init (&dev->lock);
  dev->programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      release_program);
  if (!check_device (dev, error))
    goto failed;
  props[0] = CL_CONTEXT_PLATFORM;
  props[1] = (cl_context_properties) e->platform;
  props[2] = 0;
  dev->context = clCreateContext (props, 1, &dev->device, NULL, NULL, &st);
  if (!cascade_cl_check (st, "clCreateContext", error))
    goto failed;
  /* the registry keeps its own reference: a device stays open, with its
   * compiled programs, for the life of the process, so that restarting a
   * pipeline neither recompiles nor tears down the driver's threads */
  g_atomic_int_inc (&dev->refcount);
  registry = g_list_prepend (registry, dev);
  goto out;

failed:
  g_hash_table_unref (dev->programs);
  g_mutex_clear (&dev->lock);
  g_free (dev->name);
  g_free (dev);
  dev = NULL;
out:
  g_mutex_unlock (&registry_lock);
  if (all)
    g_array_unref (all);
  return dev;
}

CascadeDevice *
cascade_device_ref (CascadeDevice * dev)
{
  g_atomic_int_inc (&dev->refcount);
  return dev;
}

void
cascade_device_unref (CascadeDevice * dev)
{
  if (dev == NULL)
    return;
  g_mutex_lock (&registry_lock);
  if (!g_atomic_int_dec_and_test (&dev->refcount)) {
    g_mutex_unlock (&registry_lock);
    return;
  }
  registry = g_list_remove (registry, dev);
  g_mutex_unlock (&registry_lock);
  g_hash_table_unref (dev->programs);
  clReleaseContext (dev->context);
  g_mutex_clear (&dev->lock);
  g_free (dev->name);
  g_free (dev);
}

cl_context
cascade_device_context (CascadeDevice * dev)
{
  return dev->context;
}

cl_device_id
cascade_device_id (CascadeDevice * dev)
{
  return dev->device;
}

const gchar *
cascade_device_name (CascadeDevice * dev)
{
  return dev->name;
}

guint64
cascade_device_max_alloc (CascadeDevice * dev)
{
  return dev->max_alloc;
}

guint64
cascade_device_global_mem (CascadeDevice * dev)
{
  return dev->global_mem;
}

guint
cascade_device_compute_units (CascadeDevice * dev)
{
  return dev->compute_units;
}

guint
cascade_device_vector_width (CascadeDevice * dev)
{
  return dev->vector_width;
}

gboolean
cascade_device_is_cpu (CascadeDevice * dev)
{
  return dev->is_cpu;
}

cl_program
cascade_device_program (CascadeDevice * dev, const gchar * name,
    GError ** error)
{
  cl_program prog;

  g_mutex_lock (&dev->lock);
  prog = g_hash_table_lookup (dev->programs, name);
  if (!prog) {
    prog = cascade_program_build (dev->context, dev->device, dev->name, name,
        error);
    if (prog)
      g_hash_table_insert (dev->programs, g_strdup (name), prog);
  }
  g_mutex_unlock (&dev->lock);
  return prog;
}
