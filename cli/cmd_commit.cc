// mvc commit: record the worktree as a new commit.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"

namespace mvc::cli {

void AddCommit(CLI::App& sub, Action& run) {
  struct Args {
    std::string message;
    bool allow_empty = false;
    bool no_delta = false;
    uint32_t max_depth = 8;
    std::string policy = "lossless";
    double max_rel_error = -1;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("-m,--message", args->message, "Commit message")->required();
  sub.add_flag("--allow-empty", args->allow_empty, "Commit even if nothing changed");
  sub.add_flag("--no-delta", args->no_delta, "Store every new tensor fully (no delta against the parent)");
  sub.add_option("--max-delta-depth", args->max_depth, "Longest delta chain before a full copy (default 8)");
  sub.add_option("--policy", args->policy,
                 "lossless (default), or near-lossless for float tensors: bfp:M (block floating point, "
                 "M mantissa bits, default 7), aligned:int16, aligned:int32");
  sub.add_option("--max-rel-error", args->max_rel_error,
                 "Near-lossless: per float tensor, the cheapest encoding whose relative L2 error is at most this");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      Progress progress;
      CommitOptions options;
      options.message = args->message;
      options.allow_empty = args->allow_empty;
      options.allow_delta = !args->no_delta;
      options.max_delta_depth = args->max_depth;
      MVC_ASSIGN_OR_RETURN(options.policy, ParseLossyPolicy(args->policy));
      if (args->max_rel_error >= 0) options.max_rel_error = args->max_rel_error;
      options.progress = progress.Callback();
      MVC_ASSIGN_OR_RETURN(CommitResult r, repo->Commit(options));
      if (args->json) {
        PrintJson({{"created", r.created}, {"commit", r.commit.ToHex()}, {"branch", r.branch},
                   {"files", r.files}, {"tensors", r.tensors}, {"raw_bytes", r.raw_bytes},
                   {"stored_bytes", r.stored_bytes}, {"chunks_written", r.chunks_written}});
        return Status::Ok();
      }
      if (!r.created) {
        std::cout << "nothing to commit, worktree matches HEAD" << (r.branch.empty() ? "" : " (" + r.branch + ")")
                  << "\n";
        return Status::Ok();
      }
      std::cout << "[" << (r.branch.empty() ? "detached HEAD" : r.branch) << " " << r.commit.ShortHex(12) << "] "
                << args->message.substr(0, args->message.find('\n')) << "\n"
                << " " << r.files << " files, " << r.tensors << " tensors, " << HumanBytes(r.raw_bytes)
                << " -> stored " << HumanBytes(r.stored_bytes) << " new (" << Percent(r.stored_bytes, r.raw_bytes)
                << ")\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
