#pragma once

// The visual renderers: what a run looked like rather than a row per tick. A Gantt chart per
// core for the terminal, plain sentences explaining each tick, a Chrome/Perfetto trace, SVG
// and HTML timelines, and CSV for spreadsheets. Like the renderers in render.hpp they only
// describe a finished Trace; deciding whether to colour or how wide a terminal is belongs to
// the command line, which passes the answers in. See docs/visual.md for every format.

#include "trace/metrics.hpp"
#include "trace/trace.hpp"

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

// One run to draw. Several runs drawn together (`ticklab compare`) share one time axis and
// one scale, and each is labelled.
struct ChartRun {
    std::string label;   // "" for a lone run; "left" or "right" in a comparison
    std::string options; // the options it ran with, e.g. "-c 1 -s rr"; may be ""
    Trace const* trace = nullptr;
    Metrics const* metrics = nullptr;
};

struct GanttStyle {
    bool colour = false; // ANSI colours; off, the chart is plain ASCII
    int width = 80;      // terminal columns the chart may use, row labels included
};

// A thread's letter in every chart: A-Z, then a-z, then 0-9 by thread id; '*' for the rest.
char thread_letter(ThreadId);

// How many threads were in each state, as spans of ticks over which the counts stay the same.
// Derived from the events (states) and the slices (who was doing work, who was being
// switched in), so it needs no queue snapshots.
struct CountSpan {
    Tick start = 0;
    Tick end = 0;
    int running = 0; // threads doing their own work on a core
    int stalled = 0; // threads on a core waiting for the bus: not running, not wanting a core
    int ready = 0;   // threads admitted and wanting a core: in a ready queue, or being switched in
    int blocked = 0; // threads waiting: on I/O, a timer, a mutex, a join or the GIL
};
std::vector<CountSpan> count_spans(Trace const&); // covering [0, trace.end), in time order

// The averages of docs/visual.md, over every tick of the run [0, end):
//   degree of concurrency = average of (running + stalled + ready) threads per tick: how
//                           many threads had work they could do at once;
//   parallelism           = average of running threads per tick: how many actually did it
//                           at once. A thread stalled on the bus holds its core but does no
//                           work, so it does not count. Never above the number of cores;
//                           equal to utilisation times the cores.
//   stalled               = average of threads stalled on the bus per tick.
struct Parallelism {
    double concurrency = 0;
    double parallelism = 0;
    double stalled = 0;
    int peak_concurrency = 0;
    int peak_parallelism = 0;
};
Parallelism measure_parallelism(Trace const&);

// The numbers a comparison puts side by side. Speed-up and efficiency are relative to the
// first run: speed-up = first makespan / this makespan; efficiency = speed-up / (this run's
// cores / the first run's cores).
struct RunFigures {
    Tick makespan = 0;
    int cores = 0;
    double speedup = 0;
    double efficiency = 0;
    double utilisation = 0;
    Parallelism parallelism;
};
std::vector<RunFigures> run_figures(std::span<ChartRun const>);

// The terminal Gantt chart (--format gantt): a row per core, a letter per thread, the
// running/ready rows, a legend and the averages.
void render_gantt(std::ostream&, Trace const&, Metrics const&, GanttStyle const&);

// Several runs on one time axis and scale, then their figures side by side.
void render_gantt_compare(std::ostream&, std::span<ChartRun const>, GanttStyle const&);

// One plain sentence for each thing the machine did at each tick boundary (--explain).
void render_narration(std::ostream&, Trace const&);

// The Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing open. 1 tick = 1 ms.
void render_perfetto(std::ostream&, Trace const&);

// A self-contained SVG timeline of one or more runs (no scripts, no fonts, no network).
void render_svg(std::ostream&, std::span<ChartRun const>);

// The interactive lab page, in English (trace/html.hpp has the options: its language).
void render_html(std::ostream&, std::span<ChartRun const>);

// The per-tick table as CSV (tick, core0.., ready, blocked) and the per-job metrics as CSV.
void render_csv_ticks(std::ostream&, Trace const&);
void render_csv_metrics(std::ostream&, Trace const&, Metrics const&);

// Text safe inside XML elements and attributes: &, <, >, " and ' escaped; control characters
// and malformed UTF-8, which XML cannot hold at all, replaced by '?'.
std::string xml_escape(std::string_view);

// One CSV field per RFC 4180: quoted (quotes doubled) when it holds a comma, a quote, a
// carriage return or a line feed, or starts or ends with a space.
std::string csv_field(std::string_view);

}
