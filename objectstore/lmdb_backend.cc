#include "objectstore/lmdb_backend.h"

#include <lmdb.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <utility>

#include "core/endian_coding.h"

namespace mvc {
namespace {

// Values live on the read-only shared map. Once copied out they are not needed:
// dropping their pages from this process keeps resident memory flat however much of
// the store a checkout reads (the kernel keeps them cached, and a later access to a
// neighbour on a shared edge page just faults it back in). Values under 64 KiB are
// not worth the system call.
void ReleaseMappedPages(const uint8_t* data, size_t size) {
  constexpr size_t kMinBytes = size_t{64} << 10;
  if (size < kMinBytes) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + size + page - 1) & ~(page - 1);
  madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

// Ids are the keys; anything else in the database is corruption.
constexpr size_t kKeyBytes = ObjectId::kSize;
// ForEach reads keys in slices so that no read transaction (and no map lock) is
// held while the caller's function runs.
constexpr size_t kForEachSlice = 1024;

// Objects written in one batch share one LMDB value (a pack), so they do not each
// round up to whole overflow pages (docs/format.md, "LMDB layout"): on the chunk
// objects of mid-sized tensors that rounding alone cost 1.5% of the store. The objects
// DB then holds a pointer: 00 'P' u64 pack, u32 offset, u32 length. Objects of 1 MiB
// and more (rounding costs them under 0.4%) are values of their own; callers bound a
// batch (16 MiB in refs/), so a pack stays a few MiB.
constexpr size_t kPackMaxObjectBytes = 1 << 20;
constexpr size_t kPointerBytes = 18;

struct PackPointer {
  uint64_t pack;
  uint32_t offset;
  uint32_t length;
};

bool IsPointer(const MDB_val& v) {
  const auto* p = static_cast<const uint8_t*>(v.mv_data);
  return v.mv_size == kPointerBytes && p[0] == 0 && p[1] == 'P';
}

PackPointer DecodePointer(const MDB_val& v) {
  const auto* p = static_cast<const uint8_t*>(v.mv_data);
  return {DecodeFixed64(p + 2), DecodeFixed32(p + 10), DecodeFixed32(p + 14)};
}

MDB_val PackKey(const uint64_t& pack) {
  return MDB_val{sizeof(pack), const_cast<uint64_t*>(&pack)};
}

MDB_val KeyOf(const ObjectId& id) {
  return MDB_val{kKeyBytes, const_cast<uint8_t*>(id.data())};
}

// LMDB keeps its file locks per process, so opening one environment twice in a
// process and closing either handle silently drops the other's locks (LMDB docs,
// "Caveats"). This set mirrors that per-process state to refuse the second open; it
// is the one process-wide variable in the store, and exists only to prevent that.
class OpenDirRegistry {
 public:
  static OpenDirRegistry& Get() {
    static OpenDirRegistry* registry = new OpenDirRegistry();
    return *registry;
  }
  bool Add(dev_t dev, ino_t ino) {
    std::lock_guard<std::mutex> lock(mu_);
    return open_.emplace(dev, ino).second;
  }
  void Remove(dev_t dev, ino_t ino) {
    std::lock_guard<std::mutex> lock(mu_);
    open_.erase({dev, ino});
  }

 private:
  std::mutex mu_;
  std::set<std::pair<dev_t, ino_t>> open_;
};

uint64_t CurrentMapBytes(MDB_env* env) {
  MDB_envinfo info;
  mdb_env_info(env, &info);
  return info.me_mapsize;
}

}  // namespace

// A read-only transaction that holds the map lock shared for its lifetime.
class LmdbBackend::ReadTxn {
 public:
  explicit ReadTxn(LmdbBackend* backend) : backend_(backend) {}
  ~ReadTxn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  Status Begin() { return backend_->BeginRead(map_lock_, &txn_); }
  MDB_txn* get() const { return txn_; }

