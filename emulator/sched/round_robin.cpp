#include "sched/round_robin.hpp"

// Everything round-robin needs is in the header: it is FCFS with a slice.

#include "sched/registry.hpp"

#include <fmt/format.h>

namespace tl {

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const round_robin_registration { 20,
    SchedulerEntry {
        "rr",
        "round-robin: one global queue; each thread runs at most a quantum, then goes to the back",
        { quantum_setting, timer_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<RoundRobinScheduler>(options.quantum, checked(read_timer("rr", options)));
        },
        [](SchedulerOptions const& options) {
            return fmt::format("round-robin, quantum {}, one global queue{}", options.quantum,
                describe(checked(read_timer("rr", options))));
        },
        [](SchedulerOptions const& options) { return error_of(read_timer("rr", options)); },
    } };

}

}
