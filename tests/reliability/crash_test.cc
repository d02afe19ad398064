// Crash consistency: `mvc commit` (and `mvc gc` when it exists) killed with SIGKILL at
// random moments, many times, on a real 13 MB checkpoint. After every kill: HEAD is the
// old commit or the new one (whose parent is the old), the lock is free again,
// `mvc status` works, `mvc fsck` (when it exists) is clean; at the end every commit
// that landed checks out byte for byte.
//
// Rounds: MVC_CRASH_ROUNDS (default 24); seed: MVC_CRASH_SEED (default 1). The kill
// delay is uniform in [0, MVC_CRASH_DELAY_FACTOR (default 1.5) x the longest of three
// uninterrupted commits]: a factor a little over 1 lets some rounds finish, so that
// later rounds also start from a HEAD that an earlier round moved.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>

#include "tests/reliability/reliability_util.h"
#include "tests/testing/test_util.h"

namespace mvc::testing {
namespace {

using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

struct Version {
  std::string commit;
  std::string source;
  uint32_t seed;
};

TEST_CASE("commit and gc killed at random moments never lose or corrupt a committed version") {
  const int rounds = EnvInt("MVC_CRASH_ROUNDS", 24);
  const int seed = EnvInt("MVC_CRASH_SEED", 1);
  const char* factor_env = std::getenv("MVC_CRASH_DELAY_FACTOR");
  const double factor = factor_env && *factor_env ? std::atof(factor_env) : 1.5;
  std::mt19937_64 rng(static_cast<uint64_t>(seed));
  const std::string sources[2] = {SharedDataPath("run/step_000180.weights.f32.safetensors"),
                                  SharedDataPath("run/step_000240.weights.f32.safetensors")};
  TempDir dir;
  const std::string work = dir.path();
  const std::string model = "model.safetensors";
  REQUIRE(RunMvc(work, {"init"}).exit_code == 0);

  // Versions 1..3, uninterrupted and timed: the kill delay is drawn from [0, the
  // longest of them]. Versions 2 and 3 take the path the rounds take (delta against
  // a parent with different bytes in every chunk).
  std::vector<Version> landed;
  int64_t commit_us = 0;
  std::string timings;
  for (uint32_t v = 1; v <= 3; ++v) {
    WriteFileBytes(work + "/" + model, MakeVersion(sources[v % 2], v));
    auto t0 = Clock::now();
    RunResult c = RunMvc(work, {"commit", "-m", "v" + std::to_string(v)});
    int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    INFO(c.err);
    REQUIRE(c.exit_code == 0);
    commit_us = std::max(commit_us, us);
    timings += (v > 1 ? ", " : "") + std::to_string(us / 1000);
    landed.push_back({RevParse(work, "HEAD"), sources[v % 2], v});
  }
  const bool have_gc = HasVerb("gc");
  const bool have_fsck = HasVerb("fsck");
  int64_t gc_us = 0;
  if (have_gc) {
    auto t0 = Clock::now();
    RunResult gc = RunMvc(work, {"gc"});
    INFO(gc.err);
    REQUIRE(gc.exit_code == 0);
    gc_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
  }
  std::cout << "uninterrupted commits: " << timings << " ms; gc: "
            << (have_gc ? std::to_string(gc_us / 1000) + " ms" : std::string("not built"))
            << "; fsck: " << (have_fsck ? "yes" : "not built") << std::endl;

  int run = 0, survived = 0, killed = 0, gc_rounds = 0;
  std::string finished_ms;  // how long the rounds that finished before their kill took
  uint32_t next_seed = 4;
  for (int round = 0; round < rounds; ++round) {
    const std::string old_head = RevParse(work, "HEAD");
    REQUIRE(!old_head.empty());
    const bool gc_round = have_gc && round % 4 == 3;
    Version candidate{"", sources[next_seed % 2], next_seed};
    pid_t pid;
    int64_t budget_us;
    if (gc_round) {
      pid = SpawnMvc(work, {"gc"});
      budget_us = gc_us;
      gc_rounds++;
    } else {
      WriteFileBytes(work + "/" + model, MakeVersion(candidate.source, candidate.seed));
      next_seed++;
      pid = SpawnMvc(work, {"commit", "-m", "round " + std::to_string(round)});
      budget_us = commit_us;
    }
    std::uniform_int_distribution<int64_t> delay(0, std::max<int64_t>(static_cast<int64_t>(budget_us * factor), 1));
    int64_t d = delay(rng);
    std::chrono::microseconds took{0};
    bool was_killed = KillAfter(pid, std::chrono::microseconds(d), &took);
    if (!was_killed) finished_ms += std::to_string(took.count() / 1000) + " ";
    killed += was_killed;
    run++;

    // HEAD is the old commit, or (a commit that landed) a child of it.
    std::string head = RevParse(work, "HEAD");
    INFO("round " << round << (gc_round ? " (gc)" : " (commit)") << ", killed after " << d << " us");
    bool ok = !head.empty();
    if (ok && head != old_head) {
      ok = !gc_round && RevParse(work, "HEAD~1") == old_head;
      candidate.commit = head;
      if (ok) landed.push_back(candidate);
    }
    CHECK_MESSAGE(ok, "HEAD " << head << " is neither " << old_head << " nor its child");
    // The lock died with the process: reads and writes work at once.
    RunResult status = RunMvc(work, {"status", "--porcelain"});
    CHECK_MESSAGE(status.exit_code == 0, status.err);
    ok = ok && status.exit_code == 0;
    if (have_fsck) {
      RunResult fsck = RunMvc(work, {"fsck"});
      CHECK_MESSAGE(fsck.exit_code == 0, fsck.out << fsck.err);
      ok = ok && fsck.exit_code == 0;
    }
    survived += ok;
  }

  // No stale lock or half-written state blocks the next writer: one more commit lands.
  {
    WriteFileBytes(work + "/" + model, MakeVersion(sources[next_seed % 2], next_seed));
    RunResult c = RunMvc(work, {"commit", "-m", "after the rounds"});
    CHECK_MESSAGE(c.exit_code == 0, c.err);
    if (c.exit_code == 0) landed.push_back({RevParse(work, "HEAD"), sources[next_seed % 2], next_seed});
  }
  // Every version that ever landed checks out byte for byte.
  int verified = 0;
  for (const Version& v : landed) {
    std::string problem = CheckoutMatches(work, v.commit, model, MakeVersion(v.source, v.seed));
    CHECK_MESSAGE(problem.empty(), problem);
    verified += problem.empty();
  }
  if (have_fsck) {
    RunResult fsck = RunMvc(work, {"fsck"});
    CHECK_MESSAGE(fsck.exit_code == 0, fsck.out << fsck.err);
  }
  CHECK(verified == static_cast<int>(landed.size()));
  std::cout << "crash rounds: " << run << " run, " << survived << " survived (" << killed << " killed mid-run, "
            << gc_rounds << " gc rounds; " << landed.size() << " versions landed, " << verified
            << " checked out byte for byte; fsck " << (have_fsck ? "on" : "not built") << ")" << std::endl;
  if (!finished_ms.empty()) std::cout << "rounds that finished before the kill took (ms): " << finished_ms << std::endl;
  CHECK(survived == run);
}

}  // namespace
}  // namespace mvc::testing