 private:
  LmdbBackend* backend_;
  std::shared_lock<std::shared_mutex> map_lock_;
  MDB_txn* txn_ = nullptr;
};

Result<std::unique_ptr<LmdbBackend>> LmdbBackend::Open(const std::string& dir,
                                                       const LmdbOptions& options) {
  MVC_RETURN_IF_ERROR(PrepareDirectory(dir));
  // Shared for as long as the store is open: compaction replaces data.mdb only when
  // it can take this lock exclusively, i.e. when no process has the store open.
  MVC_ASSIGN_OR_RETURN(int compact_lock, LockCompactFile(dir, LOCK_SH));
  return OpenLocked(dir, options, compact_lock);
}

Status LmdbBackend::PrepareDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return Status::InvalidArgument("object store " + dir + " is not a directory");
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::FromErrno(ec.value(), "create object store directory " + dir);
  if (access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return Status::FromErrno(errno, "open object store " + dir);
  }
  return Status::Ok();
}

Result<int> LmdbBackend::LockCompactFile(const std::string& dir, int operation) {
  const std::string path = dir + "/" + kCompactLockFile;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  int rc;
  do {
    rc = ::flock(fd, operation);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Conflict("object store " + dir + " is open in another mvc process");
    }
    return Status::FromErrno(err, "lock " + path);
  }
  return fd;
}

// Takes ownership of compact_lock (closed on failure and with the backend).
Result<std::unique_ptr<LmdbBackend>> LmdbBackend::OpenLocked(const std::string& dir,
                                                             const LmdbOptions& options, int compact_lock) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    int err = errno;
    ::close(compact_lock);
    return Status::FromErrno(err, "stat " + dir);
  }
  if (!OpenDirRegistry::Get().Add(st.st_dev, st.st_ino)) {
    ::close(compact_lock);
    return Status::Conflict("object store " + dir + " is already open in this process");
  }

  MDB_env* env = nullptr;
  auto fail = [&](int rc, const std::string& what) -> Status {
    if (env != nullptr) mdb_env_close(env);
    ::close(compact_lock);
    OpenDirRegistry::Get().Remove(st.st_dev, st.st_ino);
    if (rc == MDB_INVALID) {
      return Status::Corruption("object store " + dir + ": data.mdb is not an LMDB database");
    }
    if (rc == MDB_VERSION_MISMATCH) {
      return Status::UnsupportedVersion("object store " + dir + ": " + mdb_strerror(rc));
    }
    if (rc == ENOSPC || rc == EDQUOT) {
      return Status::NoSpace(what + " " + dir + ": " + mdb_strerror(rc));
    }
    return Status::IOError(what + " " + dir + ": " + mdb_strerror(rc));
  };
  int rc = mdb_env_create(&env);
  if (rc != 0) return fail(rc, "create LMDB environment for");
  if ((rc = mdb_env_set_maxreaders(env, options.max_readers)) != 0 ||
      (rc = mdb_env_set_maxdbs(env, 4)) != 0 ||
      (rc = mdb_env_set_mapsize(env, options.initial_map_bytes)) != 0) {
    return fail(rc, "configure object store");
  }
  // MDB_NOTLS: read transactions are not tied to threads (and reader slots are per
  // transaction), so any thread may read concurrently. Default sync flags: commits
  // are durable when they return.
  rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0644);
  if (rc != 0) return fail(rc, "open object store");

  // Three named databases (created on first open); handles are valid once this commits.
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0, packs_dbi = 0, packrefs_dbi = 0;
  if ((rc = mdb_txn_begin(env, nullptr, 0, &txn)) != 0) return fail(rc, "open object store");
  if ((rc = mdb_dbi_open(txn, "objects", MDB_CREATE, &dbi)) != 0 ||
      (rc = mdb_dbi_open(txn, "packs", MDB_CREATE | MDB_INTEGERKEY, &packs_dbi)) != 0 ||
      (rc = mdb_dbi_open(txn, "packrefs", MDB_CREATE | MDB_INTEGERKEY, &packrefs_dbi)) != 0) {
    mdb_txn_abort(txn);
    return fail(rc, "open object store");
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return fail(rc, "open object store");

  return std::unique_ptr<LmdbBackend>(
      new LmdbBackend(dir, env, dbi, packs_dbi, packrefs_dbi, options, st.st_dev, st.st_ino, compact_lock));
}

