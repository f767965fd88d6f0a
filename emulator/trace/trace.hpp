#pragma once

// The trace is the product: everything a learner sees (the per-tick table, the metrics,
// JSON, charts) is a renderer over it. It is stored compactly, as intervals and events,
// never as a snapshot per tick, so its size follows scheduling events and not ticks.

#include "engine/config.hpp"
#include "engine/ids.hpp"
#include "engine/per_id.hpp"
#include "engine/verify.hpp"
#include "lang/program.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tl {

enum class ThreadState : std::uint8_t { New, Ready, Running, Blocked, Done };
enum class ProcessState : std::uint8_t { New, Waiting, Loading, Ready, Running, Blocked, Done };

std::string_view to_string(ThreadState);
std::string_view to_string(ProcessState);

enum class EventKind : std::uint8_t {
    ProcessArrive, // a process arrives (it is admitted at once when its memory fits)
    ProcessWait,   // it does not fit in free RAM yet and waits for memory (value: bytes needed)
    ProcessAdmit,  // its memory is allocated; its threads become ready
    ProcessExit,   // its last thread ended, or a thread ran `exit` (value: ExitCause)
    ThreadReady,   // a new thread enters the ready state (value: ReadyCause)
    Migrate,       // a thread is about to run on another core than last time (core: the new
                   // one, value: the old one); just before its Dispatch
    Dispatch,      // a core starts running a thread (value: slice length, 0 = until it blocks)
    Preempt,       // a running thread goes back to ready (value: PreemptCause)
    Block,         // a running thread waits on I/O or a timer (value: the tick it will wake)
    Wake,          // a blocked thread's wait is over; it is ready again
    ThreadExit,    // a thread ran its last instruction
    ThreadKilled,  // a thread ended because its process ended (value: the thread that caused it)
    Print,         // a thread printed a line (text)
    TickLimit,     // the run reached its tick limit and stopped
    // Coroutines (a thread's event loop; `task` names the task, see Trace::tasks) and the GIL.
    TaskStart,  // a task is created: by `run`, or one per call of `await gather` (line: the call)
    TaskRun,    // the event loop runs a task, until it awaits or returns
    TaskAwait,  // the running task awaits (pc: the await; value: the tick its sleep or I/O ends,
                // or for a gather the number of tasks)
    TaskDone,   // a task returned
    GilAcquire, // a thread takes its process's GIL (value: 1 when a releasing holder hands it over)
    GilRelease, // a thread lets its process's GIL go (value: GilReleaseCause)
    GilWait,    // a thread must wait for its process's GIL (value: the holder); its core is free
    // Memory, the bus, shared variables, locks and faults. `object` names the variable or
    // mutex: its index in ProcessInfo::variables or ::mutexes.
    ProcessLoad, // RAM is reserved (value: the base address) and the program starts loading
                 // from storage over the bus (ProcessInfo::load_transfers transfers)
    VarRead,     // a thread read a shared variable (value: the value read)
    VarWrite,    // a thread wrote a shared variable (value: the new value)
    LockAcquire, // a thread takes a mutex (value: 1 when an unlocking holder hands it over)
    LockRelease, // a thread lets a mutex go
    LockWait,    // a thread must wait for a mutex (value: the holder); its core is free
    Spawn,       // a thread starts another thread of its process (value: the new thread)
    JoinWait,    // a thread waits for another to end (value: that thread); its core is free
    Fault,       // a thread faulted (text: what happened; line and pc: where); its process ends
    Deadlock,    // no thread can ever go on (text: who waits for what); the run stops
    // The cache model (engine/cache.hpp), only when it is on.
    CacheWarm,  // the thread's working set is now in the core's cache: it runs faster there
    CacheEvict, // the thread's working set was pushed out of the core's cache
};
// How many kinds there are: one past the last above (keep it so when adding one).
inline constexpr int event_kind_count = static_cast<int>(EventKind::CacheEvict) + 1;
std::string_view to_string(EventKind);

enum class ReadyCause : std::uint8_t { Arrived, Woke, Preempted, Spawned };
enum class PreemptCause : std::uint8_t { SliceEnded, Policy, Yielded };
enum class ExitCause : std::uint8_t { Finished, ExitInstruction, Fault };
enum class BlockCause : std::uint8_t { Io, Sleep };
enum class GilReleaseCause : std::uint8_t { Blocked, Ended, Interval };

// Event::line of an event the Machine does not store, for an observer that finds the line
// itself (TraceObserver::finds_lines): the line of the instruction at the event's pc in its
// thread's code, or of the code's last instruction when pc is past its end (0: no code).
inline constexpr std::int32_t line_at_pc = -1;

