/* gst-cascade: OpenCL device, context and the programs built for it */
#include "runtime/device.h"
#include "runtime/error.h"
#include "runtime/kernel-sources.h"
#include "runtime/program-cache.h"

#include <stdio.h>
#include <string.h>

#define MIN_GLOBAL_MEM (512u << 20)
#define MIN_MAX_ALLOC (128u << 20)
/* raises the memory the engine asks of a device, in MiB (for tests of the
 * refusal, and for users who want to keep small devices out) */
#define MIN_MEM_ENV "CASCADE_DEVICE_MIN_MEM_MB"
#define BUILD_OPTIONS "-cl-std=CL1.2"
#define COMMON_PROGRAM "common"

struct _CascadeDevice
{
  gint refcount;
  cl_platform_id platform;
  cl_device_id device;
  cl_context context;
  gchar *name;
  gboolean fp16;
  gboolean is_cpu;
  guint64 max_alloc;
  guint64 global_mem;
  guint compute_units;
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

typedef struct
{
  cl_platform_id platform;
  cl_device_id device;
  gchar *label;                 /* "Platform: Device" */
  cl_device_type type;
} DeviceEntry;

gchar *
cascade_cl_platform_string (cl_platform_id p, cl_platform_info what)
{
  size_t n = 0;
  gchar *s;
  if (clGetPlatformInfo (p, what, 0, NULL, &n) != CL_SUCCESS || n == 0)
    return g_strdup ("?");
  s = g_malloc0 (n + 1);
  clGetPlatformInfo (p, what, n, s, NULL);
  return g_strstrip (s);
}

gchar *
cascade_cl_device_string (cl_device_id d, cl_device_info what)
{
  size_t n = 0;
  gchar *s;
  if (clGetDeviceInfo (d, what, 0, NULL, &n) != CL_SUCCESS || n == 0)
    return g_strdup ("?");
  s = g_malloc0 (n + 1);
  clGetDeviceInfo (d, what, n, s, NULL);
  return g_strstrip (s);
}

static void
device_entry_clear (gpointer p)
{
  g_free (((DeviceEntry *) p)->label);
}

/* all devices of all platforms, in platform order */
static GArray *
enumerate_devices (GError ** error)
{
  cl_uint np = 0, i;
  cl_platform_id *plats;
  GArray *out;
  cl_int st = clGetPlatformIDs (0, NULL, &np);

  if (st != CL_SUCCESS || np == 0) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE,
        "No OpenCL platform found (%s): install an OpenCL driver, e.g. the "
        "Debian package pocl-opencl-icd for the CPU",
        st == CL_SUCCESS ? "0 platforms" : cascade_cl_status_string (st));
    return NULL;
  }
  plats = g_new0 (cl_platform_id, np);
  clGetPlatformIDs (np, plats, NULL);
  out = g_array_new (FALSE, TRUE, sizeof (DeviceEntry));
  g_array_set_clear_func (out, device_entry_clear);
  for (i = 0; i < np; i++) {
    cl_uint nd = 0, j;
    cl_device_id *devs;
    gchar *pname;
    if (clGetDeviceIDs (plats[i], CL_DEVICE_TYPE_ALL, 0, NULL, &nd)
        != CL_SUCCESS || nd == 0)
      continue;
    devs = g_new0 (cl_device_id, nd);
    clGetDeviceIDs (plats[i], CL_DEVICE_TYPE_ALL, nd, devs, NULL);
    pname = cascade_cl_platform_string (plats[i], CL_PLATFORM_NAME);
    for (j = 0; j < nd; j++) {
      DeviceEntry e = { plats[i], devs[j], NULL, 0 };
      gchar *dname = cascade_cl_device_string (devs[j], CL_DEVICE_NAME);
      e.label = g_strdup_printf ("%s: %s", pname, dname);
      clGetDeviceInfo (devs[j], CL_DEVICE_TYPE, sizeof (e.type), &e.type,
          NULL);
      g_free (dname);
      g_array_append_val (out, e);
    }
    g_free (pname);
    g_free (devs);
  }
  g_free (plats);
  if (out->len == 0) {
    g_array_unref (out);
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE,
        "OpenCL platforms found, but no device on any of them");
    return NULL;
  }
  return out;
}

gchar *
cascade_device_list_all (void)
{
  GArray *all = enumerate_devices (NULL);
  GString *s = g_string_new (NULL);
  guint i;
  if (!all)
    return g_string_free (s, FALSE);
  for (i = 0; i < all->len; i++)
    g_string_append_printf (s, "%s%u: %s", i ? "; " : "", i,
        g_array_index (all, DeviceEntry, i).label);
  g_array_unref (all);
  return g_string_free (s, FALSE);
}

static gboolean
parse_uint (const gchar * s, guint * out)
{
  guint64 v;
  return g_ascii_string_to_unsigned (s, 10, 0, G_MAXINT, &v, NULL)
      && (*out = (guint) v, TRUE);
}

