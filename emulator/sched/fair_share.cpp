#include "sched/fair_share.hpp"

#include "sched/registry.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

void FairShareScheduler::enqueue(ThreadId thread, EnqueueReason)
{
    // The policy's own table, keyed by the thread's process.
    auto process = host().brief(thread).process;
    auto& queue = m_ready.grow_to(process);
    if (queue.empty())
        m_rotation.push_back(process);
    queue.push_back(thread);
}

void FairShareScheduler::leave_rotation(ProcessId process)
{
    m_rotation.erase(std::find(m_rotation.begin(), m_rotation.end(), process));
}

void FairShareScheduler::dequeue(ThreadId thread)
{
    auto process = host().brief(thread).process;
    auto& queue = m_ready[process];
    std::erase(queue, thread);
    if (queue.empty())
        leave_rotation(process);
}

std::optional<ThreadId> FairShareScheduler::pick_next(CoreId core)
{
    for (std::size_t turn = 0; turn < m_rotation.size(); ++turn) {
        ProcessId process = m_rotation[turn];
        auto& queue = m_ready[process];
        // Pinned threads may only run on their cores: skip those that may not run here.
        auto found = std::find_if(queue.begin(), queue.end(),
            [&](ThreadId thread) { return may_run_on(host().brief(thread).pinned, core); });
        if (found == queue.end())
            continue;
        ThreadId thread = *found;
        queue.erase(found);
        // Its turn is used: to the back of the rotation, or out of it.
        m_rotation.erase(m_rotation.begin() + static_cast<std::ptrdiff_t>(turn));
        if (!queue.empty())
            m_rotation.push_back(process);
        return thread;
    }
    // Nothing here may run on this core. Returning nothing must change nothing: the Machine
    // asks idle cores again at every tick when it steps tick by tick.
    return std::nullopt;
}

std::vector<ReadyQueue> FairShareScheduler::ready_queues() const
{
    std::vector<ReadyQueue> queues;
    for (ProcessId process : m_rotation) {
        auto const& queue = m_ready[process];
        queues.push_back(ReadyQueue { fmt::format("process {}", process), { queue.begin(), queue.end() } });
    }
    return queues;
}

// Its row in the registry (sched/registry.hpp).
namespace {

SchedulerRegistration const fair_share_registration { 120,
    SchedulerEntry {
        "fair-share",
        "fair share between processes: processes take turns, a quantum each, whatever their thread count",
        { quantum_setting },
        [](SchedulerOptions const& options) { return std::make_unique<FairShareScheduler>(options.quantum); },
        [](SchedulerOptions const& options) {
            return fmt::format("fair share between processes, quantum {}", options.quantum);
        },
    } };

}

}
