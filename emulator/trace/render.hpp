#pragma once

// Renderers turn a Trace into text. They write to a std::ostream as they go (a long run's
// table is never built in memory first) and never decide anything about the run.

#include "trace/metrics.hpp"
#include "trace/trace.hpp"

#include <ostream>
#include <string>
#include <string_view>

namespace tl {

// One line saying what ran on what: program, cores, scheduler, conventions in force.
void render_header(std::ostream&, Trace const&);

// The per-tick table: a row a tick, a column a core, then ready queues, blocked threads and
// the events of that tick.
void render_table(std::ostream&, Trace const&);
struct TableOptions {
    bool ram = false; // a column with the RAM map: who holds which addresses
    // Only the rows of ticks from..to (to < 0: the end) are written, after the header; the
    // columns are as wide as in the whole table. The rows before are skipped, not formatted.
    Tick from = 0;
    Tick to = -1;
    // Every tick its own row. Otherwise a stretch of at least fold_quiet_ticks ticks in which
    // nothing changes but the cores' progress counters is folded into one row ("13-109").
    bool every_tick = false;
};
inline constexpr Tick fold_quiet_ticks = 8;
// The threads of a queue the table can show: a snapshot for the table keeps this many of each
// queue (MachineConfig::queue_snapshot_limit), more than a column of names ever holds.
inline constexpr std::int32_t queue_heads_shown = 64;
void render_table(std::ostream&, Trace const&, TableOptions const&);

// The lines the program printed, each stamped with its tick.
void render_output(std::ostream&, Trace const&);

// One event in words, as the table's events column and the stepper's breakpoints say it:
// "core 0 runs a", "b waits on io until 12", "c's slice ends".
std::string event_phrase(Trace const&, Event const&);

// The metrics summary: per job, per core, totals, and how the run ended.
void render_summary(std::ostream&, Trace const&, Metrics const&);

// Everything above as one JSON document (see docs/output.md for the field names).
void render_json(std::ostream&, Trace const&, Metrics const&);

// The JSON document split where its `events` array goes, for a writer that streams the events
// (trace/stream.hpp): before + the array + after is what render_json writes.
struct Parallelism;
struct JsonFrame {
    std::string before; // up to and including `"events": `
    std::string after;  // from the end of the array to the final newline
};
JsonFrame json_frame(Trace const&, Metrics const&, Parallelism const&);
// A string as a JSON value, quoted and escaped as the document escapes it.
std::string json_string(std::string_view);

}
