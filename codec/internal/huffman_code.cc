#include "codec/internal/huffman_code.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

namespace mvc::codec_internal {
namespace {

constexpr int kSymbolBits = 11;  // a leaf sorts as (frequency << 11) | symbol
static_assert(kMaxHuffmanSymbols == 1 << kSymbolBits);

// Sorts leaves ascending by insertion: near-linear on nearly sorted input.
void InsertionSort(uint64_t* leaves, int m) {
  for (int k = 1; k < m; ++k) {
    const uint64_t x = leaves[k];
    int j = k - 1;
    for (; j >= 0 && leaves[j] > x; --j) leaves[j + 1] = leaves[j];
    leaves[j + 1] = x;
  }
}

// Sorts leaves (frequency << kSymbolBits | symbol) gathered in symbol order into
// ascending order: a stable least-significant-digit radix sort on the frequency's
// bytes, skipping bytes where every leaf agrees (two passes for chunks of under 2^16
// elements). std::sort took half of BuildLengths' time on the 128-2048-symbol
// alphabets of F16 chunks; few leaves go by insertion. `spare` holds m leaves.
void SortLeaves(uint64_t* leaves, int m, uint64_t* spare) {
  if (m < 32) return InsertionSort(leaves, m);
  uint64_t any = 0, all = ~uint64_t{0};
  for (int k = 0; k < m; ++k) { any |= leaves[k]; all &= leaves[k]; }
  const uint64_t varying = (any ^ all) >> kSymbolBits;
  uint64_t* from = leaves;
  uint64_t* to = spare;
  for (int shift = 0; (varying >> shift) != 0; shift += 8) {
    if (((varying >> shift) & 0xFF) == 0) continue;
    const int at = kSymbolBits + shift;
    uint32_t start[256] = {0};
    for (int k = 0; k < m; ++k) ++start[(from[k] >> at) & 0xFF];
    uint32_t sum = 0;
    for (uint32_t& c : start) { const uint32_t n = c; c = sum; sum += n; }
    for (int k = 0; k < m; ++k) to[start[(from[k] >> at) & 0xFF]++] = from[k];
    std::swap(from, to);
  }
  if (from != leaves) std::memcpy(leaves, from, sizeof(uint64_t) * size_t(m));
}

}  // namespace

void BuildLengths(const uint32_t* freq, int a, uint8_t* len) {
  std::memset(len, 0, size_t(a));
  constexpr uint64_t kSymbolMask = (uint64_t{1} << kSymbolBits) - 1;
  // Called per context of every plane: fixed-size buffers, no allocation. A leaf is
  // sorted as one key, frequency above symbol: the order of (frequency, symbol) pairs.
  uint64_t leaves[kMaxHuffmanSymbols];
  int m = 0;
  for (int s = 0; s < a; ++s) if (freq[s]) leaves[m++] = (uint64_t{freq[s]} << kSymbolBits) | unsigned(s);
  if (m == 0) return;
  if (m == 1) { len[leaves[0] & kSymbolMask] = kSoleSymbol; return; }
  uint64_t node_freq[kMaxHuffmanSymbols];  // also SortLeaves' spare buffer
  SortLeaves(leaves, m, node_freq);
  int parent[2 * kMaxHuffmanSymbols];  // leaves 0..m-1, internal nodes m..2m-2
  int depth[2 * kMaxHuffmanSymbols];
  for (;;) {
    // Two-queue Huffman construction over leaves sorted by frequency: no heap.
    int li = 0, ni = 0;
    int built = 0;
    auto pick = [&](uint64_t* f) {
      // Prefer a leaf on ties: shallower trees.
      if (li < m && (ni >= built || (leaves[li] >> kSymbolBits) <= node_freq[ni])) {
        *f = leaves[li] >> kSymbolBits;
        return li++;
      }
      *f = node_freq[ni];
      return m + ni++;
    };
    for (; built < m - 1; ++built) {
      uint64_t f1, f2;
      int x = pick(&f1);
      int y = pick(&f2);
      node_freq[built] = f1 + f2;
      parent[x] = m + built;
      parent[y] = m + built;
    }
    depth[2 * m - 2] = 0;
    int max_len = 0;
    for (int v = 2 * m - 3; v >= 0; --v) depth[v] = depth[parent[v]] + 1;
    for (int k = 0; k < m; ++k) max_len = std::max(max_len, depth[k]);
    if (max_len <= kMaxCodeBits) {
      for (int k = 0; k < m; ++k) len[leaves[k] & kSymbolMask] = static_cast<uint8_t>(depth[k]);
      return;
    }
    // Too deep: halve every frequency (keeping it non-zero) and try again. Halving
    // keeps the order of frequencies, so only new ties can be out of symbol order:
    // an insertion sort restores the (frequency, symbol) order in near-linear time.
    for (int k = 0; k < m; ++k) {
      const uint64_t f = ((leaves[k] >> kSymbolBits) >> 1) | 1;
      leaves[k] = (f << kSymbolBits) | (leaves[k] & kSymbolMask);
    }
    InsertionSort(leaves, m);
  }
}

namespace {

// Bit-reversed bytes: codes are written least significant bit first.
constexpr std::array<uint8_t, 256> kReversedBytes = [] {
  std::array<uint8_t, 256> t{};
  for (unsigned v = 0; v < 256; ++v) {
    unsigned r = 0;
    for (unsigned b = 0; b < 8; ++b) r |= ((v >> b) & 1) << (7 - b);
    t[v] = static_cast<uint8_t>(r);
  }
  return t;
}();

}  // namespace

void BuildCodes(const uint8_t* len, int a, uint16_t* code) {
  unsigned count[kMaxCodeBits + 1] = {0};
  for (int s = 0; s < a; ++s) if (len[s] && len[s] != kSoleSymbol) ++count[len[s]];
  unsigned next[kMaxCodeBits + 2] = {0};
  unsigned c = 0;
  for (int l = 1; l <= kMaxCodeBits; ++l) { c = (c + count[l - 1]) << 1; next[l] = c; }
  for (int s = 0; s < a; ++s) {
    code[s] = 0;
    unsigned l = len[s];
    if (l == 0 || l == kSoleSymbol) continue;
    const unsigned v = next[l]++;  // l <= 11: the low 16 bits reversed, shifted down
    const unsigned r = (unsigned{kReversedBytes[v & 0xFF]} << 8) | kReversedBytes[(v >> 8) & 0xFF];
    code[s] = static_cast<uint16_t>(r >> (16 - l));
  }
}

Status CheckCodeLengths(const uint8_t* len, int a, int* sole) {
  constexpr uint32_t kFull = 1u << kMaxCodeBits;
  uint32_t kraft = 0;
  int used = 0;
  *sole = -1;
  for (int s = 0; s < a; ++s) {
    if (len[s] == 0) continue;
    ++used;
    if (len[s] == kSoleSymbol) { *sole = s; continue; }
    if (len[s] > kMaxCodeBits) return Status::Corruption("code length " + std::to_string(len[s]) + " exceeds 11");
    kraft += kFull >> len[s];
  }
  if (*sole >= 0 && used != 1) return Status::Corruption("sole-symbol marker in a table with other symbols");
  if (kraft > kFull) return Status::Corruption("over-subscribed Huffman table");
  return Status::Ok();
}

}  // namespace mvc::codec_internal
