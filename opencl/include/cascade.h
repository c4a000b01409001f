/* gst-cascade: the public API of the inference engine (libcascade-engine,
 * pkg-config cascade-engine, <cascade.h>) */

/**
 * SECTION:cascade
 * @title: The engine
 * @short_description: Cascade (Mask) R-CNN on OpenCL, without GStreamer
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
 * share its context and compiled programs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CASCADE_ERROR:
 *
 * The #GError domain of every engine error (#CascadeErrorCode).
 */
#define CASCADE_ERROR (cascade_error_quark ())

/**
 * CascadeErrorCode:
 * @CASCADE_ERROR_NO_DEVICE: no OpenCL platform/device, or none matches
 * @CASCADE_ERROR_DEVICE: the device lacks a needed feature or memory
 * @CASCADE_ERROR_BUILD: an OpenCL program did not compile
 * @CASCADE_ERROR_CL: an OpenCL call failed
 * @CASCADE_ERROR_BLAS: a CLBlast call failed
 * @CASCADE_ERROR_MODEL: the model file is unreadable or damaged
 * @CASCADE_ERROR_INVALID_ARG: a bad frame, shape or parameter
 * @CASCADE_ERROR_UNSUPPORTED: a format or architecture we do not run
 *
 * The codes of #CASCADE_ERROR.
 */
typedef enum
{
  CASCADE_ERROR_NO_DEVICE,
  CASCADE_ERROR_DEVICE,
  CASCADE_ERROR_BUILD,
  CASCADE_ERROR_CL,
  CASCADE_ERROR_BLAS,
  CASCADE_ERROR_MODEL,
  CASCADE_ERROR_INVALID_ARG,
  CASCADE_ERROR_UNSUPPORTED,
} CascadeErrorCode;

/**
 * cascade_error_quark:
 *
 * The quark of #CASCADE_ERROR.
 *
 * Returns: the error domain
 */
GQuark cascade_error_quark (void);

/**
 * CascadePixelFormat:
 * @CASCADE_FORMAT_RGB: packed R, G, B
 * @CASCADE_FORMAT_BGR: packed B, G, R
 * @CASCADE_FORMAT_RGBx: packed R, G, B, ignored byte
 * @CASCADE_FORMAT_BGRx: packed B, G, R, ignored byte
 * @CASCADE_FORMAT_xRGB: packed ignored byte, R, G, B
 * @CASCADE_FORMAT_xBGR: packed ignored byte, B, G, R
 * @CASCADE_FORMAT_RGBA: packed R, G, B, alpha (ignored)
 * @CASCADE_FORMAT_BGRA: packed B, G, R, alpha (ignored)
 * @CASCADE_FORMAT_ARGB: packed alpha (ignored), R, G, B
 * @CASCADE_FORMAT_ABGR: packed alpha (ignored), B, G, R
 * @CASCADE_FORMAT_NV12: Y plane, interleaved UV plane; BT.601 limited
 *   range, like videoconvert
 * @CASCADE_FORMAT_I420: Y, U and V planes; BT.601 limited range
 * @CASCADE_FORMAT_LAST: the number of formats (none)
 *
 * 8-bit frame layouts.  Packed formats name their bytes in memory order,
 * as GStreamer's video formats do (BGRx: B at byte 0, x ignored).
 */
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
  CASCADE_FORMAT_NV12,
  CASCADE_FORMAT_I420,
  CASCADE_FORMAT_LAST
} CascadePixelFormat;

/**
 * cascade_pixel_format_name:
 * @format: a #CascadePixelFormat
 *
 * The name of @format as GStreamer spells it ("RGB", "BGRx", ...).
 *
 * Returns: (nullable): the name, %NULL if @format is out of range
 */
const gchar *cascade_pixel_format_name (CascadePixelFormat format);
/**
 * cascade_pixel_format_from_name:
 * @name: a format name, as GStreamer spells it
 *
 * The format of a name.
 *
 * Returns: the format, %CASCADE_FORMAT_LAST when unknown
 */
CascadePixelFormat cascade_pixel_format_from_name (const gchar * name);

