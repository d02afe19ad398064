// mvc ls-tensors: the tensors of a commit (optionally one file), one per line.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddLsTensors(CLI::App& sub, Action& run) {
  struct Args {
    std::string revision = "HEAD";
    std::string file;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("revision", args->revision, "Commit (default HEAD)");
  sub.add_option("file", args->file, "Only this file of the commit");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(GitId id, repo->ResolveCommit(args->revision));
      MVC_ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo->ListFiles(id));
      nlohmann::json out = nlohmann::json::array();
      bool found = args->file.empty();
      for (const TreeFile& f : files) {
        if (!f.manifest || (!args->file.empty() && f.path != args->file)) continue;
        found = true;
        for (const ManifestTensor& t : f.manifest->tensors) {
          if (args->json) {
            out.push_back({{"file", f.path}, {"name", t.name}, {"dtype", DtypeName(t.dtype)}, {"shape", t.shape},
                           {"bytes", t.num_bytes}, {"id", t.id.ToHex()}, {"encoding", t.encoding}});
          } else {
            std::cout << t.id.ShortHex(12) << "  " << DtypeName(t.dtype) << "  " << FormatShape(t.shape) << "  "
                      << f.path << ":" << t.name << "\n";
          }
        }
      }
      if (!found) return Status::NotFound("no model file '" + args->file + "' in " + args->revision);
      if (args->json) PrintJson(out);
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
