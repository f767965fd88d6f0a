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
    std::vector<int> on_core(m_threads.size(), 0);
    for (CoreId core_id = 0; core_id < m_config.cores; ++core_id) {
        auto const& core = m_cores[static_cast<std::size_t>(core_id)];
        VERIFY(core.pending == no_thread); // flushed at the end of every dispatch phase
        if (core.thread == no_thread)
            continue;
        VERIFY(++on_core[static_cast<std::size_t>(core.thread)] == 1);
        auto const& thread = m_threads[static_cast<std::size_t>(core.thread)];
        VERIFY(thread.core == core_id);
        VERIFY(thread.state == ThreadState::Running);
    }
    std::size_t queued = 0;
    for (std::size_t id = 0; id < m_threads.size(); ++id) {
        auto const& thread = m_threads[id];
        VERIFY(thread.pending_core == no_core);
        VERIFY((thread.state == ThreadState::Running) == (on_core[id] == 1));
        VERIFY(!thread.queued || thread.state == ThreadState::Ready);
        VERIFY(thread.state != ThreadState::Ready || thread.queued);
        queued += thread.queued ? 1 : 0;
    }
    std::vector<int> in_queues(m_threads.size(), 0);
    std::size_t held = 0;
    for (auto const& queue : m_scheduler->ready_queues()) {
        for (ThreadId id : queue.threads) {
            VERIFY(id >= 0 && static_cast<std::size_t>(id) < m_threads.size());
            VERIFY(m_threads[static_cast<std::size_t>(id)].queued);
            VERIFY(++in_queues[static_cast<std::size_t>(id)] == 1);
            ++held;
        }
    }
    VERIFY(held == queued);

    // A blocked thread waits in at most one line (a mutex's, a join's, a GIL's); a mutex
    // with a line has a live holder of its own process.
    std::vector<int> waits(m_threads.size(), 0);
    for (ProcessId p = 0; p < static_cast<ProcessId>(m_processes.size()); ++p) {
        auto const& process = m_processes[static_cast<std::size_t>(p)];
        if (process.done)
            continue;
        for (std::size_t mutex = 0; mutex < process.holders.size(); ++mutex) {
            ThreadId holder = process.holders[mutex];
            VERIFY(process.lock_waiters[mutex].empty() || holder != no_thread);
            if (holder != no_thread) {
                VERIFY(process_of(holder) == p);
                VERIFY(m_threads[static_cast<std::size_t>(holder)].state != ThreadState::Done);
            }
            for (ThreadId waiter : process.lock_waiters[mutex])
                ++waits[static_cast<std::size_t>(waiter)];
        }
        for (ThreadId waiter : m_gils[static_cast<std::size_t>(p)].waiters)
            ++waits[static_cast<std::size_t>(waiter)];
    }
    for (auto const& joiners : m_joiners)
        for (ThreadId joiner : joiners)
            ++waits[static_cast<std::size_t>(joiner)];
    for (std::size_t id = 0; id < m_threads.size(); ++id) {
        VERIFY(waits[id] <= 1);
        VERIFY(waits[id] == 0 || m_threads[id].state == ThreadState::Blocked);
    }
}

}