/**
 * CascadeFrame:
 * @format: the layout
 * @width: width in pixels
 * @height: height in pixels
 * @planes: packed formats use plane 0; NV12 planes 0 (Y) and 1 (UV); I420
 *   0..2
 * @strides: bytes per row of each plane
 *
 * One 8-bit video frame, read by cascade_engine_detect().
 */
typedef struct
{
  CascadePixelFormat format;
  guint width;
  guint height;
  const guint8 *planes[3];
  gsize strides[3];
} CascadeFrame;

/**
 * CascadeDetection:
 * @x1: left edge, frame pixels (not clipped)
 * @y1: top edge
 * @x2: right edge, mmdetection's convention: @x2 - @x1 is the width
 * @y2: bottom edge
 * @score: confidence in [0, 1]
 * @class_id: 0-based index into the model's classes
 *
 * One detected object.
 */
typedef struct
{
  gfloat x1, y1, x2, y2;
  gfloat score;
  gint class_id;
} CascadeDetection;

/**
 * CascadeDetectParams:
 * @score_threshold: keep detections scoring above this
 * @nms_threshold: per-class NMS IoU
 * @max_detections: keep at most this many, the best scoring
 * @masks: run the mask heads (mask models only)
 * @mask_threshold: binarisation of pasted masks
 * @num_stages: 1..3 cascade stages used
 * @class_filter: %NULL, or num_classes flags: keep a class if %TRUE
 *
 * What one cascade_engine_detect() computes; cascade_detect_params_init()
 * fills it with the model's test configuration.
 */
typedef struct
{
  gfloat score_threshold;
  gfloat nms_threshold;
  guint max_detections;
  gboolean masks;
  gfloat mask_threshold;
  guint num_stages;
  const gboolean *class_filter;
} CascadeDetectParams;

/**
 * CascadeEngine:
 *
 * A loaded model on an OpenCL device (opaque).
 */
typedef struct _CascadeEngine CascadeEngine;
/**
 * CascadeResult:
 *
 * The detections of one frame (opaque).
 */
typedef struct _CascadeResult CascadeResult;

/**
 * cascade_device_resolve:
 * @spec: (nullable): a device as cascade_engine_new() takes it
 * @error: return location for a #GError
 *
 * The device a spec names (the CASCADE_DEVICE environment variable
 * included), as "P:D": the index of its platform and its index on that
 * platform.  Two specs that name one device ("0", "portable", "0:0")
 * resolve to the same string.
 *
 * Returns: (transfer full) (nullable): a newly allocated string, %NULL
 *   with @error set (%CASCADE_ERROR_NO_DEVICE)
 */
gchar *cascade_device_resolve (const gchar * spec, GError ** error);

/**
 * cascade_engine_new:
 * @device: (nullable): the OpenCL device: %NULL (the first GPU, else any
 *   device), an index, "P:D" indices or a substring of "Platform: Device";
 *   the CASCADE_DEVICE environment variable overrides it
 * @model_path: a model file (safetensors, models/FORMAT.md)
 * @error: return location for a #GError
 *
 * Loads and validates the model file, opens the OpenCL device, uploads the
 * weights and builds the kernels.
 *
 * Returns: (nullable): the engine, %NULL with @error set on any failure
 */
CascadeEngine *cascade_engine_new (const gchar * device,
    const gchar * model_path, GError ** error);
/**
 * cascade_engine_free:
 * @engine: (nullable): an engine
 *
 * Releases @engine.
 */
void cascade_engine_free (CascadeEngine * engine);

/**
 * CascadeProgressPhase:
 * @CASCADE_PROGRESS_LOAD: the model file: read and checked (1 of 1)
 * @CASCADE_PROGRESS_BUILD: an OpenCL program: compiled, or taken from the
 *   program cache
 * @CASCADE_PROGRESS_WEIGHTS: the weights uploaded (1 of 1)
 * @CASCADE_PROGRESS_PREPARE: a network stage run once at a new input size
 *   (cascade_engine_prepare())
 *
 * Start-up progress.  Making an engine and preparing it for a frame size
 * can take long on a fresh machine (programs compiled, per-shape choices
 * measured); a #CascadeProgressFunc hears each step as it begins.
 */