struct Event {
    Tick tick = 0;
    EventKind kind {};
    CoreId core = no_core;
    ProcessId process = no_process;
    ThreadId thread = no_thread;
    std::int32_t line = 0;     // source line of the instruction concerned, 0 if none; or
                               // line_at_pc, only as an observer that finds lines sees it
    std::int32_t pc = -1;      // index of that instruction in the thread's code, -1 if none
    std::int64_t value = 0;    // kind-specific, see EventKind
    std::int32_t text = -1;    // index into Trace::texts (Print, and Block's cause name)
    std::int32_t task = -1;    // index into Trace::tasks (Task* events)
    std::int32_t object = -1;  // Var* and Lock* events: the variable or mutex, see EventKind
    bool operator==(Event const&) const = default;
};

// A core busy over [start, end): running one instruction of one thread, or switching to it.
struct Slice {
    Tick start = 0;
    Tick end = 0;
    ThreadId thread = no_thread;
    std::int32_t pc = 0;      // index of the instruction in the thread's code
    Tick done_before = 0;     // ticks of that instruction already done when the slice began
    bool switching = false;   // a context switch into `thread`, not useful work
    bool stalled = false;     // the thread waited on the core for the bus (a one-tick slice)
    bool warm = false;        // the cache model: its working set was warm in the core's cache,
                              // so each tick did MachineConfig::cache_warm_rate ticks of work
    bool operator==(Slice const&) const = default;
};

struct ReadyQueue {
    std::string label;             // "" for one global queue, "core 0", "level 2", ...
    std::vector<ThreadId> threads; // front first
    std::int64_t more = 0;         // queued after `threads`, not listed (MachineConfig::queue_snapshot_limit)
    bool operator==(ReadyQueue const&) const = default;
};

// The ready queues as they stood from `tick` on (until the next snapshot).
struct QueueSnapshot {
    Tick tick = 0;
    std::vector<ReadyQueue> queues;
    bool operator==(QueueSnapshot const&) const = default;
};

struct ThreadInfo {
    std::string name;         // as declared
    std::string display_name; // unique in the run: the name, or "process.name" when two processes share it
    ProcessId process = no_process;
    Code code; // the program's own, shared
    std::vector<int> pinned;
    std::uint64_t working_set = 0; // for the cache model; 0: none
};

// A coroutine task of a thread's event loop, numbered in the order tasks are created.
struct TaskInfo {
    ThreadId thread = no_thread;
    std::string label; // "delivery(A, 9)"
    bool operator==(TaskInfo const&) const = default;
};

struct ProcessInfo {
    std::string name;
    Tick arrival = 0;
    std::uint64_t memory = 0;
    int priority = 0;
    std::vector<ThreadId> threads;
    bool gil = false;
    Tick gil_interval = 0;
    std::vector<std::string> variables; // shared variables, in declaration order
    std::vector<std::int64_t> initial_values;
    std::vector<std::int64_t> final_values; // as they stood when the run ended
    std::vector<std::string> mutexes;
    // Its place in RAM: [base, base + memory) from tick `allocated` until tick `freed`
    // (-1: not yet, or never). Loading over the bus ends at `loaded`.
    std::int64_t base = -1;
    Tick allocated = -1;
    Tick loaded = -1;
    Tick freed = -1;
    std::int64_t load_transfers = 0; // bus transfers its loading takes (0: loads instantly)
    bool operator==(ProcessInfo const&) const = default;
};

// The bus during one tick on which anything asked for it (ticks not listed had no demand).
struct BusTick {
    Tick tick = 0;
    std::int32_t granted = 0; // transfers granted: devices, memory instructions, then loading
    std::int32_t devices = 0; // of those, for I/O that finished (its data copied into RAM)
    std::int32_t loading = 0; // of those, for programs being loaded
    std::int32_t stalled = 0; // cores that asked and had to wait
    bool operator==(BusTick const&) const = default;
};

// What each thread did, accumulated by the Machine as it runs. Ticks are counted as
// textbooks count them: a thread that runs ticks 0 to 23 finishes at 24.
struct ThreadTotals {
    Tick arrival = 0;
    Tick first_run = -1; // -1: never ran
    Tick finish = -1;    // -1: never finished (tick limit, or killed)
    Tick running = 0;    // ticks on a core doing its own work
    Tick ready = 0;      // ticks waiting: in a ready queue, being switched in, or for memory
    Tick blocked = 0;    // ticks waiting on I/O, timers, locks, joins or the GIL
    Tick stalled = 0;    // ticks on a core waiting for the bus (counted in `running` too)
    Tick warm = 0;       // the cache model: ticks its compute ran warm, and cold (threads with
    Tick cold = 0;       // a working set only)
    std::int64_t migrations = 0; // dispatches on a core other than the one it last ran on
    bool killed = false;
    bool faulted = false; // it faulted: `crash`, or a mistake the machine caught
    bool started = true;  // false for a spawned thread that nobody spawned
    bool operator==(ThreadTotals const&) const = default;
};

