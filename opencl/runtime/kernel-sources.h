/* gst-cascade: the table of OpenCL sources, generated at build time */
#pragma once

#include <glib.h>

typedef struct
{
  const gchar *name;            /* file name without .cl */
  const gchar *source;          /* NUL-terminated text, NULL when not embedded */
  const gchar *path;            /* the file, when not embedded */
} CascadeKernelSource;

/* terminated by { NULL, NULL, NULL } */
extern const CascadeKernelSource cascade_kernel_sources[];
