#pragma once

// A minimal round-robin simulator: the comparison point for the engine's cost per event
// (docs/performance.md, "The engine against a minimal loop"). It reads the same Program and
// follows the same rules as ticklab's rr with a per-dispatch quantum, all RAM free, no switch
// cost, no cache model, and no memory instructions, so it must produce the same schedule:
// `ticklab-bench --minimal-rr` checks every thread's finish tick against the Machine's.

#include "lang/program.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

struct MinimalRun {
    std::vector<tl::Tick> finish;        // per thread, in declaration order (the Machine's ThreadId)
    tl::Tick end = 0;                    // the tick the last thread finished
    std::int64_t context_switches = 0;   // as the Machine counts them: a core takes another thread
    std::int64_t migrations = 0;         // a thread dispatched on a core other than its last
};

// Why the minimal loop cannot follow this program exactly (an instruction other than compute,
// io or sleep, a zero-tick one, a pinned or spawned thread, a GIL, a working set); empty: it can.
std::string minimal_rr_unsupported(tl::Program const&);

// Runs the program to its end on `cores` cores, round-robin with `quantum`.
MinimalRun minimal_rr(tl::Program const&, int cores, tl::Tick quantum);

}