LmdbBackend::LmdbBackend(std::string dir, MDB_env* env, unsigned dbi, unsigned packs_dbi,
                         unsigned packrefs_dbi, const LmdbOptions& options, dev_t dev, ino_t ino,
                         int compact_lock)
    : dir_(std::move(dir)), env_(env), dbi_(dbi), packs_dbi_(packs_dbi), packrefs_dbi_(packrefs_dbi),
      options_(options), dev_(dev), ino_(ino), compact_lock_(compact_lock) {}

LmdbBackend::~LmdbBackend() {
  mdb_env_close(env_);
  ::close(compact_lock_);  // after the environment: compaction waits for both
  OpenDirRegistry::Get().Remove(dev_, ino_);
}

Status LmdbBackend::LmdbError(int rc, std::string_view what) const {
  std::string message = "object store " + dir_ + ": " + std::string(what) + ": " + mdb_strerror(rc);
  if (rc == ENOSPC || rc == EDQUOT) return Status::NoSpace(std::move(message));
  // LMDB turns a short pwrite (how a full filesystem answers a large write) into
  // EIO; say so when the store's filesystem is (nearly) out of space.
  struct statvfs fs;
  if (rc == EIO && ::statvfs(dir_.c_str(), &fs) == 0) {
    uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < (uint64_t{16} << 20)) {
      return Status::NoSpace(message + " (no space left on device: " + std::to_string(free_bytes) + " bytes free)");
    }
  }
  return Status::IOError(std::move(message));
}

uint64_t LmdbBackend::map_bytes() {
  std::shared_lock<std::shared_mutex> lock(map_mu_);
  return CurrentMapBytes(env_);
}

Status LmdbBackend::BeginRead(std::shared_lock<std::shared_mutex>& map_lock, MDB_txn** txn) {
  for (;;) {
    map_lock = std::shared_lock<std::shared_mutex>(map_mu_);
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, txn);
    if (rc == 0) return Status::Ok();
    map_lock.unlock();
    *txn = nullptr;
    if (rc != MDB_MAP_RESIZED) return LmdbError(rc, "begin read transaction");
    MVC_RETURN_IF_ERROR(AdoptGrownMap());
  }
}

// Another process grew the map beyond ours: adopt its size (LMDB reads it from the
// meta page when given 0).
Status LmdbBackend::AdoptGrownMap() {
  std::unique_lock<std::shared_mutex> lock(map_mu_);
  int rc = mdb_env_set_mapsize(env_, 0);
  if (rc != 0) return LmdbError(rc, "adopt map size grown by another process");
  return Status::Ok();
}

// REQUIRES: write_mu_ held (so the size we double is not stale).
Status LmdbBackend::GrowMap() {
  std::unique_lock<std::shared_mutex> lock(map_mu_);
  uint64_t current = CurrentMapBytes(env_);
  if (current >= options_.max_map_bytes) {
    return Status::NoSpace("object store " + dir_ + " is full: map of " + std::to_string(current) +
                           " bytes reached its limit of " +
                           std::to_string(options_.max_map_bytes) + " bytes");
  }
  uint64_t next = current > options_.max_map_bytes / 2 ? options_.max_map_bytes : current * 2;
  int rc = mdb_env_set_mapsize(env_, next);
  if (rc == ENOMEM) {
    return Status::NoSpace("object store " + dir_ + " is full: cannot map " +
                           std::to_string(next) + " bytes: " + mdb_strerror(rc));
  }
  if (rc != 0) return LmdbError(rc, "grow map to " + std::to_string(next) + " bytes");
  return Status::Ok();
}

