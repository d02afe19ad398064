// refs/internal/lossy_store.h: storing a tensor under a near-lossless policy.
//
// With `mvc commit --policy bfp:M | aligned:int16 | aligned:int32` or
// `--max-rel-error E`, float tensors are stored as approximations: each chunk is
// quantized (codec/bfp_encoding.h, codec/aligned_grid.h), and the stored tensor is the
// reconstruction, named by its own hashes, so checkout still verifies every byte it
// writes. The error reached is recorded in the manifest (LossyInfo).
#ifndef MVC_REFS_INTERNAL_LOSSY_STORE_H_
#define MVC_REFS_INTERNAL_LOSSY_STORE_H_

#include <optional>

#include "core/mapped_file.h"
#include "core/safetensors.h"
#include "refs/internal/tensor_io.h"

namespace mvc::internal {

// Whether `options` asks for anything lossy on a tensor of `dtype`.
bool WantsLossy(const CommitOptions& options, Dtype dtype);

// Stores tensor `entry` of `file` under the commit's lossy policy, with `parent` (the
// same-named tensor of the parent commit, or null) as the base of an aligned chain.
// Returns nullopt when no lossy encoding applies or none is cheaper within the bound
// (non-finite values on a grid, a max-rel-error no quantizer meets): store it losslessly.
Result<std::optional<ManifestTensor>> StoreLossyTensor(Repository& repo, const MappedFile& file,
                                                       const TensorEntry& entry, const ManifestTensor* parent,
                                                       const CommitOptions& options, StoreStats* stats);

}  // namespace mvc::internal

#endif  // MVC_REFS_INTERNAL_LOSSY_STORE_H_
