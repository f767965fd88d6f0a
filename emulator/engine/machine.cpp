#include "engine/machine.hpp"

#include "engine/verify.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

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
//                 by who started waiting first.
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
// an arrival, a wake-up; every tick while a memory instruction runs or a program loads). Stepping every tick visits boundaries where nothing is due; every
// phase is then a no-op, which is why both give the same trace.

namespace tl {

namespace {

constexpr Tick no_due = max_tick_limit + 1;

bool is_compute(Instruction const& instruction) { return instruction.opcode == Opcode::Compute; }

// For each thread name, how many processes have a thread of that name: built once, so that
// naming 10,000 threads is not 10^8 string comparisons.
std::unordered_map<std::string_view, int> processes_per_thread_name(Program const& program)
{
    std::unordered_map<std::string_view, int> count;
    for (auto const& process : program.processes) {
        std::unordered_set<std::string_view> seen;
        for (auto const& thread : process.threads)
            if (seen.insert(thread.name).second)
                ++count[thread.name];
    }
    return count;
}

// "name", or "process.name" when another process has a thread of the same name.
std::string unique_display_name(Program const& program, std::unordered_map<std::string_view, int> const& count,
    std::size_t process, std::size_t thread)
{
    auto const& name = program.processes[process].threads[thread].name;
    if (count.at(name) > 1)
        return program.processes[process].name + "." + name;
    return name;
}

}

Machine::Machine(MachineConfig const& config, Program const& program, std::unique_ptr<Scheduler> scheduler,
    std::string scheduler_name, std::string scheduler_description)
    : m_config(config)
    , m_scheduler(std::move(scheduler))
{
    VERIFY(check_machine(config).empty());
    VERIFY(check_program_fits(config, program).empty());

    m_trace.program_file = program.file;
    m_trace.machine = config;
    m_trace.scheduler = std::move(scheduler_name);
    m_trace.scheduler_description = std::move(scheduler_description);
    m_trace.core_slices.resize(static_cast<std::size_t>(config.cores));
    m_trace.core_busy.resize(static_cast<std::size_t>(config.cores));
    m_trace.core_switching.resize(static_cast<std::size_t>(config.cores));
    m_cores.resize(static_cast<std::size_t>(config.cores));
    m_due.assign(static_cast<std::size_t>(config.cores), no_due);

    auto const names = processes_per_thread_name(program);
    for (std::size_t p = 0; p < program.processes.size(); ++p) {
        auto const& spec = program.processes[p];
        ProcessInfo info;
        info.name = spec.name;
        info.arrival = spec.arrival;
        info.memory = spec.memory;
        info.priority = spec.priority;
        info.gil = spec.gil;
        info.gil_interval = spec.gil ? spec.gil_interval : 0;
        info.variables = spec.variables;
        info.initial_values = spec.initial_values;
        info.final_values = spec.initial_values;
        info.mutexes = spec.mutexes;
        if (config.load_chunk > 0)
            info.load_transfers = static_cast<std::int64_t>((spec.memory + config.load_chunk - 1) / config.load_chunk);
        m_gils.push_back(Gil { spec.gil, spec.gil_interval, no_thread, {}, -1, -1 });
        m_any_gil |= spec.gil;
        for (std::size_t t = 0; t < spec.threads.size(); ++t) {
            auto const& thread = spec.threads[t];
            VERIFY(!thread.code.empty());
            auto id = static_cast<ThreadId>(m_trace.threads.size());
            info.threads.push_back(id);
            m_trace.threads.push_back(ThreadInfo {
                thread.name, unique_display_name(program, names, p, t), static_cast<ProcessId>(p), thread.code, thread.pinned });
            m_thread_process.push_back(static_cast<ProcessId>(p));
            m_thread_priority.push_back(spec.priority);
            ThreadTotals totals;
            totals.arrival = spec.arrival;
            m_trace.totals.push_back(totals);

            ThreadRuntime runtime;
            auto const& code = thread.code;
            ThreadPlan plan;
            auto& runtime_plan = plan;
            runtime_plan.burst_from.assign(code.size() + 1, 0);
            runtime_plan.remaining_from.assign(code.size() + 1, 0);
            for (std::size_t i = code.size(); i-- > 0;) {
                bool compute = is_compute(code[i]);
                Tick work = compute ? code[i].ticks : memory_steps(code[i].opcode);
                m_any_memory |= memory_steps(code[i].opcode) > 0;
                plan.remaining_from[i] = plan.remaining_from[i + 1] + work;
                bool waits = code[i].opcode == Opcode::Io || code[i].opcode == Opcode::Sleep
                    || code[i].opcode == Opcode::Exit || code[i].opcode == Opcode::AwaitSleep
                    || code[i].opcode == Opcode::AwaitIo || code[i].opcode == Opcode::AwaitGather
                    || code[i].opcode == Opcode::Return;
                plan.burst_from[i] = waits ? 0 : plan.burst_from[i + 1] + work;
            }
            if (is_compute(code[0]))
                runtime.left = runtime.pc_ticks = code[0].ticks;
            m_threads.push_back(std::move(runtime));
            m_plans.push_back(std::move(plan));
            m_has_pins.push_back(thread.pinned.empty() ? 0 : 1);
            bool runs = std::any_of(code.begin(), code.end(), [](auto const& i) { return i.opcode == Opcode::Run; });
            m_loops.push_back(runs ? std::make_unique<EventLoop>() : nullptr);
            m_memory.push_back(MemoryState { 0, 0, !thread.spawned });
            m_trace.totals.back().started = !thread.spawned;
            if (thread.spawned)
                m_trace.totals.back().arrival = -1;
        }
        ProcessRuntime runtime;
        runtime.values = spec.initial_values;
        runtime.holders.assign(spec.mutexes.size(), no_thread);
        runtime.lock_waiters.resize(spec.mutexes.size());
        m_processes.push_back(std::move(runtime));
        m_trace.processes.push_back(std::move(info));
        m_by_arrival.push_back(static_cast<ProcessId>(p));
    }
    std::stable_sort(m_by_arrival.begin(), m_by_arrival.end(), [&](ProcessId a, ProcessId b) {
        return program.processes[static_cast<std::size_t>(a)].arrival
            < program.processes[static_cast<std::size_t>(b)].arrival;
    });
    m_joiners.resize(m_threads.size());
    // Now that m_trace.threads no longer grows. A code vector's buffer stays where it is when
    // the trace moves, so these stay valid as long as the Machine (or the trace it gave away).
    for (std::size_t t = 0; t < m_threads.size(); ++t) {
        auto const& code = m_trace.threads[t].code;
        m_threads[t].code = code.data();
        m_threads[t].code_size = static_cast<std::uint32_t>(code.size());
    }
    m_trace.core_stalled.resize(static_cast<std::size_t>(config.cores));
    m_processes_left = static_cast<int>(m_processes.size());
    m_scheduler->attach(*this);
}

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
        for (ProcessId id = 0; id < static_cast<ProcessId>(m_processes.size()); ++id)
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
    for (Tick due : m_due)
        next = std::min(next, due);
    if (m_next_arrival < m_by_arrival.size())
        next = std::min(next, m_trace.processes[static_cast<std::size_t>(m_by_arrival[m_next_arrival])].arrival);
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

void Machine::process_boundary()
{
    m_arrived_this_boundary = false;
    m_woke_this_boundary = false;

    // 1. Retire.
    auto& slice_ended = m_slice_ended;
    slice_ended.clear();
    for (CoreId core = 0; core < m_config.cores; ++core)
        if (m_due[static_cast<std::size_t>(core)] == m_now)
            retire_core(core, slice_ended);

    // 2. Admit. 3. Wake. 4. Requeue (first instead, under the other convention).
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
            auto& state = m_cores[static_cast<std::size_t>(core)];
            if (state.thread == no_thread || state.switching)
                continue;
            ThreadId running = state.thread;
            if (!m_scheduler->should_preempt(core, running))
                continue;
            emit({ .tick = m_now, .kind = EventKind::Preempt, .core = core,
                .process = process_of(running), .thread = running,
                .line = line_of(running), .pc = static_cast<std::int32_t>(m_threads[static_cast<std::size_t>(running)].pc),
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

    if (m_config.record_queues)
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

void Machine::requeue(std::vector<ThreadId> const& slice_ended)
{
    for (ThreadId thread : slice_ended)
        if (m_threads[static_cast<std::size_t>(thread)].state == ThreadState::Ready)
            enqueue(thread, EnqueueReason::Preempted);
}

void Machine::retire_core(CoreId core_id, std::vector<ThreadId>& slice_ended)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    if (core.thread == no_thread)
        return;
    // A thread on a core is either in a compute instruction or, with pc_ticks 0, in a memory
    // instruction (settle runs every other kind at once).
    bool memory = !core.switching && m_threads[static_cast<std::size_t>(core.thread)].pc_ticks == 0;
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
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    if (memory) {
        close_slice(core_id);
        auto& state = m_memory[static_cast<std::size_t>(id)];
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

// The thread whose slice ended on `core_id` in phase 1 did not simply go on: record its
// preemption now.
void Machine::flush_pending(CoreId core_id)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    ThreadId id = core.pending;
    if (id == no_thread)
        return;
    close_slice(core_id);
    core.pending = no_thread;
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    thread.pending_core = no_core;
    emit({ .tick = m_now, .kind = EventKind::Preempt, .core = core_id,
        .process = process_of(id), .thread = id, .line = line_of(id),
        .pc = static_cast<std::int32_t>(thread.pc), .value = static_cast<std::int64_t>(PreemptCause::SliceEnded) });
}

void Machine::admit_processes()
{
    // Programs whose loading ended at this tick become processes first, in the order they
    // started loading.
    if (!m_loading.empty()) {
        auto still = m_loading.begin();
        for (ProcessId id : m_loading) {
            auto const& info = m_trace.processes[static_cast<std::size_t>(id)];
            if (info.loaded == m_now)
                start_threads(id);
            else
                *still++ = id;
        }
        m_loading.erase(still, m_loading.end());
    }
    // Those already waiting for memory go first, strictly in order, so none is overtaken
    // forever by smaller late-comers.
    while (!m_memory_queue.empty()) {
        ProcessId first = m_memory_queue.front();
        if (!find_hole(m_trace.processes[static_cast<std::size_t>(first)].memory))
            break;
        m_memory_queue.erase(m_memory_queue.begin());
        admit(first);
    }
    while (m_next_arrival < m_by_arrival.size()) {
        ProcessId id = m_by_arrival[m_next_arrival];
        auto const& info = m_trace.processes[static_cast<std::size_t>(id)];
        if (info.arrival != m_now)
            break;
        ++m_next_arrival;
        m_processes[static_cast<std::size_t>(id)].arrived = true;
        for (ThreadId thread : info.threads)
            m_threads[static_cast<std::size_t>(thread)].since = m_now;
        emit({ .tick = m_now, .kind = EventKind::ProcessArrive, .process = id,
            .value = static_cast<std::int64_t>(info.memory) });
        if (m_memory_queue.empty() && find_hole(info.memory)) {
            admit(id);
        } else {
            emit({ .tick = m_now, .kind = EventKind::ProcessWait, .process = id,
                .value = static_cast<std::int64_t>(info.memory) });
            m_memory_queue.push_back(id);
        }
    }
}

// The first free block of RAM that holds `size` bytes, lowest address first (first fit).
std::optional<std::uint64_t> Machine::find_hole(std::uint64_t size) const
{
    std::uint64_t at = 0;
    for (auto const& block : m_ram_map) {
        if (block.base - at >= size)
            return at;
        at = block.base + block.size;
    }
    if (m_config.ram - at >= size)
        return at;
    return std::nullopt;
}

void Machine::allocate(ProcessId id)
{
    auto& info = m_trace.processes[static_cast<std::size_t>(id)];
    info.allocated = m_now;
    if (info.memory == 0)
        return; // a quick job (--jobs) needs no RAM: it holds no block and has no base
    auto base = find_hole(info.memory);
    VERIFY(base.has_value());
    Allocation block { *base, info.memory, id };
    auto at = std::lower_bound(m_ram_map.begin(), m_ram_map.end(), block.base,
        [](Allocation const& a, std::uint64_t base) { return a.base < base; });
    m_ram_map.insert(at, block);
    m_ram_in_use += info.memory;
    info.base = static_cast<std::int64_t>(*base);
}

// Its memory fits: RAM is reserved, and the program becomes a process at once or, when
// loading takes time (MachineConfig::load_chunk), once its bytes have come over the bus.
void Machine::admit(ProcessId id)
{
    allocate(id);
    auto& info = m_trace.processes[static_cast<std::size_t>(id)];
    auto& process = m_processes[static_cast<std::size_t>(id)];
    if (info.load_transfers > 0) {
        process.loading = true;
        process.transfers_left = info.load_transfers;
        m_loading.push_back(id);
        emit({ .tick = m_now, .kind = EventKind::ProcessLoad, .process = id, .value = info.base });
        return;
    }
    info.loaded = m_now;
    start_threads(id);
}

void Machine::start_threads(ProcessId id)
{
    auto const& info = m_trace.processes[static_cast<std::size_t>(id)];
    auto& process = m_processes[static_cast<std::size_t>(id)];
    process.loading = false;
    process.admitted = true;
    emit({ .tick = m_now, .kind = EventKind::ProcessAdmit, .process = id, .value = static_cast<std::int64_t>(info.memory) });
    int started = 0;
    for (ThreadId thread : info.threads) {
        if (!m_memory[static_cast<std::size_t>(thread)].started)
            continue; // it waits for a `spawn`
        ++started;
        make_ready(thread, EnqueueReason::Arrived);
    }
    process.live_threads = started;
}

void Machine::wake_due_threads()
{
    while (!m_wakeups.empty() && m_wakeups.top().at == m_now) {
        Wakeup wakeup = m_wakeups.top();
        m_wakeups.pop();
        auto& thread = m_threads[static_cast<std::size_t>(wakeup.thread)];
        if (thread.state != ThreadState::Blocked || thread.wait_generation != wakeup.generation)
            continue; // killed while it waited
        emit({ .tick = m_now, .kind = EventKind::Wake,
            .process = process_of(wakeup.thread), .thread = wakeup.thread,
            .line = line_of(wakeup.thread), .pc = static_cast<std::int32_t>(thread.pc) });
        // It resumes after the instruction it waited on; an event loop that had nothing to
        // run picks a task when the thread runs again.
        // A finished I/O request copies its data into RAM: one bus transfer (phase 7).
        if (thread.pc < thread.code_size && thread.code[thread.pc].opcode == Opcode::Io)
            ++m_device_backlog;
        auto* loop = m_loops[static_cast<std::size_t>(wakeup.thread)].get();
        if (loop && loop->idle) {
            loop->idle = false;
            thread.pc_ticks = 0;
        } else {
            ++thread.pc;
            load_pc(wakeup.thread);
        }
        make_ready(wakeup.thread, EnqueueReason::Woke);
    }
}

void Machine::make_ready(ThreadId id, EnqueueReason reason)
{
    enter_state(id, ThreadState::Ready);
    if (reason == EnqueueReason::Arrived)
        emit({ .tick = m_now, .kind = EventKind::ThreadReady, .process = process_of(id),
            .thread = id, .value = static_cast<std::int64_t>(ReadyCause::Arrived) });
    enqueue(id, reason);
}

void Machine::enqueue(ThreadId id, EnqueueReason reason)
{
    auto& thread = m_threads[static_cast<std::size_t>(id)];
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
    for (CoreId core_id = 0; core_id < m_config.cores; ++core_id) {
        auto& core = m_cores[static_cast<std::size_t>(core_id)];
        while (core.thread == no_thread) {
            auto picked = m_scheduler->pick_next(core_id);
            if (!picked)
                break;
            ThreadId id = *picked;
            // Its totals are written on every dispatch (enter_state, land) and, with thousands
            // of threads, are not in cache: start that load now, beside the runtime's. And
            // start loading the thread the policy expects to hand the next idle core.
            __builtin_prefetch(&m_trace.totals[static_cast<std::size_t>(id)], 1);
            CoreId next_idle = core_id + 1;
            while (next_idle < m_config.cores && m_cores[static_cast<std::size_t>(next_idle)].thread != no_thread)
                ++next_idle;
            if (ThreadId next = next_idle < m_config.cores ? m_scheduler->likely_next(next_idle) : no_thread;
                next != no_thread) {
                __builtin_prefetch(&m_threads[static_cast<std::size_t>(next)], 1);
                __builtin_prefetch(&m_trace.totals[static_cast<std::size_t>(next)], 1);
            }
            auto& thread = m_threads[static_cast<std::size_t>(id)];
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
            core.last = id;
            thread.core = core_id;
            if (thread.last_core != no_core && thread.last_core != core_id)
                emit({ .tick = m_now, .kind = EventKind::Migrate, .core = core_id,
                    .process = process_of(id), .thread = id,
                    .value = thread.last_core });
            thread.last_core = core_id;
            emit({ .tick = m_now, .kind = EventKind::Dispatch, .core = core_id,
                .process = process_of(id), .thread = id, .line = line_of(id),
                .pc = static_cast<std::int32_t>(thread.pc), .value = slice ? *slice : 0 });
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

void Machine::land(CoreId core_id)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    ThreadId id = core.thread;
    auto& totals = m_trace.totals[static_cast<std::size_t>(id)];
    // Time spent being switched in counts as waiting, not running.
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    totals.ready += m_now - thread.since;
    thread.since = m_now;
    if (totals.first_run < 0)
        totals.first_run = m_now;
    core.work_since = m_now;
    if (m_any_gil) {
        auto& gil = m_gils[static_cast<std::size_t>(process_of(id))];
        if (gil.holder == id)
            gil.run_since = m_now;
    }
    m_scheduler->started(id, core_id);
    settle(core_id);
}

// The thread on `core_id` is at an instruction boundary at m_now: run its zero-time
// instructions until it reaches compute work (it keeps the core), a wait (it blocks) or
// its end.
void Machine::settle(CoreId core_id)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    ThreadId id = core.thread;
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    if (thread.pc_ticks > 0) {
        // Mid-compute, the common case on a dispatch: no need to read the code.
        VERIFY(thread.left > 0);
        if (core.slice_end != m_now)
            open_slice(core_id, false);
        return;
    }
    ProcessId const process_id = process_of(id);
    auto* loop = m_loops[static_cast<std::size_t>(id)].get();
    if (loop && loop->active && loop->current < 0 && !loop_next(core_id, id, thread.pc))
        return; // nothing to run yet: it blocked again
    while (thread.pc < thread.code_size) {
        auto const& instruction = thread.code[thread.pc];
        auto pc = static_cast<std::int32_t>(thread.pc);
        switch (instruction.opcode) {
        case Opcode::Compute:
            VERIFY(thread.left > 0);
            if (core.slice_end != m_now)
                open_slice(core_id, false);
            return;
        case Opcode::Print:
            print_text(core_id, id, instruction, pc);
            ++thread.pc;
            load_pc(id);
            break;
        case Opcode::Io:
        case Opcode::Sleep: {
            Tick wake = m_now + instruction.ticks;
            emit({ .tick = m_now, .kind = EventKind::Block, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .value = wake });
            stop_on_core(core_id, m_now);
            enter_state(id, ThreadState::Blocked);
            m_wakeups.push(Wakeup { wake, m_wait_sequence++, id, thread.wait_generation });
            if (m_any_gil)
                gil_release(id, GilReleaseCause::Blocked);
            return;
        }
        case Opcode::Exit:
            end_process(process_id, ExitCause::ExitInstruction, id);
            return;
        case Opcode::Read:
        case Opcode::Write:
        case Opcode::Incr:
        case Opcode::AtomicIncr:
            return; // it keeps the core; phase 7 asks the bus for its steps
        case Opcode::Crash:
            fault(id, core_id, "ran 'crash'");
            return;
        case Opcode::Lock: {
            auto& process = m_processes[static_cast<std::size_t>(process_id)];
            auto mutex = instruction.target;
            auto& holder = process.holders[static_cast<std::size_t>(mutex)];
            if (holder == id) {
                fault(id, core_id, fmt::format("locked mutex '{}', which it already holds (a thread that waits for "
                                               "itself would wait for ever)",
                                       instruction.text));
                return;
            }
            if (holder == no_thread) {
                holder = id;
                emit({ .tick = m_now, .kind = EventKind::LockAcquire, .core = core_id, .process = process_id,
                    .thread = id, .line = instruction.where.line, .pc = pc, .value = 0, .object = mutex });
                ++thread.pc;
                load_pc(id);
                break;
            }
            emit({ .tick = m_now, .kind = EventKind::LockWait, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .value = holder, .object = mutex });
            stop_on_core(core_id, m_now);
            enter_state(id, ThreadState::Blocked);
            process.lock_waiters[static_cast<std::size_t>(mutex)].push_back(id);
            if (m_any_gil)
                gil_release(id, GilReleaseCause::Blocked);
            return;
        }
        case Opcode::Unlock: {
            auto& process = m_processes[static_cast<std::size_t>(process_id)];
            auto mutex = instruction.target;
            auto& holder = process.holders[static_cast<std::size_t>(mutex)];
            if (holder != id) {
                fault(id, core_id,
                    holder == no_thread
                        ? fmt::format("unlocked mutex '{}', which nobody holds", instruction.text)
                        : fmt::format("unlocked mutex '{}', which thread '{}' holds", instruction.text, m_trace.name(holder)));
                return;
            }
            emit({ .tick = m_now, .kind = EventKind::LockRelease, .core = core_id, .process = process_id,
                .thread = id, .line = instruction.where.line, .pc = pc, .object = mutex });
            holder = no_thread;
            auto& waiters = process.lock_waiters[static_cast<std::size_t>(mutex)];
            if (!waiters.empty()) {
                ThreadId next = waiters.front();
                waiters.pop_front();
                holder = next;
                emit({ .tick = m_now, .kind = EventKind::LockAcquire, .process = process_id, .thread = next,
                    .line = line_of(next), .pc = static_cast<std::int32_t>(m_threads[static_cast<std::size_t>(next)].pc),
                    .value = 1, .object = mutex });
                wake_from_wait(next);
            }
            ++thread.pc;
            load_pc(id);
            break;
        }
        case Opcode::Spawn: {
            ThreadId target = thread_of(process_id, instruction.target);
            auto& memory = m_memory[static_cast<std::size_t>(target)];
            if (memory.started) {
                fault(id, core_id, fmt::format("spawned thread '{}', which was already started", instruction.text));
                return;
            }
            memory.started = true;
            auto& totals = m_trace.totals[static_cast<std::size_t>(target)];
            totals.started = true;
            totals.arrival = m_now;
            auto& spawned = m_threads[static_cast<std::size_t>(target)];
            spawned.since = m_now;
            ++m_processes[static_cast<std::size_t>(process_id)].live_threads;
            emit({ .tick = m_now, .kind = EventKind::Spawn, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .value = target });
            spawned.state = ThreadState::Ready;
            emit({ .tick = m_now, .kind = EventKind::ThreadReady, .process = process_id, .thread = target,
                .value = static_cast<std::int64_t>(ReadyCause::Spawned) });
            enqueue(target, EnqueueReason::Arrived);
            ++thread.pc;
            load_pc(id);
            break;
        }
        case Opcode::Join: {
            ThreadId target = thread_of(process_id, instruction.target);
            if (target == id) {
                fault(id, core_id, "joined itself: it would wait for ever");
                return;
            }
            if (m_threads[static_cast<std::size_t>(target)].state == ThreadState::Done) {
                ++thread.pc;
                load_pc(id);
                break;
            }
            emit({ .tick = m_now, .kind = EventKind::JoinWait, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .value = target });
            stop_on_core(core_id, m_now);
            enter_state(id, ThreadState::Blocked);
            m_joiners[static_cast<std::size_t>(target)].push_back(id);
            if (m_any_gil)
                gil_release(id, GilReleaseCause::Blocked);
            return;
        }
        case Opcode::Run: {
            VERIFY(loop && !loop->active && instruction.calls.size() == 1);
            loop->active = true;
            loop->resume_pc = thread.pc + 1;
            loop->tasks.clear();
            loop->ready.clear();
            loop->main = new_task(id, instruction.calls[0], -1, instruction.where.line);
            loop->ready.push_back(loop->main);
            if (!loop_next(core_id, id, thread.pc))
                return;
            break;
        }
        case Opcode::AwaitCall: {
            VERIFY(loop && loop->current >= 0 && instruction.calls.size() == 1);
            // The caller's frame waits; the callee runs at once, in the same task.
            loop->tasks[static_cast<std::size_t>(loop->current)].returns.push_back(thread.pc + 1);
            thread.pc = static_cast<std::size_t>(instruction.calls[0].entry);
            load_pc(id);
            break;
        }
        case Opcode::AwaitGather: {
            VERIFY(loop && loop->current >= 0);
            auto current = loop->current;
            loop->tasks[static_cast<std::size_t>(current)].pc = thread.pc + 1;
            loop->tasks[static_cast<std::size_t>(current)].waiting = static_cast<std::int32_t>(instruction.calls.size());
            for (auto const& call : instruction.calls)
                loop->ready.push_back(new_task(id, call, current, instruction.where.line));
            emit({ .tick = m_now, .kind = EventKind::TaskAwait, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .value = static_cast<std::int64_t>(instruction.calls.size()),
                .task = loop->tasks[static_cast<std::size_t>(current)].id });
            if (!loop_next(core_id, id, thread.pc))
                return;
            break;
        }
        case Opcode::AwaitSleep:
        case Opcode::AwaitIo: {
            VERIFY(loop && loop->current >= 0);
            auto& task = loop->tasks[static_cast<std::size_t>(loop->current)];
            task.pc = thread.pc + 1;
            Tick until = m_now + instruction.ticks;
            loop->timers.push(Timer { until, m_wait_sequence++, loop->current });
            emit({ .tick = m_now, .kind = EventKind::TaskAwait, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .value = until, .task = task.id });
            if (!loop_next(core_id, id, thread.pc))
                return;
            break;
        }
        case Opcode::Return: {
            if (!loop || !loop->active) {
                // The end of a thread's own code, before the coroutine bodies that follow it.
                finish_thread(id, core_id);
                return;
            }
            VERIFY(loop->current >= 0);
            auto current = loop->current;
            auto& task = loop->tasks[static_cast<std::size_t>(current)];
            if (!task.returns.empty()) {
                thread.pc = task.returns.back();
                task.returns.pop_back();
                load_pc(id);
                break;
            }
            emit({ .tick = m_now, .kind = EventKind::TaskDone, .core = core_id, .process = process_id, .thread = id,
                .line = instruction.where.line, .pc = pc, .task = task.id });
            if (current == loop->main) {
                // asyncio.run returns: the thread goes on after `run`.
                loop->active = false;
                loop->current = -1;
                thread.pc = loop->resume_pc;
                load_pc(id);
                break;
            }
            if (task.parent >= 0 && --loop->tasks[static_cast<std::size_t>(task.parent)].waiting == 0)
                loop->ready.push_back(task.parent);
            if (!loop_next(core_id, id, thread.pc))
                return;
            break;
        }
        }
    }
    finish_thread(id, core_id);
}

// Takes the thread off the core (it blocked, ended, or was preempted by the policy).
void Machine::stop_on_core(CoreId core_id, Tick until)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    ThreadId id = core.thread;
    if (!core.switching)
        sync_left(core_id);
    touch(core_id);
    close_slice(core_id);
    if (!core.switching)
        m_scheduler->stopped(id, core_id, until - core.work_since);
    core.thread = no_thread;
    core.switching = false;
    core.stepped = false;
    core.slice_end = -1;
    m_threads[static_cast<std::size_t>(id)].core = no_core;
    m_dispatch_dirty = true;
}

void Machine::finish_thread(ThreadId id, CoreId core_id)
{
    auto const& info = m_trace.threads[static_cast<std::size_t>(id)];
    auto const& process_info = m_trace.processes[static_cast<std::size_t>(info.process)];
    auto const& holders = m_processes[static_cast<std::size_t>(info.process)].holders;
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
    m_trace.totals[static_cast<std::size_t>(id)].finish = m_now;
    // Threads that joined it go on.
    auto joiners = std::move(m_joiners[static_cast<std::size_t>(id)]);
    m_joiners[static_cast<std::size_t>(id)].clear();
    for (ThreadId joiner : joiners)
        wake_from_wait(joiner);
    auto& process = m_processes[static_cast<std::size_t>(info.process)];
    if (--process.live_threads == 0)
        end_process(info.process, ExitCause::Finished, id);
}

void Machine::end_process(ProcessId id, ExitCause cause, ThreadId by)
{
    auto& process = m_processes[static_cast<std::size_t>(id)];
    VERIFY(!process.done);
    auto const& info = m_trace.processes[static_cast<std::size_t>(id)];
    if (cause != ExitCause::Finished) {
        // `exit` ends every thread of the process now; the one that ran it ends normally. A
        // fault ends them all, the faulting one included.
        for (ThreadId thread_id : info.threads) {
            auto& thread = m_threads[static_cast<std::size_t>(thread_id)];
            if (thread.state == ThreadState::Done)
                continue;
            if (!m_memory[static_cast<std::size_t>(thread_id)].started) {
                thread.state = ThreadState::Done; // never spawned: nothing to stop
                continue;
            }
            if (thread.pending_core != no_core)
                flush_pending(thread.pending_core);
            if (thread_id == by && cause == ExitCause::Fault) {
                m_trace.totals[static_cast<std::size_t>(thread_id)].killed = true; // the Fault event tells why
            } else if (thread_id == by) {
                emit({ .tick = m_now, .kind = EventKind::ThreadExit, .core = thread.core, .process = id,
                    .thread = thread_id, .line = line_of(thread_id), .pc = static_cast<std::int32_t>(thread.pc) });
                m_trace.totals[static_cast<std::size_t>(thread_id)].finish = m_now;
            } else {
                emit({ .tick = m_now, .kind = EventKind::ThreadKilled, .core = thread.core, .process = id,
                    .thread = thread_id, .value = by });
                m_trace.totals[static_cast<std::size_t>(thread_id)].killed = true;
            }
            if (thread.queued) {
                thread.queued = false;
                m_scheduler->dequeue(thread_id);
            }
            if (thread.state == ThreadState::Blocked)
                ++thread.wait_generation;
            if (thread.core != no_core && m_cores[static_cast<std::size_t>(thread.core)].switching) {
                // Killed while being switched in: as in land(), that time was waiting.
                m_trace.totals[static_cast<std::size_t>(thread_id)].ready += m_now - thread.since;
                thread.since = m_now;
            }
            if (thread.core != no_core)
                stop_on_core(thread.core, m_now);
            enter_state(thread_id, ThreadState::Done);
        }
        process.live_threads = 0;
        auto& gil = m_gils[static_cast<std::size_t>(id)];
        if (gil.holder != no_thread)
            emit({ .tick = m_now, .kind = EventKind::GilRelease, .process = id, .thread = gil.holder,
                .value = static_cast<std::int64_t>(GilReleaseCause::Ended) });
        gil.holder = no_thread;
        gil.waiters.clear();
        gil.request_at = -1;
    }
    process.done = true;
    for (ThreadId thread_id : info.threads)
        m_joiners[static_cast<std::size_t>(thread_id)].clear(); // they were all of this process
    m_ram_in_use -= info.memory;
    if (info.memory > 0)
        m_ram_map.erase(std::find_if(m_ram_map.begin(), m_ram_map.end(), [&](Allocation const& a) { return a.process == id; }));
    m_trace.processes[static_cast<std::size_t>(id)].freed = m_now;
    record_final_values(id);
    --m_processes_left;
    emit({ .tick = m_now, .kind = EventKind::ProcessExit, .process = id, .thread = by,
        .value = static_cast<std::int64_t>(cause) });
    // Memory was freed: a process waiting for it may be admitted now.
    if (!m_memory_queue.empty())
        admit_processes();
}

void Machine::enter_state(ThreadId id, ThreadState state)
{
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    auto& totals = m_trace.totals[static_cast<std::size_t>(id)];
    Tick spent = m_now - thread.since;
    switch (thread.state) {
    case ThreadState::New: // arrived, but waiting for memory: waiting all the same
    case ThreadState::Ready: totals.ready += spent; break;
    case ThreadState::Running: totals.running += spent; break;
    case ThreadState::Blocked: totals.blocked += spent; break;
    case ThreadState::Done: break;
    }
    thread.state = state;
    thread.since = m_now;
}

void Machine::open_slice(CoreId core_id, bool switching)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    auto const& thread = m_threads[static_cast<std::size_t>(core.thread)];
    if (!switching && thread.pc_ticks == 0)
        return; // a memory instruction: phase 7 records each of its ticks
    Tick done_before = 0;
    if (!switching && thread.pc_ticks > 0)
        done_before = thread.pc_ticks - left_of(core.thread);
    core.open = Slice { m_now, m_now, core.thread, static_cast<std::int32_t>(thread.pc), done_before, switching };
}

void Machine::close_slice(CoreId core_id)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    if (core.open.thread == no_thread)
        return;
    core.open.end = m_now;
    if (core.open.end > core.open.start) {
        auto length = core.open.end - core.open.start;
        auto& total = core.open.switching ? m_trace.core_switching
            : core.open.stalled           ? m_trace.core_stalled
                                          : m_trace.core_busy;
        total[static_cast<std::size_t>(core_id)] += length;
        ++m_trace.slice_count;
        if (m_config.record_events)
            m_trace.core_slices[static_cast<std::size_t>(core_id)].push_back(core.open);
    }
    core.open.thread = no_thread;
}

void Machine::record_queues()
{
    auto queues = m_scheduler->ready_queues();
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
    auto const& process = m_processes[static_cast<std::size_t>(process_of(id))];
    return m_threads[static_cast<std::size_t>(id)].state == ThreadState::New && process.arrived && !process.admitted
        && m_memory[static_cast<std::size_t>(id)].started;
}

void Machine::stop_at_tick_limit()
{
    for (CoreId core = 0; core < m_config.cores; ++core) {
        auto& state = m_cores[static_cast<std::size_t>(core)];
        if (state.thread != no_thread)
            close_slice(core);
    }
    for (ThreadId id = 0; id < static_cast<ThreadId>(m_threads.size()); ++id) {
        auto state = m_threads[static_cast<std::size_t>(id)].state;
        if ((state != ThreadState::Done && state != ThreadState::New) || awaits_admission(id))
            enter_state(id, state); // account the time up to the limit
    }
    emit({ .tick = m_now, .kind = EventKind::TickLimit, .value = m_config.max_ticks });
    for (ProcessId id = 0; id < static_cast<ProcessId>(m_processes.size()); ++id)
        record_final_values(id);
    m_ended = true;
    m_trace.end = m_now;
    m_trace.outcome = Outcome::TickLimit;
}

void Machine::emit(Event event)
{
    ++m_trace.event_count;
    if (m_config.record_events)
        m_trace.events.push_back(event);
}

// Cores whose state changed this boundary get their due tick recomputed; the others keep
// theirs, which stays right because it is absolute: time passing does not change it.
void Machine::touch(CoreId core_id)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    if (!core.touched) {
        core.touched = true;
        m_touched.push_back(core_id);
    }
}

void Machine::refresh_touched()
{
    for (CoreId core_id : m_touched) {
        auto& core = m_cores[static_cast<std::size_t>(core_id)];
        core.touched = false;
        Tick due = no_due;
        if (core.thread != no_thread) {
            if (core.switching) {
                due = core.switch_end;
            } else if (m_threads[static_cast<std::size_t>(core.thread)].pc_ticks == 0) {
                due = m_now + 1; // a memory instruction goes a step a tick
            } else {
                core.compute_end = m_now + m_threads[static_cast<std::size_t>(core.thread)].left;
                due = core.compute_end;
                if (core.slice_end >= 0)
                    due = std::min(due, core.slice_end);
            }
        }
        m_due[static_cast<std::size_t>(core_id)] = due;
    }
    m_touched.clear();
}

// Brings the running thread's `left` up to date before it is read or changed.
void Machine::sync_left(CoreId core_id)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    if (core.touched)
        return; // already synced this boundary; compute_end is stale until refresh_touched
    auto& thread = m_threads[static_cast<std::size_t>(core.thread)];
    if (thread.pc_ticks == 0)
        return; // not in a compute instruction
    thread.left = core.compute_end - m_now;
    VERIFY(thread.left >= 0);
}

