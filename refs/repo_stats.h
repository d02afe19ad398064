// refs/repo_stats.h: how big a repository is, logically and physically (`mvc stats`).
//
// Logical size is what a user would store without mvc: every reachable commit's files
// at their full size. Physical size is what the repository occupies on disk. Between
// the two: dedup (a tensor or chunk shared by versions is stored once) and the codecs
// (each chunk's frame header names its codec and whether it is a delta).
//
// The figures add up: for every codec, stored bytes summed, plus tensor record bytes,
// plus unreachable bytes == ObjectStore::Stats().stored_bytes.
//
//   MVC_ASSIGN_OR_RETURN(RepoStats s, ComputeRepoStats(*repo));
//   double dedup = double(s.logical_model_bytes) / s.unique_chunk_raw_bytes;
#ifndef MVC_REFS_REPO_STATS_H_
#define MVC_REFS_REPO_STATS_H_

#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"
#include "refs/repository.h"

namespace mvc {

struct CodecUsage {
  uint64_t chunks = 0;
  uint64_t raw_bytes = 0;
  uint64_t stored_bytes = 0;  // envelopes included
};

struct RepoStats {
  uint64_t commits = 0;
  uint64_t files = 0;                  // files over all commits
  uint64_t logical_bytes = 0;          // sum over commits of all their files' sizes
  uint64_t logical_model_bytes = 0;    // the same, safetensors files only
  uint64_t unique_tensors = 0;
  uint64_t unique_tensor_raw_bytes = 0;  // raw bytes of distinct tensors
  uint64_t unique_chunks = 0;            // distinct reachable chunks, delta bases included
  uint64_t unique_chunk_raw_bytes = 0;
  uint64_t tensor_record_bytes = 0;      // stored sizes of reachable tensor records
  std::map<std::string, CodecUsage> codecs;  // by codec name (CodecName)
  CodecUsage full;                     // chunks with no base
  CodecUsage delta;                    // chunks delta-coded against a base
  uint64_t unreachable_objects = 0;
  uint64_t unreachable_bytes = 0;
  uint64_t store_objects = 0;          // ObjectStore::Stats()
  uint64_t store_bytes = 0;            // sum of stored object sizes
  uint64_t store_disk_bytes = 0;       // the object store's files, allocated size
  uint64_t history_disk_bytes = 0;     // .mvc/history, allocated size
  uint64_t physical_bytes = 0;         // store_disk_bytes + history_disk_bytes
  uint64_t problems = 0;               // reachability problems met (see mvc fsck)
};

// Walks the repository (refs/reachability.h) and the store. Read-only, no lock.
// Errors: kIOError.
Result<RepoStats> ComputeRepoStats(Repository& repo);

}  // namespace mvc

#endif  // MVC_REFS_REPO_STATS_H_