Status LmdbBackend::RunWrite(std::string_view what, const std::function<int(MDB_txn*)>& body) {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  for (;;) {
    int rc = 0;
    const char* step = "begin write transaction";
    {
      std::shared_lock<std::shared_mutex> map_lock(map_mu_);
      MDB_txn* txn = nullptr;
      rc = mdb_txn_begin(env_, nullptr, 0, &txn);
      if (rc == 0) {
        step = "write transaction";
        rc = body(txn);
        if (rc == 0) {
          step = "commit write transaction";
          rc = mdb_txn_commit(txn);  // frees txn on success and failure
        } else {
          mdb_txn_abort(txn);  // all or nothing: none of the batch is visible
        }
      }
    }
    if (rc == 0) return Status::Ok();
    if (rc == MDB_MAP_FULL) {
      MVC_RETURN_IF_ERROR(GrowMap().WithContext(what));
    } else if (rc == MDB_MAP_RESIZED) {
      MVC_RETURN_IF_ERROR(AdoptGrownMap());
    } else {
      return LmdbError(rc, std::string(what) + ": " + step);
    }
  }
}

Result<bool> LmdbBackend::Has(const ObjectId& id) {
  ReadTxn txn(this);
  MVC_RETURN_IF_ERROR(txn.Begin());
  MDB_val key = KeyOf(id), value;
  int rc = mdb_get(txn.get(), dbi_, &key, &value);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return LmdbError(rc, "read");
  return true;
}

Result<Bytes> LmdbBackend::Get(const ObjectId& id) {
  ReadTxn txn(this);
  MVC_RETURN_IF_ERROR(txn.Begin());
  MDB_val key = KeyOf(id), value;
  int rc = mdb_get(txn.get(), dbi_, &key, &value);
  if (rc == MDB_NOTFOUND) return Status::NotFound("not found");
  if (rc != 0) return LmdbError(rc, "read");
  if (IsPointer(value)) {
    PackPointer ptr = DecodePointer(value);
    MDB_val pack_key = PackKey(ptr.pack), pack;
    rc = mdb_get(txn.get(), packs_dbi_, &pack_key, &pack);
    if (rc == MDB_NOTFOUND || (rc == 0 && uint64_t{ptr.offset} + ptr.length > pack.mv_size)) {
      return Status::Corruption("object store " + dir_ + ": object points outside pack " + std::to_string(ptr.pack));
    }
    if (rc != 0) return LmdbError(rc, "read pack");
    const auto* base = static_cast<const uint8_t*>(pack.mv_data) + ptr.offset;
    Bytes out(base, base + ptr.length);
    ReleaseMappedPages(base, ptr.length);
    return out;
  }
  const auto* data = static_cast<const uint8_t*>(value.mv_data);
  Bytes out(data, data + value.mv_size);
  ReleaseMappedPages(data, value.mv_size);
  return out;
}

