#pragma once

#include "sched/scheduler.hpp"

#include <deque>
#include <vector>

namespace tl {

// Per-core dispatch: one run queue per core, round-robin with `quantum` inside each. A thread
// is placed once, when it first becomes ready, on the allowed core with the least work
// (queued plus running; ties go to the lowest core id), and stays there: when it wakes or is
// preempted it goes back to the queue of the core it last ran on. Each core only ever runs
// threads from its own queue, so several cores work truly in parallel, and each core on its
// own switches between its threads (concurrency on each of several cores).
class PerCoreScheduler final : public Scheduler {
public:
    PerCoreScheduler(int cores, Tick quantum);
    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    std::optional<Tick> slice(ThreadId, CoreId) override { return m_quantum; }
    std::vector<ReadyQueue> ready_queues() const override;

private:
    CoreId home_for(ThreadId) const;

    std::vector<std::deque<ThreadId>> m_queues;
    std::vector<CoreId> m_home; // per thread id; no_core until placed
    Tick m_quantum;
};

}
