# gst-cascade: pixel loops of cascadeoverlay.
#
# Both functions blend a colour over 8-bit samples with an 8-bit alpha:
#   a' = a + (a >> 7)                  (0..255 -> 0..256, so 255 is opaque)
#   d  = (d * (256 - a') + c * a') >> 8
# alpha 0 leaves a sample untouched, alpha 255 writes c exactly.  The
# products stay below 2^16 (255 * 256), so unsigned 16-bit lanes suffice.

# d1[i] blended towards the colour sample s2[i] with alpha s1[i]
.function cascadeoverlay_orc_blend_u8
.dest 1 d1 guint8
.source 1 s1 guint8
.source 1 s2 guint8
.temp 2 a
.temp 2 t
.temp 2 ia
.temp 2 t1
.temp 2 t2

convubw a, s1
shruw t, a, 7
addw a, a, t
subw ia, 256, a
convubw t1, d1
mullw t1, t1, ia
convubw t2, s2
mullw t2, t2, a
addw t1, t1, t2
shruw t1, t1, 8
convwb d1, t1


# d1[i] blended towards the constant colour sample p1 with alpha s1[i]
.function cascadeoverlay_orc_blend_const_u8
.dest 1 d1 guint8
.source 1 s1 guint8
.param 2 p1
.temp 2 a
.temp 2 t
.temp 2 ia
.temp 2 t1
.temp 2 t2

convubw a, s1
shruw t, a, 7
addw a, a, t
subw ia, 256, a
convubw t1, d1
mullw t1, t1, ia
mullw t2, p1, a
addw t1, t1, t2
shruw t1, t1, 8
convwb d1, t1
