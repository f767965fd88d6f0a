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

// The first ready thread after the one that ran last (by id, wrapping round) that may run on
// `core` and did not become ready at this boundary; failing that, the first that did. The
// scan starts after the last one and stops at the first that fits, so a pick costs the threads
// it passes over, not the whole queue.
std::optional<ThreadId> ProcessRunScheduler::pick_next(CoreId core)
{
    Tick now = host().now();
    auto fits = [&](Ready const& ready) { return may_run_on(host().brief(ready.thread).pinned, core); };
    auto after = std::upper_bound(
        m_ready.begin(), m_ready.end(), m_last, [](ThreadId id, Ready const& ready) { return id < ready.thread; });
    auto old = [&](Ready const& ready) { return ready.since != now && fits(ready); };
    auto chosen = std::find_if(after, m_ready.end(), old);
    if (chosen == m_ready.end()) {
        chosen = std::find_if(m_ready.begin(), after, old);
        if (chosen == after)
            chosen = std::find_if(m_ready.begin(), m_ready.end(), [&](Ready const& ready) {
                return ready.since == now && fits(ready);
            });
    }
    if (chosen == m_ready.end())
        return std::nullopt;
    ThreadId thread = chosen->thread;
    m_ready.erase(chosen);
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

SchedulerRegistration const process_run_registration { 130,
    SchedulerEntry {
        "process-run",
        "OSTEP process-run.py's CPU: a thread runs until it waits or ends; then the next ready one after it, by id",
        {},
        [](SchedulerOptions const&) { return std::make_unique<ProcessRunScheduler>(); },
        [](SchedulerOptions const&) { return std::string("process-run (OSTEP), the next ready thread by id"); },
    } };

}

}
