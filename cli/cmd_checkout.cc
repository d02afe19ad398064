// mvc checkout: switch the worktree to a branch or commit.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddCheckout(CLI::App& sub, Action& run) {
  struct Args {
    std::string revision;
    std::string new_branch;
    bool force = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("revision", args->revision, "Branch, tag or commit (with -b: the start point, default HEAD)");
  sub.add_option("-b", args->new_branch, "Create this branch at the revision and switch to it");
  sub.add_flag("-f,--force", args->force, "Overwrite uncommitted changes");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      if (args->revision.empty() && args->new_branch.empty()) {
        return Status::InvalidArgument("checkout needs a revision (or -b NAME)");
      }
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      Progress progress;
      CheckoutOptions options;
      options.force = args->force;
      if (!args->new_branch.empty()) options.new_branch = args->new_branch;
      options.progress = progress.Callback();
      std::string revision = args->revision.empty() ? "HEAD" : args->revision;
      MVC_ASSIGN_OR_RETURN(CheckoutResult r, repo->Checkout(revision, options));
      if (!args->new_branch.empty()) {
        std::cout << "Switched to a new branch '" << r.branch << "'";
      } else if (!r.branch.empty()) {
        std::cout << "Switched to branch '" << r.branch << "'";
      } else {
        std::cout << "HEAD is now at " << r.commit.ShortHex(12) << " (detached)";
      }
      std::cout << ": " << r.files_written << " files written (" << HumanBytes(r.bytes_written) << "), "
                << r.files_removed << " removed\n";
      if (!r.approximate.empty()) {
        std::cout << r.approximate.size() << " tensors are approximate (committed with a near-lossless policy):\n";
        for (const auto& a : r.approximate) {
          std::cout << "  " << a.file << ":" << a.tensor << "  " << a.lossy.policy << "  relative L2 "
                    << a.lossy.rel_l2 << ", max |error| " << a.lossy.max_abs_error << "\n";
        }
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
