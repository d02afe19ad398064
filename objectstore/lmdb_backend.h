// objectstore/lmdb_backend.h: the default, on-disk Backend, on LMDB.
//
// One LMDB environment in a directory (the repository's `objects/`, holding
// data.mdb and lock.mdb), one unnamed database; key = the 32 id bytes, value = the
// stored bytes (envelope plus body). See docs/format.md, "Object store layout".
//
//   MVC_ASSIGN_OR_RETURN(std::unique_ptr<LmdbBackend> backend,
//                        LmdbBackend::Open(repo_dir + "/objects"));
//
// Durability: each Write/Delete is one LMDB write transaction, committed with LMDB's
// default flags (fsync of data and meta page) before OK is returned.
//
// Size: the memory map starts at LmdbOptions::initial_map_bytes and doubles by
// itself when full, up to max_map_bytes (the file grows only as data is written).
//
// Concurrency: all methods may be called from many threads at once. Readers use
// their own read-only transactions and never block the writer or each other;
// writers in this process are serialized here, writers in other processes by
// LMDB's lock file. A brief pause of all readers happens when the map grows.
//
// Compaction (Compact, run by `mvc gc`) rewrites data.mdb without its free pages. It
// needs the store to itself: every open backend holds objects/compact.lock shared,
// Compact takes it exclusively (refusing when another process has the store open),
// and an Open that meets a running compaction waits for it.
//
// One process MUST NOT open the same directory twice (LMDB's locks are per process
// and closing one handle would drop the other's); Open refuses with kConflict.
// Another process may open it at the same time. Do not keep a backend across
// fork(): open it in the process that uses it.
#ifndef MVC_OBJECTSTORE_LMDB_BACKEND_H_
#define MVC_OBJECTSTORE_LMDB_BACKEND_H_

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "objectstore/backend.h"

struct MDB_env;
struct MDB_txn;

namespace mvc {

struct LmdbOptions {
  // Size of the memory map at open (an existing larger map is kept). Tests use a
  // small value to exercise growth.
  uint64_t initial_map_bytes = uint64_t{1} << 30;  // 1 GiB
  // Growth stops here; a write that still does not fit fails with kNoSpace.
  uint64_t max_map_bytes = uint64_t{1} << 44;  // 16 TiB of address space
  // Concurrent read transactions allowed across all processes.
  unsigned max_readers = 256;
};

struct CompactResult {
  bool compacted = false;     // false when the copy would not have been smaller
  uint64_t bytes_before = 0;  // apparent size of data.mdb
  uint64_t bytes_after = 0;
};

class LmdbBackend final : public Backend {
 public:
  // Opens (creating the directory and environment if missing) the store in `dir`.
  // Errors: kIOError "open object store DIR: Permission denied" (not writable) and
  // other OS failures; kInvalidArgument "object store DIR is not a directory";
  // kCorruption "object store DIR: data.mdb is not an LMDB database";
  // kUnsupportedVersion (an LMDB file of another LMDB version); kConflict when this
  // process already has `dir` open; kNoSpace.
  static Result<std::unique_ptr<LmdbBackend>> Open(const std::string& dir,
                                                   const LmdbOptions& options = {});

  // Rewrites the store in `dir` without free pages (LMDB's compacting copy, written
  // beside data.mdb and renamed over it) when that makes it smaller. REQUIRES: this
  // process does not have `dir` open. Needs free disk space for a copy of the live
  // pages; on any error the store is unchanged.
  // Errors: kConflict "object store DIR is open in another mvc process"; kNoSpace;
  // kIOError; the errors of Open.
  static Result<CompactResult> Compact(const std::string& dir, const LmdbOptions& options = {});

  ~LmdbBackend() override;
  LmdbBackend(const LmdbBackend&) = delete;
  LmdbBackend& operator=(const LmdbBackend&) = delete;

  // Backend; errors name the directory and the LMDB operation, e.g.
  // "object store /r/objects: commit write transaction: No space left on device".
  Result<bool> Has(const ObjectId& id) override;
  Result<Bytes> Get(const ObjectId& id) override;
  Status Write(const std::vector<std::pair<ObjectId, Bytes>>& puts) override;
  Status Delete(std::span<const ObjectId> ids) override;
  Status ForEach(
      const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) override;
  // Allocated bytes of data.mdb plus lock.mdb.
  Result<uint64_t> DiskBytes() override;

  // The current size of the memory map (grows by doubling).
  uint64_t map_bytes();
  const std::string& dir() const { return dir_; }

 private:
  class ReadTxn;
  static constexpr const char* kCompactLockFile = "compact.lock";
  static constexpr const char* kCompactCopyFile = "data.mdb.compacting";

  LmdbBackend(std::string dir, MDB_env* env, unsigned dbi, unsigned packs_dbi, unsigned packrefs_dbi,
              const LmdbOptions& options, dev_t dev, ino_t ino, int compact_lock);
  static Status PrepareDirectory(const std::string& dir);
  // An fd of dir/compact.lock holding flock `operation`; kConflict when LOCK_NB fails.
  static Result<int> LockCompactFile(const std::string& dir, int operation);
  static Result<std::unique_ptr<LmdbBackend>> OpenLocked(const std::string& dir, const LmdbOptions& options,
                                                         int compact_lock);
  Result<CompactResult> CopyCompactedOver();

  Status BeginRead(std::shared_lock<std::shared_mutex>& map_lock, MDB_txn** txn);
  // Runs `body` in a write transaction and commits, growing the map and retrying
  // on MDB_MAP_FULL / MDB_MAP_RESIZED. `body` returns an LMDB error code.
  Status RunWrite(std::string_view what, const std::function<int(MDB_txn*)>& body);
  Status GrowMap();
  Status AdoptGrownMap();
  Status LmdbError(int rc, std::string_view what) const;

  const std::string dir_;
  MDB_env* const env_;
  const unsigned dbi_;           // "objects": id -> stored bytes, or a pointer into a pack
  const unsigned packs_dbi_;     // "packs": pack number -> concatenated objects
  const unsigned packrefs_dbi_;  // "packrefs": pack number -> u64 count of live pointers
  const LmdbOptions options_;
  const dev_t dev_;
  const ino_t ino_;
  const int compact_lock_;  // fd of compact.lock, flock held for the backend's life
  // mdb_env_set_mapsize needs no live transaction in this process: every
  // transaction holds map_mu_ shared, a resize holds it exclusively.
  std::shared_mutex map_mu_;
  std::mutex write_mu_;  // serializes this process's writers (and their resizes)
};

}  // namespace mvc

#endif  // MVC_OBJECTSTORE_LMDB_BACKEND_H_
