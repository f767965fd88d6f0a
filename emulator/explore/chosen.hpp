#pragma once

// The policy under a run whose every pick is chosen from outside (ticklab step --manual,
// ticklab explore): it keeps the ready threads by id and picks the first when asked itself;
// with a quantum, a slice ends after that many ticks, so a core needs a thread again.

#include "sched/scheduler.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace tl {

class ChosenScheduler final : public Scheduler {
public:
    explicit ChosenScheduler(std::optional<Tick> quantum)
        : m_quantum(quantum)
    {
    }
    std::unique_ptr<Scheduler> clone() const override { return std::make_unique<ChosenScheduler>(*this); }
    void enqueue(ThreadId id, EnqueueReason) override { m_ready.insert(std::lower_bound(m_ready.begin(), m_ready.end(), id), id); }
    void dequeue(ThreadId id) override { std::erase(m_ready, id); }
    std::optional<ThreadId> pick_next(CoreId core) override
    {
        for (auto it = m_ready.begin(); it != m_ready.end(); ++it)
            if (may_run_on(host().brief(*it).pinned, core)) {
                ThreadId id = *it;
                m_ready.erase(it);
                return id;
            }
        return std::nullopt;
    }
    std::optional<Tick> slice(ThreadId, CoreId) override { return m_quantum; }
    std::vector<ReadyQueue> ready_queues() const override { return { ReadyQueue { "", m_ready } }; }

private:
    std::optional<Tick> m_quantum;
    std::vector<ThreadId> m_ready;
};

}
