/* gst-cascade: error domain of the engine and readable OpenCL/CLBlast codes */
#include "runtime/error.h"

#include <clblast_c.h>

G_DEFINE_QUARK (cascade-error-quark, cascade_error);

const gchar *
cascade_cl_status_string (cl_int status)
{
#define CASE(x) case x: return #x
  switch (status) {
      CASE (CL_SUCCESS);
      CASE (CL_DEVICE_NOT_FOUND);
      CASE (CL_DEVICE_NOT_AVAILABLE);
      CASE (CL_COMPILER_NOT_AVAILABLE);
      CASE (CL_MEM_OBJECT_ALLOCATION_FAILURE);
      CASE (CL_OUT_OF_RESOURCES);
      CASE (CL_OUT_OF_HOST_MEMORY);
      CASE (CL_PROFILING_INFO_NOT_AVAILABLE);
      CASE (CL_MEM_COPY_OVERLAP);
      CASE (CL_IMAGE_FORMAT_MISMATCH);
      CASE (CL_IMAGE_FORMAT_NOT_SUPPORTED);
      CASE (CL_BUILD_PROGRAM_FAILURE);
      CASE (CL_MAP_FAILURE);
      CASE (CL_MISALIGNED_SUB_BUFFER_OFFSET);
      CASE (CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST);
      CASE (CL_COMPILE_PROGRAM_FAILURE);
      CASE (CL_LINKER_NOT_AVAILABLE);
      CASE (CL_LINK_PROGRAM_FAILURE);
      CASE (CL_DEVICE_PARTITION_FAILED);
      CASE (CL_KERNEL_ARG_INFO_NOT_AVAILABLE);
      CASE (CL_INVALID_VALUE);
      CASE (CL_INVALID_DEVICE_TYPE);
      CASE (CL_INVALID_PLATFORM);
      CASE (CL_INVALID_DEVICE);
      CASE (CL_INVALID_CONTEXT);
      CASE (CL_INVALID_QUEUE_PROPERTIES);
      CASE (CL_INVALID_COMMAND_QUEUE);
      CASE (CL_INVALID_HOST_PTR);
      CASE (CL_INVALID_MEM_OBJECT);
      CASE (CL_INVALID_IMAGE_FORMAT_DESCRIPTOR);
      CASE (CL_INVALID_IMAGE_SIZE);
      CASE (CL_INVALID_SAMPLER);
      CASE (CL_INVALID_BINARY);
      CASE (CL_INVALID_BUILD_OPTIONS);
      CASE (CL_INVALID_PROGRAM);
      CASE (CL_INVALID_PROGRAM_EXECUTABLE);
      CASE (CL_INVALID_KERNEL_NAME);
      CASE (CL_INVALID_KERNEL_DEFINITION);
      CASE (CL_INVALID_KERNEL);
      CASE (CL_INVALID_ARG_INDEX);
      CASE (CL_INVALID_ARG_VALUE);
      CASE (CL_INVALID_ARG_SIZE);
      CASE (CL_INVALID_KERNEL_ARGS);
      CASE (CL_INVALID_WORK_DIMENSION);
      CASE (CL_INVALID_WORK_GROUP_SIZE);
      CASE (CL_INVALID_WORK_ITEM_SIZE);
      CASE (CL_INVALID_GLOBAL_OFFSET);
      CASE (CL_INVALID_EVENT_WAIT_LIST);
      CASE (CL_INVALID_EVENT);
      CASE (CL_INVALID_OPERATION);
      CASE (CL_INVALID_GL_OBJECT);
      CASE (CL_INVALID_BUFFER_SIZE);
      CASE (CL_INVALID_MIP_LEVEL);
      CASE (CL_INVALID_GLOBAL_WORK_SIZE);
      CASE (CL_INVALID_PROPERTY);
      CASE (CL_INVALID_IMAGE_DESCRIPTOR);
      CASE (CL_INVALID_COMPILER_OPTIONS);
      CASE (CL_INVALID_LINKER_OPTIONS);
      CASE (CL_INVALID_DEVICE_PARTITION_COUNT);
    case -1001:
      return "CL_PLATFORM_NOT_FOUND_KHR";
    default:
      return "unknown OpenCL error";
  }
#undef CASE
}

const gchar *
cascade_clblast_status_string (gint status)
{
#define CASE(x) case CLBlast##x: return "CLBlast" #x
  if (status <= 0 && status >= -70)
    return cascade_cl_status_string (status);
  switch ((CLBlastStatusCode) status) {
      CASE (NotImplemented);
      CASE (InvalidMatrixA);
      CASE (InvalidMatrixB);
      CASE (InvalidMatrixC);
      CASE (InvalidVectorX);
      CASE (InvalidVectorY);
      CASE (InvalidDimension);
      CASE (InvalidLeadDimA);
      CASE (InvalidLeadDimB);
      CASE (InvalidLeadDimC);
      CASE (InvalidIncrementX);
      CASE (InvalidIncrementY);
      CASE (InsufficientMemoryA);
      CASE (InsufficientMemoryB);
      CASE (InsufficientMemoryC);
      CASE (InsufficientMemoryX);
      CASE (InsufficientMemoryY);
      CASE (InsufficientMemoryTemp);
      CASE (InvalidBatchCount);
      CASE (InvalidOverrideKernel);
      CASE (MissingOverrideParameter);
      CASE (InvalidLocalMemUsage);
      CASE (NoHalfPrecision);
      CASE (NoDoublePrecision);
      CASE (InvalidVectorScalar);
      CASE (InsufficientMemoryScalar);
      CASE (DatabaseError);
      CASE (UnknownError);
      CASE (UnexpectedError);
    default:
      return "unknown CLBlast error";
  }
#undef CASE
}

gboolean
cascade_cl_check (cl_int status, const gchar * what, GError ** error)
{
  if (status == CL_SUCCESS)
    return TRUE;
  g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_CL, "%s failed: %s (%d)",
      what, cascade_cl_status_string (status), (int) status);
  return FALSE;
}

gboolean
cascade_clblast_check (gint status, const gchar * what, GError ** error)
{
  if (status == CLBlastSuccess)
    return TRUE;
  g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS, "%s failed: %s (%d)",
      what, cascade_clblast_status_string (status), status);
  return FALSE;
}

gboolean
cascade_invalid_arg (GError ** error, const gchar * fmt, ...)
{
  va_list ap;
  gchar *msg;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG, msg);
  g_free (msg);
  return FALSE;
}
