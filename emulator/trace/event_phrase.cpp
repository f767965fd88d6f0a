#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <fmt/format.h>

// One event as the per-tick table and the stepper say it: "core 0 runs a", "b waits on io
// until 12". The table lists them in its events column; the stepper puts "at tick N, " before.

namespace tl {

std::string event_phrase(Trace const& trace, Event const& event)
{
    auto process = process_label(trace, event.process);
    auto thread = thread_label(trace, event.thread);
    switch (event.kind) {
    case EventKind::ProcessArrive: return fmt::format("{} arrives", process);
    case EventKind::ProcessWait:
        return fmt::format("{} waits for memory ({})", process, format_bytes(static_cast<std::uint64_t>(event.value)));
    case EventKind::ProcessAdmit:
        if (event.value == 0)
            return fmt::format("{} admitted", process); // a quick job: it needs no memory
        return fmt::format("{} admitted ({})", process, format_bytes(static_cast<std::uint64_t>(event.value)));
    case EventKind::ProcessExit: {
        // With --jobs every process has one thread of its own name: "P1 ends; P1 ends" would
        // read as a thread ending twice, so the process says what it is.
        bool shares_name = false;
        for (ThreadId id : trace.processes[event.process].threads)
            shares_name = shares_name || trace.name(id) == process;
        auto subject = shares_name ? fmt::format("process {}", process) : std::string(process);
        if (static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction)
            return fmt::format("{} ends (exit by {})", subject, thread);
        if (static_cast<ExitCause>(event.value) == ExitCause::Fault)
            return fmt::format("{} ends (fault in {}); its memory is freed", subject, thread);
        return fmt::format("{} ends", subject);
    }
    case EventKind::ThreadReady:
        if (static_cast<ReadyCause>(event.value) == ReadyCause::Spawned)
            return fmt::format("{} starts, ready", thread);
        return fmt::format("{} ready", thread);
    case EventKind::Migrate: return fmt::format("{} moves from core {} to core {}", thread, event.value, event.core);
    case EventKind::Dispatch: return fmt::format("core {} runs {}", event.core, thread);
    case EventKind::Preempt:
        if (static_cast<PreemptCause>(event.value) == PreemptCause::SliceEnded)
            return fmt::format("{}'s slice ends", thread);
        if (static_cast<PreemptCause>(event.value) == PreemptCause::Yielded)
            return fmt::format("{} yields", thread);
        return fmt::format("{} preempted", thread);
    case EventKind::Block: {
        auto on = wait_mnemonic(trace, event);
        if (on == "sleep")
            return fmt::format("{} sleeps until {}", thread, event.value);
        if (on == "tasks")
            return fmt::format("{}: every task awaits; it blocks until {}", thread, event.value);
        return fmt::format("{} waits on {} until {}", thread, on, event.value);
    }
    case EventKind::Wake: return fmt::format("{} wakes", thread);
    case EventKind::ThreadExit: return fmt::format("{} ends", thread);
    case EventKind::ThreadKilled: {
        auto by = static_cast<ThreadId>(event.value);
        bool faulted = by != no_thread && trace.totals[by].faulted;
        return fmt::format("{} killed ({} by {})", thread, faulted ? "fault" : "exit", thread_label(trace, by));
    }
    case EventKind::Print: return fmt::format("{} prints \"{}\"", thread, trace.text(event));
    case EventKind::TickLimit: return "tick limit reached";
    case EventKind::TaskStart: return fmt::format("{} starts task {}", thread, task_label(trace, event));
    case EventKind::TaskRun: return fmt::format("{} runs {}", thread, task_label(trace, event));
    case EventKind::TaskAwait: {
        auto const& code = trace.threads[event.thread].code;
        auto opcode = code[index_of(event.pc)].opcode;
        if (opcode_info(opcode).operand == OperandKind::Calls) // the event's value: how many tasks
            return fmt::format("{} awaits {} of {}", task_label(trace, event), last_word(opcode), event.value);
        return fmt::format("{} awaits {} until {}", task_label(trace, event), last_word(opcode), event.value);
    }
    case EventKind::TaskDone: return fmt::format("{} returns", task_label(trace, event));
    case EventKind::GilAcquire: return fmt::format("{} takes the GIL", thread);
    case EventKind::GilRelease: return fmt::format("{} releases the GIL ({})", thread, gil_release_reason(event));
    case EventKind::GilWait:
        return fmt::format("{} waits for the GIL (held by {})", thread, thread_label(trace, static_cast<ThreadId>(event.value)));
    case EventKind::ProcessLoad:
        return fmt::format("{} loading into RAM at address {} ({} bus transfers)", process,
            event.value == 0 ? std::string("0") : format_bytes(static_cast<std::uint64_t>(event.value)),
            trace.processes[event.process].load_transfers);
    case EventKind::VarRead: return fmt::format("{} reads {} = {}", thread, object_name(trace, event), event.value);
    case EventKind::VarWrite: return fmt::format("{} writes {} = {}", thread, object_name(trace, event), event.value);
    case EventKind::LockAcquire:
        return fmt::format("{} {} {}", thread, event.value == 1 ? "is handed" : "locks", object_name(trace, event));
    case EventKind::LockRelease: return fmt::format("{} unlocks {}", thread, object_name(trace, event));
    case EventKind::LockWait:
        return fmt::format("{} waits for {} (held by {})", thread, object_name(trace, event),
            thread_label(trace, static_cast<ThreadId>(event.value)));
    case EventKind::Spawn: return fmt::format("{} spawns {}", thread, thread_label(trace, static_cast<ThreadId>(event.value)));
    case EventKind::JoinWait:
        return fmt::format("{} waits to join {}", thread, thread_label(trace, static_cast<ThreadId>(event.value)));
    case EventKind::Fault:
        return fmt::format("FAULT: {} (line {}) {}", thread, event.line, trace.text(event));
    case EventKind::Deadlock: return fmt::format("STOP: {}", trace.text(event));
    case EventKind::CacheWarm: return fmt::format("{} is warm in core {}'s cache", thread, event.core);
    case EventKind::CacheEvict: return fmt::format("{} is pushed out of core {}'s cache", thread, event.core);
    }
    return "?";
}

}
