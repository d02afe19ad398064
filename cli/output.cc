#include "cli/output.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace mvc::cli {

Result<std::unique_ptr<Repository>> OpenRepository() {
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  if (ec) return Status::FromErrno(ec.value(), "current directory");
  MVC_ASSIGN_OR_RETURN(std::string root, Repository::FindRoot(cwd));
  return Repository::Open(root);
}

std::string HumanBytes(uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " B";
  const char* units[] = {"kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1000 && u < 4) { v /= 1000; ++u; }
  char buf[32];
  std::snprintf(buf, sizeof(buf), v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

void PrintJson(const nlohmann::json& value) { std::cout << value.dump(2) << "\n"; }

std::string FormatTime(int64_t seconds, int offset_minutes) {
  time_t t = static_cast<time_t>(seconds + int64_t{offset_minutes} * 60);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char zone[16];
  std::snprintf(zone, sizeof(zone), " %c%02d%02d", offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return std::string(buf) + zone;
}

std::string FormatShape(const std::vector<uint64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

Progress::Progress() : enabled_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

ProgressCallback Progress::Callback() {
  if (!enabled_) return nullptr;
  return [this](const std::string& what, uint64_t done, uint64_t total) { Update(what, done, total); };
}

void Progress::Update(const std::string& what, uint64_t done, uint64_t total) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
  last_draw_ = now;
  drawn_ = true;
  int width = 30;
  int filled = total ? static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total)) : 0;
  if (filled > width) filled = width;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(static_cast<size_t>(width), '.');
  std::string label = what.size() > 40 ? "..." + what.substr(what.size() - 37) : what;
  std::fprintf(stderr, "\r\033[K%s [%s] %s / %s", label.c_str(), bar.c_str(), HumanBytes(done).c_str(),
               HumanBytes(total).c_str());
  std::fflush(stderr);
}

}  // namespace mvc::cli
