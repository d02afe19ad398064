// mvc gc: delete objects no ref or reflog can reach, then compact the store file.
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "refs/gc.h"

namespace mvc::cli {

void AddGc(CLI::App& sub, Action& run) {
  struct Args {
    bool dry_run = false;
    bool json = false;
    bool no_compact = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_flag("-n,--dry-run", args->dry_run, "Only report what would be deleted");
  sub.add_flag("--no-compact", args->no_compact, "Delete only; leave the store file's size as it is");
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      Progress progress;
      GcOptions options;
      options.dry_run = args->dry_run;
      options.compact = !args->no_compact;
      options.progress = progress.Callback();
      MVC_ASSIGN_OR_RETURN(GcResult r, Gc(*repo, options));
      if (args->json) {
        PrintJson({{"dry_run", args->dry_run},
                   {"objects_before", r.objects_before},
                   {"objects_garbage", r.objects_garbage},
                   {"bytes_garbage", r.bytes_garbage},
                   {"objects_deleted", r.objects_deleted},
                   {"bytes_freed", r.bytes_freed},
                   {"objects_kept", r.objects_kept},
                   {"compacted", r.compacted},
                   {"store_bytes_before", r.store_bytes_before},
                   {"store_bytes_after", r.store_bytes_after},
                   {"compact_skipped", r.compact_skipped}});
        return Status::Ok();
      }
      if (args->dry_run) {
        std::cout << "gc: would delete " << r.objects_garbage << " of " << r.objects_before << " objects ("
                  << HumanBytes(r.bytes_garbage) << ")\n";
      } else {
        std::cout << "gc: deleted " << r.objects_deleted << " of " << r.objects_before << " objects, freed "
                  << HumanBytes(r.bytes_freed) << " (" << r.bytes_freed << " bytes)";
        std::cout << "\n";
        if (r.compacted) {
          std::cout << "gc: compacted the store file from " << HumanBytes(r.store_bytes_before) << " to "
                    << HumanBytes(r.store_bytes_after) << " (" << r.store_bytes_before << " -> "
                    << r.store_bytes_after << " bytes)\n";
        } else if (!r.compact_skipped.empty()) {
          std::cout << "gc: store file not compacted: " << r.compact_skipped << "\n";
        }
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