typedef enum
{
  CASCADE_PROGRESS_LOAD,
  CASCADE_PROGRESS_BUILD,
  CASCADE_PROGRESS_WEIGHTS,
  CASCADE_PROGRESS_PREPARE,
} CascadeProgressPhase;

/**
 * CascadeProgressFunc:
 * @phase: the step's phase
 * @what: what it is (a program's name, a network stage's name)
 * @k: the step, 1 <= @k <= @n
 * @n: the steps of the phase
 * @user_data: the caller's data
 *
 * Hears each start-up step as it begins, on the thread doing the work.
 */
typedef void (*CascadeProgressFunc) (CascadeProgressPhase phase,
    const gchar * what, guint k, guint n, gpointer user_data);

/**
 * cascade_progress_phase_name:
 * @phase: a #CascadeProgressPhase
 *
 * The name of @phase: "load", "build", "weights" or "prepare".
 *
 * Returns: the name
 */
const gchar *cascade_progress_phase_name (CascadeProgressPhase phase);

/**
 * cascade_engine_new_with_progress:
 * @device: (nullable): as for cascade_engine_new()
 * @model_path: a model file
 * @progress: (nullable): hears each step
 * @user_data: for @progress
 * @error: return location for a #GError
 *
 * cascade_engine_new(), reporting its steps to @progress.
 *
 * Returns: (nullable): the engine, %NULL with @error set on failure
 */
CascadeEngine *cascade_engine_new_with_progress (const gchar * device,
    const gchar * model_path, CascadeProgressFunc progress,
    gpointer user_data, GError ** error);

/**
 * cascade_engine_prepare:
 * @engine: an engine
 * @width: the frame width to prepare for
 * @height: the frame height
 * @progress: (nullable): hears each stage (not while a tool's observer
 *   watches the engine), as step k of the stages that run
 * @user_data: for @progress
 * @error: return location for a #GError
 *
 * Runs the network once on a blank @width x @height frame (score threshold
 * 0, so that the heads run too), so that the per-shape choices for that
 * size are made and its buffers allocated now rather than on the first
 * real frame.
 *
 * Returns: %FALSE with @error set on failure
 */
gboolean cascade_engine_prepare (CascadeEngine * engine, guint width,
    guint height, CascadeProgressFunc progress, gpointer user_data,
    GError ** error);

/**
 * cascade_detect_params_init:
 * @params: (out caller-allocates): the parameters to fill
 * @engine: an engine
 *
 * Fills @params with mmdetection's test configuration from the model file.
 */
void cascade_detect_params_init (CascadeDetectParams * params,
    const CascadeEngine * engine);

/**
 * cascade_engine_set_input_size:
 * @engine: an engine
 * @long_side: the longer side of the box frames are resized to fit
 * @short_side: the shorter side
 * @error: return location for a #GError
 *
 * Sets the network input size; it defaults to the model's test scale,
 * e.g. 1333x800.
 *
 * Returns: %FALSE with @error set for a size out of range
 */
gboolean cascade_engine_set_input_size (CascadeEngine * engine,
    guint long_side, guint short_side, GError ** error);
/**
 * cascade_engine_get_input_size:
 * @engine: an engine
 * @long_side: (out): the longer side
 * @short_side: (out): the shorter side
 *
 * The network input size in use.
 */
void cascade_engine_get_input_size (const CascadeEngine * engine,
    guint * long_side, guint * short_side);

/**
 * cascade_engine_num_classes:
 * @engine: an engine
 *
 * The number of classes of the model.
 *
 * Returns: the number of classes
 */
guint cascade_engine_num_classes (const CascadeEngine * engine);
/**
 * cascade_engine_class_name:
 * @engine: an engine
 * @class_id: a 0-based class
 *
 * The label of a class, as the model file names it.
 *
 * Returns: (nullable): the label, %NULL when out of range
 */
const gchar *cascade_engine_class_name (const CascadeEngine * engine,
    guint class_id);
/**
 * cascade_engine_has_masks:
 * @engine: an engine
 *
 * Whether the model has mask heads.
 *
 * Returns: %TRUE for a Cascade Mask R-CNN model
 */
gboolean cascade_engine_has_masks (const CascadeEngine * engine);
/**
 * cascade_engine_device_name:
 * @engine: an engine
 *
 * The OpenCL device in use.
 *
 * Returns: "Platform: Device"
 */