Status LmdbBackend::Write(const std::vector<std::pair<ObjectId, Bytes>>& puts) {
  if (puts.empty()) return Status::Ok();
  return RunWrite("write " + std::to_string(puts.size()) + " objects", [&](MDB_txn* txn) {
    std::vector<const std::pair<ObjectId, Bytes>*> small;
    std::set<ObjectId> seen;
    for (const auto& put : puts) {
      const auto& [id, stored] = put;
      MDB_val key = KeyOf(id), existing;
      // Ids are content hashes: an existing value is the same bytes, keep it and
      // save the copy-on-write of its pages.
      int rc = mdb_get(txn, dbi_, &key, &existing);
      if (rc == 0 || !seen.insert(id).second) continue;
      if (rc != MDB_NOTFOUND) return rc;
      if (stored.size() < kPackMaxObjectBytes) {
        small.push_back(&put);
        continue;
      }
      MDB_val value{stored.size(), const_cast<uint8_t*>(stored.data())};
      if ((rc = mdb_put(txn, dbi_, &key, &value, 0)) != 0) return rc;
    }
    if (small.empty()) return 0;
    // One pack for this batch's small objects, numbered after the last one.
    uint64_t pack = 1;
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, packs_dbi_, &cursor);
    if (rc != 0) return rc;
    MDB_val last_key, last_value;
    rc = mdb_cursor_get(cursor, &last_key, &last_value, MDB_LAST);
    mdb_cursor_close(cursor);
    if (rc == 0) {
      uint64_t last_pack;
      std::memcpy(&last_pack, last_key.mv_data, sizeof(last_pack));
      pack = last_pack + 1;
    } else if (rc != MDB_NOTFOUND) {
      return rc;
    }
    Bytes packed;
    for (const auto* put : small) {
      const Bytes& stored = put->second;
      uint8_t pointer[kPointerBytes] = {0, 'P'};
      EncodeFixed64(pointer + 2, pack);
      EncodeFixed32(pointer + 10, static_cast<uint32_t>(packed.size()));
      EncodeFixed32(pointer + 14, static_cast<uint32_t>(stored.size()));
      packed.insert(packed.end(), stored.begin(), stored.end());
      MDB_val key = KeyOf(put->first), value{kPointerBytes, pointer};
      if ((rc = mdb_put(txn, dbi_, &key, &value, 0)) != 0) return rc;
    }
    MDB_val pack_key = PackKey(pack), pack_value{packed.size(), packed.data()};
    if ((rc = mdb_put(txn, packs_dbi_, &pack_key, &pack_value, 0)) != 0) return rc;
    uint64_t live = small.size();
    MDB_val refs{sizeof(live), &live};
    return mdb_put(txn, packrefs_dbi_, &pack_key, &refs, 0);
  });
}

Status LmdbBackend::Delete(std::span<const ObjectId> ids) {
  if (ids.empty()) return Status::Ok();
  return RunWrite("delete " + std::to_string(ids.size()) + " objects", [&](MDB_txn* txn) {
    for (const ObjectId& id : ids) {
      MDB_val key = KeyOf(id), value;
      int rc = mdb_get(txn, dbi_, &key, &value);
      if (rc == MDB_NOTFOUND) continue;
      if (rc != 0) return rc;
      if (IsPointer(value)) {
        // A pack goes when its last object goes.
        uint64_t pack = DecodePointer(value).pack;
        MDB_val pack_key = PackKey(pack), refs;
        rc = mdb_get(txn, packrefs_dbi_, &pack_key, &refs);
        if (rc != 0 && rc != MDB_NOTFOUND) return rc;
        uint64_t live = 0;
        if (rc == 0 && refs.mv_size == sizeof(live)) std::memcpy(&live, refs.mv_data, sizeof(live));
        if (live <= 1) {
          if ((rc = mdb_del(txn, packs_dbi_, &pack_key, nullptr)) != 0 && rc != MDB_NOTFOUND) return rc;
          if ((rc = mdb_del(txn, packrefs_dbi_, &pack_key, nullptr)) != 0 && rc != MDB_NOTFOUND) return rc;
        } else {
          --live;
          MDB_val updated{sizeof(live), &live};
          if ((rc = mdb_put(txn, packrefs_dbi_, &pack_key, &updated, 0)) != 0) return rc;
        }
      }
      rc = mdb_del(txn, dbi_, &key, nullptr);
      if (rc != 0 && rc != MDB_NOTFOUND) return rc;
    }
    return 0;
  });
}

