#include "refs/layer_names.h"

#include <array>
#include <vector>

namespace mvc {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the prefix of `c` through the digits of `<stem>[_]N` when the component
// has that form (followed by nothing or '_'), else 0.
size_t IndexedStemEnd(std::string_view c) {
  static constexpr std::array<std::string_view, 6> kStems = {"layers", "layer", "blocks", "block", "stage", "h"};
  for (std::string_view stem : kStems) {
    if (c.substr(0, stem.size()) != stem) continue;
    size_t i = stem.size();
    if (i < c.size() && c[i] == '_') ++i;
    size_t digits = i;
    while (digits < c.size() && IsDigit(c[digits])) ++digits;
    if (digits == i) continue;
    if (digits == c.size() || c[digits] == '_') return digits;
  }
  return 0;
}

}  // namespace

std::string LayerOf(std::string_view name) {
  // Component boundaries as [begin, end) offsets into `name`, so the group keeps the
  // name's own separators.
  std::vector<std::pair<size_t, size_t>> parts;
  size_t begin = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.' || name[i] == '/') {
      parts.emplace_back(begin, i);
      begin = i + 1;
    }
  }
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string_view c = name.substr(parts[k].first, parts[k].second - parts[k].first);
    bool all_digits = !c.empty();
    for (char ch : c) all_digits = all_digits && IsDigit(ch);
    if (all_digits && k > 0) return std::string(name.substr(0, parts[k].second));
    if (size_t end = IndexedStemEnd(c); end > 0) return std::string(name.substr(0, parts[k].first + end));
  }
  for (size_t k = 0; k + 1 < parts.size(); ++k) {
    if (name.substr(parts[k].first, parts[k].second - parts[k].first) == "embeddings") {
      return std::string(name.substr(0, parts[k].second));
    }
  }
  if (parts.size() <= 1) return std::string(name);
  return std::string(name.substr(0, parts[parts.size() - 2].second));
}

}  // namespace mvc
