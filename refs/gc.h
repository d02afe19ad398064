// refs/gc.h: deletes objects that nothing live can reach (`mvc gc`).
//
// Live = everything refs/reachability.h walks: objects of commits reachable from any
// ref, HEAD or reflog entry, and every delta base a live chunk needs (recursively).
// Everything else in the object store is garbage: objects of deleted branches whose
// reflogs went with them, and what an interrupted commit wrote before its ref moved.
//
// Safety: gc holds the repository lock for its whole run (commits, which write objects
// before their ref moves, hold it too), refuses to delete anything when the walk found
// a problem (an unreadable record or frame could hide live objects), and deletes in
// batches, each one LMDB transaction: killed at any point, the store is consistent and
// merely holds fewer garbage objects. Git objects in .mvc/history are not collected.
//
// LMDB never shrinks its file (freed pages are reused by later writes), so gc then
// compacts the store: LMDB's compacting copy, renamed over data.mdb when smaller
// (LmdbBackend::Compact). That needs the store to itself: when another mvc process
// has it open, gc deletes but leaves the file as it is and says so.
//
//   GcOptions options;
//   options.dry_run = true;
//   MVC_ASSIGN_OR_RETURN(GcResult r, Gc(*repo, options));  // r.objects_deleted == 0
#ifndef MVC_REFS_GC_H_
#define MVC_REFS_GC_H_

#include <cstdint>
#include <string>

#include "core/result.h"
#include "refs/repository.h"

namespace mvc {

struct GcOptions {
  bool dry_run = false;         // only count what would be deleted
  size_t batch_objects = 256;   // objects deleted per store transaction
  bool compact = true;          // rewrite the store file without its free pages
  ProgressCallback progress;    // ("deleting objects", done, total)
};

struct GcResult {
  uint64_t objects_before = 0;
  uint64_t objects_garbage = 0;  // unreachable objects found
  uint64_t bytes_garbage = 0;    // their stored sizes, envelopes included
  uint64_t objects_deleted = 0;  // 0 when dry_run
  uint64_t bytes_freed = 0;      // stored sizes of the deleted objects
  uint64_t objects_kept = 0;
  // Compaction: store_bytes_* are data.mdb's sizes (equal when it was not rewritten);
  // compact_skipped says why it did not run ("" when it ran or was not asked for).
  bool compacted = false;
  uint64_t store_bytes_before = 0;
  uint64_t store_bytes_after = 0;
  std::string compact_skipped;
};

// Collects garbage in `repo`'s object store.
// Errors: kConflict "repository is locked ..." when another writer holds the lock;
// kCorruption "gc: N problems found ..." (nothing deleted) when the repository does
// not pass the reachability walk; kIOError, kNoSpace from the store or its compaction
// ("gc: deleted N objects; compacting the store failed: ...": the store file is as it
// was before compaction).
Result<GcResult> Gc(Repository& repo, const GcOptions& options);

}  // namespace mvc

#endif  // MVC_REFS_GC_H_
