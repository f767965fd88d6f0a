// What the Machine offers its callers beyond a run: a copy of its state, and choices from
// outside the policy (see Chooser in sched/scheduler.hpp).

#include "engine/machine.hpp"

#include "engine/verify.hpp"

#include <algorithm>

namespace tl {

Machine::Machine(Machine const& other)
    : SchedulerHost(other)
    , m_config(other.m_config)
    , m_scheduler(other.m_scheduler->clone())
    , m_trace(other.m_trace)
    , m_now(other.m_now)
    , m_last_checked(other.m_last_checked)
    , m_unchecked_boundaries(other.m_unchecked_boundaries)
    , m_started(other.m_started)
    , m_ended(other.m_ended)
    , m_arrived_this_boundary(other.m_arrived_this_boundary)
    , m_woke_this_boundary(other.m_woke_this_boundary)
    , m_dispatch_dirty(other.m_dispatch_dirty)
    , m_threads(other.m_threads)
    , m_bursts(other.m_bursts)
    , m_briefs(other.m_briefs)
    , m_cores(other.m_cores)
    , m_processes(other.m_processes)
    , m_by_arrival(other.m_by_arrival)
    , m_next_arrival(other.m_next_arrival)
    , m_memory_queue(other.m_memory_queue)
    , m_ram_in_use(other.m_ram_in_use)
    , m_processes_left(other.m_processes_left)
    , m_wakeups(other.m_wakeups)
    , m_wait_sequence(other.m_wait_sequence)
    , m_slice_ended(other.m_slice_ended)
    , m_pending_cores(other.m_pending_cores)
    , m_due(other.m_due)
    , m_due_rest(other.m_due_rest)
    , m_due_rest_known(other.m_due_rest_known)
    , m_due_touched(other.m_due_touched)
    , m_policy_wakeup(other.m_policy_wakeup)
    , m_touched(other.m_touched)
    , m_touched_count(other.m_touched_count)
    , m_idle_cores(other.m_idle_cores)
    , m_gils(other.m_gils)
    , m_any_gil(other.m_any_gil)
    , m_any_memory(other.m_any_memory)
    , m_memory(other.m_memory)
    , m_thread_process(other.m_thread_process)
    , m_joiners(other.m_joiners)
    , m_ram_map(other.m_ram_map)
    , m_loading(other.m_loading)
    , m_device_backlog(other.m_device_backlog)
    , m_chooser(other.m_chooser)
    , m_cache(other.m_cache ? std::make_unique<CacheModel>(*other.m_cache) : nullptr)
{
    m_loops.reserve(other.m_loops.size());
    for (auto const& loop : other.m_loops)
        m_loops.push_back(loop ? std::make_unique<EventLoop>(*loop) : nullptr);
    point_at_code();
    m_scheduler->attach(*this);
}

// See Chooser (sched/scheduler.hpp).
std::optional<ThreadId> Machine::pick_from_outside(CoreId core_id)
{
    std::vector<ThreadId> ready;
    for (std::size_t t = 0; t < m_threads.size(); ++t)
        if (m_threads[t].queued && may_run_on(brief(static_cast<ThreadId>(t)).pinned, core_id))
            ready.push_back(static_cast<ThreadId>(t));
    if (ready.empty())
        return m_scheduler->pick_next(core_id);
    auto preview = m_scheduler->clone();
    preview->attach(*this);
    auto const policy_pick = preview->pick_next(core_id);
    auto const chosen = m_chooser->choose(Choice { core_id, ready, policy_pick });
    if (chosen == policy_pick) {
        auto picked = m_scheduler->pick_next(core_id);
        VERIFY(picked == policy_pick); // a clone answers as the policy does
        return picked;
    }
    if (!chosen)
        return std::nullopt;
    VERIFY(std::find(ready.begin(), ready.end(), *chosen) != ready.end());
    m_scheduler->dequeue(*chosen);
    return chosen;
}

}
