// mvc: version control for neural-network weights. Parses the command line and runs
// one command; the only place a Status becomes a message on stderr and an exit code.
#include <malloc.h>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace mvc::cli;
  // Chunk buffers are a few MiB each: keep them on mmap so freed ones go back to the
  // system at once (glibc's adaptive threshold would otherwise park them in arenas and
  // make peak memory depend on how many passed through).
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  CLI::App app{"mvc: git-like version control for neural-network weights"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("mvc 0.1.0"));
  Action run;
  for (const Command& c : kCommands) {
    CLI::App* sub = app.add_subcommand(std::string(c.name), std::string(c.summary));
    sub->group(c.plumbing ? "Plumbing commands" : "Commands");
    c.add(*sub, run);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, or the parse error
    return code == 0 ? kExitOk : kExitUserError;
  }
  if (!run) return kExitInternal;
  mvc::Status status = run();
  if (!status.ok()) {
    std::fprintf(stderr, "mvc: error: %s\n", status.message().c_str());
  }
  return ExitCodeFor(status);
}
