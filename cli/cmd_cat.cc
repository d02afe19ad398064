// mvc cat REV:FILE:TENSOR [-o out.npy]: one tensor of a commit, verified.
//
// Without -o: dtype, shape, id and the first values. With -o: a NumPy .npy file
// (format version 1.0). BF16, F8_E4M3 and F8_E5M2 have no NumPy dtype: they are
// widened to float32 ('<f4'), which is exact; every other dtype is written as is.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/endian_coding.h"

namespace mvc::cli {

namespace {

// A binary float of 1 + `e` + `m` bits. `finite_only` is F8_E4M3's "fn" rule: no
// infinities, NaN only with every exponent and mantissa bit set.
double SmallFloat(uint32_t bits, int e, int m, bool finite_only) {
  int bias = (1 << (e - 1)) - 1;
  bool negative = (bits >> (e + m)) & 1;
  uint32_t exp = (bits >> m) & ((1u << e) - 1);
  uint32_t man = bits & ((1u << m) - 1);
  double v;
  if (exp == (1u << e) - 1 && (!finite_only || man == (1u << m) - 1)) {
    v = (man == 0 && !finite_only) ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else if (exp == 0) {
    v = std::ldexp(double(man), 1 - bias - m);
  } else {
    v = std::ldexp(double(man | (1u << m)), int(exp) - bias - m);
  }
  return negative ? -v : v;
}

// Element `i` of `raw` as a double (exact for every float dtype we know).
double ElementValue(Dtype dtype, const uint8_t* p) {
  switch (dtype) {
    case Dtype::kF64: { double d; std::memcpy(&d, p, 8); return d; }
    case Dtype::kF32: { float f; std::memcpy(&f, p, 4); return f; }
    case Dtype::kF16: return SmallFloat(DecodeFixed16(p), 5, 10, false);
    case Dtype::kBF16: { uint32_t u = uint32_t(DecodeFixed16(p)) << 16; float f; std::memcpy(&f, &u, 4); return f; }
    case Dtype::kF8_E4M3: return SmallFloat(p[0], 4, 3, true);
    case Dtype::kF8_E5M2: return SmallFloat(p[0], 5, 2, false);
    case Dtype::kI64: return double(int64_t(DecodeFixed64(p)));
    case Dtype::kI32: return double(int32_t(DecodeFixed32(p)));
    case Dtype::kI16: return double(int16_t(DecodeFixed16(p)));
    case Dtype::kI8: return double(int8_t(p[0]));
    case Dtype::kU8: return double(p[0]);
    case Dtype::kBool: return p[0] ? 1.0 : 0.0;
  }
  return 0;
}

// The .npy descr for `dtype`, and whether values are widened to float32.
std::string NpyDescr(Dtype dtype, bool* widen) {
  *widen = false;
  switch (dtype) {
    case Dtype::kF64: return "<f8";
    case Dtype::kF32: return "<f4";
    case Dtype::kF16: return "<f2";
    case Dtype::kBF16:
    case Dtype::kF8_E4M3:
    case Dtype::kF8_E5M2: *widen = true; return "<f4";
    case Dtype::kI64: return "<i8";
    case Dtype::kI32: return "<i4";
    case Dtype::kI16: return "<i2";
    case Dtype::kI8: return "|i1";
    case Dtype::kU8: return "|u1";
    case Dtype::kBool: return "|b1";
  }
  return "|u1";
}

Status WriteNpy(const std::string& path, const ManifestTensor& t, const Bytes& raw) {
  bool widen = false;
  std::string descr = NpyDescr(t.dtype, &widen);
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? ",)" : i + 1 < t.shape.size() ? ", " : ")");
  if (t.shape.empty()) shape = "()";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // NPY 1.0: magic, version, u16 header length; the header ends with '\n' and pads
  // the data to a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) return Status::InvalidArgument("tensor '" + t.name + "': shape too long for .npy 1.0");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write " + path);
  char preamble[10] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0, char(header.size() & 0xff), char(header.size() >> 8)};
  out.write(preamble, 10);
  out.write(header.data(), header.size());
  if (widen) {
    size_t width = DtypeWidth(t.dtype);
    std::vector<char> buf;
    buf.reserve(raw.size() / width * 4);
    for (size_t i = 0; i + width <= raw.size(); i += width) {
      float f = float(ElementValue(t.dtype, raw.data() + i));
      char b[4];
      std::memcpy(b, &f, 4);  // little-endian hosts only, as the rest of mvc
      buf.insert(buf.end(), b, b + 4);
    }
    out.write(buf.data(), buf.size());
  } else {
    out.write(reinterpret_cast<const char*>(raw.data()), raw.size());
  }
  out.close();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

void AddCat(CLI::App& sub, Action& run) {
  struct Args {
    std::string spec;
    std::string output;
    size_t count = 8;
  };
  auto args = std::make_shared<Args>();
  sub.add_option("spec", args->spec, "REV:FILE:TENSOR, e.g. HEAD:model.safetensors:lm_head.weight")->required();
  sub.add_option("-o,--output", args->output, "Write the tensor as a .npy file (BF16/F8 widened to float32)");
  sub.add_option("-n,--count", args->count, "Values to print (default 8)");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      const std::string& spec = args->spec;
      size_t colon = spec.find(':');
      if (colon == std::string::npos) {
        return Status::InvalidArgument("expected REV:FILE:TENSOR, got '" + spec + "'");
      }
      std::string rev = spec.substr(0, colon), rest = spec.substr(colon + 1);
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      MVC_ASSIGN_OR_RETURN(GitId commit, repo->ResolveCommit(rev.empty() ? "HEAD" : rev));
      MVC_ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo->ListFiles(commit));
      const TreeFile* file = nullptr;
      for (const TreeFile& f : files) {
        if (rest.rfind(f.path + ":", 0) == 0 && (!file || f.path.size() > file->path.size())) file = &f;
      }
      if (!file) {
        return Status::NotFound("no file matching '" + rest + "' in commit " + commit.ShortHex() +
                                " (expected REV:FILE:TENSOR)");
      }
      std::string name = rest.substr(file->path.size() + 1);
      if (!file->manifest) return Status::InvalidArgument(file->path + " is not a safetensors file");
      const ManifestTensor* tensor = nullptr;
      for (const ManifestTensor& t : file->manifest->tensors) {
        if (t.name == name) tensor = &t;
      }
      if (!tensor) {
        return Status::NotFound("no tensor '" + name + "' in " + file->path + " (commit " + commit.ShortHex() + ")");
      }
      Result<Bytes> raw = repo->ReadTensor(tensor->id);
      if (!raw.ok()) return raw.status().WithContext(file->path + ": tensor '" + name + "'");
      if (!args->output.empty()) return WriteNpy(args->output, *tensor, *raw);
      std::cout << file->path << ":" << name << "  " << DtypeName(tensor->dtype) << " " << FormatShape(tensor->shape)
                << "  " << tensor->num_bytes << " bytes  id " << tensor->id.ShortHex() << "\n";
      size_t width = DtypeWidth(tensor->dtype);
      size_t n = std::min(args->count, raw->size() / width);
      std::cout << "[";
      for (size_t i = 0; i < n; ++i) {
        std::cout << (i ? ", " : "") << ElementValue(tensor->dtype, raw->data() + i * width);
      }
      if (n < raw->size() / width) std::cout << (n ? ", ..." : "...");
      std::cout << "]\n";
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
