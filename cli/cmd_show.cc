// mvc show: one commit in detail: per file, per tensor, encoding and stored size.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

namespace {

nlohmann::json TensorJson(const ManifestTensor& t) {
  return {{"name", t.name},         {"dtype", DtypeName(t.dtype)}, {"shape", t.shape},
          {"bytes", t.num_bytes},   {"id", t.id.ToHex()},          {"encoding", t.encoding},
          {"base", t.base_id ? nlohmann::json(t.base_id->ToHex()) : nlohmann::json(nullptr)},
          {"delta_depth", t.delta_depth}, {"stored_bytes", t.stored_bytes},
          {"lossy", t.lossy ? nlohmann::json{{"policy", t.lossy->policy}, {"rel_l2", t.lossy->rel_l2},
                                             {"max_abs_error", t.lossy->max_abs_error}}
                            : nlohmann::json(nullptr)}};
}

}  // namespace

void AddShow(CLI::App& sub, Action& run) {
  struct Args {
    std::string revision = "HEAD";
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("revision", args->revision, "Commit to show (default HEAD)");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(GitId id, repo->ResolveCommit(args->revision));
      MVC_ASSIGN_OR_RETURN(History::CommitInfo info, repo->history().ReadCommit(id));
      MVC_ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo->ListFiles(id));
      if (args->json) {
        nlohmann::json jfiles = nlohmann::json::array();
        for (const TreeFile& f : files) {
          nlohmann::json jf = {{"path", f.path}, {"size", f.size}, {"model", f.is_model}};
          if (f.manifest) {
            nlohmann::json tensors = nlohmann::json::array();
            for (const ManifestTensor& t : f.manifest->tensors) tensors.push_back(TensorJson(t));
            jf["file_id"] = f.manifest->file_id.ToHex();
            jf["tensors"] = std::move(tensors);
          }
          jfiles.push_back(std::move(jf));
        }
        PrintJson({{"commit", id.ToHex()}, {"tree", info.tree.ToHex()}, {"author", info.author.name},
                   {"email", info.author.email}, {"time", info.author.time_seconds}, {"message", info.message},
                   {"files", jfiles}});
        return Status::Ok();
      }
      std::cout << "commit " << id.ToHex() << "\n"
                << "Author: " << info.author.name << " <" << info.author.email << ">\n"
                << "Date:   " << FormatTime(info.author.time_seconds, info.author.offset_minutes) << "\n\n    "
                << info.message.substr(0, info.message.find('\n')) << "\n\n";
      for (const TreeFile& f : files) {
        if (!f.manifest) {
          std::cout << f.path << "  (" << HumanBytes(f.size) << ")\n";
          continue;
        }
        uint64_t stored = 0;
        for (const ManifestTensor& t : f.manifest->tensors) stored += t.stored_bytes;
        std::cout << f.path << "  (" << HumanBytes(f.size) << ", " << f.manifest->tensors.size()
                  << " tensors, +" << HumanBytes(stored) << " stored in this commit)\n";
        for (const ManifestTensor& t : f.manifest->tensors) {
          std::cout << "  " << t.name << "  " << DtypeName(t.dtype) << " " << FormatShape(t.shape) << "  "
                    << t.encoding;
          if (t.base_id) std::cout << " (base " << t.base_id->ShortHex(12) << ", depth " << t.delta_depth << ")";
          std::cout << "  " << HumanBytes(t.num_bytes) << " -> " << HumanBytes(t.stored_bytes);
          if (t.stored_bytes > 0) std::cout << " (" << Percent(t.stored_bytes, t.num_bytes) << ")";
          if (t.lossy) {
            std::cout << "  approximate " << t.lossy->policy << ": relative L2 " << t.lossy->rel_l2
                      << ", max |error| " << t.lossy->max_abs_error;
          }
          std::cout << "\n";
        }
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
