#include "trace/thread_states.hpp"

#include "trace/render_util.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tl {

std::string_view state_name_en(std::string_view code)
{
    for (auto const& state : thread_state_names)
        if (state.code == code)
            return state.en;
    return code;
}

ThreadLanes thread_spans(Trace const& trace)
{
    auto count = trace.threads.size();
    struct Current {
        std::string state = "new";
        std::string detail;
        Tick since = 0;
    };
    PerId<ThreadId, Current> now(trace.threads.count());
    PerId<ThreadId, std::vector<StateSpan>> base(trace.threads.count());
    auto set = [&](ThreadId id, Tick tick, std::string state, std::string detail = {}) {
        if (!now.contains(id))
            return;
        auto& current = now[id];
        if (tick > current.since)
            base[id].push_back({ current.since, tick, current.state, current.detail });
        current = { std::move(state), std::move(detail), tick };
    };
    // The threads a process starts when admitted (the others wait for a spawn).
    PerId<ThreadId, bool> starts(trace.threads.count(), false);
    for (auto const& event : trace.events)
        if (event.kind == EventKind::ThreadReady && static_cast<ReadyCause>(event.value) == ReadyCause::Arrived
            && event.thread != no_thread)
            starts[event.thread] = true;
    auto for_process = [&](ProcessId process, Tick tick, std::string_view state) {
        if (process == no_process)
            return;
        for (ThreadId id : trace.processes[process].threads)
            if (starts[id] && now[id].state == "new")
                set(id, tick, std::string(state));
    };
    for (auto const& event : trace.events) {
        auto id = event.thread;
        switch (event.kind) {
        case EventKind::ProcessWait: for_process(event.process, event.tick, "memory"); break;
        case EventKind::ProcessLoad: {
            if (event.process == no_process)
                break;
            for (ThreadId t : trace.processes[event.process].threads)
                if (starts[t] && (now[t].state == "new" || now[t].state == "memory"))
                    set(t, event.tick, "loading");
            break;
        }
        case EventKind::ThreadReady:
        case EventKind::Wake:
        case EventKind::Preempt: set(id, event.tick, "ready"); break;
        case EventKind::Dispatch: set(id, event.tick, "core", fmt::format("core {}", event.core)); break;
        case EventKind::Block: {
            auto on = wait_mnemonic(trace, event);
            auto state = on == "sleep" ? "sleep" : on == "tasks" ? "await" : "io";
            set(id, event.tick, state, fmt::format("until {}", event.value));
            break;
        }
        case EventKind::LockWait:
            set(id, event.tick, "lock",
                fmt::format("{} (held by {})", object_name(trace, event), trace.name(static_cast<ThreadId>(event.value))));
            break;
        case EventKind::JoinWait: set(id, event.tick, "join", trace.name(static_cast<ThreadId>(event.value))); break;
        case EventKind::GilWait:
            set(id, event.tick, "gil",
                event.value == no_thread ? std::string() : fmt::format("held by {}", trace.name(static_cast<ThreadId>(event.value))));
            break;
        case EventKind::ThreadExit: set(id, event.tick, "done"); break;
        case EventKind::Fault: set(id, event.tick, "fault", std::string(trace.text(event))); break;
        case EventKind::ThreadKilled: {
            auto by = static_cast<ThreadId>(event.value);
            set(id, event.tick, "killed", by == no_thread ? std::string() : fmt::format("by {}", trace.name(by)));
            break;
        }
        default: break;
        }
    }
    std::vector<StateSpan> finals;
    for (std::size_t i = 0; i < count; ++i) {
        auto state = now[i].state == "core" ? std::string("run") : now[i].state;
        finals.push_back({ trace.end, trace.end, state, now[i].detail });
        set(static_cast<ThreadId>(i), trace.end, "end");
    }

    // Each thread's slices, from every core, in time order.
    PerId<ThreadId, std::vector<Slice const*>> slices(trace.threads.count());
    for (auto const& core : trace.core_slices)
        for (auto const& slice : core)
            if (slices.contains(slice.thread))
                slices[slice.thread].push_back(&slice);
    for (auto& list : slices)
        std::stable_sort(list.begin(), list.end(), [](Slice const* a, Slice const* b) { return a->start < b->start; });

    std::vector<std::vector<StateSpan>> spans(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto& out = spans[i];
        auto add = [&](Tick start, Tick end, std::string const& state, std::string const& detail) {
            if (end <= start)
                return;
            if (!out.empty() && out.back().end == start && out.back().state == state && out.back().detail == detail) {
                out.back().end = end;
                return;
            }
            out.push_back({ start, end, state, detail });
        };
        std::size_t next = 0;
        for (auto const& span : base[i]) {
            if (span.state != "core") {
                add(span.start, span.end, span.state, span.detail);
                continue;
            }
            auto const& mine = slices[i];
            while (next < mine.size() && mine[next]->end <= span.start)
                ++next;
            Tick at = span.start;
            for (std::size_t k = next; k < mine.size() && mine[k]->start < span.end; ++k) {
                auto const& slice = *mine[k];
                auto from = std::max(slice.start, span.start);
                auto to = std::min(slice.end, span.end);
                add(at, from, "run", span.detail);
                add(from, to, slice.switching ? "switch" : slice.stalled ? "stall" : "run", span.detail);
                at = std::max(at, to);
            }
            add(at, span.end, "run", span.detail);
        }
    }
    return { std::move(spans), std::move(finals) };
}

}
