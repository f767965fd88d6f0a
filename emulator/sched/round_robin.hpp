#pragma once

#include "sched/fcfs.hpp"
#include "sched/timer.hpp"

namespace tl {

// Round-robin over one global queue: FCFS order, but each dispatch grants a slice of
// `quantum` ticks; a thread whose slice ends goes to the back of the queue (behind threads
// that arrived or woke at the same tick). If nobody else is waiting it simply goes on.
// With several cores, idle cores take from the front in core id order. With timer=global
// a slice ends at the next multiple of the quantum instead (see sched/timer.hpp).
class RoundRobinScheduler final : public FcfsScheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<RoundRobinScheduler>(*this); }
    explicit RoundRobinScheduler(Tick quantum, TimerMode timer = TimerMode::PerDispatch)
        : m_quantum(quantum)
        , m_timer(timer)
    {
    }
    std::optional<Tick> slice(ThreadId, CoreId) override { return timer_slice(m_timer, m_quantum, host()); }

private:
    Tick m_quantum;
    TimerMode m_timer;
};

}
