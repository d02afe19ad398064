#include "refs/revision.h"

#include <string>

namespace mvc {
namespace {

Status Unknown(std::string_view rev) { return Status::NotFound("unknown revision '" + std::string(rev) + "'"); }

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// Resolves the part before any '~'/'^'. nullopt from a lookup means "try the next".
Result<GitId> ResolveBase(History& history, std::string_view base, std::string_view rev) {
  if (base == "HEAD" || base == "@") {
    MVC_ASSIGN_OR_RETURN(History::Head head, history.ReadHead());
    if (!head.commit) return Status::NotFound("HEAD has no commits yet");
    return *head.commit;
  }
  // git's ref_rev_parse_rules, in order (refs.c).
  const std::string name(base);
  for (const std::string& candidate : {name, "refs/" + name, "refs/tags/" + name, "refs/heads/" + name,
                                       "refs/remotes/" + name, "refs/remotes/" + name + "/HEAD"}) {
    Result<std::optional<GitId>> id = history.ReadRef(candidate);
    if (!id.ok()) {
      if (id.status().code() == StatusCode::kInvalidArgument) continue;  // not a valid refname
      return id.status();
    }
    if (*id) return **id;
  }
  if (base.size() >= 4 && base.size() <= GitId::kHexSize && IsHex(base)) {
    Result<GitId> id = history.ExpandCommitPrefix(base);
    if (id.ok() || id.status().code() != StatusCode::kNotFound) return id;
  }
  return Unknown(rev);
}

// Parses the decimal digits at the front of `s` (advancing it); `fallback` if none.
// nullopt on overflow (more than 9 digits).
std::optional<unsigned> ParseCount(std::string_view& s, unsigned fallback) {
  size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0) return fallback;
  if (n > 9) return std::nullopt;
  unsigned value = 0;
  for (size_t i = 0; i < n; ++i) value = value * 10 + static_cast<unsigned>(s[i] - '0');
  s.remove_prefix(n);
  return value;
}

}  // namespace

Result<GitId> ResolveRevision(History& history, std::string_view rev) {
  // '~' and '^' cannot occur in a refname, so the first one starts the suffixes.
  const size_t split = rev.find_first_of("~^");
  const std::string_view base = rev.substr(0, split);
  if (base.empty()) return Unknown(rev);
  MVC_ASSIGN_OR_RETURN(GitId id, ResolveBase(history, base, rev));

  // Peel check: the base must name a commit (a ref could point at a blob or tree).
  Result<History::CommitInfo> commit = history.ReadCommit(id);
  if (!commit.ok()) {
    if (commit.status().code() != StatusCode::kNotFound) return commit.status();
    return Status::InvalidArgument("revision '" + std::string(rev) + "' names " + id.ToHex() +
                                   ", which is not a commit");
  }

  std::string_view suffix = split == std::string_view::npos ? std::string_view() : rev.substr(split);
  while (!suffix.empty()) {
    const char op = suffix.front();
    suffix.remove_prefix(1);
    std::optional<unsigned> count = ParseCount(suffix, 1);
    if (!count) return Unknown(rev);
    if (op == '~') {
      for (unsigned i = 0; i < *count; ++i) {
        if (commit->parents.empty()) {
          return Status::NotFound("revision '" + std::string(rev) + "' goes past the root commit");
        }
        MVC_ASSIGN_OR_RETURN(*commit, history.ReadCommit(commit->parents[0]));
      }
    } else if (op == '^') {
      if (*count == 0) continue;
      if (commit->parents.size() < *count) {
        if (*count == 1) return Status::NotFound("revision '" + std::string(rev) + "' goes past the root commit");
        return Status::NotFound("revision '" + std::string(rev) + "': commit " + commit->id.ShortHex() +
                                " has no parent " + std::to_string(*count));
      }
      MVC_ASSIGN_OR_RETURN(*commit, history.ReadCommit(commit->parents[*count - 1]));
    } else {
      return Unknown(rev);
    }
  }
  return commit->id;
}

}  // namespace mvc