Tick Machine::left_of(ThreadId id) const
{
    auto const& thread = m_threads[static_cast<std::size_t>(id)];
    if (thread.core == no_core)
        return thread.left;
    auto const& core = m_cores[static_cast<std::size_t>(thread.core)];
    if (core.switching || core.touched)
        return thread.left;
    return core.compute_end - m_now;
}

std::int32_t Machine::line_of(ThreadId id) const
{
    if (!m_config.record_events)
        return 0; // the event is only counted: skip the cache miss on the thread's code
    auto const& code = m_trace.threads[static_cast<std::size_t>(id)].code;
    auto pc = m_threads[static_cast<std::size_t>(id)].pc;
    // Past its last instruction (it is ending): the line of that instruction.
    return pc < code.size() ? code[pc].where.line : !code.empty() ? code.back().where.line : 0;
}

ThreadState Machine::state(ThreadId id) const { return m_threads[static_cast<std::size_t>(id)].state; }

ProcessState Machine::process_state(ProcessId id) const
{
    auto const& process = m_processes[static_cast<std::size_t>(id)];
    if (process.done)
        return ProcessState::Done;
    if (!process.arrived)
        return ProcessState::New;
    if (process.loading)
        return ProcessState::Loading;
    if (!process.admitted)
        return ProcessState::Waiting;
    bool ready = false;
    for (ThreadId thread : m_trace.processes[static_cast<std::size_t>(id)].threads) {
        auto state = m_threads[static_cast<std::size_t>(thread)].state;
        if (state == ThreadState::Running)
            return ProcessState::Running;
        ready = ready || state == ThreadState::Ready;
    }
    return ready ? ProcessState::Ready : ProcessState::Blocked;
}

