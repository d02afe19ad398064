// mvc fsck: verify every reachable object; one line per problem, exit 1 if any.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "refs/fsck.h"

namespace mvc::cli {

namespace {

nlohmann::json ProblemJson(const IntegrityProblem& p) {
  return {{"kind", p.kind == IntegrityProblem::Kind::kMissing ? "missing" : "corrupt"},
          {"object", p.object},
          {"where", p.where},
          {"detail", p.detail},
          {"message", p.ToString()}};
}

}  // namespace

void AddFsck(CLI::App& sub, Action& run) {
  struct Args {
    bool json = false;
    bool quick = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.add_flag("--quick", args->quick, "Check records and chunk headers only; do not decode chunks");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      Progress progress;
      FsckOptions options;
      options.decode_chunks = !args->quick;
      options.progress = progress.Callback();
      MVC_ASSIGN_OR_RETURN(FsckResult r, Fsck(*repo, options));
      if (args->json) {
        nlohmann::json problems = nlohmann::json::array(), warnings = nlohmann::json::array();
        for (const IntegrityProblem& p : r.problems) problems.push_back(ProblemJson(p));
        for (const IntegrityProblem& p : r.warnings) warnings.push_back(ProblemJson(p));
        PrintJson({{"commits", r.commits},
                   {"files", r.files},
                   {"tensors", r.tensors},
                   {"chunks", r.chunks},
                   {"unreachable_objects", r.unreachable_objects},
                   {"problems", problems},
                   {"warnings", warnings}});
      } else {
        for (const IntegrityProblem& p : r.problems) std::cout << p.ToString() << "\n";
        for (const IntegrityProblem& p : r.warnings) std::cout << "warning: " << p.ToString() << "\n";
        std::cout << "fsck: " << r.commits << " commits, " << r.files << " files, " << r.tensors << " tensors, "
                  << r.chunks << " chunks checked, " << r.problems.size() << " problems";
        if (r.unreachable_objects > 0) std::cout << " (" << r.unreachable_objects << " unreachable objects)";
        std::cout << "\n";
      }
      if (!r.problems.empty()) {
        return Status::Corruption("fsck found " + std::to_string(r.problems.size()) + " problems");
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
