// tests/reliability/reliability_util.h: helpers for the reliability suite: run `mvc`
// in the background and kill it, build distinct real-model versions, and verify a
// repository (fsck when the verb exists, checkout + byte comparison always).
//
//   pid_t pid = SpawnMvc(work, {"commit", "-m", "v2"});
//   bool killed = KillAfter(pid, std::chrono::microseconds(1500));
//   CHECK(HeadId(work) == old_head);
#ifndef MVC_TESTS_RELIABILITY_RELIABILITY_UTIL_H_
#define MVC_TESTS_RELIABILITY_RELIABILITY_UTIL_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "tests/cli/cli_runner.h"

namespace mvc::testing {

// Starts MVC_BINARY with `args` in `cwd` without waiting; stdout/stderr go to
// `log_path` (or /dev/null when empty).
pid_t SpawnMvc(const std::string& cwd, const std::vector<std::string>& args, const std::string& log_path = "");

// Starts `/bin/sh -c script` in `cwd` without waiting ($MVC names the binary);
// stdout/stderr go to `log_path`.
pid_t SpawnShell(const std::string& cwd, const std::string& script, const std::string& log_path);

// Waits `delay`, then SIGKILLs `pid` if it is still running, and reaps it. Returns
// true when the kill landed (the process had not exited yet); when it had, and
// `finished_after` is given, stores how long after the call it exited.
bool KillAfter(pid_t pid, std::chrono::microseconds delay, std::chrono::microseconds* finished_after = nullptr);

// Waits for `pid`; returns its exit code (128 + signal when killed).
int WaitExit(pid_t pid);

// `mvc rev-parse REV` in `work`, or "" when it fails.
std::string RevParse(const std::string& work, const std::string& rev);

// True when this build of mvc has `verb` (`mvc VERB --help` exits 0).
bool HasVerb(const std::string& verb);

// A distinct version of a real f32/bf16 checkpoint: the file's bytes with the low
// mantissa byte of one element in every 1024 xor'ed with a value derived from `seed`,
// so every 4 MiB chunk differs from every other version's (no dedup shortcut) while
// staying a valid, realistic model. seed 0 returns the file unchanged.
Bytes MakeVersion(const std::string& source_path, uint32_t seed);

// Checks out `rev` (with --force) in `work` and compares `path` with `expected`.
// Returns "" on success, else a one-line description of what went wrong.
std::string CheckoutMatches(const std::string& work, const std::string& rev, const std::string& path,
                            const Bytes& expected);

// Runs `mvc fsck` when the verb exists; returns the result (exit_code -1 when absent).
RunResult FsckIfAvailable(const std::string& work);

// Flips (xor 0xFF ^ k) `count` bytes of `path` at the given offsets.
void FlipBytes(const std::string& path, const std::vector<uint64_t>& offsets);

}  // namespace mvc::testing

#endif  // MVC_TESTS_RELIABILITY_RELIABILITY_UTIL_H_
