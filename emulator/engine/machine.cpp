#include "engine/machine.hpp"

#include "engine/verify.hpp"
#include "lang/bursts.hpp"

#include <algorithm>
#include <span>

// One tick boundary T, the moment between tick T-1 and tick T, runs these phases in this
// order. Tick T is then executed: every core with a thread does one tick of its compute.
//
//   1. Retire.    Time has advanced to T. Each core in id order: a switch that ends at T lands
//                 its thread; a compute instruction that ends at T moves the thread on to its
//                 next instruction (zero-time instructions such as print and exit run now; io
//                 and sleep block it; after the last one it ends); a slice that ends at T takes
//                 the thread off the core (it is queued again in phase 4).
//   2. Admit.     Processes waiting for memory, first come first served, then processes
//                 arriving at T: a process whose memory fits is admitted and its threads
//                 become ready in declaration order; one that does not fit waits.
//   3. Wake.      Threads whose I/O or timer ends at T become ready, by wake tick and then
//                 by who started waiting first (wake_due_threads). Then the GIL handoffs
//                 (gil_handoffs): a holder that has had a waiter for the process's switch
//                 interval lets its GIL go to the first waiter, which becomes ready; if the
//                 holder was running, it leaves its core and is queued as preempted.
//   4. Requeue.   Threads whose slice ended in phase 1, in core id order. (So a thread that
//                 arrives at T goes ahead of a thread preempted at T: the textbook convention.
//                 With MachineConfig::arrivals_first off, this phase runs before phase 2.)
//   5. Preempt.   If a thread arrived in phase 2, or woke in phase 3 (and
//                 MachineConfig::wake_preempts is on), the policy may preempt running threads
//                 (cores in id order); they are queued behind what is there.
//   6. Dispatch.  Each idle core in id order asks the policy for a thread. A core that gets
//                 the thread it just stopped carries on without a switch. Otherwise a switch
//                 costs MachineConfig::switch_cost ticks before the thread lands; a thread that
//                 lands and at once blocks or ends frees the core, which asks again.
//   7. Bus.       First, each I/O that finished (phase 3) copies its data into RAM with one
//                 transfer (the thread does not wait for it; what the bandwidth cannot take
//                 goes first at T+1). Then each core whose thread is at a memory instruction
//                 (read, write, incr, atomic incr) asks for one transfer for tick T, cores in
//                 id order starting at core
//                 T mod cores (so no core is always last). The bus grants MachineConfig::
//                 bus_bandwidth transfers a tick; a core that gets none stalls for tick T and
//                 asks again at T+1. A granted access takes effect at once, in grant order. Incr's
//                 middle step (the add) is CPU work and needs no transfer. Programs being loaded
//                 from storage then get what is left, in the order their loading started.
//
// Between boundaries nothing but compute happens, so the Machine jumps straight to the next
// boundary at which something is due (a compute instruction or slice ending, a switch ending,
// an arrival, a wake-up, a GIL handoff, a policy's timer; every tick while a memory instruction
// runs or a program loads). Stepping every tick visits boundaries where nothing is due; every
// phase is then a no-op, which is why both give the same trace.
//
// The phases are here (process_boundary and dispatch), with the small helpers that every
// dispatch and slice end calls (touch, enter_state, the slices, land, settle's common case)
// inline in machine.hpp; the rest of the Machine is split by concern: instructions.cpp (settle, one function per instruction), memory.cpp (RAM, loading,
// the bus), sync.cpp (locks, spawn, join, the end of threads and processes, faults, deadlock),
// coroutines.cpp (the event loop), gil.cpp (the GIL), invariants.cpp (check_invariants),
// outside.cpp (the copy constructor and choices from outside the policy), setup.cpp (the
// Machine at tick 0, built from the program).

