#include "sched/per_core.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

PerCoreScheduler::PerCoreScheduler(int cores, Tick quantum)
    : m_queues(static_cast<std::size_t>(cores))
    , m_quantum(quantum)
{
}

CoreId PerCoreScheduler::home_for(ThreadId thread) const
{
    auto facts = host().facts(thread);
    CoreId best = no_core;
    std::size_t best_load = 0;
    for (CoreId core = 0; core < static_cast<CoreId>(m_queues.size()); ++core) {
        if (!may_run_on(facts, core))
            continue;
        std::size_t load = m_queues[static_cast<std::size_t>(core)].size() + (host().running_on(core) != no_thread ? 1 : 0);
        if (best == no_core || load < best_load) {
            best = core;
            best_load = load;
        }
    }
    return best;
}

void PerCoreScheduler::enqueue(ThreadId thread, EnqueueReason)
{
    auto index = static_cast<std::size_t>(thread);
    if (index >= m_home.size())
        m_home.resize(index + 1, no_core);
    if (m_home[index] == no_core)
        m_home[index] = home_for(thread);
    m_queues[static_cast<std::size_t>(m_home[index])].push_back(thread);
}

void PerCoreScheduler::dequeue(ThreadId thread)
{
    for (auto& queue : m_queues)
        std::erase(queue, thread);
}

std::optional<ThreadId> PerCoreScheduler::pick_next(CoreId core)
{
    auto& queue = m_queues[static_cast<std::size_t>(core)];
    if (queue.empty())
        return std::nullopt;
    ThreadId thread = queue.front();
    queue.pop_front();
    return thread;
}

std::vector<ReadyQueue> PerCoreScheduler::ready_queues() const
{
    std::vector<ReadyQueue> queues;
    for (std::size_t core = 0; core < m_queues.size(); ++core)
        queues.push_back(ReadyQueue { fmt::format("core {}", core), { m_queues[core].begin(), m_queues[core].end() } });
    return queues;
}

}
