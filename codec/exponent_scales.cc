#include "codec/exponent_scales.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "core/status.h"

namespace mvc {
namespace {

// The float dtypes codec 9 takes: unsigned storage, exponent and mantissa widths.
template <typename U, int E, int M>
struct Layout {
  using Bits = U;
  static constexpr int kMantBits = M;
  static constexpr uint32_t kRing = (1u << E) - 1;  // P, also the exponent field's mask
  static constexpr int kFracBits = M < 4 ? M : 4;   // mantissa bits the fit looks at

  static U Load(const uint8_t* p, size_t i) {
    U v;
    std::memcpy(&v, p + i * sizeof(U), sizeof(U));
    return v;
  }
  static uint32_t Exponent(U v) { return uint32_t(v >> M) & kRing; }
  static uint32_t Fraction(U v) { return uint32_t(v >> (M - kFracBits)) & ((1u << kFracBits) - 1); }
};

template <typename F>
void WithLayout(Dtype dtype, F&& f) {
  switch (dtype) {
    case Dtype::kF32: f(Layout<uint32_t, 8, 23>{}); return;
    case Dtype::kBF16: f(Layout<uint16_t, 8, 7>{}); return;
    case Dtype::kF16: f(Layout<uint16_t, 5, 10>{}); return;
    case Dtype::kF8_E4M3: f(Layout<uint8_t, 4, 3>{}); return;
    case Dtype::kF8_E5M2: f(Layout<uint8_t, 5, 2>{}); return;
    default: MVC_CHECK(false && "exponent scales need a float dtype of at most 8 exponent bits");
  }
}

// Running sums of log magnitudes per row or per column, in sixteenths of a binade:
// integers, so the sums are exact and each element costs three integer adds.
struct AxisSums {
  std::vector<int64_t> sum, squares;
  std::vector<uint32_t> count;
  explicit AxisSums(size_t size) : sum(size, 0), squares(size, 0), count(size, 0) {}
  void Add(size_t k, int32_t sixteenths) {
    sum[k] += sixteenths;
    squares[k] += int64_t{sixteenths} * sixteenths;
    ++count[k];
  }
  // Sum over the axis of the squared deviations from each group's own mean, in binades².
  double WithinSquares() const {
    double w = 0;
    for (size_t k = 0; k < sum.size(); ++k) {
      if (count[k]) w += (double(squares[k]) - double(sum[k]) * double(sum[k]) / count[k]) / 256;
    }
    return w;
  }
  size_t Groups() const { return size_t(std::count_if(count.begin(), count.end(), [](uint32_t c) { return c > 0; })); }
};

// Rows and columns a fit samples: a mean of log2|x| from 256 elements is within about
// 0.1 binade, and offsets are whole binades (64 cost 0.03-0.13% of raw on the CNNs);
// sampling keeps the fit a fraction of an encode on large chunks.
constexpr uint64_t kFitSamples = 256;

// Up to kFitSamples evenly spaced indices of [0, count).
std::vector<uint64_t> Spread(uint64_t count) {
  const uint64_t m = std::min(count, kFitSamples);
  std::vector<uint64_t> out(m);
  for (uint64_t j = 0; j < m; ++j) out[j] = j * count / m;
  return out;
}

// The columns a row's mean is taken over: all of them up to kFitSamples, else four
// evenly spaced runs of neighbours, kFitSamples in all (whole cache lines), as [begin, end).
struct ColumnRun {
  uint64_t begin, end;
};
std::vector<ColumnRun> SampledColumnRuns(uint64_t count) {
  if (count <= kFitSamples) return {{0, count}};
  constexpr uint64_t kRuns = 4, kRun = kFitSamples / kRuns;
  std::vector<ColumnRun> out;
  for (uint64_t j = 0; j < kRuns; ++j) {
    const uint64_t start = j * (count - kRun) / (kRuns - 1);
    out.push_back({start, start + kRun});
  }
  return out;
}

// log2|x| in sixteenths of a binade, linear in the top 4 mantissa bits (the fit only
// compares rows and columns, so the curve's bias cancels), minus the exponent bias;
// -1 for zero, subnormal, infinite and NaN elements. MaskedSixteenths is the same with
// the invalid case as a mask, for loops without branches: *x is the sixteenths, the
// result all ones when v is normal and finite, else 0.
template <typename L>
inline int32_t MaskedSixteenths(typename L::Bits v, int32_t* x) {
  const uint32_t e = L::Exponent(v);
  *x = int32_t(e << 4 | (L::Fraction(v) << (4 - L::kFracBits)));
  return -int32_t(e - 1 < L::kRing - 1);  // 1 <= e < P
}

template <typename L>
inline int32_t Sixteenths(typename L::Bits v) {
  int32_t x;
  return MaskedSixteenths<L>(v, &x) ? x : -1;
}

// Per group, integer sums of sixteenths and the number of elements in them.
struct FitSums {
  std::vector<int64_t> sum;
  std::vector<uint32_t> count;
  explicit FitSums(size_t size) : sum(size, 0), count(size, 0) {}
  // Group means in binades minus `center`; groups without elements get 0.
  std::vector<double> Centered(double center) const {
    std::vector<double> out(sum.size(), 0);
    for (size_t k = 0; k < sum.size(); ++k) if (count[k]) out[k] = double(sum[k]) / count[k] / 16 - center;
    return out;
  }
  double Mean() const {
    const double c = double(std::accumulate(count.begin(), count.end(), uint64_t{0}));
    return c > 0 ? double(std::accumulate(sum.begin(), sum.end(), int64_t{0})) / c / 16 : 0;
  }
};

// The columns [c_begin, c_end) of row r of the view that lie in the chunk (its first
// and last rows may be partial), and the chunk's index of the row's column 0 (valid
// for the columns in range only: it may be "negative", wrapped).
struct RowSpan {
  uint64_t c_begin, c_end, first_index;
};
RowSpan ChunkPartOfRow(const MatrixView& view, uint64_t n, uint64_t r) {
  const uint64_t row_start = r * view.row_length;  // in the view, from the chunk's first row
  const uint64_t c_begin = row_start < view.first_column ? view.first_column - row_start : 0;
  const uint64_t c_end = std::min(view.row_length, view.first_column + n - row_start);
  return {c_begin, std::max(c_begin, c_end), row_start - view.first_column};
}

// In sixteenths, per row the sums of log2|x| - column_offset[c] over the sampled
// columns of the row, or per column the sums of log2|x| - row_offset[r] over the
// sampled rows (an empty offset vector counts as zeros; offsets in sixteenths).
// Elements outside the chunk (its first and last partial rows) are skipped. Both
// loops run over contiguous elements without branches, so they vectorize.
// The sums of a row's or a column's sixteenths fit an int32: at most kFitSamples
// elements of at most 255 * 16 + 15 each, less offsets of the same size.
template <typename L>
void SumRows(ByteView raw, const MatrixView& view, const std::vector<int32_t>& column_offset, FitSums* rows) {
  const uint64_t n = raw.size() / sizeof(typename L::Bits);
  const std::vector<ColumnRun> runs = SampledColumnRuns(view.row_length);
  // Zeros stand in for no offsets: one loop for both.
  thread_local std::vector<int32_t> zeros;
  if (column_offset.empty()) zeros.assign(view.row_length, 0);
  const int32_t* __restrict offset = column_offset.empty() ? zeros.data() : column_offset.data();
  for (uint64_t r = 0; r < rows->sum.size(); ++r) {
    const RowSpan span = ChunkPartOfRow(view, n, r);
    int32_t sum = 0, count = 0;
    for (const ColumnRun& run : runs) {
      const uint64_t begin = std::max(run.begin, span.c_begin), end = std::min(run.end, span.c_end);
      if (begin >= end) continue;
      const uint8_t* elems = raw.data() + (span.first_index + begin) * sizeof(typename L::Bits);
      const int32_t* run_offset = offset + begin;
      for (size_t j = 0; j < size_t(end - begin); ++j) {
        int32_t x;
        const int32_t valid = MaskedSixteenths<L>(L::Load(elems, j), &x);
        sum += (x - run_offset[j]) & valid;
        count -= valid;
      }
    }
    rows->sum[r] = sum;
    rows->count[r] = uint32_t(count);
  }
}

template <typename L>
void SumColumns(ByteView raw, const MatrixView& view, const std::vector<int32_t>& row_offset, FitSums* columns) {
  const uint64_t n = raw.size() / sizeof(typename L::Bits);
  thread_local std::vector<int32_t> sums, counts;
  sums.assign(view.row_length, 0);
  counts.assign(view.row_length, 0);
  int32_t* __restrict sum = sums.data();
  int32_t* __restrict count = counts.data();
  for (uint64_t r : Spread(RowsTouched(view, n))) {
    const RowSpan span = ChunkPartOfRow(view, n, r);
    const int32_t off = row_offset.empty() ? 0 : row_offset[r];
    const uint8_t* elems = raw.data() + (span.first_index + span.c_begin) * sizeof(typename L::Bits);
    int32_t* __restrict row_sum = sum + span.c_begin;
    int32_t* __restrict row_count = count + span.c_begin;
    for (size_t j = 0; j < size_t(span.c_end - span.c_begin); ++j) {
      int32_t x;
      const int32_t valid = MaskedSixteenths<L>(L::Load(elems, j), &x);
      row_sum[j] += (x - off) & valid;
      row_count[j] -= valid;
    }
  }
  for (uint64_t c = 0; c < view.row_length; ++c) {
    columns->sum[c] += sum[c];
    columns->count[c] += uint32_t(count[c]);
  }
}

// Offsets in sixteenths of a binade, for the next fit pass.
std::vector<int32_t> InSixteenths(const std::vector<double>& binades) {
  std::vector<int32_t> out(binades.size());
  for (size_t k = 0; k < out.size(); ++k) out[k] = int32_t(std::lround(binades[k] * 16));
  return out;
}

// Offsets in units of 2^-unit_bits binade from group means (in binades), centered on
// the overall mean and stored mod Q; empty groups get 0.
std::vector<uint8_t> RoundOffsets(const std::vector<double>& offsets, int unit_bits, int ring) {
  std::vector<uint8_t> out(offsets.size());
  for (size_t k = 0; k < offsets.size(); ++k) {
    long v = std::lround(std::ldexp(offsets[k], unit_bits)) % ring;
    out[k] = static_cast<uint8_t>(v < 0 ? v + ring : v);
  }
  return out;
}

std::vector<double> AsBinades(const std::vector<uint8_t>& offsets, int unit_bits, int ring) {
  std::vector<double> out(offsets.size());
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = std::ldexp(offsets[k] > ring / 2 ? double(offsets[k]) - ring : offsets[k], -unit_bits);
  }
  return out;
}

// The arithmetic of the rotation: in the element's own width where it fits (16-bit
// lanes: twice the elements per op), else 32 bits. Steps are in magnitude units.
template <typename L>
using StepOf = std::conditional_t<sizeof(typename L::Bits) == 4, uint32_t, uint16_t>;

// Rotates the magnitude of each element with a non-zero exponent by K (the row's step
// plus the column's, less the ring span S = P << M when they reach it) in the ring
// [2^M, 2^(E+M)) of exponents 1..P; zero and subnormal elements stay. The rotated
// magnitude is mag + K, less S when that passes the ring: the element changes by K or
// K - S, an add that never carries into the sign (mag + K < 2^(E+M) + S fits the
// width). REQUIRES: every step <= S.
template <typename L, bool kColumns>
__attribute__((always_inline)) inline void Rotate(uint8_t* __restrict elems, size_t count, StepOf<L> row_k,
                                                 const StepOf<L>* __restrict column_k) {
  using U = typename L::Bits;
  using W = StepOf<L>;
  constexpr W kLow = W(W(1) << L::kMantBits);                          // exponent 1's first magnitude
  constexpr W kTop = W(W(L::kRing + 1) << L::kMantBits);               // past the ring
  constexpr W kSpan = W(W(L::kRing) << L::kMantBits);                  // S
  for (size_t i = 0; i < count; ++i) {
    U v;
    std::memcpy(&v, elems + i * sizeof(U), sizeof(U));
    W k = row_k;
    if constexpr (kColumns) {
      k = W(k + column_k[i]);
      k = k >= kSpan ? W(k - kSpan) : k;
    }
    const W mag = W(W(v) & W(kTop - 1));
    W step = W(mag + k) >= kTop ? W(k - kSpan) : k;
    step = mag >= kLow ? step : W(0);
    v = U(v + U(step));
    std::memcpy(elems + i * sizeof(U), &v, sizeof(U));
  }
}

template <typename L>
__attribute__((always_inline)) inline void RotateAny(uint8_t* elems, size_t count, StepOf<L> row_k,
                                                    const StepOf<L>* column_k) {
  if (column_k) {
    Rotate<L, true>(elems, count, row_k, column_k);
  } else {
    Rotate<L, false>(elems, count, row_k, nullptr);
  }
}

// Rotates `count` elements from position `at` of the view (counted from the chunk's
// first row), row by row: the j-th row the range touches by row_k[j] (none when row_k is
// null) plus column c by column_k[c] (none when null).
template <typename L>
__attribute__((always_inline)) inline void RotateRows(uint8_t* elems, size_t count, uint64_t at, uint64_t row_length,
                                                     const void* row_steps, const void* column_steps) {
  const auto* row_k = static_cast<const StepOf<L>*>(row_steps);
  const auto* column_k = static_cast<const StepOf<L>*>(column_steps);
  uint64_t c = at % row_length;
  for (size_t done = 0, j = 0; done < count; ++j, c = 0) {
    const size_t run = size_t(std::min<uint64_t>(count - done, row_length - c));
    RotateAny<L>(elems + done * sizeof(typename L::Bits), run, row_k ? row_k[j] : StepOf<L>(0),
                 column_k ? column_k + c : nullptr);
    done += run;
  }
}

// RotateRows built for AVX2 too and picked at run time where the CPU has it (this pass
// is all of codec 9's decode cost beyond codec 8's), dispatched once per range: rows of
// a convolution's output channels are 16-256 elements, too short to dispatch per row.
// Multiversioned functions cannot be templates in clang: one per element width. The
// steps are StepOf<L> values.
#define MVC_ROTATE_ROWS_(name, ...)                                                                        \
  __attribute__((target_clones("avx2", "default"))) void name(uint8_t* elems, size_t count, uint64_t at,       \
                                                               uint64_t row_length, const void* row_k,         \
                                                               const void* column_k, int mant_bits) {          \
    __VA_ARGS__                                                                                               \
  }
MVC_ROTATE_ROWS_(RotateRows8,
                 if (mant_bits == 3) RotateRows<Layout<uint8_t, 4, 3>>(elems, count, at, row_length, row_k, column_k);
                 if (mant_bits == 2) RotateRows<Layout<uint8_t, 5, 2>>(elems, count, at, row_length, row_k, column_k);)
MVC_ROTATE_ROWS_(RotateRows16,
                 if (mant_bits == 7) RotateRows<Layout<uint16_t, 8, 7>>(elems, count, at, row_length, row_k, column_k);
                 if (mant_bits == 10) RotateRows<Layout<uint16_t, 5, 10>>(elems, count, at, row_length, row_k, column_k);)
MVC_ROTATE_ROWS_(RotateRows32,
                 if (mant_bits == 23) RotateRows<Layout<uint32_t, 8, 23>>(elems, count, at, row_length, row_k, column_k);)
#undef MVC_ROTATE_ROWS_

template <typename L>
void RotateRowsAny(uint8_t* elems, size_t count, uint64_t at, uint64_t row_length, const void* row_k,
                   const void* column_k) {
  using U = typename L::Bits;
  if constexpr (sizeof(U) == 1) {
    RotateRows8(elems, count, at, row_length, row_k, column_k, L::kMantBits);
  } else if constexpr (sizeof(U) == 2) {
    RotateRows16(elems, count, at, row_length, row_k, column_k, L::kMantBits);
  } else {
    RotateRows32(elems, count, at, row_length, row_k, column_k, L::kMantBits);
  }
}

}  // namespace