enum class Outcome : std::uint8_t { Finished, TickLimit, Deadlock };
std::string_view to_string(Outcome);

struct Trace {
    std::string program_file;
    MachineConfig machine;
    std::string scheduler;             // registry name, e.g. "rr"
    std::string scheduler_description; // e.g. "round-robin, quantum 2, one global queue"
    PerId<ProcessId, ProcessInfo> processes;
    PerId<ThreadId, ThreadInfo> threads;

    std::vector<Event> events;                  // in the order they happened
    PerId<CoreId, std::vector<Slice>> core_slices; // per core, in time order, never overlapping
    std::vector<QueueSnapshot> queue_snapshots; // only when MachineConfig::record_queues
    std::vector<std::string> texts;             // strings referenced by events
    PerId<TaskId, TaskInfo> tasks;              // coroutine tasks, by creation

    PerId<ThreadId, ThreadTotals> totals;
    PerId<CoreId, Tick> core_busy;      // ticks running threads' work
    PerId<CoreId, Tick> core_switching; // ticks spent switching
    PerId<CoreId, Tick> core_stalled;   // ticks its thread waited for the bus
    std::vector<BusTick> bus;         // only when MachineConfig::record_events
    std::int64_t bus_transfers = 0;   // transfers granted over the whole run
    std::int64_t event_count = 0;     // events that happened, stored or not
    std::int64_t slice_count = 0;     // slices that happened, stored or not
    std::int64_t context_switches = 0;
    Tick end = 0; // the tick at which the run ended (the makespan when it finished)
    Outcome outcome = Outcome::Finished;

    std::string_view text(Event const& event) const
    {
        return event.text >= 0 ? std::string_view(texts[index_of(event.text)]) : std::string_view();
    }
    // The instruction at `pc` in the thread's code; null when `pc` is not in it (an event
    // without one has pc -1; a thread that ran to its end, the code's length).
    Instruction const* instruction_at(ThreadId thread, std::int32_t pc) const
    {
        auto const& code = threads[thread].code;
        return pc >= 0 && pc < std::ssize(code) ? &code[static_cast<std::size_t>(pc)] : nullptr;
    }
    // "compute 4" for the instruction a slice runs; a switch slice runs none.
    Instruction const& instruction(Slice const& slice) const
    {
        auto const* instruction = slice.switching ? nullptr : instruction_at(slice.thread, slice.pc);
        VERIFY(instruction != nullptr);
        return *instruction;
    }
    std::string const& name(ThreadId thread) const { return threads[thread].display_name; }
};

// The events that make up most of a run: routine scheduling, which
// MachineConfig::record_notable leaves out.
constexpr bool routine_event(EventKind kind)
{
    switch (kind) {
    case EventKind::ThreadReady:
    case EventKind::Migrate:
    case EventKind::Dispatch:
    case EventKind::Preempt:
    case EventKind::Block:
    case EventKind::Wake: return true;
    default: return false;
    }
}

// Sees a run as the Machine records it (Machine::set_observer), whether or not the Machine
// stores what it sees: every event as it happens and every slice as it closes, in the order
// they would be stored in the Trace. A writer that streams its output (trace/stream.hpp)
// needs no stored events: its memory follows threads and cores, not the length of the run.
// The observer may read the Machine's trace (its threads, texts and tasks) while it runs.
class TraceObserver {
public:
    virtual ~TraceObserver() = default;
    virtual void event(Event const&) { }
    // A core starts a slice (start, thread, switching and stalled are final; end is not yet).
    virtual void slice_begins(CoreId, Slice const&) { }
    // It ends. Every slice that began ends, by the end of the run; one that ends the tick it
    // began (end == start) is not stored in the trace.
    virtual void slice(CoreId, Slice const&) { }
    // The ready queues at the end of each scheduling boundary (as a QueueSnapshot records
    // them), only for an observer that asks for them: taking them costs a copy of every queue.
    virtual bool wants_queues() const { return false; }
    // Whether the observer finds the source line of an event itself, from its thread's code
    // and pc: the Machine then skips reading the code (a cache miss) for an event it does not
    // store, and hands it over with line_at_pc. Asked once, by Machine::set_observer.
    virtual bool finds_lines() const { return false; }
    virtual void queues(Tick, std::vector<ReadyQueue> const&) { }
    // A tick on which the bus was asked for (as BusTick lists them in Trace::bus).
    virtual void bus(BusTick const&) { }
};

// Identical traces mean identical runs: compares everything the machine recorded, the
// processes' places in RAM and final variable values included.
bool same_run(Trace const&, Trace const&);

}
