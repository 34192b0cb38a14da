// Small charts of an entry's calibration history: per power mode, one chart per figure (each
// measured precision's peak, and the bandwidth) across the stored runs, with the runs that
// regressed marked. Which runs regressed is history.hpp's call (find_regressions_over_time);
// this module only draws, with svg.hpp, deterministically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hwcal/model/precision.hpp"
#include "summary/history.hpp"

namespace hwcal {

// The figures a mode's charts show: the measured precisions in canonical order, then the
// bandwidth (nullopt) when a run measured it.
std::vector<std::optional<Precision>> history_figures(const ModeHistory& mode);

struct HistoryChartOptions {
  double width_px = 250;
  double height_px = 150;
};

// The chart of `figure` over `mode`'s runs of entry `id`; `regressions` are the entry's (those of
// other modes and figures are ignored). A run without the figure leaves a gap in the line.
std::string render_history_svg(const std::string& id, const ModeHistory& mode,
                               std::optional<Precision> figure,
                               const std::vector<Regression>& regressions,
                               const HistoryChartOptions& options = {});

}  // namespace hwcal
