#include "sched/scheduler.hpp"

#include <algorithm>

namespace tl {

bool may_run_on(ThreadFacts const& facts, CoreId core) { return may_run_on(facts.pinned, core); }

bool may_run_on(std::span<int const> pinned, CoreId core)
{
    return pinned.empty() || std::find(pinned.begin(), pinned.end(), core) != pinned.end();
}

std::vector<ReadyQueue> Scheduler::ready_queue_heads(std::size_t limit) const
{
    auto queues = ready_queues();
    for (auto& queue : queues)
        if (queue.threads.size() > limit) {
            queue.more = static_cast<std::int64_t>(queue.threads.size() - limit);
            queue.threads.resize(limit);
            queue.threads.shrink_to_fit(); // a snapshot keeps only what it lists
        }
    return queues;
}

}
