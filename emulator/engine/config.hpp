#pragma once

// Every tunable of the simulated machine in one place, each with its default and why.

#include "engine/ids.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

struct Program;

struct MachineConfig {
    int cores = 1;                          // CPU cores; each runs one thread-tick per tick
    std::uint64_t ram = 1024 * 1024;        // main memory in bytes; a process must fit to be admitted
    int bus_bandwidth = 8;                  // transfers the system bus grants per tick
    std::uint64_t storage = 64 * 1024 * 1024; // where programs live before they are loaded
    // Bytes one bus transfer carries from storage into RAM while a program loads. 0 loads
    // programs instantly, so textbook examples keep their published numbers; 4K shows a
    // process `loading` for ceil(memory / 4K) transfers, competing for the bus.
    std::uint64_t load_chunk = 0;
    Tick switch_cost = 0;                   // ticks a core spends switching to another thread
    Tick max_ticks = 1'000'000;             // the run stops here: a guard against programs that never end
    // Conventions that textbooks and simulators disagree on, made explicit (the run header
    // states them):
    bool arrivals_first = true; // at one tick, arrivals and wake-ups queue ahead of a thread whose slice just ended
    bool wake_preempts = true;  // a waking thread may preempt a running one (when the policy preempts at all)
    // OSTEP's process-run.py (docs/schedulers.md, "Matching OSTEP"):
    bool switch_on_end = false;     // --switch-on end: a thread that starts I/O keeps its core, idle, until it wakes
    bool io_done_immediate = false; // --io-done immediate: a thread whose I/O ends takes its core back at once
    // The cache affinity model (engine/cache.hpp), after OSTEP's multi.py: each core's cache
    // holds `cache` units of working sets (0: the model is off); a thread whose working set is
    // warm there computes `cache_warm_rate` times as fast, and warming takes `cache_warmup`
    // ticks of its compute on that core.
    std::uint64_t cache = 0;
    Tick cache_warm_rate = 2;
    Tick cache_warmup = 10;
    bool step_every_tick = false;           // disable event skipping (for tests: must not change the trace)
    bool record_queues = true;              // keep ready-queue snapshots for the per-tick table
    // With record_queues: keep only the first N threads of each queue in a snapshot and count
    // the rest (ReadyQueue::more); 0 keeps them all. The per-tick table shows no more than a
    // column's width of a queue, so it asks for queue_heads_shown (trace/render.hpp): with
    // thousands of ready threads, snapshots cost what the table shows, not threads x changes.
    std::int32_t queue_snapshot_limit = 0;
    bool record_events = true;              // keep events and slices; off, only totals and counts are kept
    // With record_events off: still keep the events that are not routine scheduling (arrivals,
    // admissions, exits, prints, faults, shared variables, locks, spawns, joins, the GIL,
    // tasks), which is all the summary and the race check read. Ready, dispatch, preempt,
    // block, wake and migrate events and the slices are only counted.
    bool record_notable = false;
};

// The conventions above, one row each, in the order the run header states them: the option
// that changes it, and the header's words. A row marked `always` is stated in every header;
// the others only when the run differs from the default. A new convention adds a row.
struct Convention {
    std::string_view option;                   // "--switch-on end"
    bool always;                               // stated even at its default
    bool (*changed)(MachineConfig const&);     // the run differs from the default
    std::string_view at_default;               // the header's words at the default (always rows)
    std::string_view when_changed;             // the header's words otherwise
};
std::span<Convention const> conventions();

inline constexpr int max_cores = 1024;
inline constexpr Tick max_cache_warm_rate = 1000;
inline constexpr Tick max_tick_limit = 1'000'000'000'000; // 10^12, the largest operand too

// Problems with the machine itself (0 cores, ...) or with a program that can never run on
// it (bigger than all of RAM, pinned to a core that does not exist). One sentence each,
// without a trailing period, in the order found. Empty when the run can start.
std::vector<std::string> check_machine(MachineConfig const&);
std::vector<std::string> check_program_fits(MachineConfig const&, Program const&);

// Parses "65536", "64K", "1M", "2G" (K, M, G: powers of 1024; lowercase accepted). Nothing
// on a malformed, zero or overflowing size.
std::optional<std::uint64_t> parse_size(std::string_view);

// "64K" / "1M" style rendering of a byte count, exact when possible: 65536 -> "64K".
std::string format_bytes(std::uint64_t);

}
