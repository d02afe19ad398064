// The page is built as plain strings: it is small, and a template engine would be a
// dependency for one page.
#include "cli/diff_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/output.h"

namespace mvc::cli {

namespace {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string PercentOf(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", fraction * 100);
  return buf;
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.sub{color:#666;margin-bottom:16px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:140px}
.card b{display:block;font-size:18px}
svg text{font:12px system-ui,sans-serif;fill:#333}
svg text.v{fill:#555;font-size:11px}
svg text.h{font-weight:600}
rect.l2{fill:#d9534f} rect.frac{fill:#5b8ff9} rect.bg{fill:#f4f4f4}
rect.l2:hover,rect.frac:hover{opacity:.75}
table{border-collapse:collapse;font-size:13px}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}
td.s{color:#a33}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
)";

}  // namespace

std::string FormatMetric(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (std::isnan(value)) return "nan";
  char buf[32];
  if (value == 0) return "0";
  double a = std::fabs(value);
  if (a >= 1e-3 && a < 1e5) {
    std::snprintf(buf, sizeof buf, "%.4g", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3e", value);
  }
  return buf;
}

std::string RenderDiffHtml(const ModelDiff& d) {
  std::string h;
  std::string a_id = d.commit_a.ToHex().substr(0, 12);
  std::string b_id = d.commit_b ? d.commit_b->ToHex().substr(0, 12) : "worktree";
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mvc diff " + Escape(d.rev_a) +
       " " + Escape(d.rev_b) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  h += "<h1>mvc diff " + Escape(d.rev_a) + " &rarr; " + Escape(d.rev_b) + "</h1>\n";
  h += "<div class=\"sub\">" + a_id + " &rarr; " + Escape(b_id) + "</div>\n";

  auto card = [&](const std::string& label, const std::string& value) {
    h += "<div class=\"card\">" + Escape(label) + "<b>" + Escape(value) + "</b></div>";
  };
  h += "<div class=\"cards\">";
  card("tensors changed", std::to_string(d.tensors_changed) + " / " + std::to_string(d.tensors_compared));
  card("mean relative L2", FormatMetric(d.mean_rel_l2));
  card("overall relative L2", FormatMetric(d.rel_l2));
  card("delta would cost", HumanBytes(d.delta_bytes) + " (" + Percent(d.delta_bytes, d.bytes_b) + ")");
  card("layers", std::to_string(d.layers.size()));
  h += "</div>\n";

  // Chart: one row per layer; left panel relative L2 (scaled to the largest finite
  // value, infinite ones drawn full width), right panel changed fraction (0..100%).
  h += "<h2>Per layer (most changed first)</h2>\n<div class=\"legend\"><span style=\"background:#d9534f\"></span>"
       "relative L2 &#8214;b&#8722;a&#8214;/&#8214;a&#8214;<span style=\"background:#5b8ff9\"></span>"
       "fraction of elements changed</div>\n";
  double max_l2 = 0;
  for (const LayerDiff& l : d.layers) {
    if (std::isfinite(l.rel_l2)) max_l2 = std::max(max_l2, l.rel_l2);
  }
  const double label_w = 360, panel_w = 300, gap = 70, row_h = 20, top = 24;
  const double x1 = label_w, x2 = label_w + panel_w + gap;
  const double width = x2 + panel_w + gap;
  const double height = top + row_h * static_cast<double>(d.layers.size()) + 8;
  h += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(width) + "\" height=\"" + Num(height) +
       "\" viewBox=\"0 0 " + Num(width) + " " + Num(height) + "\" role=\"img\" aria-label=\"per-layer diff chart\">\n";
  h += "<text class=\"h\" x=\"" + Num(x1) + "\" y=\"14\">relative L2 (max " + Escape(FormatMetric(max_l2)) +
       ")</text>\n";
  h += "<text class=\"h\" x=\"" + Num(x2) + "\" y=\"14\">changed fraction (0&#8211;100%)</text>\n";
  for (size_t i = 0; i < d.layers.size(); ++i) {
    const LayerDiff& l = d.layers[i];
    double y = top + row_h * static_cast<double>(i);
    std::string name = Escape(l.name);
    std::string label = l.name.size() > 48 ? "&#8230;" + Escape(l.name.substr(l.name.size() - 47)) : name;
    if (l.tensors_structural) label += " *";
    double l2_w = std::isfinite(l.rel_l2) ? (max_l2 > 0 ? l.rel_l2 / max_l2 * panel_w : 0) : panel_w;
    double frac_w = l.changed_fraction * panel_w;
    std::string tip = name + ": relative L2 " + Escape(FormatMetric(l.rel_l2)) + ", " +
                      PercentOf(l.changed_fraction) + " of elements changed, " + std::to_string(l.tensors_changed) +
                      "/" + std::to_string(l.tensors) + " tensors changed" +
                      (l.tensors_structural ? ", " + std::to_string(l.tensors_structural) + " added/removed/reshaped"
                                            : std::string()) +
                      ", delta " + HumanBytes(l.delta_bytes);
    h += "<g>\n<title>" + tip + "</title>\n";
    h += "<text x=\"" + Num(label_w - 8) + "\" y=\"" + Num(y + 14) + "\" text-anchor=\"end\">" + label + "</text>\n";
    h += "<rect class=\"bg\" x=\"" + Num(x1) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(panel_w) +
         "\" height=\"" + Num(row_h - 6) + "\"/>\n";
    h += "<rect class=\"l2\" x=\"" + Num(x1) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(l2_w) + "\" height=\"" +
         Num(row_h - 6) + "\"><title>" + name + ": relative L2 " + Escape(FormatMetric(l.rel_l2)) +
         "</title></rect>\n";
    h += "<text class=\"v\" x=\"" + Num(x1 + panel_w + 4) + "\" y=\"" + Num(y + 14) + "\">" +
         Escape(FormatMetric(l.rel_l2)) + "</text>\n";
    h += "<rect class=\"bg\" x=\"" + Num(x2) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(panel_w) +
         "\" height=\"" + Num(row_h - 6) + "\"/>\n";
    h += "<rect class=\"frac\" x=\"" + Num(x2) + "\" y=\"" + Num(y + 3) + "\" width=\"" + Num(frac_w) +
         "\" height=\"" + Num(row_h - 6) + "\"><title>" + name + ": " + PercentOf(l.changed_fraction) +
         " of elements changed</title></rect>\n";
    h += "<text class=\"v\" x=\"" + Num(x2 + panel_w + 4) + "\" y=\"" + Num(y + 14) + "\">" +
         PercentOf(l.changed_fraction) + "</text>\n</g>\n";
  }
  h += "</svg>\n";
  h += "<div class=\"sub\">* layer has added, removed, dtype- or shape-changed tensors (listed below).</div>\n";

  h += "<h2>Changed tensors</h2>\n<table>\n<tr><th>tensor</th><th>status</th><th>relative L2</th><th>cosine</th>"
       "<th>max |&#916;|</th><th>changed</th><th>delta</th></tr>\n";
  for (const TensorDiff& t : d.tensors) {
    if (t.change == TensorChange::kUnchanged) continue;
    bool measured = t.change == TensorChange::kChanged;
    h += "<tr><td>" + Escape(t.file + ":" + t.name) + "</td><td" +
         (measured ? std::string() : std::string(" class=\"s\"")) + ">" + std::string(TensorChangeName(t.change)) +
         "</td><td>" + (measured ? Escape(FormatMetric(t.rel_l2)) : "") + "</td><td>" +
         (measured ? Escape(FormatMetric(t.cosine)) : "") + "</td><td>" +
         (measured ? Escape(FormatMetric(t.max_abs_delta)) : "") + "</td><td>" +
         (measured ? PercentOf(t.changed_fraction) : "") + "</td><td>" + HumanBytes(t.delta_bytes) + "</td></tr>\n";
  }
  h += "</table>\n</body>\n</html>\n";
  return h;
}

}  // namespace mvc::cli
