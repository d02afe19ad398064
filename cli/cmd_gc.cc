// mvc gc: delete objects no ref or reflog can reach.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "refs/gc.h"

namespace mvc::cli {

void AddGc(CLI::App& sub, Action& run) {
  struct Args {
    bool dry_run = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_flag("-n,--dry-run", args->dry_run, "Only report what would be deleted");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      Progress progress;
      GcOptions options;
      options.dry_run = args->dry_run;
      options.progress = progress.Callback();
      MVC_ASSIGN_OR_RETURN(GcResult r, Gc(*repo, options));
      if (args->json) {
        PrintJson({{"dry_run", args->dry_run},
                   {"objects_before", r.objects_before},
                   {"objects_garbage", r.objects_garbage},
                   {"bytes_garbage", r.bytes_garbage},
                   {"objects_deleted", r.objects_deleted},
                   {"bytes_freed", r.bytes_freed},
                   {"objects_kept", r.objects_kept}});
        return Status::Ok();
      }
      if (args->dry_run) {
        std::cout << "gc: would delete " << r.objects_garbage << " of " << r.objects_before << " objects ("
                  << HumanBytes(r.bytes_garbage) << ")\n";
      } else {
        std::cout << "gc: deleted " << r.objects_deleted << " of " << r.objects_before << " objects, freed "
                  << HumanBytes(r.bytes_freed) << " (" << r.bytes_freed << " bytes)";
        if (r.bytes_freed > 0) std::cout << "; the store file keeps its size and reuses the space";
        std::cout << "\n";
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
