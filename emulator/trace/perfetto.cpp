#include "trace/render_util.hpp"
#include "trace/visual.hpp"

#include <nlohmann/json.hpp>

#include <string>

// The Chrome trace-event format ("JSON Array/Object Format", the one chrome://tracing and
// ui.perfetto.dev both open). Timestamps are microseconds; a simulated tick is drawn as one
// millisecond (ts = tick * 1000) so that tick numbers read straight off the ruler in ms.
//
// One process, "machine" (pid 1), with a track per core (tid = core + 1, since some viewers
// treat tid 0 as "no thread") and one more, "events" (tid 0), for instants that belong to no
// core. Counters are process-wide tracks.

namespace tl {

namespace {

using nlohmann::json;

constexpr int s_pid = 1;
constexpr int s_events_tid = 0;
constexpr std::int64_t s_micros_per_tick = 1000;

std::int64_t micros(Tick tick) { return tick * s_micros_per_tick; }

int core_tid(CoreId core) { return core == no_core ? s_events_tid : core + 1; }

json metadata(std::string_view what, int tid, json args)
{
    json event { { "ph", "M" }, { "pid", s_pid }, { "name", what }, { "args", std::move(args) } };
    if (tid >= 0)
        event["tid"] = tid;
    return event;
}

json instant(Trace const& trace, Event const& event, std::string name, json args)
{
    // Instants on a core's track are scoped to it ("t"); the others span the process ("p").
    bool on_core = event.core != no_core;
    args["process"] = event.process == no_process ? std::string() : trace.processes[static_cast<std::size_t>(event.process)].name;
    return json { { "ph", "i" }, { "pid", s_pid }, { "tid", core_tid(event.core) }, { "ts", micros(event.tick) },
        { "s", on_core ? "t" : "p" }, { "name", std::move(name) }, { "cat", "event" }, { "args", std::move(args) } };
}

}

void render_perfetto(std::ostream& out, Trace const& trace)
{
    json events = json::array();
    events.push_back(metadata("process_name", -1, { { "name", "machine" } }));
    events.push_back(metadata("thread_name", s_events_tid, { { "name", "events" } }));
    events.push_back(metadata("thread_sort_index", s_events_tid, { { "sort_index", -1 } }));
    for (CoreId core = 0; core < static_cast<CoreId>(trace.core_slices.size()); ++core) {
        events.push_back(metadata("thread_name", core_tid(core), { { "name", "core " + std::to_string(core) } }));
        events.push_back(metadata("thread_sort_index", core_tid(core), { { "sort_index", core } }));
    }

    // A complete event ("X") per slice: the work a core did for a thread, or a switch into it.
    for (CoreId core = 0; core < static_cast<CoreId>(trace.core_slices.size()); ++core) {
        for (auto const& slice : trace.core_slices[static_cast<std::size_t>(core)]) {
            auto const& info = trace.threads[static_cast<std::size_t>(slice.thread)];
            auto const& process = trace.processes[static_cast<std::size_t>(info.process)].name;
            // A switch slice runs no instruction: its pc may already be past the thread's code
            // (a thread switched in only to end), so it is never looked up.
            json args { { "process", process },
                { "instruction", slice.switching ? std::string("context switch") : to_string(trace.instruction(slice)) } };
            if (slice.stalled)
                args["stalled"] = "waiting for the bus";
            events.push_back(json { { "ph", "X" }, { "pid", s_pid }, { "tid", core_tid(core) }, { "ts", micros(slice.start) },
                { "dur", micros(slice.end - slice.start) },
                { "name", slice.switching ? "switch to " + info.display_name
                        : slice.stalled   ? info.display_name + " (bus wait)"
                                          : info.display_name },
                { "cat", slice.switching ? "switch" : slice.stalled ? "stall" : "run" }, { "args", std::move(args) } });
        }
    }

    // Instants for what a learner looks for on a timeline: output, wake-ups, and threads or
    // processes cut short (a thread killed by `exit` or a fault, the tick limit, a deadlock).
    for (auto const& event : trace.events) {
        switch (event.kind) {
        case EventKind::Print:
            events.push_back(instant(trace, event, trace.name(event.thread) + " prints",
                { { "thread", trace.name(event.thread) }, { "text", std::string(trace.text(event)) } }));
            break;
        case EventKind::Wake:
            events.push_back(instant(trace, event, trace.name(event.thread) + " wakes",
                { { "thread", trace.name(event.thread) }, { "after", std::string(wait_mnemonic(trace, event)) } }));
            break;
        case EventKind::ThreadKilled:
            events.push_back(instant(trace, event, trace.name(event.thread) + " killed",
                { { "thread", trace.name(event.thread) }, { "by", trace.name(static_cast<ThreadId>(event.value)) } }));
            break;
        case EventKind::ProcessExit:
            if (static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction)
                events.push_back(instant(trace, event,
                    trace.processes[static_cast<std::size_t>(event.process)].name + " exits",
                    { { "by", trace.name(event.thread) } }));
            break;
        case EventKind::TickLimit:
            events.push_back(instant(trace, event, "tick limit", { { "ticks", event.value } }));
            break;
        case EventKind::Fault:
            events.push_back(instant(trace, event, trace.name(event.thread) + " faults",
                { { "thread", trace.name(event.thread) }, { "line", event.line },
                    { "message", std::string(trace.text(event)) } }));
            break;
        case EventKind::Deadlock:
            events.push_back(instant(trace, event, "deadlock", { { "message", std::string(trace.text(event)) } }));
            break;
        case EventKind::LockWait:
            events.push_back(instant(trace, event, trace.name(event.thread) + " waits for " + std::string(object_name(trace, event)),
                { { "thread", trace.name(event.thread) }, { "holder", trace.name(static_cast<ThreadId>(event.value)) } }));
            break;
        case EventKind::TaskRun:
            events.push_back(instant(trace, event, trace.name(event.thread) + " runs " + std::string(task_label(trace, event)),
                { { "thread", trace.name(event.thread) }, { "task", std::string(task_label(trace, event)) } }));
            break;
        case EventKind::TaskDone:
            events.push_back(instant(trace, event, std::string(task_label(trace, event)) + " returns",
                { { "thread", trace.name(event.thread) }, { "task", std::string(task_label(trace, event)) } }));
            break;
        case EventKind::GilWait:
            events.push_back(instant(trace, event, trace.name(event.thread) + " waits for the GIL",
                { { "thread", trace.name(event.thread) }, { "holder", trace.name(static_cast<ThreadId>(event.value)) } }));
            break;
        case EventKind::GilAcquire:
            events.push_back(instant(trace, event, trace.name(event.thread) + " takes the GIL",
                { { "thread", trace.name(event.thread) } }));
            break;
        default: break;
        }
    }

    // Counter tracks. The ready-queue length comes from the snapshots, one series per queue
    // when the policy keeps several. The bus utilisation is the share of its bandwidth granted
    // each tick, a sample at every change.
    for (auto const& snapshot : trace.queue_snapshots) {
        json args = json::object();
        for (std::size_t i = 0; i < snapshot.queues.size(); ++i) {
            auto const& queue = snapshot.queues[i];
            args[queue.label.empty() ? std::string("ready") : queue.label] = queue.threads.size();
        }
        events.push_back(json { { "ph", "C" }, { "pid", s_pid }, { "ts", micros(snapshot.tick) }, { "name", "ready queue" },
            { "args", std::move(args) } });
    }
    auto bus_sample = [&](Tick tick, double percent) {
        events.push_back(json { { "ph", "C" }, { "pid", s_pid }, { "ts", micros(tick) }, { "name", "bus utilisation" },
            { "args", { { "percent", percent } } } });
    };
    // Ticks missing from trace.bus had no demand: 0%.
    double last = -1;
    Tick expected = 0; // the tick after the last one listed
    if (trace.bus.empty() || trace.bus.front().tick > 0) {
        bus_sample(0, 0);
        last = 0;
    }
    for (auto const& use : trace.bus) {
        if (use.tick > expected && last != 0) {
            bus_sample(expected, 0);
            last = 0;
        }
        double percent = 100.0 * use.granted / trace.machine.bus_bandwidth;
        if (percent != last)
            bus_sample(use.tick, percent);
        last = percent;
        expected = use.tick + 1;
    }
    if (last != 0 && expected < trace.end)
        bus_sample(expected, 0);
    bus_sample(trace.end, 0);

    json document { { "traceEvents", std::move(events) }, { "displayTimeUnit", "ms" },
        { "otherData",
            { { "generator", "ticklab" }, { "program", trace.program_file }, { "cores", trace.machine.cores },
                { "scheduler", trace.scheduler },
                { "scheduler_description", trace.scheduler_description },
                { "tick", "1 simulated tick = 1 ms (ts in microseconds = tick * 1000)" }, { "end_tick", trace.end },
                { "outcome", std::string(to_string(trace.outcome)) } } } };
    // Names are UTF-8 from the program; a malformed byte becomes U+FFFD rather than an error.
    out << document.dump(1, ' ', false, json::error_handler_t::replace) << '\n';
}

}