ThreadFacts Machine::facts(ThreadId id) const
{
    // Policies call this at every enqueue: read the compact arrays, not the ThreadInfo.
    auto const& thread = m_threads[static_cast<std::size_t>(id)];
    Tick done = 0;
    if (thread.pc < thread.code_size && is_compute(thread.code[thread.pc]))
        done = thread.code[thread.pc].ticks - left_of(id);
    else if (thread.pc < thread.code_size && memory_steps(thread.code[thread.pc].opcode) > 0)
        done = m_memory[static_cast<std::size_t>(id)].step;
    ThreadFacts facts;
    facts.id = id;
    facts.process = process_of(id);
    facts.arrival = m_trace.totals[static_cast<std::size_t>(id)].arrival;
    facts.priority = priority(id);
    auto const& plan = m_plans[static_cast<std::size_t>(id)];
    facts.next_burst = plan.burst_from[thread.pc] - done;
    facts.remaining = plan.remaining_from[thread.pc] - done;
    facts.last_core = thread.last_core;
    facts.pinned = pinned(id);
    return facts;
}

ThreadId Machine::running_on(CoreId core) const
{
    auto const& state = m_cores[static_cast<std::size_t>(core)];
    return state.switching ? no_thread : state.thread;
}

Tick Machine::worked(CoreId core) const
{
    auto const& state = m_cores[static_cast<std::size_t>(core)];
    return state.thread == no_thread || state.switching ? 0 : m_now - state.work_since;
}

