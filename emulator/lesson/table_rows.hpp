#pragma once

// The per-tick table of a finished run, row by row, so that a stepper or a lesson can show
// one tick (or a window of ticks) exactly as `ticklab run` prints it, with the same column
// widths at every stop.

#include "trace/trace.hpp"

#include <map>
#include <optional>
#include <string>

namespace tl {

class TableRows {
public:
    // Renders rows when they are asked for, a window of them at a time, so that a run of
    // millions of ticks costs no more memory than a window of its table. The trace must
    // outlive this.
    explicit TableRows(Trace const&);

    std::string const& header() const { return m_header; }
    // The row of tick `t` (with its newline), or nothing when the table has none for it.
    std::optional<std::string> row(Tick t) const;

private:
    // Renders the rows of ticks first..first + window - 1 in place of the ones held.
    void render_window(Tick first) const;

    static constexpr Tick window = 1024;
    Trace const& m_trace;
    std::string m_header;
    mutable Tick m_first = -1; // the first tick of the window held; -1: none yet
    mutable std::map<Tick, std::string> m_rows;
};

}
