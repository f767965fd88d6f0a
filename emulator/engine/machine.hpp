#pragma once

// The simulated machine: cores, RAM, and the operating system's mechanism (admission,
// dispatch, blocking, waking, accounting). Policy lives in a Scheduler. The Machine never
// prints; it records a Trace.

#include "engine/cache.hpp"
#include "engine/config.hpp"
#include "engine/ids.hpp"
#include "engine/per_id.hpp"
#include "engine/verify.hpp"
#include "lang/bursts.hpp"
#include "lang/program.hpp"
#include "sched/scheduler.hpp"
#include "trace/trace.hpp"

#include <bit>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

namespace tl {

class Machine final : public SchedulerHost {
public:
    // The config and program must have passed check_machine() and check_program_fits().
    Machine(MachineConfig const&, Program const&, std::unique_ptr<Scheduler>, std::string scheduler_name,
        std::string scheduler_description);
    // A copy of the machine in its current state, policy included (Scheduler::clone()): run on,
    // it gives exactly the trace the original would. It asks the same Chooser, if any.
    Machine(Machine const&);
    Machine& operator=(Machine const&) = delete;

    // Scheduling choices from outside the policy (see Chooser in sched/scheduler.hpp); null:
    // the policy alone picks. The Machine does not own it.
    void set_chooser(Chooser* chooser) { m_chooser = chooser; }
    // Sees every event and slice as they happen (trace/trace.hpp); null: none. The Machine
    // does not own it. Set before the first advance().
    void set_observer(TraceObserver* observer)
    {
        m_observer = observer;
        m_observer_queues = observer != nullptr && observer->wants_queues();
        m_observer_lines = observer != nullptr && observer->finds_lines();
    }

    // Moves to the next tick boundary at which something happens (or to the next tick when
    // MachineConfig::step_every_tick is set) and carries out its phases. Returns false once
    // the run has ended; the trace is then complete.
    bool advance();
    void run();
    // Makes the next tick the run's tick limit (for Ctrl-C): the run stops there as at any
    // tick limit, and the trace is that of the run so far, complete and consistent.
    void stop_soon();

    bool ended() const { return m_ended; }
    Trace const& trace() const { return m_trace; }
    Trace take_trace() { return std::move(m_trace); }

    // Inspection, for steppers and tests.
    ThreadState state(ThreadId) const;
    ProcessState process_state(ProcessId) const;
    // The index in its code of the instruction the thread is at (code.size() once it ran
    // them all); for a thread that faulted or was killed, where it stopped.
    std::size_t pc(ThreadId id) const { return m_threads[id].pc; }
    std::uint64_t ram_in_use() const { return m_ram_in_use; }
    // For explore (explore/explore.hpp; engine/state_key.cpp): the thread is inside a compute
    // instruction and had run a tick of it before the last one (a switch now changes no
    // variable, lock or order of memory steps that a switch a tick earlier did not). And the
    // machine's state as bytes: equal keys, equal futures (see docs/explore.md for what it
    // leaves out: the trace, the policy, the wait counters).
    bool mid_compute(ThreadId) const;
    std::string state_key() const;

    // SchedulerHost
    Tick now() const override { return m_now; }
    int core_count() const override { return m_config.cores; }
    ThreadFacts facts(ThreadId) const override;
    ThreadId running_on(CoreId) const override;
    Tick worked(CoreId) const override;
    ThreadBrief brief(ThreadId id) const override { return m_briefs[id]; }

private:
    static constexpr Tick no_due = max_tick_limit + 1; // m_due of an idle core