void Machine::load_pc(ThreadId id)
{
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    thread.pc_ticks = thread.pc < thread.code_size && is_compute(thread.code[thread.pc]) ? thread.code[thread.pc].ticks : 0;
    if (thread.pc_ticks > 0)
        thread.left = thread.pc_ticks;
}

void Machine::print_text(CoreId core_id, ThreadId id, Instruction const& instruction, std::int32_t pc)
{
    auto const& info = m_trace.threads[static_cast<std::size_t>(id)];
    if (instruction.tick_at.empty()) {
        m_trace.texts.push_back(instruction.text);
    } else {
        // {tick}: the tick it prints at.
        std::string text;
        std::size_t from = 0;
        for (auto at : instruction.tick_at) {
            text.append(instruction.text, from, at - from);
            text += fmt::format("{}", m_now);
            from = at;
        }
        text.append(instruction.text, from);
        m_trace.texts.push_back(std::move(text));
    }
    emit({ .tick = m_now, .kind = EventKind::Print, .core = core_id, .process = info.process, .thread = id,
        .line = instruction.where.line, .pc = pc, .text = static_cast<std::int32_t>(m_trace.texts.size() - 1) });
}

std::int32_t Machine::new_task(ThreadId id, CallTarget const& call, std::int32_t parent, std::int32_t line)
{
    auto& loop = *m_loops[static_cast<std::size_t>(id)];
    VERIFY(call.entry >= 0);
    Task task;
    task.pc = static_cast<std::size_t>(call.entry);
    task.parent = parent;
    task.id = static_cast<std::int32_t>(m_trace.tasks.size());
    m_trace.tasks.push_back(TaskInfo { id, call.label });
    loop.tasks.push_back(std::move(task));
    emit({ .tick = m_now, .kind = EventKind::TaskStart, .process = process_of(id),
        .thread = id, .line = line, .task = loop.tasks.back().id });
    return static_cast<std::int32_t>(loop.tasks.size() - 1);
}

