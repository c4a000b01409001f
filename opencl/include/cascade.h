/* gst-cascade: the public API of the inference engine.
 *
 * The engine runs a Cascade R-CNN / Cascade Mask R-CNN model file on one
 * video frame at a time on an OpenCL device and returns what mmdetection's
 * test pipeline returns for it.  It uses GLib, OpenCL and CLBlast only.
 *
 *   CascadeEngine *e = cascade_engine_new (NULL, "model.safetensors", &err);
 *   CascadeDetectParams p;
 *   cascade_detect_params_init (&p, e);
 *   CascadeResult *r = cascade_engine_detect (e, &frame, &p, &err);
 *   for (i = 0; i < cascade_result_count (r); i++) ...
 *   cascade_result_free (r);
 *   cascade_engine_free (e);
 *
 * An engine is used from one thread at a time; engines on the same device
 * share its context and compiled programs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every engine error is in this domain. */
#define CASCADE_ERROR (cascade_error_quark ())

typedef enum
{
  CASCADE_ERROR_NO_DEVICE,      /* no OpenCL platform/device, or none matches */
  CASCADE_ERROR_DEVICE,         /* the device lacks a needed feature or memory */
  CASCADE_ERROR_BUILD,          /* an OpenCL program did not compile */
  CASCADE_ERROR_CL,             /* an OpenCL call failed */
  CASCADE_ERROR_BLAS,           /* a CLBlast call failed */
  CASCADE_ERROR_MODEL,          /* the model file is unreadable or damaged */
  CASCADE_ERROR_INVALID_ARG,    /* a bad frame, shape or parameter */
  CASCADE_ERROR_UNSUPPORTED,    /* a format or architecture we do not run */
} CascadeErrorCode;

GQuark cascade_error_quark (void);

/* 8-bit frame layouts.  Packed formats name their bytes in memory order,
 * as GStreamer's video formats do (BGRx: B at byte 0, x ignored). */
typedef enum
{
  CASCADE_FORMAT_RGB,
  CASCADE_FORMAT_BGR,
  CASCADE_FORMAT_RGBx,
  CASCADE_FORMAT_BGRx,
  CASCADE_FORMAT_xRGB,
  CASCADE_FORMAT_xBGR,
  CASCADE_FORMAT_RGBA,
  CASCADE_FORMAT_BGRA,
  CASCADE_FORMAT_ARGB,
  CASCADE_FORMAT_ABGR,
  CASCADE_FORMAT_NV12,          /* BT.601 limited range, like videoconvert */
  CASCADE_FORMAT_I420,          /* BT.601 limited range */
  CASCADE_FORMAT_LAST
} CascadePixelFormat;

/* "RGB", "BGRx", ... as GStreamer spells them; NULL if out of range */
const gchar *cascade_pixel_format_name (CascadePixelFormat format);
/* CASCADE_FORMAT_LAST when unknown */
CascadePixelFormat cascade_pixel_format_from_name (const gchar * name);

typedef struct
{
  CascadePixelFormat format;
  guint width;
  guint height;
  /* packed formats use plane 0; NV12 planes 0 (Y) and 1 (UV); I420 0..2 */
  const guint8 *planes[3];
  gsize strides[3];             /* bytes per row of each plane */
} CascadeFrame;

typedef struct
{
  gfloat x1, y1, x2, y2;        /* frame pixels, mmdetection's convention:
                                   x2 - x1 is the width; not clipped */
  gfloat score;
  gint class_id;                /* 0-based index into the model's classes */
} CascadeDetection;

typedef struct
{
  gfloat score_threshold;       /* keep detections scoring above this */
  gfloat nms_threshold;         /* per-class NMS IoU */
  guint max_detections;
  gboolean masks;               /* run the mask heads (mask models only) */
  gfloat mask_threshold;        /* binarisation of pasted masks */
  guint num_stages;             /* 1..3 cascade stages used */
  const gboolean *class_filter; /* NULL, or num_classes flags: keep if TRUE */
} CascadeDetectParams;

typedef struct _CascadeEngine CascadeEngine;
typedef struct _CascadeResult CascadeResult;

/* The device a spec names (as cascade_engine_new takes it, the
 * CASCADE_DEVICE environment variable included), as "P:D": the index of
 * its platform and its index on that platform.  Two specs that name one
 * device ("0", "pocl", "0:0") resolve to the same string.  A newly
 * allocated string, or NULL with error set (CASCADE_ERROR_NO_DEVICE). */
gchar *cascade_device_resolve (const gchar * spec, GError ** error);

/* Loads and validates the model file, opens the OpenCL device (spec as in
 * cascade_device_open: NULL, index, "P:D" or a name substring; the
 * CASCADE_DEVICE environment variable overrides it), uploads the weights
 * and builds the kernels.  Returns NULL with error set on any failure. */
CascadeEngine *cascade_engine_new (const gchar * device,
    const gchar * model_path, GError ** error);
void cascade_engine_free (CascadeEngine * engine);

