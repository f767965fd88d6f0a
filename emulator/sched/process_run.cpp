#include "sched/process_run.hpp"

#include "sched/registry.hpp"

#include <algorithm>

namespace tl {

void ProcessRunScheduler::enqueue(ThreadId thread, EnqueueReason reason)
{
    auto at = std::lower_bound(
        m_ready.begin(), m_ready.end(), thread, [](Ready const& ready, ThreadId id) { return ready.thread < id; });
    m_ready.insert(at, Ready { thread, reason == EnqueueReason::Preempted ? Tick(-1) : host().now() });
}

void ProcessRunScheduler::dequeue(ThreadId thread)
{
    std::erase_if(m_ready, [&](Ready const& ready) { return ready.thread == thread; });
}

std::optional<ThreadId> ProcessRunScheduler::pick_next(CoreId core)
{
    Tick now = host().now();
    std::optional<std::size_t> first_new;
    std::optional<std::size_t> first_old;
    std::optional<std::size_t> next_old; // the first one after m_last
    for (std::size_t i = 0; i < m_ready.size(); ++i) {
        if (!may_run_on(host().brief(m_ready[i].thread).pinned, core))
            continue;
        if (m_ready[i].since == now) {
            if (!first_new)
                first_new = i;
            continue;
        }
        if (!first_old)
            first_old = i;
        if (!next_old && m_ready[i].thread > m_last)
            next_old = i;
    }
    auto chosen = next_old ? next_old : first_old ? first_old : first_new;
    if (!chosen)
        return std::nullopt;
    ThreadId thread = m_ready[*chosen].thread;
    m_ready.erase(m_ready.begin() + static_cast<std::ptrdiff_t>(*chosen));
    return thread;
}

std::vector<ReadyQueue> ProcessRunScheduler::ready_queues() const
{
    ReadyQueue queue;
    for (auto const& ready : m_ready)
        queue.threads.push_back(ready.thread);
    return { std::move(queue) };
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const registration { 130,
    SchedulerEntry {
        "process-run",
        "OSTEP process-run.py's CPU: a thread runs until it waits or ends; then the next ready one after it, by id",
        {},
        [](SchedulerOptions const&) { return std::make_unique<ProcessRunScheduler>(); },
        [](SchedulerOptions const&) { return std::string("process-run (OSTEP), the next ready thread by id"); },
    } };

}

}