// The running task awaited or returned (or the thread comes back to a loop that had nothing
// to run): due timers join the ready FIFO, then its first task runs. With nothing ready the
// thread blocks until its earliest timer, and answers false.
bool Machine::loop_next(CoreId core_id, ThreadId id, std::size_t await_pc)
{
    auto& loop = *m_loops[static_cast<std::size_t>(id)];
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    auto const& info = m_trace.threads[static_cast<std::size_t>(id)];
    while (!loop.timers.empty() && loop.timers.top().at <= m_now) {
        loop.ready.push_back(loop.timers.top().task);
        loop.timers.pop();
    }
    if (!loop.ready.empty()) {
        loop.current = loop.ready.front();
        loop.ready.pop_front();
        auto const& task = loop.tasks[static_cast<std::size_t>(loop.current)];
        thread.pc = task.pc;
        emit({ .tick = m_now, .kind = EventKind::TaskRun, .core = core_id, .process = info.process, .thread = id,
            .line = thread.pc < info.code.size() ? info.code[thread.pc].where.line : 0,
            .pc = static_cast<std::int32_t>(thread.pc), .task = task.id });
        load_pc(id);
        return true;
    }
    VERIFY(!loop.timers.empty());
    Tick wake = loop.timers.top().at;
    loop.current = -1;
    loop.idle = true;
    thread.pc = await_pc;
    thread.pc_ticks = 0;
    emit({ .tick = m_now, .kind = EventKind::Block, .core = core_id, .process = info.process, .thread = id,
        .line = info.code[await_pc].where.line, .pc = static_cast<std::int32_t>(await_pc), .value = wake });
    stop_on_core(core_id, m_now);
    enter_state(id, ThreadState::Blocked);
    m_wakeups.push(Wakeup { wake, m_wait_sequence++, id, thread.wait_generation });
    if (m_any_gil)
        gil_release(id, GilReleaseCause::Blocked);
    return false;
}