uint64_t RowsTouched(const MatrixView& view, uint64_t n) {
  return (view.first_column + n + view.row_length - 1) / view.row_length;
}

int ExponentRing(Dtype dtype) { return (1 << GetDtypeInfo(dtype).exponent_bits) - 1; }

int OffsetRing(Dtype dtype, int unit_bits) { return ExponentRing(dtype) << unit_bits; }

int MaxOffsetUnitBits(Dtype dtype) {
  int u = 0;
  while (u < 3 && u < GetDtypeInfo(dtype).mantissa_bits && OffsetRing(dtype, u + 1) <= 256) ++u;
  return u;
}

int FitUnitBits(Dtype dtype) { return std::min(1, MaxOffsetUnitBits(dtype)); }

ExponentScales FitExponentScales(Dtype dtype, ByteView raw, const MatrixView& view, ScaleAxes axes) {
  const int unit_bits = FitUnitBits(dtype);
  ExponentScales out{view, {}, {}, unit_bits};
  const uint64_t n = raw.size() / DtypeWidth(dtype);
  const size_t num_rows = RowsTouched(view, n);
  const size_t num_columns = view.row_length;
  const int ring = OffsetRing(dtype, unit_bits);
  WithLayout(dtype, [&]<typename L>(L) {
    FitSums rows(num_rows), columns(num_columns);
    // Both axes take the center from the columns' pass: a pass over the rows less.
    if (axes == ScaleAxes::kRows) SumRows<L>(raw, view, {}, &rows);
    if (axes != ScaleAxes::kRows) SumColumns<L>(raw, view, {}, &columns);
    const double center = axes == ScaleAxes::kRows ? rows.Mean() : columns.Mean();
    if (axes == ScaleAxes::kRows) out.rows = RoundOffsets(rows.Centered(center), unit_bits, ring);
    if (axes == ScaleAxes::kColumns) out.columns = RoundOffsets(columns.Centered(center), unit_bits, ring);
    if (axes == ScaleAxes::kBoth) {
      // Rows given the columns' means, then the columns again given the rounded rows.
      FitSums rows2(num_rows);
      SumRows<L>(raw, view, InSixteenths(columns.Centered(center)), &rows2);
      out.rows = RoundOffsets(rows2.Centered(center), unit_bits, ring);
      FitSums columns2(num_columns);
      SumColumns<L>(raw, view, InSixteenths(AsBinades(out.rows, unit_bits, ring)), &columns2);
      out.columns = RoundOffsets(columns2.Centered(center), unit_bits, ring);
    }
  });
  return out;
}

