// codec/internal/codec_estimate.h: cheap size estimates of the candidate codecs, so
// that EncodeChunk encodes only the predicted winner instead of every candidate.
//
// Each estimate looks at a sample of the chunk (an eighth of it, in kEstimateRuns evenly
// spaced runs of at most kEstimateRunElems contiguous elements) and scales to the chunk:
// the entropy coders by the order-0 entropy of their planes (in the exponent's context
// where codec 3 uses it), byte-planes zstd by really compressing the sampled planes
// (zstd gains from repeats that an order-0 figure cannot see).
//
//   ChunkSample s = SampleChunk(dtype, raw, base_raw);
//   double ff = EstimateFloatFields(s), bp = EstimateBytePlanesZstd(s, 3);
#ifndef MVC_CODEC_INTERNAL_CODEC_ESTIMATE_H_
#define MVC_CODEC_INTERNAL_CODEC_ESTIMATE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/dtype.h"

namespace mvc::codec_internal {

inline constexpr size_t kEstimateRuns = 32;
inline constexpr size_t kEstimateRunElems = 2048;

// A gathered sample of a chunk (and of its base, when given).
struct ChunkSample {
  Dtype dtype = Dtype::kU8;
  size_t n = 0;        // elements in the whole chunk
  size_t sampled = 0;  // elements gathered
  Bytes raw;           // sampled * width bytes
  Bytes base;          // same positions of the base; empty without a base
};

// REQUIRES: raw.size() is a multiple of the width; base_raw empty or raw.size().
ChunkSample SampleChunk(Dtype dtype, ByteView raw, ByteView base_raw);

// The runs SampleChunk gathers from a chunk of n elements, in order: first element and
// length of each (one run of all n when the chunk is small).
struct SampleRun {
  size_t start, length;
};
std::vector<SampleRun> SampleRuns(size_t n);

// Estimated payload bytes of codec 3 (REQUIRES a float dtype), of codec 1 at
// `zstd_level`, and of codec 6 (REQUIRES a sample with a base).
double EstimateFloatFields(const ChunkSample& s);
// Estimated payload bytes of codec 8. REQUIRES: FloatJointTakes(s.dtype).
double EstimateFloatJoint(const ChunkSample& s);
double EstimateBytePlanesZstd(const ChunkSample& s, int zstd_level);
double EstimateOrderedDelta(const ChunkSample& s);
// Codec 3's and codec 8's estimates from one split of the sample (the two code the
// planes after the first two alike): the same figures as the two calls.
// REQUIRES: FloatJointTakes(s.dtype).
struct FloatEstimates {
  double fields, joint;
};
FloatEstimates EstimateFloatFieldsAndJoint(const ChunkSample& s);

}  // namespace mvc::codec_internal

#endif  // MVC_CODEC_INTERNAL_CODEC_ESTIMATE_H_