bool Machine::gil_blocks(ThreadId id) const
{
    auto const& gil = m_gils[static_cast<std::size_t>(process_of(id))];
    return gil.enabled && gil.holder != no_thread && gil.holder != id;
}

void Machine::gil_take(ThreadId id)
{
    auto process = process_of(id);
    auto& gil = m_gils[static_cast<std::size_t>(process)];
    if (!gil.enabled || gil.holder == id)
        return;
    VERIFY(gil.holder == no_thread);
    gil.holder = id;
    emit({ .tick = m_now, .kind = EventKind::GilAcquire, .process = process, .thread = id, .value = 0 });
}

void Machine::gil_wait(ThreadId id)
{
    auto process = process_of(id);
    auto& gil = m_gils[static_cast<std::size_t>(process)];
    emit({ .tick = m_now, .kind = EventKind::GilWait, .process = process, .thread = id, .line = line_of(id),
        .pc = static_cast<std::int32_t>(m_threads[static_cast<std::size_t>(id)].pc), .value = gil.holder });
    enter_state(id, ThreadState::Blocked);
    if (gil.waiters.empty())
        gil.request_at = m_now;
    gil.waiters.push_back(id);
}

// The holder lets the GIL go; the first waiter, if any, takes it and becomes ready.
void Machine::gil_release(ThreadId id, GilReleaseCause cause)
{
    auto process = process_of(id);
    auto& gil = m_gils[static_cast<std::size_t>(process)];
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
    auto const& thread = m_threads[static_cast<std::size_t>(gil.holder)];
    bool running = thread.core != no_core && !m_cores[static_cast<std::size_t>(thread.core)].switching;
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
        auto& thread = m_threads[static_cast<std::size_t>(old)];
        if (thread.core != no_core) {
            emit({ .tick = m_now, .kind = EventKind::Preempt, .core = thread.core,
                .process = process_of(old), .thread = old,
                .line = line_of(old), .pc = static_cast<std::int32_t>(thread.pc),
                .value = static_cast<std::int64_t>(PreemptCause::Policy) });
            stop_on_core(thread.core, m_now);
            make_ready(old, EnqueueReason::Preempted);
        }
    }
}

