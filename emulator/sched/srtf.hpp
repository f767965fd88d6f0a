#pragma once

#include "sched/sjf.hpp"

namespace tl {

// Shortest remaining time first (preemptive SJF; OSTEP calls it STCF, shortest time to
// completion): SJF, but when a thread arrives or wakes with a shorter next burst than what
// is left of a running thread's burst (strictly shorter: a tie does not preempt), it takes
// that core. With several cores, the newcomer takes the core whose thread has the most left.
class SrtfScheduler final : public SjfScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<SrtfScheduler>(*this); }
    explicit SrtfScheduler(SjfConfig config)
        : SjfScheduler(config, true)
    {
    }

protected:
    std::int64_t running_key(ThreadId thread, CoreId) const override;
};

}
