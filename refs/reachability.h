// refs/reachability.h: everything reachable in a repository, walked once, for fsck,
// gc and stats.
//
// The live set is: every commit reachable from a ref, HEAD or a reflog entry
// (History::ForEachReachableCommit) -> its tree -> each manifest blob -> the tensor
// records it names -> their chunks -> recursively, the base chunk of every delta
// frame (a live delta keeps its base alive even when no commit names the base
// directly). Each object is visited once and remembers where it was first reached, so
// that a problem can be reported as "chunk 12 of tensor 'x' in model.safetensors
// (commit 1a2b3c4d5e6f)".
//
// The walk never stops at a problem: a missing or unreadable object becomes an
// IntegrityProblem and the walk goes on with what it can still read.
//
//   MVC_ASSIGN_OR_RETURN(Reachable live, WalkReachable(*repo));
//   for (const IntegrityProblem& p : live.problems) std::cerr << p.ToString() << "\n";
//   bool keep = live.Contains(id);
#ifndef MVC_REFS_REACHABILITY_H_
#define MVC_REFS_REACHABILITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "codec/format.h"
#include "core/dtype.h"
#include "core/object_id.h"
#include "core/result.h"
#include "refs/git_id.h"
#include "refs/repository.h"

namespace mvc {

// One thing wrong with a repository, named by object and by where it was reached.
struct IntegrityProblem {
  enum class Kind { kMissing, kCorrupt };
  Kind kind = Kind::kCorrupt;
  std::string object;  // short hex id of the object (SHA-256 or git SHA-1), or "history"
  std::string where;   // "chunk 3 of tensor 'w' in model.safetensors (commit 1a2b3c4d5e6f)"
  std::string detail;  // "hash mismatch"; may be empty for kMissing

  // "missing object 3fa9c1d2e4b5: <where>" or "corrupt object 3fa9c1d2e4b5: <where>: <detail>".
  std::string ToString() const;
};

// Where a tensor record was first reached.
struct ReachedTensor {
  GitId commit;
  std::string file;
  std::string name;
  bool present = false;     // the record was read, verified and parsed
  uint64_t raw_bytes = 0;   // from the record (from the manifest when not present)
  uint64_t stored_bytes = 0;  // the record object's stored size, envelope included
};

// Where a chunk was first reached, and what its frame header says.
struct ReachedChunk {
  ObjectId tensor;                 // the tensor whose record names it (or names the delta)
  uint64_t index = 0;              // chunk index in that tensor
  std::optional<ObjectId> base_of; // set when reached only as the base of this delta chunk
  bool present = false;            // read and its frame header parsed
  CodecId codec = CodecId::kRaw;
  uint64_t raw_bytes = 0;
  uint64_t stored_bytes = 0;       // envelope included
  std::optional<ObjectId> base;    // the frame's base chunk (a delta)
};

struct Reachable {
  std::vector<GitId> commits;
  uint64_t files = 0;              // files over all commits (a file in 3 commits counts 3)
  uint64_t model_files = 0;        // distinct manifest blobs
  uint64_t logical_bytes = 0;      // sum over commits of the sizes of all their files
  uint64_t logical_model_bytes = 0;  // the same, safetensors files only
  std::unordered_map<ObjectId, ReachedTensor> tensors;
  std::unordered_map<ObjectId, ReachedChunk> chunks;
  std::vector<IntegrityProblem> problems;

  bool Contains(const ObjectId& id) const { return tensors.count(id) || chunks.count(id); }
  // "tensor 'w' in model.safetensors (commit 1a2b3c4d5e6f)".
  std::string DescribeTensor(const ObjectId& tensor_id) const;
  // "chunk 3 of tensor 'w' in ..." or "base of chunk 3 (delta 5e6f...) of tensor 'w' in ...".
  std::string DescribeChunk(const ObjectId& chunk_id) const;
};

// Walks everything reachable (see the file comment). Reads every tensor record (and
// verifies its SHA-256 and that it parses) and the frame header of every chunk, on the
// repository's thread pool; chunk payloads are not decoded (fsck does that).
// Problems found go to Reachable::problems; they are not errors.
// Errors: kIOError when the store cannot be read at all.
Result<Reachable> WalkReachable(Repository& repo);

}  // namespace mvc

#endif  // MVC_REFS_REACHABILITY_H_