/* Start-up progress.  Making an engine and preparing it for a frame size
 * can take long on a fresh machine (programs compiled, per-shape choices
 * measured: opencl/blas/tuning.h); a progress function hears each step as
 * it begins: its phase, what it is (a program's name, a network stage's
 * name), and that it is step k of n of the phase (1 <= k <= n).  It is
 * called on the thread doing the work. */
typedef enum
{
  CASCADE_PROGRESS_LOAD,        /* the model file: read and checked (1 of 1) */
  CASCADE_PROGRESS_BUILD,       /* an OpenCL program: compiled, or taken from
                                   the program cache */
  CASCADE_PROGRESS_WEIGHTS,     /* the weights uploaded (1 of 1) */
  CASCADE_PROGRESS_PREPARE,     /* a network stage run once at a new input
                                   size (cascade_engine_prepare) */
} CascadeProgressPhase;

typedef void (*CascadeProgressFunc) (CascadeProgressPhase phase,
    const gchar * what, guint k, guint n, gpointer user_data);

/* "load", "build", "weights", "prepare" */
const gchar *cascade_progress_phase_name (CascadeProgressPhase phase);

/* cascade_engine_new, reporting its steps to progress (may be NULL). */
CascadeEngine *cascade_engine_new_with_progress (const gchar * device,
    const gchar * model_path, CascadeProgressFunc progress,
    gpointer user_data, GError ** error);

/* Runs the network once on a blank width x height frame (score threshold
 * 0, so that the heads run too), so that the per-shape choices for that
 * size are made and its buffers allocated now rather than on the first
 * real frame; reports each stage to progress (may be NULL; not reported
 * while a tool's observer watches the engine) as step k of the stages
 * that run. */
gboolean cascade_engine_prepare (CascadeEngine * engine, guint width,
    guint height, CascadeProgressFunc progress, gpointer user_data,
    GError ** error);

/* mmdetection's test configuration from the model file */
void cascade_detect_params_init (CascadeDetectParams * params,
    const CascadeEngine * engine);

/* The network input size (longer, shorter side) frames are resized to fit;
 * defaults to the model's test scale, e.g. 1333x800. */
gboolean cascade_engine_set_input_size (CascadeEngine * engine,
    guint long_side, guint short_side, GError ** error);
void cascade_engine_get_input_size (const CascadeEngine * engine,
    guint * long_side, guint * short_side);

guint cascade_engine_num_classes (const CascadeEngine * engine);
/* label of class i, or NULL when out of range */
const gchar *cascade_engine_class_name (const CascadeEngine * engine,
    guint class_id);
gboolean cascade_engine_has_masks (const CascadeEngine * engine);
/* "Platform: Device" */
const gchar *cascade_engine_device_name (const CascadeEngine * engine);

/* Runs the model on one frame.  Frames of any size from 1x1 up to
 * 8192x8192 pixels and any aspect ratio; a bad frame (size 0, stride
 * smaller than a row, missing plane, unsupported format) or bad parameter
 * returns NULL with CASCADE_ERROR_INVALID_ARG. */
CascadeResult *cascade_engine_detect (CascadeEngine * engine,
    const CascadeFrame * frame, const CascadeDetectParams * params,
    GError ** error);

/* Results, sorted by descending score.  A result stays valid after the
 * engine runs other frames, but full-frame masks can only be made while
 * the engine that produced it is alive. */
guint cascade_result_count (const CascadeResult * result);
const CascadeDetection *cascade_result_get (const CascadeResult * result,
    guint index);
guint cascade_result_frame_width (const CascadeResult * result);
guint cascade_result_frame_height (const CascadeResult * result);
/* the detection's 28x28 mask probabilities (row-major, box-relative), or
 * NULL when the result has no masks */
const gfloat *cascade_result_mask_probs (const CascadeResult * result,
    guint index);
#define CASCADE_MASK_SIZE 28
/* Pastes detection `index`'s mask into a width x height (frame size) binary
 * image (0/1 bytes, row stride `stride`) as mmdetection does; computed
 * on request only. */
gboolean cascade_result_paste_mask (CascadeResult * result, guint index,
    guint8 * out, gsize stride, GError ** error);
void cascade_result_free (CascadeResult * result);

/* Logging.  Everything the engine logs (program builds, program-cache hits
 * and misses, tuning measurements and choices at G_LOG_LEVEL_INFO; details
 * at DEBUG; problems it works around at WARNING) goes to one function.
 * Without one, messages go to g_log in the "cascadecl" domain.  Set it
 * before making engines (the GStreamer plugin does in plugin_init): it
 * stays for the process.  func may be called from any thread; NULL
 * restores g_log.  notify (may be NULL) is called on user_data when the
 * function is replaced. */
typedef void (*CascadeLogFunc) (GLogLevelFlags level, const gchar * message,
    gpointer user_data);

void cascade_set_log_func (CascadeLogFunc func, gpointer user_data,
    GDestroyNotify notify);

G_END_DECLS
