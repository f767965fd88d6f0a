#include "sched/srtf.hpp"

#include "sched/registry.hpp"

#include <fmt/format.h>

namespace tl {

// The running thread's length as of now: the Machine's facts count the ticks it has done.
std::int64_t SrtfScheduler::running_key(ThreadId thread, CoreId) const { return length(thread); }

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const srtf_registration { 40,
    SchedulerEntry {
        "srtf",
        "shortest remaining time first (preemptive SJF, OSTEP's STCF): a shorter newcomer preempts",
        { by_setting },
        [](SchedulerOptions const& options) {
            return std::make_unique<SrtfScheduler>(checked(read_sjf_config("srtf", options)));
        },
        [](SchedulerOptions const& options) {
            auto config = checked(read_sjf_config("srtf", options));
            return fmt::format("shortest remaining time first (by {}), preemptive, one global queue",
                describe(config));
        },
        [](SchedulerOptions const& options) { return error_of(read_sjf_config("srtf", options)); },
    } };

}

}
