// cli/diff_html.h: `mvc diff --html`: a model diff as one self-contained web page.
//
// The page has the summary, a per-layer bar chart (inline SVG: one bar per layer for
// relative L2, class "l2", and one for the fraction of elements changed, class
// "frac"; <title> tooltips give the values) and the table of changed tensors. Inline
// CSS, no scripts, no external resources: it opens from disk or as a mail attachment.
//
//   std::string page = RenderDiffHtml(diff);
//   WriteFile("diff.html", page);
#ifndef MVC_CLI_DIFF_HTML_H_
#define MVC_CLI_DIFF_HTML_H_

#include <string>

#include "refs/diff_models.h"

namespace mvc::cli {

// The whole page (UTF-8 HTML5). Layers appear in `diff.layers` order (most changed
// first). Text from the repository (names, revisions) is HTML-escaped.
std::string RenderDiffHtml(const ModelDiff& diff);

// A metric for people: 4 significant digits ("0.1162", "3.052e-05"), "inf" for an
// infinite relative L2. Shared by the page and the terminal tables.
std::string FormatMetric(double value);

}  // namespace mvc::cli

#endif  // MVC_CLI_DIFF_HTML_H_
