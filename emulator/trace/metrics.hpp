#pragma once

// The numbers learners are asked about, derived from a Trace. Definitions (textbook ones,
// e.g. Silberschatz, Operating System Concepts, ch. 5):
//   turnaround = finish - arrival          (arrival: when its process arrived)
//   waiting    = ticks spent ready but not running: in a ready queue, being switched in,
//                or (before that) waiting for memory to be admitted
//   stalled    = ticks on its core waiting for the bus: not running (no work done), and
//                not waiting either (it holds its core)
//   so turnaround = running + stalled + waiting + blocked for every finished thread.
//   response   = first run - arrival
// A thread that runs ticks 0 to 23 finishes at 24.

#include "trace/trace.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tl {

struct JobMetrics {
    ThreadId thread = no_thread;
    std::string name;
    std::string process;
    Tick arrival = 0;
    Tick first_run = -1; // -1: never ran
    Tick finish = -1;    // -1: did not finish (tick limit, or killed)
    Tick turnaround = 0;
    Tick waiting = 0;
    Tick response = 0;
    Tick running = 0;     // ticks on a core doing its own work (stalls left out)
    Tick blocked = 0;
    Tick stalled = 0;     // ticks on its core waiting for the bus
    bool finished = false;
    bool killed = false;
    bool faulted = false; // it faulted, which ended its process
    bool started = true;  // false: a spawned thread that nobody spawned (arrival is then -1)
    // The cache model (MachineConfig::cache > 0): ticks its compute ran with its working set
    // warm in its core's cache, and cold (0 both for a thread without a working set), and how
    // many times it moved to another core.
    Tick warm = 0;
    Tick cold = 0;
    std::int64_t migrations = 0;
};

struct CoreMetrics {
    CoreId id = 0;
    Tick busy = 0;      // ticks running threads' work
    Tick switching = 0; // ticks spent in context switches
    Tick stalled = 0;   // ticks its thread waited for the bus (not counted as busy)
    double utilisation = 0; // busy / makespan (0 when the makespan is 0)
};

// A process that did not fit in free RAM when it arrived waited for memory: from its
// arrival until its RAM was allocated (or the run ended). Those ticks are part of its
// threads' waiting.
struct ProcessMetrics {
    std::string name;
    Tick memory_wait = 0;       // 0 when it was admitted the tick it arrived
    bool waited = false;        // it had to wait (a process-wait event)
    bool still_waiting = false; // it was still waiting when the run ended
};

struct Averages {
    double turnaround = 0;
    double waiting = 0;
    double response = 0;
};

struct Metrics {
    PerId<ThreadId, JobMetrics> jobs;
    Averages averages;            // over the threads that finished
    PerId<CoreId, CoreMetrics> cores;
    PerId<ProcessId, ProcessMetrics> processes;
    Tick makespan = 0;            // the tick at which the last thread finished
    std::int64_t context_switches = 0;
    Tick busy = 0;                // total busy core-ticks
    double utilisation = 0;       // busy / (cores x makespan)
    Tick stalled = 0;             // total core-ticks stalled on the bus
    std::int64_t bus_transfers = 0;
    double bus_utilisation = 0;   // transfers / (bandwidth x makespan)
    // The makespan of the same run on one core, when it was measured (ticklab run does when
    // the machine has several cores): speed-up = one_core_makespan / makespan.
    std::optional<Tick> one_core_makespan;
    // It was not measured because the run is long (it takes a second run on one core, about as
    // long as this one); `ticklab run --speedup` measures it anyway.
    bool one_core_skipped = false;
    std::optional<double> speedup() const
    {
        if (!one_core_makespan || makespan <= 0)
            return std::nullopt;
        return static_cast<double>(*one_core_makespan) / static_cast<double>(makespan);
    }
};

Metrics compute_metrics(Trace const&);

}
