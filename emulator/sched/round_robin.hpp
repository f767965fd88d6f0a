#pragma once

#include "sched/fcfs.hpp"

namespace tl {

// Round-robin over one global queue: FCFS order, but each dispatch grants a slice of
// `quantum` ticks; a thread whose slice ends goes to the back of the queue (behind threads
// that arrived or woke at the same tick). If nobody else is waiting it simply goes on.
// With several cores, idle cores take from the front in core id order.
class RoundRobinScheduler final : public FcfsScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<RoundRobinScheduler>(*this); }
    explicit RoundRobinScheduler(Tick quantum)
        : m_quantum(quantum)
    {
    }
    std::optional<Tick> slice(ThreadId, CoreId) override { return m_quantum; }

private:
    Tick m_quantum;
};

}
