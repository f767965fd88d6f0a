#pragma once

// The tick CSV's `blocked` column, followed event by event: the threads waiting (on I/O, a
// sleep, a lock, a join, the GIL), in the order they started waiting. One reading for the
// whole-trace writer (render_csv_ticks) and the streamed one (CsvStreamWriter).

#include "trace/trace.hpp"

#include <algorithm>
#include <vector>

namespace tl {

inline void follow_blocked(std::vector<ThreadId>& blocked, Trace const& trace, Event const& event)
{
    auto unblock = [&](ThreadId id) { blocked.erase(std::remove(blocked.begin(), blocked.end(), id), blocked.end()); };
    switch (event.kind) {
    case EventKind::Block:
    case EventKind::GilWait:
    case EventKind::LockWait:
    case EventKind::JoinWait:
        unblock(event.thread);
        blocked.push_back(event.thread);
        break;
    case EventKind::GilAcquire:
    case EventKind::LockAcquire:
    case EventKind::Wake:
    case EventKind::ThreadExit:
    case EventKind::ThreadKilled: unblock(event.thread); break;
    case EventKind::ProcessExit:
        for (ThreadId id : trace.processes[event.process].threads)
            unblock(id);
        break;
    default: break;
    }
}

}
