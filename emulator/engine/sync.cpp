// Locks, spawn and join, the ends of threads and processes, faults, and deadlock.

#include "engine/machine.hpp"

#include "engine/verify.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <unordered_set>

namespace tl {

bool Machine::do_lock(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    ProcessId const process_id = process_of(id);
    auto const pc = static_cast<std::int32_t>(m_threads[id].pc);
    auto& process = m_processes[process_id];
    auto mutex = instruction.target;
    auto& holder = process.holders[mutex];
    if (holder == id) {
        fault(id, core_id, fmt::format("locked mutex '{}', which it already holds (a thread that waits for "
                                       "itself would wait for ever)",
                               instruction.text));
        return false;
    }
    if (holder == no_thread) {
        holder = id;
        emit({ .tick = m_now, .kind = EventKind::LockAcquire, .core = core_id, .process = process_id,
            .thread = id, .line = instruction.where.line, .pc = pc, .value = 0, .object = mutex });
        return next_instruction(id);
    }
    emit({ .tick = m_now, .kind = EventKind::LockWait, .core = core_id, .process = process_id, .thread = id,
        .line = instruction.where.line, .pc = pc, .value = holder, .object = mutex });
    stop_on_core(core_id, m_now);
    enter_state(id, ThreadState::Blocked);
    process.lock_waiters[mutex].push_back(id);
    if (m_any_gil)
        gil_release(id, GilReleaseCause::Blocked);
    return false;
}

bool Machine::do_unlock(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    ProcessId const process_id = process_of(id);
    auto const pc = static_cast<std::int32_t>(m_threads[id].pc);
    auto& process = m_processes[process_id];
    auto mutex = instruction.target;
    auto& holder = process.holders[mutex];
    if (holder != id) {
        fault(id, core_id,
            holder == no_thread
                ? fmt::format("unlocked mutex '{}', which nobody holds", instruction.text)
                : fmt::format("unlocked mutex '{}', which thread '{}' holds", instruction.text, m_trace.name(holder)));
        return false;
    }
    emit({ .tick = m_now, .kind = EventKind::LockRelease, .core = core_id, .process = process_id,
        .thread = id, .line = instruction.where.line, .pc = pc, .object = mutex });
    holder = no_thread;
    auto& waiters = process.lock_waiters[mutex];
    if (!waiters.empty()) {
        ThreadId next = waiters.front();
        waiters.pop_front();
        holder = next;
        emit({ .tick = m_now, .kind = EventKind::LockAcquire, .process = process_id, .thread = next,
            .line = line_of(next, EventKind::LockAcquire), .pc = static_cast<std::int32_t>(m_threads[next].pc),
            .value = 1, .object = mutex });
        wake_from_wait(next);
    }
    return next_instruction(id);
}

bool Machine::do_spawn(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    ProcessId const process_id = process_of(id);
    ThreadId target = thread_of(process_id, instruction.target);
    auto& memory = m_memory[target];
    if (memory.started) {
        fault(id, core_id, fmt::format("spawned thread '{}', which was already started", instruction.text));
        return false;
    }
    memory.started = true;
    auto& totals = m_trace.totals[target];
    totals.started = true;
    totals.arrival = m_now;
    auto& spawned = m_threads[target];
    spawned.since = m_now;
    ++m_processes[process_id].live_threads;
    emit({ .tick = m_now, .kind = EventKind::Spawn, .core = core_id, .process = process_id, .thread = id,
        .line = instruction.where.line, .pc = static_cast<std::int32_t>(m_threads[id].pc),
        .value = target });
    spawned.state = ThreadState::Ready;
    emit({ .tick = m_now, .kind = EventKind::ThreadReady, .process = process_id, .thread = target,
        .value = static_cast<std::int64_t>(ReadyCause::Spawned) });
    enqueue(target, EnqueueReason::Arrived);
    return next_instruction(id);
}

bool Machine::do_join(CoreId core_id, ThreadId id, Instruction const& instruction)
{
    ProcessId const process_id = process_of(id);
    ThreadId target = thread_of(process_id, instruction.target);
    if (target == id) {
        fault(id, core_id, "joined itself: it would wait for ever");
        return false;
    }
    if (m_threads[target].state == ThreadState::Done)
        return next_instruction(id);
    emit({ .tick = m_now, .kind = EventKind::JoinWait, .core = core_id, .process = process_id, .thread = id,
        .line = instruction.where.line, .pc = static_cast<std::int32_t>(m_threads[id].pc),
        .value = target });
    stop_on_core(core_id, m_now);
    enter_state(id, ThreadState::Blocked);
    m_joiners[target].push_back(id);
    if (m_any_gil)
        gil_release(id, GilReleaseCause::Blocked);
    return false;
}

void Machine::finish_thread(ThreadId id, CoreId core_id)
{
    auto const& info = m_trace.threads[id];
    auto const& process_info = m_trace.processes[info.process];
    auto const& holders = m_processes[info.process].holders;
    for (std::size_t mutex = 0; mutex < holders.size(); ++mutex)
        if (holders[mutex] == id) {
            fault(id, core_id,
                fmt::format("ended while holding mutex '{}'; a thread must unlock what it locks",
                    process_info.mutexes[mutex]));
            return;
        }
    emit({ .tick = m_now, .kind = EventKind::ThreadExit, .core = core_id, .process = info.process, .thread = id });
    stop_on_core(core_id, m_now);
    enter_state(id, ThreadState::Done);
    if (m_any_gil)
        gil_release(id, GilReleaseCause::Ended);
    m_trace.totals[id].finish = m_now;
    // Threads that joined it go on.
    auto joiners = std::move(m_joiners[id]);
    m_joiners[id].clear();
    for (ThreadId joiner : joiners)
        wake_from_wait(joiner);
    auto& process = m_processes[info.process];
    if (--process.live_threads == 0)
        end_process(info.process, ExitCause::Finished, id);
}

void Machine::end_process(ProcessId id, ExitCause cause, ThreadId by)
{
    auto& process = m_processes[id];
    VERIFY(!process.done);
    auto const& info = m_trace.processes[id];
    if (cause != ExitCause::Finished) {
        // `exit` ends every thread of the process now; the one that ran it ends normally. A
        // fault ends them all, the faulting one included.
        for (ThreadId thread_id : info.threads) {
            auto& thread = m_threads[thread_id];
            if (thread.state == ThreadState::Done)
                continue;
            if (!m_memory[thread_id].started) {
                thread.state = ThreadState::Done; // never spawned: nothing to stop
                continue;
            }
            if (thread.pending_core != no_core)
                flush_pending(thread.pending_core);
            if (thread_id == by && cause == ExitCause::Fault) {
                m_trace.totals[thread_id].killed = true; // the Fault event tells why
            } else if (thread_id == by) {
                emit({ .tick = m_now, .kind = EventKind::ThreadExit, .core = thread.core, .process = id,
                    .thread = thread_id, .line = line_of(thread_id, EventKind::ThreadExit), .pc = static_cast<std::int32_t>(thread.pc) });
                m_trace.totals[thread_id].finish = m_now;
            } else {
                emit({ .tick = m_now, .kind = EventKind::ThreadKilled, .core = thread.core, .process = id,
                    .thread = thread_id, .value = by });
                m_trace.totals[thread_id].killed = true;
            }
            if (thread.queued) {
                thread.queued = false;
                m_scheduler->dequeue(thread_id);
            }
            if (thread.state == ThreadState::Blocked)
                ++thread.wait_generation;
            if (thread.core != no_core && m_cores[thread.core].switching) {
                // Killed while being switched in: as in land(), that time was waiting.
                m_trace.totals[thread_id].ready += m_now - thread.since;
                thread.since = m_now;
            }
            if (thread.core != no_core)
                stop_on_core(thread.core, m_now);
            enter_state(thread_id, ThreadState::Done);
        }
        process.live_threads = 0;
        auto& gil = m_gils[id];
        if (gil.holder != no_thread)
            emit({ .tick = m_now, .kind = EventKind::GilRelease, .process = id, .thread = gil.holder,
                .value = static_cast<std::int64_t>(GilReleaseCause::Ended) });
        gil.holder = no_thread;
        gil.waiters.clear();
        gil.request_at = -1;
    }
    process.done = true;
    for (ThreadId thread_id : info.threads)
        m_joiners[thread_id].clear(); // they were all of this process
    m_ram_in_use -= info.memory;
    if (info.memory > 0)
        m_ram_map.erase(std::find_if(m_ram_map.begin(), m_ram_map.end(), [&](Allocation const& a) { return a.process == id; }));
    m_trace.processes[id].freed = m_now;
    record_final_values(id);
    --m_processes_left;
    emit({ .tick = m_now, .kind = EventKind::ProcessExit, .process = id, .thread = by,
        .value = static_cast<std::int64_t>(cause) });
    // Memory was freed: a process waiting for it may be admitted now.
    if (!m_memory_queue.empty())
        admit_processes();
}

// The thread did something the machine cannot allow: its whole process ends now.
void Machine::fault(ThreadId id, CoreId core_id, std::string message)
{
    auto const& info = m_trace.threads[id];
    m_trace.texts.push_back(std::move(message));
    emit({ .tick = m_now, .kind = EventKind::Fault, .core = core_id, .process = info.process, .thread = id,
        .line = line_of(id, EventKind::Fault), .pc = static_cast<std::int32_t>(m_threads[id].pc),
        .text = static_cast<std::int32_t>(m_trace.texts.size() - 1) });
    m_trace.totals[id].faulted = true;
    end_process(info.process, ExitCause::Fault, id);
}

// A thread blocked on a lock or a join may go on: past that instruction, ready.
void Machine::wake_from_wait(ThreadId id)
{
    auto& thread = m_threads[id];
    VERIFY(thread.state == ThreadState::Blocked);
    emit({ .tick = m_now, .kind = EventKind::Wake, .process = process_of(id),
        .thread = id, .line = line_of(id, EventKind::Wake), .pc = static_cast<std::int32_t>(thread.pc) });
    ++thread.pc;
    load_pc(id);
    make_ready(id, EnqueueReason::Woke);
}

// True when nothing is due ever again, yet processes remain: every thread left waits for
// something only another waiting thread could give (a lock, a join, the GIL, memory).
bool Machine::nothing_due() const
{
    for (Tick due : m_due)
        if (due != no_due)
            return false;
    if (m_next_arrival < m_by_arrival.size() || !m_wakeups.empty() || !m_loading.empty() || m_policy_wakeup
        || m_device_backlog > 0)
        return false;
    if (m_any_gil)
        for (auto const& gil : m_gils)
            if (gil_deadline(gil) <= max_tick_limit)
                return false;
    for (auto const& thread : m_threads)
        if (thread.state == ThreadState::Ready || thread.state == ThreadState::Running)
            return false;
    return true;
}

// What a blocked thread waits for, as a clause: "waits for mutex 'a' held by t2".
std::string Machine::describe_wait(ThreadId id) const
{
    auto const& info = m_trace.threads[id];
    auto const& process = m_processes[info.process];
    for (std::size_t mutex = 0; mutex < process.lock_waiters.size(); ++mutex)
        for (ThreadId waiter : process.lock_waiters[mutex])
            if (waiter == id)
                return fmt::format("{} waits for mutex '{}' held by {}", m_trace.name(id),
                    m_trace.processes[info.process].mutexes[mutex],
                    m_trace.name(process.holders[mutex]));
    for (std::size_t target = 0; target < m_joiners.size(); ++target)
        for (ThreadId joiner : m_joiners[target])
            if (joiner == id)
                return fmt::format("{} waits to join {}{}", m_trace.name(id), m_trace.name(static_cast<ThreadId>(target)),
                    m_memory[target].started ? "" : ", which nobody spawned");
    auto const& gil = m_gils[info.process];
    if (std::find(gil.waiters.begin(), gil.waiters.end(), id) != gil.waiters.end())
        return fmt::format("{} waits for the GIL held by {}", m_trace.name(id), m_trace.name(gil.holder));
    return fmt::format("{} is {}", m_trace.name(id), to_string(m_threads[id].state));
}

// Nothing is due and nothing can become due: name who waits for whom, a cycle first when
// there is one, and stop the run.
void Machine::stop_deadlocked()
{
    // Who each thread waits for, when that is one other thread (a lock's holder, the thread
    // it joins, the GIL's holder).
    PerId<ThreadId, ThreadId> waits_for(m_threads.count(), no_thread);
    for (ProcessId p : m_processes.ids()) {
        auto const& process = m_processes[p];
        for (MutexId mutex : process.lock_waiters.ids())
            for (ThreadId waiter : process.lock_waiters[mutex])
                waits_for[waiter] = process.holders[mutex];
        auto const& gil = m_gils[p];
        for (ThreadId waiter : gil.waiters)
            waits_for[waiter] = gil.holder;
    }
    for (ThreadId target : m_joiners.ids())
        for (ThreadId joiner : m_joiners[target])
            waits_for[joiner] = target;
    std::vector<ThreadId> cycle;
    for (ThreadId start = 0; start < m_threads.count() && cycle.empty(); ++start) {
        std::vector<ThreadId> path;
        ThreadId at = start;
        while (at != no_thread && m_threads[at].state == ThreadState::Blocked) {
            auto seen = std::find(path.begin(), path.end(), at);
            if (seen != path.end()) {
                cycle.assign(seen, path.end());
                break;
            }
            path.push_back(at);
            at = waits_for[at];
        }
    }
    std::string text;
    if (!cycle.empty()) {
        text = "deadlock: ";
        for (std::size_t i = 0; i < cycle.size(); ++i)
            text += (i == 0 ? "" : "; ") + describe_wait(cycle[i]);
    } else {
        text = "no thread can go on: ";
        int listed = 0;
        for (ThreadId id : m_threads.ids()) {
            if (m_threads[id].state != ThreadState::Blocked)
                continue;
            if (listed++ == 8) {
                text += "; ...";
                break;
            }
            text += (listed == 1 ? "" : "; ") + describe_wait(id);
        }
    }
    for (ThreadId id : m_threads.ids()) {
        auto state = m_threads[id].state;
        if ((state != ThreadState::Done && state != ThreadState::New) || awaits_admission(id))
            enter_state(id, state); // account the time up to now
    }
    m_trace.texts.push_back(std::move(text));
    emit({ .tick = m_now, .kind = EventKind::Deadlock, .text = static_cast<std::int32_t>(m_trace.texts.size() - 1) });
    for (ProcessId id : m_processes.ids())
        record_final_values(id);
    m_ended = true;
    m_trace.end = m_now;
    m_trace.outcome = Outcome::Deadlock;
}

}
