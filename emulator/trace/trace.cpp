#include "trace/trace.hpp"

namespace tl {

std::string_view to_string(ThreadState state)
{
    switch (state) {
    case ThreadState::New: return "new";
    case ThreadState::Ready: return "ready";
    case ThreadState::Running: return "running";
    case ThreadState::Blocked: return "blocked";
    case ThreadState::Done: return "done";
    }
    return "?";
}

std::string_view to_string(ProcessState state)
{
    switch (state) {
    case ProcessState::New: return "new";
    case ProcessState::Waiting: return "waiting for memory";
    case ProcessState::Loading: return "loading";
    case ProcessState::Ready: return "ready";
    case ProcessState::Running: return "running";
    case ProcessState::Blocked: return "blocked";
    case ProcessState::Done: return "done";
    }
    return "?";
}

std::string_view to_string(EventKind kind)
{
    switch (kind) {
    case EventKind::ProcessArrive: return "process-arrive";
    case EventKind::ProcessWait: return "process-wait";
    case EventKind::ProcessAdmit: return "process-admit";
    case EventKind::ProcessExit: return "process-exit";
    case EventKind::ThreadReady: return "ready";
    case EventKind::Migrate: return "migrate";
    case EventKind::Dispatch: return "dispatch";
    case EventKind::Preempt: return "preempt";
    case EventKind::Block: return "block";
    case EventKind::Wake: return "wake";
    case EventKind::ThreadExit: return "exit";
    case EventKind::ThreadKilled: return "killed";
    case EventKind::Print: return "print";
    case EventKind::TickLimit: return "tick-limit";
    case EventKind::TaskStart: return "task-start";
    case EventKind::TaskRun: return "task-run";
    case EventKind::TaskAwait: return "task-await";
    case EventKind::TaskDone: return "task-done";
    case EventKind::GilAcquire: return "gil-acquire";
    case EventKind::GilRelease: return "gil-release";
    case EventKind::GilWait: return "gil-wait";
    case EventKind::ProcessLoad: return "process-load";
    case EventKind::VarRead: return "read";
    case EventKind::VarWrite: return "write";
    case EventKind::LockAcquire: return "lock-acquire";
    case EventKind::LockRelease: return "lock-release";
    case EventKind::LockWait: return "lock-wait";
    case EventKind::Spawn: return "spawn";
    case EventKind::JoinWait: return "join-wait";
    case EventKind::Fault: return "fault";
    case EventKind::Deadlock: return "deadlock";
    case EventKind::CacheWarm: return "cache-warm";
    case EventKind::CacheEvict: return "cache-evict";
    }
    return "?";
}

std::string_view to_string(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Finished: return "finished";
    case Outcome::TickLimit: return "tick-limit";
    case Outcome::Deadlock: return "deadlock";
    }
    return "?";
}

bool same_run(Trace const& a, Trace const& b)
{
    return a.processes == b.processes && a.events == b.events && a.core_slices == b.core_slices && a.queue_snapshots == b.queue_snapshots
        && a.texts == b.texts && a.tasks == b.tasks && a.totals == b.totals && a.core_busy == b.core_busy && a.core_switching == b.core_switching
        && a.core_stalled == b.core_stalled && a.bus == b.bus && a.bus_transfers == b.bus_transfers
        && a.event_count == b.event_count && a.slice_count == b.slice_count && a.context_switches == b.context_switches && a.end == b.end
        && a.outcome == b.outcome;
}

}