const gchar *cascade_engine_device_name (const CascadeEngine * engine);

/**
 * cascade_engine_detect:
 * @engine: an engine
 * @frame: the frame: any size from 1x1 up to 8192x8192 pixels and any
 *   aspect ratio
 * @params: what to compute
 * @error: return location for a #GError
 *
 * Runs the model on one frame.
 *
 * Returns: (nullable): the result (cascade_result_free()); %NULL with
 * %CASCADE_ERROR_INVALID_ARG for a bad frame (size 0, stride smaller than
 * a row, missing plane, unsupported format) or parameter, another code
 * when the device fails
 */
CascadeResult *cascade_engine_detect (CascadeEngine * engine,
    const CascadeFrame * frame, const CascadeDetectParams * params,
    GError ** error);

/**
 * cascade_result_count:
 * @result: a result
 *
 * The number of detections; they are sorted by descending score.  A
 * result stays valid after the engine runs other frames, but full-frame
 * masks can only be made while the engine that produced it is alive.
 *
 * Returns: the number of detections
 */
guint cascade_result_count (const CascadeResult * result);
/**
 * cascade_result_get:
 * @result: a result
 * @index: a detection
 *
 * Detection @index of @result.
 *
 * Returns: (nullable): the detection, %NULL when out of range
 */
const CascadeDetection *cascade_result_get (const CascadeResult * result,
    guint index);
/**
 * cascade_result_frame_width:
 * @result: a result
 *
 * The width of the frame the result was computed on.
 *
 * Returns: the width in pixels
 */
guint cascade_result_frame_width (const CascadeResult * result);
/**
 * cascade_result_frame_height:
 * @result: a result
 *
 * The height of the frame the result was computed on.
 *
 * Returns: the height in pixels
 */
guint cascade_result_frame_height (const CascadeResult * result);
/**
 * cascade_result_mask_probs:
 * @result: a result
 * @index: a detection
 *
 * The mask probabilities of detection @index.
 *
 * Returns: (nullable): its #CASCADE_MASK_SIZE squared probabilities
 * (row-major, box-relative), %NULL when the result has no masks
 */
const gfloat *cascade_result_mask_probs (const CascadeResult * result,
    guint index);
/**
 * CASCADE_MASK_SIZE:
 *
 * The side of the box-relative mask probability maps (28).
 */
#define CASCADE_MASK_SIZE 28
/**
 * cascade_result_paste_mask:
 * @result: a result
 * @index: a detection
 * @out: a frame-sized (width x height of the result's frame) image
 * @stride: bytes per row of @out
 * @error: return location for a #GError
 *
 * Pastes the mask of detection @index into @out as a binary image (0/1
 * bytes) as mmdetection does; computed on request only.
 *
 * Returns: %FALSE with @error set on failure
 */
gboolean cascade_result_paste_mask (CascadeResult * result, guint index,
    guint8 * out, gsize stride, GError ** error);
/**
 * cascade_result_free:
 * @result: (nullable): a result
 *
 * Releases @result.
 */
void cascade_result_free (CascadeResult * result);

/**
 * CascadeLogFunc:
 * @level: the message's level
 * @message: the message
 * @user_data: the data given to cascade_set_log_func()
 *
 * Receives the engine's log messages, from any thread.
 */
typedef void (*CascadeLogFunc) (GLogLevelFlags level, const gchar * message,
    gpointer user_data);

/**
 * cascade_set_log_func:
 * @func: (nullable): the function; %NULL restores g_log
 * @user_data: for @func
 * @notify: (nullable): called on @user_data when the function is replaced
 *
 * Everything the engine logs (program builds, program-cache hits and
 * misses, tuning measurements and choices at G_LOG_LEVEL_INFO; details at
 * DEBUG; problems it works around at WARNING) goes to one function.
 * Without one, messages go to g_log in the "cascadecl" domain.  Set it
 * before making engines (the GStreamer plugin does in plugin_init): it
 * stays for the process.
 */
void cascade_set_log_func (CascadeLogFunc func, gpointer user_data,
    GDestroyNotify notify);

G_END_DECLS
