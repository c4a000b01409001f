/* gst-cascade: OpenCL info strings and the enumeration of devices */
#include "runtime/clinfo.h"
#include "runtime/error.h"

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

cl_platform_id
cascade_cl_device_platform (cl_device_id d)
{
  cl_platform_id p = NULL;
  clGetDeviceInfo (d, CL_DEVICE_PLATFORM, sizeof (p), &p, NULL);
  return p;
}

const gchar *
cascade_cl_device_type_name (cl_device_id d)
{
  cl_device_type type = 0;
  clGetDeviceInfo (d, CL_DEVICE_TYPE, sizeof (type), &type, NULL);
  if (type & CL_DEVICE_TYPE_CPU)
    return "CPU";
  if (type & CL_DEVICE_TYPE_GPU)
    return "GPU";
  if (type & CL_DEVICE_TYPE_ACCELERATOR)
    return "ACCELERATOR";
  return "OTHER";
}

static void
device_clear (gpointer p)
{
  g_free (((CascadeClDevice *) p)->label);
}

/* appends the devices of platform i to out */
static void
add_platform (GArray * out, cl_platform_id plat, guint i)
{
  cl_uint nd = 0, j;
  cl_device_id *devs;
  gchar *pname;
  if (clGetDeviceIDs (plat, CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS
      || nd == 0)
    return;
  devs = g_new0 (cl_device_id, nd);
  clGetDeviceIDs (plat, CL_DEVICE_TYPE_ALL, nd, devs, NULL);
  pname = cascade_cl_platform_string (plat, CL_PLATFORM_NAME);
  for (j = 0; j < nd; j++) {
    CascadeClDevice e = { plat, devs[j], NULL, 0, i, j };
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

GArray *
cascade_cl_devices (GError ** error)
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
  out = g_array_new (FALSE, TRUE, sizeof (CascadeClDevice));
  g_array_set_clear_func (out, device_clear);
  for (i = 0; i < np; i++)
    add_platform (out, plats[i], i);
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
cascade_cl_device_list (void)
{
  GArray *all = cascade_cl_devices (NULL);
  GString *s = g_string_new (NULL);
  guint i;
  if (!all)
    return g_string_free (s, FALSE);
  for (i = 0; i < all->len; i++)
    g_string_append_printf (s, "%s%u: %s", i ? "; " : "", i,
        g_array_index (all, CascadeClDevice, i).label);
  g_array_unref (all);
  return g_string_free (s, FALSE);
}
