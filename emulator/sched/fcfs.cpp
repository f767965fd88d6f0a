#include "sched/fcfs.hpp"

#include <algorithm>

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

}
