#pragma once

// Small helpers shared by the renderers: the text ones (table.cpp, summary.cpp, gantt.cpp), the
// JSON one and the pictures (svg.cpp, html.cpp).
// Names in a program may be any UTF-8 (Korean lessons name their threads in Hangul), so
// columns are padded by how wide a string looks in a terminal (display_width, from
// lang/width.hpp so diagnostics share it), not by its bytes.

#include "lang/width.hpp"
#include "trace/trace.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tl {

// int display_width(std::string_view utf8), the terminal columns of a UTF-8 string, comes
// from lang/width.hpp (included above).

// The text followed (pad_right) or preceded (pad_left) by spaces up to `width` columns; a
// longer text is returned whole and overflows its column.
std::string pad_right(std::string_view text, int width);

// The words of `text` (split at spaces and newlines) in lines of at most `width` display
// columns; a longer word gets a line of its own. At least one line, maybe empty.
std::vector<std::string> wrap_words(std::string_view text, int width);
std::string pad_left(std::string_view text, int width);

// Decimal digits of a non-negative number (1 for 0).
int digit_count(std::int64_t);

// "1 tick", "3 ticks": the count and the noun that agrees with it.
std::string plural(std::int64_t count, std::string_view one, std::string_view many);
// A tick in a table of jobs, or "-" where it does not apply (a job that never ran has no first run).
std::string tick_or_dash(bool applies, Tick value);
// A fraction as a percentage with one decimal: 0.875 is "87.5%".
std::string percent(double fraction);

// The pictures of a run, the SVG timeline (svg.cpp) and the lab page's chart (html.cpp), share
// one scale (the longest run about svg_target_width pixels wide, a tick at most
// svg_max_tick_width), one margin and one palette, so a thread has the same colour in both.
inline constexpr double svg_margin = 16;
inline constexpr double svg_target_width = 900;
inline constexpr double svg_max_tick_width = 36;
inline constexpr double svg_char_width = 7.4; // of the 12px monospace text, for fitting labels
// A thread's fill: Tableau 10, distinguishable and readable under dark text; threads past ten
// get hues spread by the golden angle.
std::string svg_colour(ThreadId);
// A coordinate with at most two decimals and no trailing zeros ("12.5", "0").
std::string svg_number(double);

// The instruction a Block event waits on ("io" or "sleep"), from the thread's code.
std::string_view wait_mnemonic(Trace const&, Event const&);
// The same for an event of `kind` at an instruction of opcode `opcode` (null: the event's pc is
// not in its thread's code).
std::string_view wait_mnemonic(EventKind kind, Opcode const* opcode);
// The label of a Task* event's task, "delivery(A, 9)"; "?" when it has none.
std::string_view task_label(Trace const&, Event const&);
// Why a GilRelease happened, as a phrase: "it blocks", "it ends", "switch interval".
std::string_view gil_release_reason(Event const&);
// Whether the run has memory traffic a learner would watch on the bus: memory instructions,
// or programs loading over it. (Finished I/O uses the bus too, but alone it never stalls a core.)
bool watches_bus(Trace const&);
// A thread's or a process's name; "?" for none (no_thread, no_process).
std::string_view thread_label(Trace const&, ThreadId);
std::string_view process_label(Trace const&, ProcessId);
// The shared variable (Var* events) or mutex (Lock* events) an event is about.
std::string_view object_name(Trace const&, Event const&);
// What a core does in a slice, without the thread's name: "compute 2/4", "incr count: add",
// "read count (waits for the bus)". `t` is the tick within the slice. With the cache model on,
// a thread with a working set: "compute 4/10 warm" or "compute 1/10 cold".
std::string slice_activity(Trace const&, Slice const&, Tick t);
// The same over ticks first..last of the slice, in one cell: "compute 4-100/100" (the
// per-tick table's folded rows).
std::string slice_activity(Trace const&, Slice const&, Tick first, Tick last);

}