// Rows and columns PredictScaleGains samples at most.
constexpr uint64_t kGateGrid = 128;

ScaleGains PredictScaleGains(Dtype dtype, ByteView raw, const MatrixView& view) {
  ScaleGains g;
  const uint64_t n = raw.size() / DtypeWidth(dtype);
  if (n == 0 || view.row_length < 2) return g;
  const uint64_t num_rows = RowsTouched(view, n), num_columns = view.row_length;
  // A grid of at most 128 x 128 elements: whole rows and columns would be exact, this
  // is what a gate needs (the noise of each group's mean is taken out below).
  const uint64_t grid_rows = std::min<uint64_t>(num_rows, kGateGrid), grid_columns = std::min<uint64_t>(num_columns, kGateGrid);
  AxisSums rows(grid_rows), columns(grid_columns);
  std::vector<uint64_t> grid_column(grid_columns);  // one division per column, not per element
  for (uint64_t b = 0; b < grid_columns; ++b) grid_column[b] = b * num_columns / grid_columns;
  WithLayout(dtype, [&]<typename L>(L) {
    for (uint64_t a = 0; a < grid_rows; ++a) {
      const uint64_t row_start = a * num_rows / grid_rows * num_columns;  // in the view, from the chunk's first row
      for (uint64_t b = 0; b < grid_columns; ++b) {
        const uint64_t at = row_start + grid_column[b];
        if (at < view.first_column || at - view.first_column >= n) continue;
        const int32_t x = Sixteenths<L>(L::Load(raw.data(), at - view.first_column));
        if (x >= 0) {
          rows.Add(a, x);
          columns.Add(b, x);
        }
      }
    }
  });
  double total = 0;
  int64_t sum16 = 0, squares256 = 0;
  for (size_t k = 0; k < grid_rows; ++k) {
    total += rows.count[k];
    sum16 += rows.sum[k];
    squares256 += rows.squares[k];
  }
  const double sum = double(sum16) / 16, squares = double(squares256) / 256;
  if (total < 16) return g;
  const double variance = (squares - sum * sum / total) / (total - 1);
  if (!(variance > 0)) return g;
  // Pooled variance within rows (columns), unbiased for the fitted group means.
  auto within = [&](const AxisSums& s) {
    const double dof = total - double(s.Groups());
    return dof > 0 ? std::max(s.WithinSquares() / dof, 1e-3 * variance) : variance;
  };
  const double within_rows = within(rows), within_columns = within(columns);
  const double residual = std::max(within_rows + within_columns - variance, 0.05 * variance);
  // A Gaussian's entropy drops by half a bit per halving of its variance; each
  // offset costs about 6 bits stored, the scale header about 16 bytes.
  const double nn = double(n);
  auto bits = [&](double w) { return 0.5 * nn * std::log2(variance / std::min(w, variance)); };
  g.rows = bits(within_rows) - 6.0 * double(num_rows) - 128;
  g.columns = bits(within_columns) - 6.0 * double(num_columns) - 128;
  g.both = bits(residual) - 6.0 * double(num_rows + num_columns) - 192;
  return g;
}

