// mvc export REV -o DIR: write every file of a commit into DIR, verified, without
// touching the worktree, the index or HEAD.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddExport(CLI::App& sub, Action& run) {
  struct Args {
    std::string revision = "HEAD";
    std::string output;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("revision", args->revision, "Commit to export (default HEAD)");
  sub.add_option("-o,--output", args->output, "Directory to write into (must not exist, or be empty)")->required();
  sub.callback([&run, args] {
    run = [args]() -> Status {
      namespace fs = std::filesystem;
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(GitId commit, repo->ResolveCommit(args->revision));
      MVC_ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo->ListFiles(commit));
      std::error_code ec;
      fs::path dir = fs::absolute(args->output, ec);
      if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)) {
          return Status::Conflict("export: " + args->output + " exists and is not an empty directory");
        }
      } else if (!fs::create_directories(dir, ec) || ec) {
        return Status::FromErrno(ec.value(), "export: create " + args->output);
      }
      Progress progress;
      uint64_t bytes = 0;
      for (const TreeFile& f : files) {
        MVC_RETURN_IF_ERROR(repo->ExportFile(f, (dir / f.path).string(), &bytes, progress.Callback()));
      }
      std::cout << "exported " << files.size() << " files (" << HumanBytes(bytes) << ") of commit "
                << commit.ShortHex() << " to " << args->output << "\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
