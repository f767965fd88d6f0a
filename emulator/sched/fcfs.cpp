#include "sched/fcfs.hpp"

#include "sched/registry.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tl {

void FcfsScheduler::enqueue(ThreadId thread, EnqueueReason) { m_queue.push_back(thread); }

void FcfsScheduler::dequeue(ThreadId thread) { std::erase(m_queue, thread); }

std::optional<ThreadId> FcfsScheduler::pick_next(CoreId core)
{
    // The first thread in the queue allowed on this core (threads may be pinned).
    for (auto it = m_queue.begin(); it != m_queue.end(); ++it) {
        auto pins = host().brief(*it).pinned;
        if (pins.empty() || std::find(pins.begin(), pins.end(), core) != pins.end()) {
            if (it == m_queue.begin()) {
                ThreadId thread = *it;
                m_queue.pop_front();
                return thread;
            }
            ThreadId thread = *it;
            m_queue.erase(it);
            return thread;
        }
    }
    return std::nullopt;
}

std::vector<ReadyQueue> FcfsScheduler::ready_queues() const
{
    return { ReadyQueue { "", { m_queue.begin(), m_queue.end() } } };
}

std::vector<ReadyQueue> FcfsScheduler::ready_queue_heads(std::size_t limit) const
{
    auto listed = std::min(limit, m_queue.size());
    auto end = m_queue.begin() + static_cast<std::ptrdiff_t>(listed);
    return { ReadyQueue { "", { m_queue.begin(), end }, static_cast<std::int64_t>(m_queue.size() - listed) } };
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const fcfs_registration { 10,
    SchedulerEntry {
        "fcfs",
        "first come, first served: one global queue; a thread runs until it blocks or ends",
        {},
        [](SchedulerOptions const&) { return std::make_unique<FcfsScheduler>(); },
        [](SchedulerOptions const&) { return std::string("first come, first served, one global queue"); },
    } };

}

}
