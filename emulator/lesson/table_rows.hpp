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
    // Renders the whole table once. It is kept in memory, which is fine for the runs one
    // steps through by hand; `ticklab run` itself streams the table instead.
    explicit TableRows(Trace const&);

    std::string const& header() const { return m_header; }
    // The row of tick `t` (with its newline), or nothing when the table has none for it.
    std::optional<std::string> row(Tick t) const;

private:
    std::string m_header;
    std::map<Tick, std::string> m_rows;
};

}
