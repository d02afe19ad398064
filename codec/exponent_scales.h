// codec/exponent_scales.h: per-row and per-column exponent offsets of a chunk seen as
// part of its tensor's matrix, the transform of codec 9 (docs/format.md, "Codec 9:
// FloatScaled").
//
// Trained weights often differ in scale from one channel to the next (batch norm
// folded into a convolution, per-neuron gains): an element's exponent is then partly
// predictable from its row and its column. Subtracting a row offset and a column
// offset from every element's magnitude, in a ring that keeps zero and subnormal
// exponents in place, leaves one distribution where the raw elements mix many, and
// codec 8's single table codes it with fewer bits. Offsets are whole binades or, for
// dtypes of few exponents (F16), fractions of one: the magnitude bits are a piecewise
// linear log2|x|, so adding a multiple of 2^(M-u) to them scales by about 2^(k/2^u).
// The transform is a bijection for any offsets: the fit only decides how much it helps.
//
//   MatrixView view{/*row_length=*/96, /*first_column=*/0};
//   ExponentScales s = FitExponentScales(Dtype::kF16, raw, view, ScaleAxes::kBoth);
//   ApplyExponentScales(Dtype::kF16, s, 0, n, /*forward=*/true, elems);   // in place
//   ApplyExponentScales(Dtype::kF16, s, 0, n, /*forward=*/false, elems);  // back again
#ifndef MVC_CODEC_EXPONENT_SCALES_H_
#define MVC_CODEC_EXPONENT_SCALES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"

namespace mvc {

// A chunk's place in the matrix view of its tensor: rows of row_length elements, the
// chunk's first element in column first_column (< row_length) of its first row.
struct MatrixView {
  uint64_t row_length = 1;
  uint64_t first_column = 0;
};

// Rows of the view that a chunk of n elements touches: ceil((first_column + n) / C).
uint64_t RowsTouched(const MatrixView& view, uint64_t n);

enum class ScaleAxes { kRows, kColumns, kBoth };

// The offsets, each in [0, Q) with Q = OffsetRing(dtype, unit_bits): one per row the
// chunk touches (empty: no row offsets) and one per column (empty: none), in units of
// 2^-unit_bits binade. Element i of the chunk, in row r and column c of the view, has a
// non-zero exponent's magnitude (exponent and mantissa bits) rotated by
// k * 2^(M - unit_bits), k = (rows[r] + columns[c]) mod Q, in the ring of the P * 2^M
// magnitudes of exponents 1..P. With unit_bits = 0 that rotates the exponent alone.
struct ExponentScales {
  MatrixView view;
  std::vector<uint8_t> rows;
  std::vector<uint8_t> columns;
  int unit_bits = 0;
};

// P = 2^E - 1 for a float dtype of E <= 8 exponent bits (255 for F32 and BF16, 31 for
// F16): exponents 1..P rotate in a ring, exponent 0 (zero, subnormals) stays.
int ExponentRing(Dtype dtype);

// Q = P << unit_bits, the number of distinct offsets.
int OffsetRing(Dtype dtype, int unit_bits);

// The finest unit the format allows: the largest u <= min(3, M) with P << u <= 256, so
// that an offset fits a byte (F16: 3; F8_E5M2: 2; F8_E4M3: 3; F32 and BF16: 0).
int MaxOffsetUnitBits(Dtype dtype);

// The unit FitExponentScales fits in: half binades where the dtype allows them, else
// whole binades. (Measured on five F16 CNNs: half binades took a further 0.04-0.13% off
// the whole file; quarters were no better, their offsets cost more; docs/benchmarks.md.)
int FitUnitBits(Dtype dtype);

// Offsets that make the elements of `raw` (a chunk of whole elements of a float dtype
// of at most 8 exponent bits) as alike as the axes allow: per row and/or per column
// the mean of log2|x| (normal, finite elements only), rounded to FitUnitBits(dtype).
// REQUIRES: view.first_column < view.row_length.
ExponentScales FitExponentScales(Dtype dtype, ByteView raw, const MatrixView& view, ScaleAxes axes);

// How much the axes could take off the chunk's exponents, from one pass of sums: the
// between-row / between-column part of the variance of log2|x|, turned into bits by
// a Gaussian model, minus what the offsets cost to store. Used to skip fitting and
// estimating views that cannot pay. Result in bits for the whole chunk (may be < 0).
struct ScaleGains {
  double rows = 0, columns = 0, both = 0;
};
ScaleGains PredictScaleGains(Dtype dtype, ByteView raw, const MatrixView& view);

// Shifts elements [first, first + count) of the chunk in place: forward subtracts the
// offsets (encoder), backward adds them (decoder).
// REQUIRES: elems holds count elements; the offsets cover those elements' rows and
// columns and are each < OffsetRing(dtype, scales.unit_bits);
// scales.unit_bits <= MaxOffsetUnitBits(dtype).
void ApplyExponentScales(Dtype dtype, const ExponentScales& scales, uint64_t first, size_t count, bool forward,
                         uint8_t* elems);

}  // namespace mvc

#endif  // MVC_CODEC_EXPONENT_SCALES_H_