Status LmdbBackend::ForEach(
    const std::function<Status(const ObjectId& id, uint64_t stored_bytes)>& fn) {
  std::optional<ObjectId> last;
  for (;;) {
    std::vector<std::pair<ObjectId, uint64_t>> slice;
    slice.reserve(kForEachSlice);
    {
      ReadTxn txn(this);
      MVC_RETURN_IF_ERROR(txn.Begin());
      MDB_cursor* cursor = nullptr;
      int rc = mdb_cursor_open(txn.get(), dbi_, &cursor);
      if (rc != 0) return LmdbError(rc, "open cursor");
      MDB_val key, value;
      if (last.has_value()) {
        key = KeyOf(*last);
        rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
        // Resume after the last id seen (it may have been deleted meanwhile).
        if (rc == 0 && key.mv_size == kKeyBytes &&
            std::memcmp(key.mv_data, last->data(), kKeyBytes) == 0) {
          rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
        }
      } else {
        rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
      }
      while (rc == 0 && slice.size() < kForEachSlice) {
        if (key.mv_size != kKeyBytes) {
          mdb_cursor_close(cursor);
          return Status::Corruption("object store " + dir_ + ": key of " +
                                    std::to_string(key.mv_size) + " bytes (expected 32)");
        }
        slice.emplace_back(ObjectId::FromBytes(static_cast<const uint8_t*>(key.mv_data)),
                           IsPointer(value) ? DecodePointer(value).length : value.mv_size);
        rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
      }
      mdb_cursor_close(cursor);
      if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError(rc, "iterate");
    }
    for (const auto& [id, stored_bytes] : slice) MVC_RETURN_IF_ERROR(fn(id, stored_bytes));
    if (slice.size() < kForEachSlice) return Status::Ok();
    last = slice.back().first;
  }
}

Result<uint64_t> LmdbBackend::DiskBytes() {
  uint64_t total = 0;
  for (const char* name : {"/data.mdb", "/lock.mdb"}) {
    std::string path = dir_ + name;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
    total += static_cast<uint64_t>(st.st_blocks) * 512;  // allocated, not apparent, size
  }
  return total;
}

Result<CompactResult> LmdbBackend::Compact(const std::string& dir, const LmdbOptions& options) {
  MVC_RETURN_IF_ERROR(PrepareDirectory(dir));
  MVC_ASSIGN_OR_RETURN(int compact_lock, LockCompactFile(dir, LOCK_EX | LOCK_NB));
  MVC_ASSIGN_OR_RETURN(std::unique_ptr<LmdbBackend> store, OpenLocked(dir, options, compact_lock));
  return store->CopyCompactedOver();
}

// REQUIRES: the compaction lock held exclusively (no other process has the store
// open, none can open it until this backend closes). The copy is written beside
// data.mdb, made durable, then renamed over it: killed at any point, data.mdb is the
// old file or the complete new one. The next opener finds no other user of lock.mdb
// and re-initializes it from the new file's meta page (the copy restarts LMDB's
// transaction ids), so no reader ever pairs the new file with the old lock state.
Result<CompactResult> LmdbBackend::CopyCompactedOver() {
  const std::string data_path = dir_ + "/data.mdb";
  const std::string copy_path = dir_ + "/" + kCompactCopyFile;
  CompactResult result;
  struct stat st;
  if (stat(data_path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + data_path);
  result.bytes_before = static_cast<uint64_t>(st.st_size);

  int fd = ::open(copy_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create " + copy_path);
  int rc = mdb_env_copyfd2(env_, fd, MDB_CP_COMPACT);
  Status status = rc == 0 ? Status::Ok() : LmdbError(rc, "write compacted copy " + copy_path);
  if (status.ok() && ::fsync(fd) != 0) status = Status::FromErrno(errno, "fsync " + copy_path);
  if (status.ok() && ::fstat(fd, &st) != 0) status = Status::FromErrno(errno, "stat " + copy_path);
  ::close(fd);
  if (!status.ok()) {
    ::unlink(copy_path.c_str());
    return status;
  }
  result.bytes_after = static_cast<uint64_t>(st.st_size);
  if (result.bytes_after >= result.bytes_before) {  // nothing to gain: keep the file
    ::unlink(copy_path.c_str());
    result.bytes_after = result.bytes_before;
    return result;
  }
  if (::rename(copy_path.c_str(), data_path.c_str()) != 0) {
    int err = errno;
    ::unlink(copy_path.c_str());
    return Status::FromErrno(err, "replace " + data_path + " with its compacted copy");
  }
  int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Status::FromErrno(errno, "open " + dir_);
  rc = ::fsync(dir_fd);
  int err = errno;
  ::close(dir_fd);
  if (rc != 0) return Status::FromErrno(err, "fsync " + dir_);
  result.compacted = true;
  return result;
}

}  // namespace mvc
