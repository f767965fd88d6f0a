// A process's global interpreter lock (see docs/language.md).

#include "engine/machine.hpp"

#include "engine/verify.hpp"


namespace tl {

bool Machine::gil_blocks(ThreadId id) const
{
    auto const& gil = m_gils[process_of(id)];
    return gil.enabled && gil.holder != no_thread && gil.holder != id;
}

void Machine::gil_take(ThreadId id)
{
    auto process = process_of(id);
    auto& gil = m_gils[process];
    if (!gil.enabled || gil.holder == id)
        return;
    VERIFY(gil.holder == no_thread);
    gil.holder = id;
    emit({ .tick = m_now, .kind = EventKind::GilAcquire, .process = process, .thread = id, .value = 0 });
}

void Machine::gil_wait(ThreadId id)
{
    auto process = process_of(id);
    auto& gil = m_gils[process];
    emit({ .tick = m_now, .kind = EventKind::GilWait, .process = process, .thread = id, .line = line_of(id, EventKind::GilWait),
        .pc = static_cast<std::int32_t>(m_threads[id].pc), .value = gil.holder });
    enter_state(id, ThreadState::Blocked);
    if (gil.waiters.empty())
        gil.request_at = m_now;
    gil.waiters.push_back(id);
}

// The holder lets the GIL go; the first waiter, if any, takes it and becomes ready.
void Machine::gil_release(ThreadId id, GilReleaseCause cause)
{
    auto process = process_of(id);
    auto& gil = m_gils[process];
    if (gil.holder != id)
        return;
    emit({ .tick = m_now, .kind = EventKind::GilRelease, .process = process, .thread = id,
        .value = static_cast<std::int64_t>(cause) });
    gil.holder = no_thread;
    gil.request_at = -1;
    if (gil.waiters.empty())
        return;
    ThreadId next = gil.waiters.front();
    gil.waiters.pop_front();
    gil.holder = next;
    gil.request_at = gil.waiters.empty() ? -1 : m_now;
    emit({ .tick = m_now, .kind = EventKind::GilAcquire, .process = process, .thread = next, .value = 1 });
    make_ready(next, EnqueueReason::Woke);
}

// A running holder (on a core and past any switch, or whose slice just ended) that has had a
// waiter for `interval` ticks of its run hands the GIL over.
Tick Machine::gil_deadline(Gil const& gil) const
{
    constexpr Tick none = max_tick_limit + 1;
    if (gil.holder == no_thread || gil.waiters.empty())
        return none;
    auto const& thread = m_threads[gil.holder];
    bool running = thread.core != no_core && !m_cores[thread.core].switching;
    if (!running && thread.pending_core == no_core)
        return none; // it must run before it can be asked to let go
    return std::max(gil.request_at, gil.run_since) + gil.interval;
}

// The switch interval: the holder lets the GIL go, the first waiter takes it; if the holder
// was running, it leaves its core (and waits for the GIL when it is dispatched again).
void Machine::gil_handoffs()
{
    if (!m_any_gil)
        return;
    for (auto& gil : m_gils) {
        if (m_now < gil_deadline(gil))
            continue;
        ThreadId old = gil.holder;
        gil_release(old, GilReleaseCause::Interval);
        auto& thread = m_threads[old];
        if (thread.core != no_core) {
            emit({ .tick = m_now, .kind = EventKind::Preempt, .core = thread.core,
                .process = process_of(old), .thread = old,
                .line = line_of(old, EventKind::Preempt), .pc = static_cast<std::int32_t>(thread.pc),
                .value = static_cast<std::int64_t>(PreemptCause::Policy) });
            stop_on_core(thread.core, m_now);
            make_ready(old, EnqueueReason::Preempted);
        }
    }
}

}