void ApplyExponentScales(Dtype dtype, const ExponentScales& scales, uint64_t first, size_t count, bool forward,
                         uint8_t* elems) {
  const uint32_t ring = uint32_t(OffsetRing(dtype, scales.unit_bits));
  const int step_shift = GetDtypeInfo(dtype).mantissa_bits - scales.unit_bits;
  const MatrixView& view = scales.view;
  // An offset's step in magnitude units: backward rotates by the offset, forward by Q
  // minus it (the same ring step; Q itself is the whole ring, no step).
  auto step = [&](uint8_t offset) { return (forward ? ring - offset : uint32_t{offset}) << step_shift; };
  // Steps of the rows the range touches, from its first row on.
  const uint64_t at = view.first_column + first;  // position in the view from the chunk's first row
  WithLayout(dtype, [&]<typename L>(L) {
    using W = StepOf<L>;
    std::vector<W> column_k;
    if (!scales.columns.empty()) {
      column_k.resize(scales.columns.size());
      for (size_t c = 0; c < column_k.size(); ++c) column_k[c] = static_cast<W>(step(scales.columns[c]));
    }
    std::vector<W> row_k;
    if (!scales.rows.empty() && count > 0) {
      const uint64_t first_row = at / view.row_length, last_row = (at + count - 1) / view.row_length;
      row_k.resize(size_t(last_row - first_row) + 1);
      for (uint64_t r = first_row; r <= last_row; ++r) row_k[r - first_row] = static_cast<W>(step(scales.rows[r]));
    }
    RotateRowsAny<L>(elems, count, at, view.row_length, row_k.empty() ? nullptr : row_k.data(),
                     column_k.empty() ? nullptr : column_k.data());
  });
}

}  // namespace mvc