    // Touched on every dispatch: exactly one cache line, the 8-byte fields first.
    struct alignas(64) ThreadRuntime {
        std::size_t pc = 0;
        Tick left = 0;       // ticks left in the current compute instruction
        Tick pc_ticks = 0;   // the length of the compute instruction at pc; 0: pc is not at one.
                             // Saves reading the code (a cache miss) on every dispatch.
        Tick since = 0;      // when it entered its current state, for accounting
        Instruction const* code = nullptr; // its ThreadInfo's code, without a miss on the ThreadInfo
        std::uint32_t code_size = 0;
        CoreId core = no_core;
        CoreId last_core = no_core;
        CoreId pending_core = no_core;     // its slice ended there this boundary; see flush_pending
        std::uint32_t wait_generation = 0; // invalidates a pending wake-up when killed
        ThreadState state = ThreadState::New;
        bool queued = false;               // the scheduler holds it as ready
    };
    static_assert(sizeof(ThreadRuntime) == 64);

    struct CoreRuntime {
        ThreadId thread = no_thread; // running, or being switched in
        bool switching = false;
        Tick switch_end = 0;
        Tick slice_end = -1;         // -1: no slice limit
        Tick work_since = 0;         // start of the work counted for Scheduler::stopped
        ThreadId last = no_thread;   // the thread it last ran, for counting switches
        ThreadId pending = no_thread; // its slice ended this boundary; it may get the core back
        Slice open;                  // the slice being recorded; open.thread == no_thread: none
        Tick compute_end = 0;        // running: the tick its compute instruction ends (thread.left is
                                     // only brought up to date from it when read; see sync_left)
        bool touched = false;        // its due tick must be recomputed at the end of this boundary
        bool stepped = false;        // its thread did a step of a memory instruction in the last tick
        ThreadId reserved = no_thread; // --switch-on end, --io-done immediate: the core waits for this thread
    };

    struct ProcessRuntime {
        bool arrived = false;
        bool admitted = false;
        bool done = false;
        bool loading = false;
        int live_threads = 0;            // started and not yet ended
        std::int64_t transfers_left = 0; // of its loading
        PerId<VariableId, std::int64_t> values;          // its shared variables
        PerId<MutexId, ThreadId> holders;                // who holds it
        PerId<MutexId, std::deque<ThreadId>> lock_waiters; // who waits, first come first
    };
    // Per thread: the register of its memory instructions and its step in the current one.
    struct MemoryState {
        std::int64_t reg = 0;
        std::int32_t step = 0;
        bool started = true; // false until a `spawned` thread is spawned
    };
    // A block of RAM held by a process, for the map.
    struct Allocation {
        std::uint64_t base;
        std::uint64_t size;
        ProcessId process;
    };

    struct Wakeup {
        Tick at;
        std::uint64_t sequence; // ties break by who started waiting first
        ThreadId thread;
        std::uint32_t generation;
        bool operator>(Wakeup const& other) const
        {
            return at != other.at ? at > other.at : sequence > other.sequence;
        }
    };

    // Coroutines: a thread's event loop (see docs/language.md, "Coroutines").
    struct Task {
        std::size_t pc = 0;               // where it goes on when it runs again
        std::vector<std::size_t> returns; // frames of `await NAME(...)`: where each returns to
        std::int32_t parent = -1;         // the task whose gather waits for it
        std::int32_t waiting = 0;         // its gather's tasks not yet done
        std::int32_t id = -1;             // index into Trace::tasks
    };
    struct Timer {
        Tick at;
        std::uint64_t sequence;
        std::int32_t task;
        bool operator>(Timer const& other) const
        {
            return at != other.at ? at > other.at : sequence > other.sequence;
        }
    };
    struct EventLoop {
        bool active = false;   // between `run` and the return of its main task
        bool idle = false;     // the thread is blocked until its earliest timer
        std::size_t resume_pc = 0;
        std::int32_t current = -1; // the running task; -1: none (the loop must pick one)
        std::int32_t main = -1;
        PerId<std::int32_t, Task> tasks; // by the loop's own numbering (current, main, ready)
        std::deque<std::int32_t> ready; // FIFO, like asyncio's call_soon
        std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
    };
    // A process's global interpreter lock.
    struct Gil {
        bool enabled = false;
        Tick interval = 0;
        ThreadId holder = no_thread;
        std::deque<ThreadId> waiters;
        Tick request_at = -1; // since when the holder has had someone waiting
        Tick run_since = -1;  // when the holder last landed on a core
    };
    // The tick at which the holder must hand the GIL over; no_gil_deadline when none.
    Tick gil_deadline(Gil const&) const;

