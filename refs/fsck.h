// refs/fsck.h: checks a repository's integrity end to end (`mvc fsck`).
//
// Walks everything reachable (refs/reachability.h): every commit, tree and manifest
// (libgit2 verifies git objects' SHA-1 as it reads them; each manifest's file id is
// recomputed), every tensor record (SHA-256 == id, parses) and every chunk (decoded
// through its delta chain, SHA-256 of the raw bytes == id). Then scans the whole store
// for objects whose envelope does not parse: reachable ones are problems, unreachable
// ones warnings. Never stops at the first problem.
//
//   MVC_ASSIGN_OR_RETURN(FsckResult r, Fsck(*repo, {}));
//   for (const IntegrityProblem& p : r.problems) std::cout << p.ToString() << "\n";
//   return r.problems.empty() ? 0 : 1;
#ifndef MVC_REFS_FSCK_H_
#define MVC_REFS_FSCK_H_

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "refs/reachability.h"
#include "refs/repository.h"

namespace mvc {

struct FsckOptions {
  bool decode_chunks = true;  // false: check headers and records only (fast)
  ProgressCallback progress;  // ("checking chunks", done, total)
};

struct FsckResult {
  uint64_t commits = 0;
  uint64_t files = 0;     // distinct model file versions (manifest blobs)
  uint64_t tensors = 0;   // distinct tensor records
  uint64_t chunks = 0;    // distinct chunks, delta bases included
  uint64_t unreachable_objects = 0;
  std::vector<IntegrityProblem> problems;  // in walk order; each names object and place
  std::vector<IntegrityProblem> warnings;  // unreachable objects that do not parse
};

// Checks `repo` (read-only; takes no lock). Problems are results, not errors.
// Errors: kIOError when the store cannot be read at all.
Result<FsckResult> Fsck(Repository& repo, const FsckOptions& options);

}  // namespace mvc

#endif  // MVC_REFS_FSCK_H_
