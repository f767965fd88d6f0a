#pragma once

#include "sched/scheduler.hpp"

#include <vector>

namespace tl {

// The CPU of OSTEP's process-run.py (cpu-intro): a thread runs until it waits or ends; then the
// next ready thread after the one that ran last, in declaration (id) order, wrapping round, as
// its next_proc() scans pids. Threads that became ready at this very boundary are not yet in
// that scan (the tool handles I/O completions at the start of the next tick): they run only
// when nothing else is ready, the first by id.
class ProcessRunScheduler final : public Scheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<ProcessRunScheduler>(*this); }
    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    void started(ThreadId thread, CoreId) override { m_last = thread; }
    std::vector<ReadyQueue> ready_queues() const override;

private:
    struct Ready {
        ThreadId thread = no_thread;
        Tick since = 0; // the boundary it became ready at; -1: taken off a core (not new)
    };
    std::vector<Ready> m_ready; // by thread id
    ThreadId m_last = no_thread;
};

}
