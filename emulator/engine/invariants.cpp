// The engine's own consistency checks, compiled into debug and test builds.

#include "engine/machine.hpp"

#include "engine/verify.hpp"

namespace tl {

// Every thread is in exactly one place, consistent with its state; the policy holds exactly
// the threads the Machine believes are queued; the clock never goes back. Compiled into
// debug and test builds (TICKLAB_INVARIANTS); a failure is a ticklab bug.
void Machine::check_invariants()
{
    VERIFY(m_now >= m_last_checked);
    m_last_checked = m_now;
    PerId<ThreadId, int> on_core(m_threads.count(), 0);
    for (CoreId core_id = 0; core_id < m_config.cores; ++core_id) {
        auto const& core = m_cores[core_id];
        VERIFY(core.pending == no_thread); // flushed at the end of every dispatch phase
        VERIFY((core.thread == no_thread) == (next_idle_core(core_id) == core_id));
        if (core.thread == no_thread)
            continue;
        VERIFY(++on_core[core.thread] == 1);
        auto const& thread = m_threads[core.thread];
        VERIFY(thread.core == core_id);
        VERIFY(thread.state == ThreadState::Running);
    }
    std::size_t queued = 0;
    for (ThreadId id : m_threads.ids()) {
        auto const& thread = m_threads[id];
        VERIFY(thread.pending_core == no_core);
        VERIFY((thread.state == ThreadState::Running) == (on_core[id] == 1));
        VERIFY(!thread.queued || thread.state == ThreadState::Ready);
        VERIFY(thread.state != ThreadState::Ready || thread.queued);
        queued += thread.queued ? 1 : 0;
    }
    PerId<ThreadId, int> in_queues(m_threads.count(), 0);
    std::size_t held = 0;
    for (auto const& queue : m_scheduler->ready_queues()) {
        for (ThreadId id : queue.threads) {
            VERIFY(m_threads.contains(id));
            VERIFY(m_threads[id].queued);
            VERIFY(++in_queues[id] == 1);
            ++held;
        }
    }
    VERIFY(held == queued);

    // A blocked thread waits in at most one line (a mutex's, a join's, a GIL's); a mutex
    // with a line has a live holder of its own process.
    PerId<ThreadId, int> waits(m_threads.count(), 0);
    for (ProcessId p : m_processes.ids()) {
        auto const& process = m_processes[p];
        if (process.done)
            continue;
        for (MutexId mutex : process.holders.ids()) {
            ThreadId holder = process.holders[mutex];
            VERIFY(process.lock_waiters[mutex].empty() || holder != no_thread);
            if (holder != no_thread) {
                VERIFY(process_of(holder) == p);
                VERIFY(m_threads[holder].state != ThreadState::Done);
            }
            for (ThreadId waiter : process.lock_waiters[mutex])
                ++waits[waiter];
        }
        for (ThreadId waiter : m_gils[p].waiters)
            ++waits[waiter];
    }
    for (auto const& joiners : m_joiners)
        for (ThreadId joiner : joiners)
            ++waits[joiner];
    for (ThreadId id : m_threads.ids()) {
        VERIFY(waits[id] <= 1);
        VERIFY(waits[id] == 0 || m_threads[id].state == ThreadState::Blocked);
    }
}

}