// Phase 7. See the phase list at the top of this file.
void Machine::bus_phase()
{
    int budget = m_config.bus_bandwidth;
    BusTick use { m_now, 0, 0, 0, 0 };
    // Devices first: each I/O that finished copies its data into RAM with one transfer. The
    // waiting thread is not held up (it woke already); the transfers take bandwidth that cores
    // and loading then do not get, and what does not fit this tick goes first the next.
    auto devices = static_cast<int>(std::min<std::int64_t>(m_device_backlog, budget));
    m_device_backlog -= devices;
    budget -= devices;
    use.granted += devices;
    use.devices = devices;
    auto cores = m_config.cores;
    for (CoreId k = 0; k < cores; ++k) {
        auto core_id = static_cast<CoreId>((m_now + k) % cores);
        auto& core = m_cores[static_cast<std::size_t>(core_id)];
        if (core.thread == no_thread || core.switching)
            continue;
        ThreadId id = core.thread;
        if (m_threads[static_cast<std::size_t>(id)].pc_ticks != 0)
            continue; // computing
        auto const& thread = m_threads[static_cast<std::size_t>(id)];
        auto opcode = thread.code[thread.pc].opcode;
        auto step = m_memory[static_cast<std::size_t>(id)].step;
        bool granted = true;
        if (step_uses_bus(opcode, step)) {
            granted = budget > 0;
            if (granted) {
                --budget;
                ++use.granted;
            } else {
                ++use.stalled;
                ++m_trace.totals[static_cast<std::size_t>(id)].stalled;
            }
        }
        memory_step(core_id, id, granted);
    }
    for (ProcessId id : m_loading) {
        auto& process = m_processes[static_cast<std::size_t>(id)];
        if (process.transfers_left == 0)
            continue; // loaded; it becomes a process at the next boundary
        auto take = std::min<std::int64_t>(budget, process.transfers_left);
        budget -= static_cast<int>(take);
        use.granted += static_cast<std::int32_t>(take);
        use.loading += static_cast<std::int32_t>(take);
        process.transfers_left -= take;
        if (process.transfers_left == 0)
            m_trace.processes[static_cast<std::size_t>(id)].loaded = m_now + 1;
    }
    m_trace.bus_transfers += use.granted;
    if (m_config.record_events && (use.granted > 0 || use.stalled > 0))
        m_trace.bus.push_back(use);
}