    void load_pc(ThreadId);
    std::int32_t new_task(ThreadId, CallTarget const&, std::int32_t parent, std::int32_t line);
    bool loop_next(CoreId, ThreadId, std::size_t await_pc);
    void print_text(CoreId, ThreadId, Instruction const&, std::int32_t pc);
    bool gil_blocks(ThreadId) const;
    void gil_take(ThreadId);
    void gil_wait(ThreadId);
    void gil_release(ThreadId, GilReleaseCause);
    void gil_handoffs();

    void process_boundary();
    // Memory, the bus, locks and faults.
    std::optional<std::uint64_t> find_hole(std::uint64_t size) const;
    void allocate(ProcessId);
    void start_threads(ProcessId);
    void bus_phase();
    void memory_step(CoreId, ThreadId, bool granted);
    void fault(ThreadId, CoreId, std::string message);
    void wake_from_wait(ThreadId);
    bool nothing_due() const;
    void stop_deadlocked();
    std::string describe_wait(ThreadId) const;
    void record_final_values(ProcessId);
    // A thread's process, from a compact array: the events of a dispatch need it, and the
    // thread's ThreadInfo would be one more cache miss per dispatch.
    ProcessId process_of(ThreadId id) const { return m_thread_process[id]; }
    ThreadId thread_of(ProcessId process, std::int32_t index) const
    {
        return m_trace.processes[process].threads[index_of(index)];
    }
    void retire_core(CoreId, std::vector<ThreadId>& slice_ended);
    void requeue(std::vector<ThreadId> const& slice_ended);
    void admit_processes();
    void admit(ProcessId);
    void wake_due_threads();
    void wake(ThreadId);
    void run_at_once(ThreadId);
    std::optional<ThreadId> take_reserved(CoreId);
    void dispatch_idle_cores();
    void dispatch_pass();
    void flush_pending(CoreId);
    void enqueue(ThreadId, EnqueueReason);
    void land(CoreId);
    std::optional<ThreadId> pick(CoreId);
    std::optional<ThreadId> pick_from_outside(CoreId);
    void point_at_code();
    void settle(CoreId);
    void settle_at_instruction(CoreId);
    // One function per instruction (instructions.cpp; locks, spawn and join in sync.cpp,
    // coroutines in coroutines.cpp). Each answers as execute() does.
    bool execute(CoreId, ThreadId, Instruction const&);
    bool next_instruction(ThreadId);
    bool do_compute(CoreId, ThreadId);
    bool do_print(CoreId, ThreadId, Instruction const&);
    bool do_block(CoreId, ThreadId, Instruction const&);
    bool do_exit(ThreadId);
    bool do_yield(CoreId, ThreadId);
    bool do_crash(CoreId, ThreadId);
    bool do_lock(CoreId, ThreadId, Instruction const&);
    bool do_unlock(CoreId, ThreadId, Instruction const&);
    bool do_spawn(CoreId, ThreadId, Instruction const&);
    bool do_join(CoreId, ThreadId, Instruction const&);
    bool do_run(CoreId, ThreadId, Instruction const&);
    bool do_await_call(ThreadId, Instruction const&);
    bool do_await_gather(CoreId, ThreadId, Instruction const&);
    bool do_await_timer(CoreId, ThreadId, Instruction const&);
    bool do_return(CoreId, ThreadId, Instruction const&);
    void stop_on_core(CoreId, Tick ran_until);
    void finish_thread(ThreadId, CoreId);
    void end_process(ProcessId, ExitCause, ThreadId cause);
    void make_ready(ThreadId, EnqueueReason);
    void enter_state(ThreadId, ThreadState);
    void open_slice(CoreId, bool switching);
    void close_slice(CoreId);
    void record_queues();
    void check_invariants();
    void stop_at_tick_limit();
    bool awaits_admission(ThreadId) const;
    Tick next_boundary() const;
    void emit(Event);
    // The event `make()` builds, emitted; or, when events of this kind are only counted (see
    // keeps), counted without being built: no load of the thread's process or line, and no
    // Event on the stack, on the paths taken at every dispatch and slice end.
    template <typename Make> void emit_lazy(EventKind kind, Make const& make)
    {
        if (!keeps(kind)) [[likely]] {
            ++m_trace.event_count;
            return;
        }
        emit(make());
    }
    void touch(CoreId);
    void refresh_touched();
    // The idle cores (no thread running or being switched in), one bit each, kept with every
    // change of CoreRuntime::thread: the dispatch phase visits only them, in id order, rather
    // than every core at every boundary.
    void set_idle(CoreId core) { m_idle_cores[index_of(core) / 64] |= std::uint64_t { 1 } << (core % 64); }
    void set_busy(CoreId core) { m_idle_cores[index_of(core) / 64] &= ~(std::uint64_t { 1 } << (core % 64)); }
    // The first idle core at or after `from`; core_count() when none.
    CoreId next_idle_core(CoreId from) const
    {
        auto word = index_of(from) / 64;
        if (word >= m_idle_cores.size())
            return m_config.cores;
        auto bits = m_idle_cores[word] & (~std::uint64_t { 0 } << (from % 64));
        while (bits == 0) {
            if (++word == m_idle_cores.size())
                return m_config.cores;
            bits = m_idle_cores[word];
        }
        return static_cast<CoreId>(word * 64 + index_of(std::countr_zero(bits)));
    }
    void sync_left(CoreId);
    Tick left_of(ThreadId) const;
    std::int32_t line_of(ThreadId, EventKind) const;
    // Whether an event of this kind is stored or observed (else it is only counted).
    bool keeps(EventKind kind) const
    {
        return m_config.record_events || m_observer != nullptr || stores(kind);
    }
    // Whether an event of this kind is stored in the trace.
    bool stores(EventKind kind) const
    {
        return m_config.record_events || (m_config.record_notable && !routine_event(kind));
    }
    // The cache model's hooks (engine/cache.cpp), only when it is on: a compute segment
    // starts (answers its due tick) or stops, and the changes it made become events.
    Tick cache_begin(CoreId);
    void cache_end(CoreId);
    void emit_cache_changes();

