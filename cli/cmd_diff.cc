// mvc diff: compare two versions (or a version and the worktree) tensor by tensor.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/diff_html.h"
#include "cli/output.h"
#include "refs/diff_models.h"

namespace mvc::cli {

namespace {

// JSON has no infinity: an infinite relative L2 (a was all zeros) is null.
nlohmann::json Metric(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json TensorJson(const TensorDiff& t) {
  auto dtype = [](const std::optional<Dtype>& d) {
    return d ? nlohmann::json(std::string(DtypeName(*d))) : nlohmann::json(nullptr);
  };
  return {{"file", t.file},
          {"name", t.name},
          {"layer", t.layer},
          {"status", std::string(TensorChangeName(t.change))},
          {"dtype_a", dtype(t.dtype_a)},
          {"dtype_b", dtype(t.dtype_b)},
          {"shape_a", t.dtype_a ? nlohmann::json(t.shape_a) : nlohmann::json(nullptr)},
          {"shape_b", t.dtype_b ? nlohmann::json(t.shape_b) : nlohmann::json(nullptr)},
          {"elements", t.elements},
          {"bytes", t.bytes},
          {"elements_changed", t.elements_changed},
          {"nonfinite", t.nonfinite},
          {"sum_sq_a", t.sum_sq_a},
          {"sum_sq_b", t.sum_sq_b},
          {"sum_sq_delta", t.sum_sq_delta},
          {"dot", t.dot},
          {"rel_l2", Metric(t.rel_l2)},
          {"cosine", t.cosine},
          {"max_abs_delta", t.max_abs_delta},
          {"changed_fraction", t.changed_fraction},
          {"delta_bytes", t.delta_bytes}};
}

nlohmann::json LayerJson(const LayerDiff& l) {
  return {{"name", l.name},
          {"tensors", l.tensors},
          {"tensors_changed", l.tensors_changed},
          {"tensors_structural", l.tensors_structural},
          {"elements", l.elements},
          {"elements_changed", l.elements_changed},
          {"sum_sq_a", l.sum_sq_a},
          {"sum_sq_delta", l.sum_sq_delta},
          {"rel_l2", Metric(l.rel_l2)},
          {"max_abs_delta", l.max_abs_delta},
          {"changed_fraction", l.changed_fraction},
          {"delta_bytes", l.delta_bytes}};
}

nlohmann::json DiffJson(const ModelDiff& d) {
  nlohmann::json counts;
  for (int c = 0; c < 6; ++c) counts[std::string(TensorChangeName(static_cast<TensorChange>(c)))] = d.count[c];
  nlohmann::json layers = nlohmann::json::array(), tensors = nlohmann::json::array();
  for (const LayerDiff& l : d.layers) layers.push_back(LayerJson(l));
  for (const TensorDiff& t : d.tensors) tensors.push_back(TensorJson(t));
  return {{"a", {{"revision", d.rev_a}, {"commit", d.commit_a.ToHex()}}},
          {"b", {{"revision", d.rev_b}, {"commit", d.commit_b ? nlohmann::json(d.commit_b->ToHex()) : nlohmann::json(nullptr)}}},
          {"summary",
           {{"tensors", d.tensors_compared},
            {"tensors_changed", d.tensors_changed},
            {"counts", counts},
            {"mean_rel_l2", d.mean_rel_l2},
            {"rel_l2", Metric(d.rel_l2)},
            {"delta_bytes", d.delta_bytes},
            {"bytes_b", d.bytes_b}}},
          {"layers", layers},
          {"tensors", tensors}};
}

std::string Pct(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", fraction * 100);
  return buf;
}

std::string SummaryLine(const ModelDiff& d, bool cost) {
  std::string s = std::to_string(d.tensors_changed) + " of " + std::to_string(d.tensors_compared) + " tensors changed";
  std::string detail;
  for (TensorChange c : {TensorChange::kChanged, TensorChange::kAdded, TensorChange::kRemoved,
                         TensorChange::kDtypeChanged, TensorChange::kShapeChanged}) {
    uint64_t n = d.count[static_cast<int>(c)];
    if (n == 0 || (c == TensorChange::kChanged && n == d.tensors_changed)) continue;
    if (!detail.empty()) detail += ", ";
    std::string name(TensorChangeName(c));
    for (char& ch : name) ch = ch == '_' ? ' ' : ch;
    detail += std::to_string(n) + " " + name;
  }
  if (!detail.empty()) s += " (" + detail + ")";
  s += ", mean relative L2 " + FormatMetric(d.mean_rel_l2);
  if (cost) {
    s += ", a delta would cost " + HumanBytes(d.delta_bytes) + " (" + Percent(d.delta_bytes, d.bytes_b) + " of " +
         HumanBytes(d.bytes_b) + ")";
  } else {
    s += ", delta cost not measured (--no-cost)";
  }
  return s;
}

void PrintHuman(const ModelDiff& d, size_t top, bool all, bool cost) {
  std::string b = d.commit_b ? d.commit_b->ShortHex(12) : "worktree";
  std::cout << "diff " << d.rev_a << " (" << d.commit_a.ShortHex(12) << ") -> " << d.rev_b;
  if (d.commit_b) std::cout << " (" << b << ")";
  std::cout << "\n" << SummaryLine(d, cost) << "\n";
  if (d.layers.empty()) return;
  size_t shown = all ? d.layers.size() : std::min(top, d.layers.size());
  std::string more;
  if (shown < d.layers.size()) {
    more = " (top " + std::to_string(shown) + " of " + std::to_string(d.layers.size()) + "; --all for every layer)";
  }
  std::cout << std::flush;
  std::printf("\nlayers, most changed first%s:\n", more.c_str());
  std::printf("  %-40s %9s %10s %10s %10s %10s\n", "layer", "changed", "rel L2", "max |d|", "changed %", "delta");
  std::fflush(stdout);
  for (size_t i = 0; i < shown; ++i) {
    const LayerDiff& l = d.layers[i];
    std::string changed = std::to_string(l.tensors_changed) + "/" + std::to_string(l.tensors);
    std::printf("  %-40s %9s %10s %10s %10s %10s%s\n", l.name.c_str(), changed.c_str(), FormatMetric(l.rel_l2).c_str(),
                FormatMetric(l.max_abs_delta).c_str(), Pct(l.changed_fraction).c_str(), HumanBytes(l.delta_bytes).c_str(),
                l.tensors_structural ? "  *" : "");
  }
  // One model file: tensor names alone; several: "file:tensor".
  bool one_file = true;
  for (const TensorDiff& t : d.tensors) one_file = one_file && t.file == d.tensors.front().file;
  auto label = [&](const TensorDiff& t) { return one_file ? t.name : t.file + ":" + t.name; };
  int width = 20;
  for (const TensorDiff& t : d.tensors) {
    if (t.change != TensorChange::kUnchanged) width = std::max(width, static_cast<int>(label(t).size()));
  }
  bool any = false;
  for (const TensorDiff& t : d.tensors) {
    if (t.change == TensorChange::kUnchanged) continue;
    if (!any) {
      std::printf("\nchanged tensors:\n  %-*s %-13s %10s %10s %10s %9s %10s\n", width, "tensor", "status", "rel L2",
                  "cosine", "max |d|", "changed", "delta");
      any = true;
    }
    std::string name = label(t);
    if (t.change == TensorChange::kChanged) {
      std::printf("  %-*s %-13s %10s %10s %10s %9s %10s\n", width, name.c_str(), "changed",
                  FormatMetric(t.rel_l2).c_str(), FormatMetric(t.cosine).c_str(),
                  FormatMetric(t.max_abs_delta).c_str(), Pct(t.changed_fraction).c_str(),
                  HumanBytes(t.delta_bytes).c_str());
    } else {
      std::string what(TensorChangeName(t.change));
      if (t.change == TensorChange::kShapeChanged) what += " " + FormatShape(t.shape_a) + " -> " + FormatShape(t.shape_b);
      if (t.change == TensorChange::kDtypeChanged) {
        what += " " + std::string(DtypeName(*t.dtype_a)) + " -> " + std::string(DtypeName(*t.dtype_b));
      }
      std::printf("  %-*s %-46s %10s\n", width, name.c_str(), what.c_str(), HumanBytes(t.delta_bytes).c_str());
    }
  }
  std::fflush(stdout);
}

}  // namespace

void AddDiff(CLI::App& sub, Action& run) {
  struct Args {
    std::string a;
    std::string b;
    bool json = false;
    bool all = false;
    bool no_cost = false;
    size_t top = 20;
    std::vector<std::string> tensor_globs, layer_globs;
    std::string html;
  };
  auto args = std::make_shared<Args>();
  args->a = "HEAD";  // `mvc diff` alone: what the worktree changed since HEAD, as in git
  sub.add_option("A", args->a, "Old version (a revision; default: HEAD)");
  sub.add_option("B", args->b, "New version (a revision; default: the worktree)");
  sub.add_flag("--json", args->json, "Machine-readable output: every tensor and layer");
  sub.add_option("--tensor", args->tensor_globs, "Only tensors whose name matches this glob (repeatable)");
  sub.add_option("--layer", args->layer_globs, "Only tensors whose layer matches this glob (repeatable)");
  sub.add_option("--html", args->html, "Also write a self-contained HTML page with a per-layer chart to FILE");
  sub.add_option("--top", args->top, "Layers to list (default 20)");
  sub.add_flag("--all", args->all, "List every layer");
  sub.add_flag("--no-cost", args->no_cost, "Skip measuring what a delta would cost (faster)");
  sub.callback([&run, args] {
    run = [args]() -> Status {
      MVC_ASSIGN_OR_RETURN(auto repo, OpenRepository());
      DiffOptions options;
      options.tensor_globs = args->tensor_globs;
      options.layer_globs = args->layer_globs;
      options.compute_delta_cost = !args->no_cost;
      Progress progress;
      options.progress = progress.Callback();
      std::optional<std::string> b;
      if (!args->b.empty()) b = args->b;
      MVC_ASSIGN_OR_RETURN(ModelDiff d, DiffModels(*repo, args->a, b, options));
      if (!args->html.empty()) {
        std::ofstream out(args->html, std::ios::binary | std::ios::trunc);
        out << RenderDiffHtml(d);
        out.close();
        if (!out) return Status::IOError("cannot write " + args->html);
      }
      if (args->json) {
        PrintJson(DiffJson(d));
      } else {
        PrintHuman(d, args->top, args->all, !args->no_cost);
      }
      return Status::Ok();
    };
  });
}

}  // namespace mvc::cli