// One tick of a memory instruction on `core_id`: its step when `granted` (the access takes
// effect now), else a stall. Either way the core is busy for tick m_now.
void Machine::memory_step(CoreId core_id, ThreadId id, bool granted)
{
    auto& core = m_cores[static_cast<std::size_t>(core_id)];
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    auto& state = m_memory[static_cast<std::size_t>(id)];
    auto const& info = m_trace.threads[static_cast<std::size_t>(id)];
    auto const& instruction = info.code[thread.pc];
    auto pc = static_cast<std::int32_t>(thread.pc);
    touch(core_id);
    core.open = Slice { m_now, m_now, id, pc, state.step, false, !granted };
    core.stepped = granted;
    if (!granted)
        return;
    auto& values = m_processes[static_cast<std::size_t>(info.process)].values;
    auto& value = values[static_cast<std::size_t>(instruction.target)];
    auto access = [&](EventKind kind, std::int64_t seen) {
        emit({ .tick = m_now, .kind = kind, .core = core_id, .process = info.process, .thread = id,
            .line = instruction.where.line, .pc = pc, .value = seen, .object = instruction.target });
    };
    switch (instruction.opcode) {
    case Opcode::Read:
        state.reg = value;
        access(EventKind::VarRead, value);
        break;
    case Opcode::Write:
        value = instruction.ticks;
        access(EventKind::VarWrite, value);
        break;
    case Opcode::AtomicIncr:
        ++value;
        access(EventKind::VarWrite, value);
        break;
    case Opcode::Incr:
        if (state.step == 0) {
            state.reg = value;
            access(EventKind::VarRead, value);
        } else if (state.step == 1) {
            ++state.reg; // on the CPU: nobody else sees it yet
        } else {
            value = state.reg;
            access(EventKind::VarWrite, value);
        }
        break;
    default: VERIFY_NOT_REACHED();
    }
}

// The thread did something the machine cannot allow: its whole process ends now.
void Machine::fault(ThreadId id, CoreId core_id, std::string message)
{
    auto const& info = m_trace.threads[static_cast<std::size_t>(id)];
    m_trace.texts.push_back(std::move(message));
    emit({ .tick = m_now, .kind = EventKind::Fault, .core = core_id, .process = info.process, .thread = id,
        .line = line_of(id), .pc = static_cast<std::int32_t>(m_threads[static_cast<std::size_t>(id)].pc),
        .text = static_cast<std::int32_t>(m_trace.texts.size() - 1) });
    m_trace.totals[static_cast<std::size_t>(id)].faulted = true;
    end_process(info.process, ExitCause::Fault, id);
}

// A thread blocked on a lock or a join may go on: past that instruction, ready.
void Machine::wake_from_wait(ThreadId id)
{
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    VERIFY(thread.state == ThreadState::Blocked);
    emit({ .tick = m_now, .kind = EventKind::Wake, .process = process_of(id),
        .thread = id, .line = line_of(id), .pc = static_cast<std::int32_t>(thread.pc) });
    ++thread.pc;
    load_pc(id);
    make_ready(id, EnqueueReason::Woke);
}

void Machine::record_final_values(ProcessId id)
{
    m_trace.processes[static_cast<std::size_t>(id)].final_values = m_processes[static_cast<std::size_t>(id)].values;
}

// What a blocked thread waits for, as a clause: "waits for mutex 'a' held by t2".
std::string Machine::describe_wait(ThreadId id) const
{
    auto const& info = m_trace.threads[static_cast<std::size_t>(id)];
    auto const& process = m_processes[static_cast<std::size_t>(info.process)];
    for (std::size_t mutex = 0; mutex < process.lock_waiters.size(); ++mutex)
        for (ThreadId waiter : process.lock_waiters[mutex])
            if (waiter == id)
                return fmt::format("{} waits for mutex '{}' held by {}", m_trace.name(id),
                    m_trace.processes[static_cast<std::size_t>(info.process)].mutexes[mutex],
                    m_trace.name(process.holders[mutex]));
    for (std::size_t target = 0; target < m_joiners.size(); ++target)
        for (ThreadId joiner : m_joiners[target])
            if (joiner == id)
                return fmt::format("{} waits to join {}{}", m_trace.name(id), m_trace.name(static_cast<ThreadId>(target)),
                    m_memory[target].started ? "" : ", which nobody spawned");
    auto const& gil = m_gils[static_cast<std::size_t>(info.process)];
    if (std::find(gil.waiters.begin(), gil.waiters.end(), id) != gil.waiters.end())
        return fmt::format("{} waits for the GIL held by {}", m_trace.name(id), m_trace.name(gil.holder));
    return fmt::format("{} is {}", m_trace.name(id), to_string(m_threads[static_cast<std::size_t>(id)].state));
}

// Nothing is due and nothing can become due: name who waits for whom, a cycle first when
// there is one, and stop the run.
void Machine::stop_deadlocked()
{
    // Who each thread waits for, when that is one other thread (a lock's holder, the thread
    // it joins, the GIL's holder).
    std::vector<ThreadId> waits_for(m_threads.size(), no_thread);
    for (ProcessId p = 0; p < static_cast<ProcessId>(m_processes.size()); ++p) {
        auto const& process = m_processes[static_cast<std::size_t>(p)];
        for (std::size_t mutex = 0; mutex < process.lock_waiters.size(); ++mutex)
            for (ThreadId waiter : process.lock_waiters[mutex])
                waits_for[static_cast<std::size_t>(waiter)] = process.holders[mutex];
        auto const& gil = m_gils[static_cast<std::size_t>(p)];
        for (ThreadId waiter : gil.waiters)
            waits_for[static_cast<std::size_t>(waiter)] = gil.holder;
    }
    for (std::size_t target = 0; target < m_joiners.size(); ++target)
        for (ThreadId joiner : m_joiners[target])
            waits_for[static_cast<std::size_t>(joiner)] = static_cast<ThreadId>(target);
    std::vector<ThreadId> cycle;
    for (ThreadId start = 0; start < static_cast<ThreadId>(m_threads.size()) && cycle.empty(); ++start) {
        std::vector<ThreadId> path;
        ThreadId at = start;
        while (at != no_thread && m_threads[static_cast<std::size_t>(at)].state == ThreadState::Blocked) {
            auto seen = std::find(path.begin(), path.end(), at);
            if (seen != path.end()) {
                cycle.assign(seen, path.end());
                break;
            }
            path.push_back(at);
            at = waits_for[static_cast<std::size_t>(at)];
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
        for (ThreadId id = 0; id < static_cast<ThreadId>(m_threads.size()); ++id) {
            if (m_threads[static_cast<std::size_t>(id)].state != ThreadState::Blocked)
                continue;
            if (listed++ == 8) {
                text += "; ...";
                break;
            }
            text += (listed == 1 ? "" : "; ") + describe_wait(id);
        }
    }
    for (ThreadId id = 0; id < static_cast<ThreadId>(m_threads.size()); ++id) {
        auto state = m_threads[static_cast<std::size_t>(id)].state;
        if ((state != ThreadState::Done && state != ThreadState::New) || awaits_admission(id))
            enter_state(id, state); // account the time up to now
    }
    m_trace.texts.push_back(std::move(text));
    emit({ .tick = m_now, .kind = EventKind::Deadlock, .text = static_cast<std::int32_t>(m_trace.texts.size() - 1) });
    for (ProcessId id = 0; id < static_cast<ProcessId>(m_processes.size()); ++id)
        record_final_values(id);
    m_ended = true;
    m_trace.end = m_now;
    m_trace.outcome = Outcome::Deadlock;
}

}