    MachineConfig m_config;
    std::unique_ptr<Scheduler> m_scheduler;
    Trace m_trace;

    Tick m_now = 0;
    Tick m_last_checked = 0;
    std::size_t m_unchecked_boundaries = 0; // boundaries since check_invariants() last ran
    bool m_started = false;
    bool m_ended = false;
    bool m_arrived_this_boundary = false;
    bool m_woke_this_boundary = false;
    bool m_dispatch_dirty = false;
    PerId<ThreadId, ThreadRuntime> m_threads;
    PerId<ThreadId, Bursts> m_bursts;    // for facts() only: kept out of ThreadRuntime
                                         // so that the runtime, touched on every dispatch, fits one
                                         // cache line
    PerId<ThreadId, ThreadBrief> m_briefs; // for brief(); pinned points into m_trace
    PerId<CoreId, CoreRuntime> m_cores;
    PerId<ProcessId, ProcessRuntime> m_processes;
    std::vector<ProcessId> m_by_arrival; // processes sorted by (arrival, declaration order)
    std::size_t m_next_arrival = 0;
    std::vector<ProcessId> m_memory_queue; // arrived, waiting for RAM, first come first served
    std::uint64_t m_ram_in_use = 0;
    int m_processes_left = 0;
    std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<>> m_wakeups;
    std::uint64_t m_wait_sequence = 0;
    std::vector<ThreadId> m_slice_ended;   // reused every boundary: no allocation per boundary
    std::vector<CoreId> m_pending_cores;   // cores whose pending slice end may need flushing
    PerId<CoreId, Tick> m_due;             // compact: the next boundary it needs (no_due: idle)
    Tick m_due_rest = no_due;              // the earliest m_due of the cores not touched this boundary,
    bool m_due_rest_known = false;         // when known (see touch)
    Tick m_due_touched = no_due;           // the earliest m_due of the cores refresh_touched updated
    std::optional<Tick> m_policy_wakeup;   // Scheduler::next_wakeup() after the last dispatch
    std::vector<CoreId> m_touched;         // one slot a core; its first m_touched_count: the cores
    std::size_t m_touched_count = 0;       // whose m_due must be recomputed (each listed once)
    std::vector<std::uint64_t> m_idle_cores; // see set_idle
    PerId<ThreadId, std::unique_ptr<EventLoop>> m_loops; // null when it runs no coroutines
    PerId<ProcessId, Gil> m_gils;
    bool m_any_gil = false;
    bool m_any_memory = false;              // the program has memory instructions: the bus phase runs
    PerId<ThreadId, MemoryState> m_memory;
    PerId<ThreadId, ProcessId> m_thread_process; // see process_of
    PerId<ThreadId, std::vector<ThreadId>> m_joiners; // who waits for it to end
    std::vector<Allocation> m_ram_map;      // by base address
    std::vector<ProcessId> m_loading;       // loading from storage, in the order they started
    std::int64_t m_device_backlog = 0;      // transfers of finished I/O not yet granted
    Chooser* m_chooser = nullptr;           // see set_chooser
    TraceObserver* m_observer = nullptr;    // see set_observer
    bool m_observer_queues = false;         // it asked for the ready queues
    bool m_observer_lines = false;          // it finds events' lines itself (see line_of)
    std::unique_ptr<CacheModel> m_cache;    // the cache affinity model; null when it is off
    // A new member must be copied in the copy constructor (outside.cpp) too.
};

// The Machine's small helpers on the path of every dispatch and slice end, here so that the
// phases (machine.cpp, instructions.cpp) inline them rather than pay a call for each.

// Cores whose state changed this boundary get their due tick recomputed; the others keep
// theirs, which stays right because it is absolute: time passing does not change it.
inline void Machine::touch(CoreId core_id)
{
    auto& core = m_cores[core_id];
    if (!core.touched) {
        core.touched = true;
        m_touched[m_touched_count++] = core_id;
        // A core that was not due at this boundary changes its due tick: the retire pass's
        // earliest due tick of the others may have been its old one.
        Tick due = m_due[core_id];
        if (due != m_now && due != no_due)
            m_due_rest_known = false;
    }
}

inline void Machine::enter_state(ThreadId id, ThreadState state)
{
    auto& thread = m_threads[id];
    auto& totals = m_trace.totals[id];
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

// Brings the running thread's `left` up to date before it is read or changed.
inline void Machine::sync_left(CoreId core_id)
{
    auto& core = m_cores[core_id];
    if (core.touched)
        return; // already synced this boundary; compute_end is stale until refresh_touched
    auto& thread = m_threads[core.thread];
    if (thread.pc_ticks == 0)
        return; // not in a compute instruction
    if (m_cache) [[unlikely]]
        cache_end(core_id);
    else
        thread.left = core.compute_end - m_now;
    VERIFY(thread.left >= 0);
}

inline Tick Machine::left_of(ThreadId id) const
{
    auto const& thread = m_threads[id];
    if (thread.core == no_core)
        return thread.left;
    auto const& core = m_cores[thread.core];
    if (core.switching || core.touched)
        return thread.left;
    if (m_cache) [[unlikely]]
        return m_cache->left_at(thread.core, m_now);
    return core.compute_end - m_now;
}

[[gnu::always_inline]] inline void Machine::open_slice(CoreId core_id, bool switching)
{
    auto& core = m_cores[core_id];
    auto const& thread = m_threads[core.thread];
    if (!switching && thread.pc_ticks == 0)
        return; // a memory instruction: phase 7 records each of its ticks
    Tick done_before = 0;
    if (!switching && thread.pc_ticks > 0)
        done_before = thread.pc_ticks - left_of(core.thread);
    core.open = Slice { m_now, m_now, core.thread, static_cast<std::int32_t>(thread.pc), done_before, switching };
    if (m_observer != nullptr)
        m_observer->slice_begins(core_id, core.open);
}

[[gnu::always_inline]] inline void Machine::close_slice(CoreId core_id)
{
    auto& core = m_cores[core_id];
    if (core.open.thread == no_thread)
        return;
    core.open.end = m_now;
    if (m_observer != nullptr)
        m_observer->slice(core_id, core.open);
    if (core.open.end > core.open.start) {
        auto length = core.open.end - core.open.start;
        auto& total = core.open.switching ? m_trace.core_switching
            : core.open.stalled           ? m_trace.core_stalled
                                          : m_trace.core_busy;
        total[core_id] += length;
        ++m_trace.slice_count;
        if (m_config.record_events)
            m_trace.core_slices[core_id].push_back(core.open);
    }
    core.open.thread = no_thread;
}

// The thread on `core_id` is at an instruction boundary at m_now: run its zero-time
// instructions until it reaches compute work (it keeps the core), a wait (it blocks) or
// its end (settle_at_instruction, instructions.cpp).
inline void Machine::settle(CoreId core_id)
{
    auto& core = m_cores[core_id];
    auto& thread = m_threads[core.thread];
    if (thread.pc_ticks > 0) {
        // Mid-compute, the common case on a dispatch: no need to read the code.
        VERIFY(thread.left > 0);
        if (core.slice_end != m_now)
            open_slice(core_id, false);
        return;
    }
    settle_at_instruction(core_id);
}

inline void Machine::land(CoreId core_id)
{
    auto& core = m_cores[core_id];
    ThreadId id = core.thread;
    auto& totals = m_trace.totals[id];
    // Time spent being switched in counts as waiting, not running.
    auto& thread = m_threads[id];
    totals.ready += m_now - thread.since;
    thread.since = m_now;
    if (totals.first_run < 0)
        totals.first_run = m_now;
    core.work_since = m_now;
    if (m_any_gil) {
        auto& gil = m_gils[process_of(id)];
        if (gil.holder == id)
            gil.run_since = m_now;
    }
    m_scheduler->started(id, core_id);
    settle(core_id);
}

// The thread whose slice ended on `core_id` in phase 1 did not simply go on: record its
// preemption now.
inline void Machine::flush_pending(CoreId core_id)
{
    auto& core = m_cores[core_id];
    ThreadId id = core.pending;
    if (id == no_thread)
        return;
    close_slice(core_id);
    core.pending = no_thread;
    auto& thread = m_threads[id];
    thread.pending_core = no_core;
    emit_lazy(EventKind::Preempt, [&] {
        return Event { .tick = m_now, .kind = EventKind::Preempt, .core = core_id, .process = process_of(id),
            .thread = id, .line = line_of(id, EventKind::Preempt), .pc = static_cast<std::int32_t>(thread.pc),
            .value = static_cast<std::int64_t>(PreemptCause::SliceEnded) };
    });
}

// Convenience: build, run and return the trace.
Trace simulate(MachineConfig const&, Program const&, std::unique_ptr<Scheduler>, std::string scheduler_name,
    std::string scheduler_description);

}
