#pragma once

// The output formats of `ticklab run` (--format), in one table, and how the terminal ones are
// presented (colour, width, narration).

#include "lesson/lesson.hpp"
#include "trace/trace.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace tl {

// Presentation options of the terminal formats. Machine-readable formats (json, csv,
// csv-metrics, perfetto, svg, html) ignore them, so their output never depends on the terminal.
struct Presentation {
    bool colour = false;  // ANSI colours in the Gantt chart
    int width = 80;       // columns the Gantt chart may use
    bool explain = false; // tell each tick in sentences (table, summary and gantt)
    bool ram = false;     // --show ram: the RAM map as a column of the per-tick table
    bool all_ticks = false; // --all-ticks: the per-tick table folds no quiet stretch
    Language language = Language::En; // --lang: the words of the html page
    std::optional<Tick> one_core_makespan; // measured by the caller, for the speed-up in the metrics
    bool one_core_skipped = false;         // not measured: the run is long (Metrics::one_core_skipped)
};

// --color: "always", "never", or "auto": colour when stdout is a terminal and NO_COLOR is unset
// or empty (https://no-color.org).
bool colour_wanted(std::string_view choice);
// --width when given (> 0), else $COLUMNS when it holds a positive number, else 80.
int terminal_width(int requested);
Presentation presentation_for(std::string_view colour, int width, bool explain);

// The presentation print_run uses when given none. The command line sets it once after parsing
// (main.cpp), so every command that prints a run through print_run honours --color, --width
// and --explain without threading them through each command's code.
void set_presentation(Presentation const&);
Presentation const& current_presentation();

bool is_output_format(std::string_view);
// Whether printing a run in this format (with this presentation) shows ready-queue snapshots.
// A run printed otherwise need not record them: with thousands of ready threads, a copy of
// the queue at every boundary is most of the trace.
bool format_reads_queues(std::string_view, Presentation const&);
// Whether the format (with this presentation) reads only the totals and the events that are
// not routine scheduling (MachineConfig::record_notable): summary and csv-metrics.
bool format_reads_notable_only(std::string_view, Presentation const&);
std::string output_format_names(); // "table, summary, json, ..."

// Renders a finished run in the given format (which must be valid).
void print_run(std::ostream&, Trace const&, std::string_view format);
void print_run(std::ostream&, Trace const&, std::string_view format, Presentation const&);

}