namespace tl {

void Machine::run()
{
    while (advance()) { }
}

void Machine::stop_soon()
{
    if (m_ended || m_now + 1 >= m_config.max_ticks)
        return;
    m_config.max_ticks = m_now + 1;
    m_trace.machine.max_ticks = m_config.max_ticks;
}

Trace simulate(MachineConfig const& config, Program const& program, std::unique_ptr<Scheduler> scheduler,
    std::string scheduler_name, std::string scheduler_description)
{
    Machine machine(config, program, std::move(scheduler), std::move(scheduler_name), std::move(scheduler_description));
    machine.run();
    return machine.take_trace();
}

bool Machine::advance()
{
    if (m_ended)
        return false;
    if (!m_started) {
        m_started = true;
    } else {
        Tick next = next_boundary();
        VERIFY(next > m_now);
        bool limit = next >= m_config.max_ticks;
        if (limit)
            next = m_config.max_ticks;
        m_now = next;
    }
    process_boundary();
    if (m_processes_left == 0) {
        m_ended = true;
        m_trace.end = m_now;
        m_trace.outcome = Outcome::Finished;
        for (ProcessId id : m_processes.ids())
            record_final_values(id);
        return false;
    }
    if (nothing_due()) {
        stop_deadlocked();
        return false;
    }
    if (m_now >= m_config.max_ticks) {
        stop_at_tick_limit();
        return false;
    }
    return true;
}

Tick Machine::next_boundary() const
{
    if (m_config.step_every_tick)
        return m_now + 1;
    Tick next = max_tick_limit + 1;
    if (m_due_rest_known)
        next = std::min({ next, m_due_rest, m_due_touched });
    else
        for (Tick due : m_due)
            next = std::min(next, due);
#ifdef TICKLAB_INVARIANTS
    VERIFY(next == std::min(max_tick_limit + 1, *std::min_element(m_due.begin(), m_due.end())));
#endif
    if (m_next_arrival < m_by_arrival.size())
        next = std::min(next, m_trace.processes[m_by_arrival[m_next_arrival]].arrival);
    if (!m_wakeups.empty())
        next = std::min(next, m_wakeups.top().at);
    if (m_policy_wakeup)
        next = std::min(next, std::max(*m_policy_wakeup, m_now + 1));
    if (m_any_gil)
        for (auto const& gil : m_gils)
            next = std::min(next, std::max(gil_deadline(gil), m_now + 1));
    if (!m_loading.empty() || m_device_backlog > 0)
        next = std::min(next, m_now + 1);
    // Nothing due and threads remain: advance() has already stopped the run as deadlocked.
    if (next > max_tick_limit)
        next = m_config.max_ticks;
    return next;
}

void Machine::process_boundary()
{
    m_arrived_this_boundary = false;
    m_woke_this_boundary = false;

    // 1. Retire.
    auto& slice_ended = m_slice_ended;
    slice_ended.clear();
    // The same pass finds the earliest due tick of the cores it leaves alone, so that
    // next_boundary need not go over every core again (see touch).
    Tick rest = no_due;
    m_due_rest_known = true;
    for (CoreId core = 0; core < m_config.cores; ++core) {
        Tick due = m_due[core];
        if (due == m_now)
            retire_core(core, slice_ended);
        else
            rest = std::min(rest, due);
    }
    m_due_rest = rest;

    // 2. Admit. 3. Wake, then GIL handoffs. 4. Requeue (first instead, under the other convention).
    if (!m_config.arrivals_first)
        requeue(slice_ended);
    admit_processes();
    wake_due_threads();
    gil_handoffs();
    if (m_config.arrivals_first)
        requeue(slice_ended);

    // 5. Preempt. A policy's own timer (an MLFQ boost, an aging step) fires first.
    bool timer = m_policy_wakeup && *m_policy_wakeup <= m_now;
    if (timer)
        m_scheduler->on_timer();
    if (timer || m_arrived_this_boundary || (m_woke_this_boundary && m_config.wake_preempts)) {
        for (CoreId core = 0; core < m_config.cores; ++core) {
            auto& state = m_cores[core];
            if (state.thread == no_thread || state.switching)
                continue;
            ThreadId running = state.thread;
            if (!m_scheduler->should_preempt(core, running))
                continue;
            emit({ .tick = m_now, .kind = EventKind::Preempt, .core = core,
                .process = process_of(running), .thread = running,
                .line = line_of(running, EventKind::Preempt), .pc = static_cast<std::int32_t>(m_threads[running].pc),
                .value = static_cast<std::int64_t>(PreemptCause::Policy) });
            stop_on_core(core, m_now);
            make_ready(running, EnqueueReason::Preempted);
        }
    }

    // 6. Dispatch. 7. Bus.
    dispatch_idle_cores();
    if (m_any_memory || !m_loading.empty() || m_device_backlog > 0)
        bus_phase();
    refresh_touched();
    m_policy_wakeup = m_scheduler->next_wakeup();

    if (m_config.record_queues || m_observer_queues)
        record_queues();
#ifdef TICKLAB_INVARIANTS
    // A full check walks every thread: done at every boundary it would make a run of many
    // threads quadratic. Every boundary with up to 64 threads, else every (threads / 64)-th
    // boundary, so the checks cost at most 64 thread visits a boundary on average.
    if (++m_unchecked_boundaries * 64 >= m_threads.size()) {
        m_unchecked_boundaries = 0;
        check_invariants();
    }
#endif
}

void Machine::requeue(std::vector<ThreadId> const& slice_ended)
{
    for (ThreadId thread : slice_ended)
        if (m_threads[thread].state == ThreadState::Ready)
            enqueue(thread, EnqueueReason::Preempted);
}

void Machine::retire_core(CoreId core_id, std::vector<ThreadId>& slice_ended)
{
    auto& core = m_cores[core_id];
    if (core.thread == no_thread)
        return;
    // A thread on a core is either in a compute instruction or, with pc_ticks 0, in a memory
    // instruction (settle runs every other kind at once).
    bool memory = !core.switching && m_threads[core.thread].pc_ticks == 0;
    if (!core.switching && !memory)
        sync_left(core_id);
    touch(core_id);
    if (core.switching) {
        if (core.switch_end == m_now) {
            close_slice(core_id);
            core.switching = false;
            land(core_id);
        }
        return;
    }
    ThreadId id = core.thread;
    auto& thread = m_threads[id];
    if (memory) {
        close_slice(core_id);
        auto& state = m_memory[id];
        if (core.stepped)
            ++state.step;
        core.stepped = false;
        auto opcode = thread.code[thread.pc].opcode;
        if (state.step == memory_steps(opcode)) {
            state.step = 0;
            ++thread.pc;
            load_pc(id);
            settle(core_id);
            if (core.thread != id)
                return; // it blocked or ended
        }
    } else if (thread.left == 0) {
        close_slice(core_id);
        ++thread.pc;
        load_pc(id);
        settle(core_id);
        if (core.thread != id)
            return; // it blocked or ended
    }
    if (core.slice_end == m_now) {
        // Its slice is over. It leaves the core for now, but its Preempt event and the end of
        // its recorded slice wait until phase 6: if the policy gives it straight back (nobody
        // else wanted the core) it simply goes on, and nothing happened that a learner sees.
        m_scheduler->stopped(id, core_id, m_now - core.work_since);
        core.thread = no_thread;
        set_idle(core_id);
        core.slice_end = -1;
        core.pending = id;
        m_pending_cores.push_back(core_id);
        thread.core = no_core;
        thread.pending_core = core_id;
        enter_state(id, ThreadState::Ready);
        slice_ended.push_back(id);
    } else if (core.open.thread == no_thread) {
        open_slice(core_id, false);
    }
}

void Machine::wake_due_threads()
{
    while (!m_wakeups.empty() && m_wakeups.top().at == m_now) {
        Wakeup wakeup = m_wakeups.top();
        m_wakeups.pop();
        auto& thread = m_threads[wakeup.thread];
        if (thread.state != ThreadState::Blocked || thread.wait_generation != wakeup.generation)
            continue; // killed while it waited
        wake(wakeup.thread);
    }
}

// The blocked thread's wait is over at m_now.
void Machine::wake(ThreadId id)
{
    auto& thread = m_threads[id];
    emit_lazy(EventKind::Wake, [&] {
        return Event { .tick = m_now, .kind = EventKind::Wake, .process = process_of(id), .thread = id,
            .line = line_of(id, EventKind::Wake), .pc = static_cast<std::int32_t>(thread.pc) };
    });
    // It resumes after the instruction it waited on; an event loop that had nothing to
    // run picks a task when the thread runs again.
    // A finished I/O request copies its data into RAM: one bus transfer (phase 7).
    bool io = thread.pc < thread.code_size && thread.code[thread.pc].opcode == Opcode::Io;
    if (io)
        ++m_device_backlog;
    auto* loop = m_loops[id].get();
    if (loop && loop->idle) {
        loop->idle = false;
        thread.pc_ticks = 0;
    } else {
        ++thread.pc;
        load_pc(id);
    }
    make_ready(id, EnqueueReason::Woke);
    if (io && m_config.io_done_immediate)
        run_at_once(id);
}

// --io-done immediate: the thread whose I/O is done takes back the core it last ran on,
// preempting whoever runs there, whatever the policy (process-run.py's IO_RUN_IMMEDIATE).
// Who runs after it is the policy's next pick.
void Machine::run_at_once(ThreadId id)
{
    CoreId core_id = m_threads[id].last_core;
    if (core_id == no_core)
        core_id = 0;
    auto& core = m_cores[core_id];
    if (core.thread != no_thread && core.thread != id) {
        ThreadId running = core.thread;
        emit({ .tick = m_now, .kind = EventKind::Preempt, .core = core_id,
            .process = process_of(running), .thread = running,
            .line = line_of(running, EventKind::Preempt), .pc = static_cast<std::int32_t>(m_threads[running].pc),
            .value = static_cast<std::int64_t>(PreemptCause::Policy) });
        stop_on_core(core_id, m_now);
        make_ready(running, EnqueueReason::Preempted);
    }
    core.reserved = id;
}

// A core reserved for a thread (--switch-on end, --io-done immediate) runs it as soon as it
// is ready, without asking the policy (which is told it left the queue), and stays idle while
// it waits.
std::optional<ThreadId> Machine::take_reserved(CoreId core_id)
{
    auto& core = m_cores[core_id];
    ThreadId id = core.reserved;
    auto const& thread = m_threads[id];
    if (thread.state == ThreadState::Done) {
        core.reserved = no_thread;
        return pick(core_id);
    }
    if (!thread.queued)
        return std::nullopt;
    core.reserved = no_thread;
    m_scheduler->dequeue(id);
    return id;
}

void Machine::make_ready(ThreadId id, EnqueueReason reason)
{
    enter_state(id, ThreadState::Ready);
    if (reason == EnqueueReason::Arrived)
        emit_lazy(EventKind::ThreadReady, [&] {
            return Event { .tick = m_now, .kind = EventKind::ThreadReady, .process = process_of(id), .thread = id,
                .value = static_cast<std::int64_t>(ReadyCause::Arrived) };
        });
    enqueue(id, reason);
}

void Machine::enqueue(ThreadId id, EnqueueReason reason)
{
    auto& thread = m_threads[id];
    VERIFY(!thread.queued);
    thread.queued = true;
    m_scheduler->enqueue(id, reason);
    m_arrived_this_boundary |= reason == EnqueueReason::Arrived;
    m_woke_this_boundary |= reason == EnqueueReason::Woke;
    m_dispatch_dirty = true;
}

void Machine::dispatch_idle_cores()
{
    // A thread that lands and runs `exit` can free cores already visited, and freed memory
    // can admit new threads: go round again until a pass changes nothing.
    do {
        m_dispatch_dirty = false;
        dispatch_pass();
    } while (m_dispatch_dirty);
    // Slices that ended and were not given back are preemptions.
    for (CoreId core_id : m_pending_cores)
        flush_pending(core_id);
    m_pending_cores.clear();
}

void Machine::dispatch_pass()
{
    for (CoreId core_id = next_idle_core(0); core_id < m_config.cores; core_id = next_idle_core(core_id + 1)) {
        auto& core = m_cores[core_id];
        while (core.thread == no_thread) {
            auto picked = core.reserved == no_thread ? pick(core_id) : take_reserved(core_id);
            if (!picked)
                break;
            ThreadId id = *picked;
            // Its totals are written on every dispatch (enter_state, land) and, with thousands
            // of threads, are not in cache: start that load now, beside the runtime's. And
            // start loading the thread the policy expects to hand the next idle core.
            __builtin_prefetch(&m_trace.totals[id], 1);
            CoreId next_idle = next_idle_core(core_id + 1);
            if (ThreadId next = next_idle < m_config.cores ? m_scheduler->likely_next(next_idle) : no_thread;
                next != no_thread) {
                __builtin_prefetch(&m_threads[next], 1);
                __builtin_prefetch(&m_trace.totals[next], 1);
            }
            auto& thread = m_threads[id];
            VERIFY(thread.state == ThreadState::Ready && thread.queued);
            thread.queued = false;
            if (m_any_gil && gil_blocks(id)) {
                // Its process's GIL is held by another thread: it waits for it, off the core.
                if (core.pending == id)
                    flush_pending(core_id);
                else if (thread.pending_core != no_core)
                    flush_pending(thread.pending_core);
                gil_wait(id);
                continue;
            }
            if (m_any_gil)
                gil_take(id);
            if (core.pending == id) {
                // Its slice ended but the policy gives this core straight back: it goes on
                // without a switch, its recorded slice continuing.
                core.pending = no_thread;
                thread.pending_core = no_core;
                touch(core_id);
                core.thread = id;
                set_busy(core_id);
                thread.core = core_id;
                m_scheduler->started(id, core_id);
                enter_state(id, ThreadState::Running);
                auto slice = m_scheduler->slice(id, core_id);
                VERIFY(!slice || *slice >= 1);
                core.slice_end = slice ? m_now + *slice : -1;
                core.work_since = m_now;
                if (core.open.thread == no_thread)
                    open_slice(core_id, false);
                continue;
            }
            flush_pending(core_id);
            if (thread.pending_core != no_core)
                flush_pending(thread.pending_core); // it moves to another core
            auto slice = m_scheduler->slice(id, core_id);
            VERIFY(!slice || *slice >= 1);
            bool is_switch = core.last != no_thread && core.last != id;
            if (is_switch)
                ++m_trace.context_switches;
            touch(core_id);
            core.thread = id;
            set_busy(core_id);
            core.last = id;
            thread.core = core_id;
            if (thread.last_core != no_core && thread.last_core != core_id) {
                // Counted here, not from the events: a summary keeps no routine events.
                ++m_trace.totals[id].migrations;
                emit_lazy(EventKind::Migrate, [&] {
                    return Event { .tick = m_now, .kind = EventKind::Migrate, .core = core_id,
                        .process = process_of(id), .thread = id, .value = thread.last_core };
                });
            }
            thread.last_core = core_id;
            emit_lazy(EventKind::Dispatch, [&] {
                return Event { .tick = m_now, .kind = EventKind::Dispatch, .core = core_id,
                    .process = process_of(id), .thread = id, .line = line_of(id, EventKind::Dispatch),
                    .pc = static_cast<std::int32_t>(thread.pc), .value = slice ? *slice : 0 };
            });
            enter_state(id, ThreadState::Running);
            if (is_switch && m_config.switch_cost > 0) {
                core.switching = true;
                core.switch_end = m_now + m_config.switch_cost;
                core.slice_end = slice ? core.switch_end + *slice : -1;
                open_slice(core_id, true);
            } else {
                core.slice_end = slice ? m_now + *slice : -1;
                land(core_id);
            }
        }
    }
}

std::optional<ThreadId> Machine::pick(CoreId core_id)
{
    if (!m_chooser) [[likely]]
        return m_scheduler->pick_next(core_id);
    return pick_from_outside(core_id);
}

// Takes the thread off the core (it blocked, ended, or was preempted by the policy).
void Machine::stop_on_core(CoreId core_id, Tick until)
{
    auto& core = m_cores[core_id];
    ThreadId id = core.thread;
    if (!core.switching)
        sync_left(core_id);
    touch(core_id);
    close_slice(core_id);
    if (!core.switching)
        m_scheduler->stopped(id, core_id, until - core.work_since);
    core.thread = no_thread;
    set_idle(core_id);
    core.switching = false;
    core.stepped = false;
    core.slice_end = -1;
    m_threads[id].core = no_core;
    m_dispatch_dirty = true;
}

void Machine::record_queues()
{
    if (m_observer_queues)
        m_observer->queues(m_now, m_scheduler->ready_queues());
    if (!m_config.record_queues)
        return;
    auto limit = static_cast<std::size_t>(m_config.queue_snapshot_limit);
    auto queues = limit > 0 ? m_scheduler->ready_queue_heads(limit) : m_scheduler->ready_queues();
    auto& snapshots = m_trace.queue_snapshots;
    if (!snapshots.empty() && snapshots.back().queues == queues)
        return;
    if (!snapshots.empty() && snapshots.back().tick == m_now)
        snapshots.back().queues = std::move(queues);
    else
        snapshots.push_back(QueueSnapshot { m_now, std::move(queues) });
}

// A thread of a process that has arrived but is not admitted yet (waiting for memory, or
// loading): it is New, but its ticks count as waiting, up to the end of the run too.
bool Machine::awaits_admission(ThreadId id) const
{
    auto const& process = m_processes[process_of(id)];
    return m_threads[id].state == ThreadState::New && process.arrived && !process.admitted
        && m_memory[id].started;
}

void Machine::stop_at_tick_limit()
{
    for (CoreId core = 0; core < m_config.cores; ++core) {
        auto& state = m_cores[core];
        if (state.thread != no_thread)
            close_slice(core);
        if (m_cache && m_cache->in_segment(core))
            sync_left(core); // count the ticks of the segment cut short
    }
    for (ThreadId id : m_threads.ids()) {
        auto state = m_threads[id].state;
        if ((state != ThreadState::Done && state != ThreadState::New) || awaits_admission(id))
            enter_state(id, state); // account the time up to the limit
    }
    emit({ .tick = m_now, .kind = EventKind::TickLimit, .value = m_config.max_ticks });
    for (ProcessId id : m_processes.ids())
        record_final_values(id);
    m_ended = true;
    m_trace.end = m_now;
    m_trace.outcome = Outcome::TickLimit;
}

void Machine::emit(Event event)
{
    ++m_trace.event_count;
    if (m_observer != nullptr)
        m_observer->event(event);
    if (stores(event.kind))
        m_trace.events.push_back(event);
}

void Machine::refresh_touched()
{
    Tick earliest = no_due;
    for (CoreId core_id : std::span(m_touched).first(m_touched_count)) {
        auto& core = m_cores[core_id];
        core.touched = false;
        Tick due = no_due;
        if (core.thread != no_thread) {
            if (core.switching) {
                due = core.switch_end;
            } else if (m_threads[core.thread].pc_ticks == 0) {
                due = m_now + 1; // a memory instruction goes a step a tick
            } else {
                if (m_cache) [[unlikely]]
                    due = cache_begin(core_id);
                else
                    due = core.compute_end = m_now + m_threads[core.thread].left;
                if (core.slice_end >= 0)
                    due = std::min(due, core.slice_end);
            }
        }
        m_due[core_id] = due;
        earliest = std::min(earliest, due);
    }
    m_due_touched = earliest;
    m_touched_count = 0;
}

std::int32_t Machine::line_of(ThreadId id, EventKind kind) const
{
    if (!keeps(kind))
        return 0; // the event is only counted: skip the cache miss on the thread's code
    if (m_observer_lines && !stores(kind))
        return line_at_pc; // only the observer sees it, and it finds the line itself
    // The runtime's own view of the code (point_at_code), on the line the engine has just
    // touched, rather than the trace's ThreadInfo: a cache miss fewer per kept event.
    auto const& thread = m_threads[id];
    // Past its last instruction (it is ending): the line of that instruction.
    auto pc = thread.pc < thread.code_size ? thread.pc : thread.code_size - 1;
    return thread.code_size > 0 ? thread.code[pc].where.line : 0;
}

ThreadState Machine::state(ThreadId id) const { return m_threads[id].state; }

ProcessState Machine::process_state(ProcessId id) const
{
    auto const& process = m_processes[id];
    if (process.done)
        return ProcessState::Done;
    if (!process.arrived)
        return ProcessState::New;
    if (process.loading)
        return ProcessState::Loading;
    if (!process.admitted)
        return ProcessState::Waiting;
    bool ready = false;
    for (ThreadId thread : m_trace.processes[id].threads) {
        auto state = m_threads[thread].state;
        if (state == ThreadState::Running)
            return ProcessState::Running;
        ready = ready || state == ThreadState::Ready;
    }
    return ready ? ProcessState::Ready : ProcessState::Blocked;
}

ThreadFacts Machine::facts(ThreadId id) const
{
    // Policies call this at every enqueue: read the compact arrays, not the ThreadInfo.
    auto const& thread = m_threads[id];
    Tick done = 0;
    if (thread.pc < thread.code_size && is_compute(thread.code[thread.pc]))
        done = thread.code[thread.pc].ticks - left_of(id);
    else if (thread.pc < thread.code_size && memory_steps(thread.code[thread.pc].opcode) > 0)
        done = m_memory[id].step;
    ThreadFacts facts;
    facts.id = id;
    facts.process = process_of(id);
    facts.arrival = m_trace.totals[id].arrival;
    facts.priority = brief(id).priority;
    auto const& bursts = m_bursts[id];
    facts.next_burst = bursts.burst_from[thread.pc] - done;
    facts.remaining = bursts.remaining_from[thread.pc] - done;
    facts.last_core = thread.last_core;
    facts.pinned = brief(id).pinned;
    return facts;
}

ThreadId Machine::running_on(CoreId core) const
{
    auto const& state = m_cores[core];
    return state.switching ? no_thread : state.thread;
}

Tick Machine::worked(CoreId core) const
{
    auto const& state = m_cores[core];
    return state.thread == no_thread || state.switching ? 0 : m_now - state.work_since;
}

void Machine::load_pc(ThreadId id)
{
    auto& thread = m_threads[id];
    thread.pc_ticks = thread.pc < thread.code_size && is_compute(thread.code[thread.pc]) ? thread.code[thread.pc].ticks : 0;
    if (thread.pc_ticks > 0)
        thread.left = thread.pc_ticks;
}

}
