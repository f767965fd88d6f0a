#pragma once

// The thread states an event leaves behind, for the parallelism figures: the Gantt chart's
// counts (gantt.cpp) and the streamed run's meter (stream.cpp) read events the same way.

#include "trace/trace.hpp"

namespace tl {

// The thread states an event leaves behind, as the parallelism figures count them: calls
// `set(thread, state)` for each thread whose state the event changes (every thread of its
// process for a process exit); events that change none call nothing.
template<typename Set>
void apply_thread_state(Trace const& trace, Event const& event, Set&& set)
{
    switch (event.kind) {
    case EventKind::ThreadReady:
    case EventKind::Preempt:
    case EventKind::Wake: set(event.thread, ThreadState::Ready); break;
    case EventKind::Dispatch: set(event.thread, ThreadState::Running); break;
    case EventKind::Block:
    case EventKind::GilWait:
    case EventKind::LockWait:
    case EventKind::JoinWait: set(event.thread, ThreadState::Blocked); break;
    case EventKind::GilAcquire:
    case EventKind::LockAcquire:
        if (event.value != 0) // handed over while it waited: ready again
            set(event.thread, ThreadState::Ready);
        break;
    case EventKind::ThreadExit:
    case EventKind::ThreadKilled: set(event.thread, ThreadState::Done); break;
    case EventKind::ProcessExit:
        for (ThreadId id : trace.processes[event.process].threads)
            set(id, ThreadState::Done);
        break;
    default: break;
    }
}

}
