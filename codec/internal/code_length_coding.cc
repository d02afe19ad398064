#include "codec/internal/code_length_coding.h"

#include <algorithm>
#include <string>

namespace mvc::codec_internal {
namespace {

constexpr unsigned kZeroRunShort = 12;  // x: 2..17 zeros
constexpr unsigned kZeroRunLong = 13;   // x y: 18..273 zeros
constexpr unsigned kRepeat = 14;        // x: previous length 2..17 more times

// Walks the run decomposition once for both the writer and the size estimate.
template <typename Emit>
void ForEachNibble(const uint8_t* len, int a, Emit emit) {
  int s = 0;
  while (s < a) {
    int run = 1;
    while (s + run < a && len[s + run] == len[s]) ++run;
    if (len[s] == 0 && run >= 3) {
      int r = run;
      if (r >= 18) {
        r = std::min(r, 273);
        emit(kZeroRunLong); emit((r - 18) & 15); emit((r - 18) >> 4);
      } else {
        emit(kZeroRunShort); emit(r - 2);
      }
      s += r;
      continue;
    }
    emit(len[s]);
    int left = run - 1;
    while (left >= 3) {
      const int r = std::min(left, 17);
      emit(kRepeat); emit(r - 2);
      left -= r;
    }
    for (; left > 0; --left) emit(len[s]);
    s += run;
  }
}

}  // namespace

std::vector<uint8_t> NibbleWriter::Pack() const {
  std::vector<uint8_t> out((nibbles.size() + 1) / 2, 0);
  for (size_t i = 0; i < nibbles.size(); ++i) out[i / 2] |= static_cast<uint8_t>(nibbles[i] << (4 * (i & 1)));
  return out;
}

void AppendCodeLengths(const uint8_t* len, int a, NibbleWriter* out) {
  ForEachNibble(len, a, [&](unsigned v) { out->Put(v); });
}

size_t CodeLengthNibbles(const uint8_t* len, int a) {
  size_t n = 0;
  ForEachNibble(len, a, [&](unsigned) { ++n; });
  return n;
}

Status ParseCodeLengths(NibbleReader* in, int a, uint8_t* len) {
  int s = 0;
  int prev = -1;
  auto need = [&](unsigned* v) {
    return in->Next(v) ? Status::Ok() : Status::Corruption("code lengths end early");
  };
  while (s < a) {
    unsigned v;
    MVC_RETURN_IF_ERROR(need(&v));
    int run = 0, value = 0;
    if (v == kZeroRunShort || v == kZeroRunLong) {
      unsigned x, y = 0;
      MVC_RETURN_IF_ERROR(need(&x));
      if (v == kZeroRunLong) MVC_RETURN_IF_ERROR(need(&y));
      run = v == kZeroRunShort ? int(x) + 2 : 18 + int(x) + 16 * int(y);
      value = 0;
    } else if (v == kRepeat) {
      unsigned x;
      MVC_RETURN_IF_ERROR(need(&x));
      if (prev < 0) return Status::Corruption("code lengths: a repeat with no length before it");
      run = int(x) + 2;
      value = prev;
    } else {
      run = 1;
      value = int(v);
    }
    if (run > a - s) {
      return Status::Corruption("code lengths: a run of " + std::to_string(run) + " past symbol " +
                                std::to_string(a - 1));
    }
    for (int k = 0; k < run; ++k) len[s + k] = static_cast<uint8_t>(value);
    s += run;
    prev = value;
  }
  return Status::Ok();
}

}  // namespace mvc::codec_internal
