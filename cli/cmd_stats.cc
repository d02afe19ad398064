// mvc stats: logical vs physical size, dedup and codec breakdown.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "refs/repo_stats.h"

namespace mvc::cli {

namespace {

nlohmann::json UsageJson(const CodecUsage& u) {
  return {{"chunks", u.chunks}, {"raw_bytes", u.raw_bytes}, {"stored_bytes", u.stored_bytes}};
}

std::string Ratio(uint64_t a, uint64_t b) {
  if (b == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fx", double(a) / double(b));
  return buf;
}

}  // namespace

void AddStats(CLI::App& sub, Action& run) {
  struct Args {
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  sub.add_flag("--json", args->json, "Machine-readable output");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(RepoStats s, ComputeRepoStats(*repo));
      if (args->json) {
        nlohmann::json codecs = nlohmann::json::object();
        for (const auto& [name, u] : s.codecs) codecs[name] = UsageJson(u);
        PrintJson({{"commits", s.commits},
                   {"files", s.files},
                   {"logical_bytes", s.logical_bytes},
                   {"logical_model_bytes", s.logical_model_bytes},
                   {"unique_tensors", s.unique_tensors},
                   {"unique_tensor_raw_bytes", s.unique_tensor_raw_bytes},
                   {"unique_chunks", s.unique_chunks},
                   {"unique_chunk_raw_bytes", s.unique_chunk_raw_bytes},
                   {"tensor_record_bytes", s.tensor_record_bytes},
                   {"codecs", codecs},
                   {"full", UsageJson(s.full)},
                   {"delta", UsageJson(s.delta)},
                   {"unreachable_objects", s.unreachable_objects},
                   {"unreachable_bytes", s.unreachable_bytes},
                   {"store_objects", s.store_objects},
                   {"store_bytes", s.store_bytes},
                   {"store_disk_bytes", s.store_disk_bytes},
                   {"history_disk_bytes", s.history_disk_bytes},
                   {"physical_bytes", s.physical_bytes},
                   {"problems", s.problems}});
        return Status::Ok();
      }
      std::cout << "commits          " << s.commits << " (" << s.files << " files)\n"
                << "logical size     " << HumanBytes(s.logical_bytes) << " (models "
                << HumanBytes(s.logical_model_bytes) << ")\n"
                << "unique tensors   " << s.unique_tensors << ", " << HumanBytes(s.unique_tensor_raw_bytes)
                << " raw (dedup " << Ratio(s.logical_model_bytes, s.unique_tensor_raw_bytes) << ")\n"
                << "unique chunks    " << s.unique_chunks << ", " << HumanBytes(s.unique_chunk_raw_bytes) << " raw\n"
                << "stored objects   " << s.store_objects << ", " << HumanBytes(s.store_bytes) << " ("
                << Percent(s.store_bytes, s.logical_bytes) << " of logical, "
                << Ratio(s.logical_bytes, s.store_bytes) << " smaller)\n"
                << "physical size    " << HumanBytes(s.physical_bytes) << " (objects "
                << HumanBytes(s.store_disk_bytes) << ", history " << HumanBytes(s.history_disk_bytes) << ")\n"
                << "\n"
                << "codec                      chunks          raw       stored   ratio\n";
      auto row = [](const std::string& name, const CodecUsage& u) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%-22s %10llu %12s %12s  %6s\n", name.c_str(),
                      static_cast<unsigned long long>(u.chunks), HumanBytes(u.raw_bytes).c_str(),
                      HumanBytes(u.stored_bytes).c_str(), Percent(u.stored_bytes, u.raw_bytes).c_str());
        std::cout << buf;
      };
      for (const auto& [name, u] : s.codecs) row(name, u);
      row("(full)", s.full);
      row("(delta)", s.delta);
      std::cout << "tensor records         " << HumanBytes(s.tensor_record_bytes) << "\n";
      if (s.unreachable_objects > 0) {
        std::cout << "unreachable            " << s.unreachable_objects << " objects, "
                  << HumanBytes(s.unreachable_bytes) << " (mvc gc deletes them)\n";
      }
      if (s.problems > 0) std::cout << "warning: " << s.problems << " problems met; run mvc fsck\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