/* resolves spec to one entry of all, or sets error */
static const DeviceEntry *
pick (GArray * all, const gchar * spec, GError ** error)
{
  guint i, idx, p, d;
  gchar **pd;

  if (spec == NULL || *spec == '\0') {
    for (i = 0; i < all->len; i++)
      if (g_array_index (all, DeviceEntry, i).type & CL_DEVICE_TYPE_GPU)
        return &g_array_index (all, DeviceEntry, i);
    return &g_array_index (all, DeviceEntry, 0);
  }
  if (parse_uint (spec, &idx)) {
    if (idx < all->len)
      return &g_array_index (all, DeviceEntry, idx);
    goto not_found;
  }
  pd = g_strsplit (spec, ":", 2);
  if (g_strv_length (pd) == 2 && parse_uint (pd[0], &p)
      && parse_uint (pd[1], &d)) {
    cl_platform_id last = NULL;
    guint pi = 0, di = 0;
    g_strfreev (pd);
    for (i = 0; i < all->len; i++) {
      const DeviceEntry *e = &g_array_index (all, DeviceEntry, i);
      if (i > 0 && e->platform != last) {
        pi++;
        di = 0;
      }
      last = e->platform;
      if (pi == p && di == d)
        return e;
      di++;
    }
    goto not_found;
  }
  g_strfreev (pd);
  {
    gchar *needle = g_utf8_casefold (spec, -1);
    for (i = 0; i < all->len; i++) {
      const DeviceEntry *e = &g_array_index (all, DeviceEntry, i);
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
    gchar *list = cascade_device_list_all ();
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE,
        "No OpenCL device matches \"%s\" (available: %s)", spec, list);
    g_free (list);
  }
  return NULL;
}

/* the memory requirement, checked on every open (it may be raised) */
static gboolean
check_memory (CascadeDevice * dev, GError ** error)
{
  const gchar *env = g_getenv (MIN_MEM_ENV);
  guint64 need = MIN_GLOBAL_MEM >> 20, v;
  if (env && g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT32, &v, NULL))
    need = MAX (need, v);
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
  gchar *ext = cascade_cl_device_string (dev->device, CL_DEVICE_EXTENSIONS);
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
  dev->is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
  dev->fp16 = strstr (ext, "cl_khr_fp16") != NULL;

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
  g_free (ext);
  return ok;
}

CascadeDevice *
cascade_device_open (const gchar * spec, GError ** error)
{
  GArray *all;
  const DeviceEntry *e;
  CascadeDevice *dev = NULL;
  const gchar *env = g_getenv (CASCADE_DEVICE_ENV);
  cl_context_properties props[3];
  cl_int st;
  GList *l;

  if (env != NULL && *env != '\0')
    spec = env;

  g_mutex_lock (&registry_lock);
  all = enumerate_devices (error);
  if (!all)
    goto out;
  e = pick (all, spec, error);
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

gboolean
cascade_device_has_fp16 (CascadeDevice * dev)
{
  return dev->fp16;
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

gboolean
cascade_device_is_cpu (CascadeDevice * dev)
{
  return dev->is_cpu;
}

const gchar *const *
cascade_kernel_source_names (void)
{
  static const gchar **names;
  if (g_once_init_enter (&names)) {
    guint n = 0, i;
    const gchar **v;
    while (cascade_kernel_sources[n].name)
      n++;
    v = g_new0 (const gchar *, n + 1);
    for (i = 0; i < n; i++)
      v[i] = cascade_kernel_sources[i].name;
    g_once_init_leave (&names, v);
  }
  return names;
}

/* the text of <name>.cl: embedded, or read from the source tree */
static gchar *
kernel_source (const gchar * name, GError ** error)
{
  guint i;
  for (i = 0; cascade_kernel_sources[i].name; i++) {
    const CascadeKernelSource *k = &cascade_kernel_sources[i];
    if (strcmp (k->name, name) != 0)
      continue;
    if (k->source)
      return g_strdup (k->source);
    {
      gchar *text = NULL;
      if (!g_file_get_contents (k->path, &text, NULL, error))
        text = NULL;
      return text;
    }
  }
  g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BUILD,
      "No OpenCL kernel source named \"%s\" in this build", name);
  return NULL;
}

static gchar *
build_log (cl_program prog, cl_device_id device)
{
  size_t n = 0;
  gchar *log;
  clGetProgramBuildInfo (prog, device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
  log = g_malloc0 (n + 1);
  if (n)
    clGetProgramBuildInfo (prog, device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
  return g_strstrip (log);
}

cl_program
cascade_device_program (CascadeDevice * dev, const gchar * name,
    GError ** error)
{
  cl_program prog;
  gchar *src = NULL;
  cl_int st;

  g_mutex_lock (&dev->lock);
  prog = g_hash_table_lookup (dev->programs, name);
  if (prog)
    goto out;
  src = kernel_source (name, error);
  if (!src)
    goto out;
  if (strcmp (name, COMMON_PROGRAM) != 0) {
    /* the shared helpers go in front of every program */
    gchar *common = kernel_source (COMMON_PROGRAM, error), *both;
    if (!common)
      goto out;
    both = g_strconcat (common, "\n#line 1\n", src, NULL);
    g_free (common);
    g_free (src);
    src = both;
  }
  /* a binary from an earlier process, if the disk cache has a good one */
  prog = cascade_program_cache_load (dev->context, dev->device, name,
      BUILD_OPTIONS, src);
  if (prog)
    goto built;
  prog = clCreateProgramWithSource (dev->context, 1, (const char **) &src,
      NULL, &st);
  if (!cascade_cl_check (st, "clCreateProgramWithSource", error)) {
    prog = NULL;
    goto out;
  }
  st = clBuildProgram (prog, 1, &dev->device, BUILD_OPTIONS, NULL, NULL);
  if (st != CL_SUCCESS) {
    gchar *log = build_log (prog, dev->device);
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BUILD,
        "Building OpenCL program %s.cl for %s failed: %s (%d)\n%s", name,
        dev->name, cascade_cl_status_string (st), (int) st, log);
    g_free (log);
    clReleaseProgram (prog);
    prog = NULL;
    goto out;
  }
  /* replaces a missing or bad entry */
  cascade_program_cache_store (prog, dev->device, name, BUILD_OPTIONS, src);
built:
  g_hash_table_insert (dev->programs, g_strdup (name), prog);
out:
  g_mutex_unlock (&dev->lock);
  g_free (src);
  return prog;
}
