#include "refs/internal/content_keys.h"

#include "refs/internal/file_util.h"
#include "refs/internal/tensor_io.h"

namespace mvc::internal {

Result<std::optional<Bytes>> ReadIfManifest(History& history, const GitId& blob) {
  MVC_ASSIGN_OR_RETURN(Bytes prefix, history.ReadBlobPrefix(blob, kManifestMagicSize));
  if (!IsManifestBlob(AsChars(prefix))) return std::optional<Bytes>();
  MVC_ASSIGN_OR_RETURN(Bytes whole, history.ReadBlob(blob));
  return std::optional<Bytes>(std::move(whole));
}

Result<CommittedFiles> ReadCommittedFiles(History& history, const std::optional<GitId>& commit) {
  CommittedFiles files;
  if (!commit) return files;
  MVC_ASSIGN_OR_RETURN(History::CommitInfo info, history.ReadCommit(*commit));
  MVC_ASSIGN_OR_RETURN(History::FlatTree tree, history.ReadTree(info.tree));
  for (const auto& [path, entry] : tree) {
    CommittedFile f{entry, "blob:" + entry.blob.ToHex(), "", std::nullopt};
    if (IsModelPath(path)) {
      MVC_ASSIGN_OR_RETURN(std::optional<Bytes> blob, ReadIfManifest(history, entry.blob));
      if (blob) {
        Result<FileManifest> m = FileManifest::Parse(AsChars(*blob));
        if (!m.ok()) return m.status().WithContext(path + " in commit " + commit->ShortHex());
        f.key = "file:" + m->file_id.ToHex();
        if (m->source_file_id) f.source_key = "file:" + m->source_file_id->ToHex();
        f.manifest = std::move(*m);
      }
    }
    files.emplace(path, std::move(f));
  }
  return files;
}

Result<std::string> WorktreeKey(Repository& repo, StatCache& cache, const WorktreeFile& file) {
  if (std::optional<std::string> cached = cache.Lookup(file.path, file.stat)) return *cached;
  std::string full = repo.worktree() + "/" + file.path;
  std::string key;
  if (file.is_model) {
    MVC_ASSIGN_OR_RETURN(FileHashes hashes, HashSafetensorsFile(repo.pool(), full, nullptr));
    key = "file:" + hashes.file_id.ToHex();
  } else {
    MVC_ASSIGN_OR_RETURN(std::string blob, GitBlobHexOfFile(full));
    key = "blob:" + blob;
  }
  cache.Set(file.path, file.stat, key);
  return key;
}

}  // namespace mvc::internal
