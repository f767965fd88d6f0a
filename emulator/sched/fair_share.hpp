#pragma once

// The worked example of docs/writing-a-scheduler.md: a complete policy in one file pair.

#include "engine/per_id.hpp"
#include "sched/scheduler.hpp"

#include <deque>
#include <vector>

namespace tl {

// Fair share between processes. Round-robin gives every *thread* a turn, so a process with
// ten threads gets ten times the CPU of a process with one. Here *processes* take turns: the
// processes with a ready thread form a rotation, in the order they got one; a free core
// serves the first process in the rotation that has a thread allowed on it, takes that
// process's first such thread (each process keeps its ready threads in FIFO order) and runs
// it for one quantum; the process then goes to the back of the rotation (or leaves it, if it
// has no other ready thread). Not preemptive.
class FairShareScheduler final : public Scheduler {
public:
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<FairShareScheduler>(*this); }
    explicit FairShareScheduler(Tick quantum)
        : m_quantum(quantum)
    {
    }

    void enqueue(ThreadId, EnqueueReason) override;
    void dequeue(ThreadId) override;
    std::optional<ThreadId> pick_next(CoreId) override;
    std::optional<Tick> slice(ThreadId, CoreId) override { return m_quantum; }
    // One queue per process in the rotation, front first, labelled "process N".
    std::vector<ReadyQueue> ready_queues() const override;
    ThreadId likely_next(CoreId) const override
    {
        return m_rotation.empty() ? no_thread : m_ready[m_rotation.front()].front();
    }

private:
    void leave_rotation(ProcessId);

    Tick m_quantum;
    PerId<ProcessId, std::deque<ThreadId>> m_ready; // its ready threads
    std::deque<ProcessId> m_rotation;          // processes with a ready thread, next first
};

}
