#pragma once

#include "sched/scheduler.hpp"

#include <deque>

namespace tl {

// First come, first served: one global FIFO queue; a thread runs until it blocks or ends.
// Ties (threads becoming ready at the same boundary) keep the Machine's phase order:
// arrivals in declaration order, then wake-ups, then preempted threads.
class FcfsScheduler : public Scheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<FcfsScheduler>(*this); }
    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    std::vector<ReadyQueue> ready_queues() const override;
    std::vector<ReadyQueue> ready_queue_heads(std::size_t limit) const override;
    ThreadId likely_next(CoreId) const override { return m_queue.empty() ? no_thread : m_queue.front(); }

protected:
    std::deque<ThreadId> m_queue;
};

}
