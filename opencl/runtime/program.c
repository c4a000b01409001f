/* gst-cascade: OpenCL programs built from the kernel sources */
#include "runtime/program.h"
#include "runtime/error.h"
#include "runtime/kernel-sources.h"
#include "runtime/log.h"
#include "runtime/program-cache.h"

#include <string.h>

#define BUILD_OPTIONS "-cl-std=CL1.2"
#define COMMON_PROGRAM "common"

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

/* <name>.cl with the shared helpers in front.  A name "<file>:<MACRO>" is
 * a variant of <file>.cl built with MACRO defined (blas/gemm.c's register
 * tiles): its own program, its own entry in the disk cache. */
static gchar *
program_source (const gchar * name, GError ** error)
{
  const gchar *colon = strchr (name, ':');
  gchar *file = colon ? g_strndup (name, colon - name) : g_strdup (name);
  gchar *src = kernel_source (file, error), *common, *both;
  if (!src || strcmp (file, COMMON_PROGRAM) == 0) {
    g_free (file);
    return src;
  }
  g_free (file);
  common = kernel_source (COMMON_PROGRAM, error);
  if (!common) {
    g_free (src);
    return NULL;
  }
  if (colon)
    both = g_strconcat ("#define ", colon + 1, " 1\n", common,
        "\n#line 1\n", src, NULL);
  else
    both = g_strconcat (common, "\n#line 1\n", src, NULL);
  g_free (common);
  g_free (src);
  return both;
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
cascade_program_build (cl_context context, cl_device_id device,
    const gchar * device_label, const gchar * name, GError ** error)
{
  gchar *src = program_source (name, error);
  cl_program prog = NULL;
  gint64 t0;
  cl_int st;

  if (!src)
    return NULL;
  /* a binary from an earlier process, if the disk cache has a good one */
  prog = cascade_program_cache_load (context, device, name, BUILD_OPTIONS,
      src);
  if (prog)
    goto out;
  t0 = g_get_monotonic_time ();
  prog = clCreateProgramWithSource (context, 1, (const char **) &src, NULL,
      &st);
  if (!cascade_cl_check (st, "clCreateProgramWithSource", error)) {
    prog = NULL;
    goto out;
  }
  st = clBuildProgram (prog, 1, &device, BUILD_OPTIONS, NULL, NULL);
  if (st != CL_SUCCESS) {
    gchar *log = build_log (prog, device);
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BUILD,
        "Building OpenCL program %s.cl for %s failed: %s (%d)\n%s", name,
        device_label, cascade_cl_status_string (st), (int) st, log);
    g_free (log);
    clReleaseProgram (prog);
    prog = NULL;
    goto out;
  }
  CASCADE_LOG_INFO ("built OpenCL program %s.cl for %s in %.0f ms", name,
      device_label, (g_get_monotonic_time () - t0) / 1000.0);
  /* replaces a missing or bad entry */
  cascade_program_cache_put (prog, device, name, BUILD_OPTIONS, src);
out:
  g_free (src);
  return prog;
}
