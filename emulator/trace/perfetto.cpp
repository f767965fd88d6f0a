#include "trace/perfetto_events.hpp"
#include "trace/races.hpp"
#include "trace/render_util.hpp"
#include "trace/thread_states.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The Chrome trace-event format ("JSON Array/Object Format", the one chrome://tracing and
// ui.perfetto.dev both open). Timestamps are microseconds; a simulated tick is drawn as one
// millisecond (ts = tick * 1000) so that tick numbers read straight off the ruler in ms.
//
// Tracks (docs/visual.md has the whole layout):
//   pid 1 "machine": a track per core (tid = core + 1, since some viewers treat tid 0 as "no
//     thread"), then "events" (tid 0) for instants that belong to no core; the ready-queue
//     and bus counters.
//   pid 2 + p for the p-th process as declared: a track with the process's state, then a
//     track per thread with its state (B/E slices, the lab page's vocabulary: running, ready,
//     blocked: lock, ...); a counter per shared variable.
//   tids are numbered on from the cores: the first process's own track, its threads in
//   declaration order, the next process's track, ... so every tid is unique in the file.
// Every event, metadata and counters included, has ph, cat, name, pid, tid and ts, so strict
// parsers take it. The events are written in ts order (metadata first); at one ts, slices
// that end come before those that begin, so B/E pairs nest on every track.

namespace tl::perfetto {




std::size_t precedence(std::string_view state)
{
    for (std::size_t i = 0; i < s_process_precedence.size(); ++i)
        if (s_process_precedence[i] == state)
            return i;
    return s_process_precedence.size() - 1;
}

std::string dumped(json const& event)
{
    // Names are UTF-8 from the program; a malformed byte becomes U+FFFD rather than an error.
    return event.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The events, gathered with the ts and an order within one ts, then written sorted. Each is
// kept as its text, a fraction of the memory of its JSON tree.
class Timeline {
public:
    void add(Tick tick, json event, int rank = 1)
    {
        event["ts"] = micros(tick);
        m_events.push_back({ micros(tick), rank, dumped(event) });
    }
    // The sample of a counter at `tick` replaces one the same counter already has there.
    void sample(std::string const& key, Tick tick, json event)
    {
        auto found = m_last_sample.find(key);
        if (found != m_last_sample.end() && m_events[found->second].ts == micros(tick)) {
            event["ts"] = micros(tick);
            m_events[found->second].text = dumped(event);
            return;
        }
        m_last_sample[key] = m_events.size();
        add(tick, std::move(event));
    }
    // The events' texts in ts order; at one ts, rank 0 (slices that end) first.
    std::vector<std::string> sorted()
    {
        std::stable_sort(m_events.begin(), m_events.end(),
            [](Timed const& a, Timed const& b) { return a.ts != b.ts ? a.ts < b.ts : a.rank < b.rank; });
        std::vector<std::string> out;
        out.reserve(m_events.size());
        for (auto& timed : m_events)
            out.push_back(std::move(timed.text));
        m_events.clear();
        return out;
    }

private:
    struct Timed {
        std::int64_t ts = 0;
        int rank = 1; // 0 for E, so that a slice ends before the next begins at the same ts
        std::string text;
    };
    std::vector<Timed> m_events;
    std::map<std::string, std::size_t> m_last_sample;
};


Layout layout(Trace const& trace)
{
    Layout out;
    int next = static_cast<int>(trace.core_slices.size()) + 1;
    out.thread_tid.assign(trace.threads.count(), 0);
    for (auto const& process : trace.processes) {
        out.process_tid.push_back(next++);
        for (ThreadId id : process.threads)
            out.thread_tid[id] = next++;
    }
    return out;
}

json metadata(std::string_view what, int pid, int tid, json args)
{
    return json { { "ph", "M" }, { "cat", "__metadata" }, { "pid", pid }, { "tid", tid }, { "ts", 0 }, { "name", what },
        { "args", std::move(args) } };
}

std::string const& process_name(Trace const& trace, ProcessId process)
{
    return trace.processes[process].name;
}

json instant(Trace const& trace, Event const& event, std::string name, json args)
{
    // Instants on a core's track are scoped to it ("t"); the others span the process ("p").
    bool on_core = event.core != no_core;
    args["process"] = event.process == no_process ? std::string() : process_name(trace, event.process);
    return json { { "ph", "i" }, { "pid", s_machine_pid }, { "tid", core_tid(event.core) }, { "s", on_core ? "t" : "p" },
        { "name", std::move(name) }, { "cat", "event" }, { "args", std::move(args) } };
}

// A state slice on a process's or thread's track: B at its start, E at its end.
json state_begin(int pid, int tid, std::string_view state, std::string_view detail)
{
    json args { { "state", state } };
    if (!detail.empty())
        args["detail"] = detail;
    return json { { "ph", "B" }, { "cat", "state" }, { "pid", pid }, { "tid", tid }, { "name", state_name_en(state) },
        { "args", std::move(args) } };
}

json state_end(int pid, int tid, std::string_view state)
{
    return json { { "ph", "E" }, { "cat", "state" }, { "pid", pid }, { "tid", tid }, { "name", state_name_en(state) } };
}

void state_slice(Timeline& timeline, int pid, int tid, StateSpan const& span)
{
    timeline.add(span.start, state_begin(pid, tid, span.state, span.detail));
    timeline.add(span.end, state_end(pid, tid, span.state), 0);
}

// A process's state over time, from its threads' spans: at each tick the most active state
// any of its threads is in (s_process_precedence), with how many of them are in it.
std::vector<StateSpan> process_spans(Trace const& trace, ThreadLanes const& lanes, ProcessId process)
{
    auto const& threads = trace.processes[process].threads;
    // (tick, thread's index in the process, span) for every change of a thread's state.
    std::vector<std::pair<Tick, std::pair<std::size_t, StateSpan const*>>> changes;
    for (std::size_t i = 0; i < threads.size(); ++i)
        for (auto const& span : lanes.spans[index_of(threads[i])])
            changes.push_back({ span.start, { i, &span } });
    std::stable_sort(changes.begin(), changes.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
    std::array<int, s_process_precedence.size()> count {};
    count[precedence("new")] = static_cast<int>(threads.size());
    std::vector<std::size_t> now(threads.size(), precedence("new"));
    std::vector<StateSpan> out;
    auto close = [&](Tick tick) {
        if (!out.empty() && out.back().end < tick)
            out.back().end = tick;
    };
    for (std::size_t k = 0; k < changes.size();) {
        auto tick = changes[k].first;
        for (; k < changes.size() && changes[k].first == tick; ++k) {
            auto [i, span] = changes[k].second;
            --count[now[i]];
            now[i] = precedence(span->state);
            ++count[now[i]];
        }
        std::size_t top = 0;
        while (top + 1 < count.size() && count[top] == 0)
            ++top;
        auto state = std::string(s_process_precedence[top]);
        auto detail = fmt::format("{} of {} thread{}", count[top], threads.size(), threads.size() == 1 ? "" : "s");
        close(tick);
        if (!out.empty() && out.back().state == state && out.back().detail == detail)
            continue;
        out.push_back({ tick, tick, state, detail });
    }
    close(trace.end);
    std::erase_if(out, [](StateSpan const& span) { return span.state == "new" || span.end <= span.start; });
    return out;
}

// The instant an event is drawn as, if any: what a learner looks for on a timeline: output,
// wake-ups, and threads or processes cut short (a thread killed by `exit` or a fault, the tick
// limit, a deadlock).
std::optional<json> instant_for(Trace const& trace, Event const& event)
{
    auto emit = [&](std::string name, json args) { return std::optional<json>(instant(trace, event, std::move(name), std::move(args))); };
    switch (event.kind) {
    case EventKind::Print:
        return emit(trace.name(event.thread) + " prints",
            { { "thread", trace.name(event.thread) }, { "text", std::string(trace.text(event)) } });
    case EventKind::Wake:
        return emit(trace.name(event.thread) + " wakes",
            { { "thread", trace.name(event.thread) }, { "after", std::string(wait_mnemonic(trace, event)) } });
    case EventKind::ThreadKilled:
        return emit(trace.name(event.thread) + " killed",
            { { "thread", trace.name(event.thread) }, { "by", trace.name(static_cast<ThreadId>(event.value)) } });
    case EventKind::ProcessExit:
        if (static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction)
            return emit(process_name(trace, event.process) + " exits", { { "by", trace.name(event.thread) } });
        break;
    case EventKind::TickLimit: return emit("tick limit", { { "ticks", event.value } });
    case EventKind::Fault:
        return emit(trace.name(event.thread) + " faults: " + std::string(trace.text(event)),
            { { "thread", trace.name(event.thread) }, { "line", event.line }, { "message", std::string(trace.text(event)) } });
    case EventKind::Deadlock: {
        // The message names the cycle: "deadlock: left waits for mutex 'fork2' held by right; ...".
        auto message = std::string(trace.text(event));
        auto dead = instant(trace, event, message, { { "message", message } });
        dead["s"] = "g";
        return dead;
    }
    case EventKind::LockWait:
        return emit(trace.name(event.thread) + " waits for " + std::string(object_name(trace, event)),
            { { "thread", trace.name(event.thread) }, { "holder", trace.name(static_cast<ThreadId>(event.value)) } });
    case EventKind::TaskRun:
        return emit(trace.name(event.thread) + " runs " + std::string(task_label(trace, event)),
            { { "thread", trace.name(event.thread) }, { "task", std::string(task_label(trace, event)) } });
    case EventKind::TaskDone:
        return emit(std::string(task_label(trace, event)) + " returns",
            { { "thread", trace.name(event.thread) }, { "task", std::string(task_label(trace, event)) } });
    case EventKind::GilWait:
        return emit(trace.name(event.thread) + " waits for the GIL",
            { { "thread", trace.name(event.thread) }, { "holder", trace.name(static_cast<ThreadId>(event.value)) } });
    case EventKind::GilAcquire:
        return emit(trace.name(event.thread) + " takes the GIL", { { "thread", trace.name(event.thread) } });
    default: break;
    }
    return std::nullopt;
}

void add_instants(Timeline& timeline, Trace const& trace)
{
    for (auto const& event : trace.events)
        if (auto made = instant_for(trace, event))
            timeline.add(event.tick, std::move(*made));
}

json migration_args(Trace const& trace, Event const& event)
{
    return json { { "thread", trace.name(event.thread) }, { "from_core", static_cast<CoreId>(event.value) }, { "to_core", event.core } };
}

json migration_instant(Trace const& trace, Event const& event)
{
    auto from = static_cast<CoreId>(event.value);
    return json { { "ph", "i" }, { "s", "t" }, { "cat", "migration" }, { "pid", s_machine_pid }, { "tid", core_tid(event.core) },
        { "name", fmt::format("{} moves from core {}", trace.name(event.thread), from) }, { "args", migration_args(trace, event) } };
}

// The arrow's start ("s", on the old core) or its end ("f", on the new one).
json migration_flow(Trace const& trace, Event const& event, int id, bool start)
{
    auto name = trace.name(event.thread) + " migrates";
    if (start)
        return json { { "ph", "s" }, { "cat", "migration" }, { "id", id }, { "pid", s_machine_pid },
            { "tid", core_tid(static_cast<CoreId>(event.value)) }, { "name", name }, { "args", migration_args(trace, event) } };
    return json { { "ph", "f" }, { "bp", "e" }, { "cat", "migration" }, { "id", id }, { "pid", s_machine_pid },
        { "tid", core_tid(event.core) }, { "name", name }, { "args", migration_args(trace, event) } };
}

// An instant per migration on the new core's track, and a flow arrow from the thread's last
// slice on its old core to its first on the new one ("s" binds to the slice enclosing its
// ts, "f" with bp "e" likewise). A thread that did no work on its old core (it waited for a
// mutex as soon as it was dispatched there) has no slice there to start an arrow from.
void add_migrations(Timeline& timeline, Trace const& trace)
{
    PerId<ThreadId, std::vector<std::pair<Tick, CoreId>>> starts(trace.threads.count()); // (slice start, core)
    for (CoreId core : trace.core_slices.ids())
        for (auto const& slice : trace.core_slices[core])
            if (slice.thread != no_thread)
                starts[slice.thread].push_back({ slice.start, core });
    for (auto& list : starts)
        std::stable_sort(list.begin(), list.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
    int id = 0;
    for (auto const& event : trace.events) {
        if (event.kind != EventKind::Migrate || event.thread == no_thread)
            continue;
        auto from = static_cast<CoreId>(event.value);
        timeline.add(event.tick, migration_instant(trace, event));
        auto const& list = starts[event.thread];
        auto at = std::lower_bound(list.begin(), list.end(), event.tick, [](auto const& entry, Tick tick) { return entry.first < tick; });
        while (at != list.begin() && std::prev(at)->second != from)
            --at;
        if (at == list.begin())
            continue; // never ran on the old core (cannot happen in a consistent trace)
        auto before = std::prev(at)->first;
        ++id;
        timeline.add(before, migration_flow(trace, event, id, true));
        timeline.add(event.tick, migration_flow(trace, event, id, false));
    }
}

// An instant per data race, on the track of the thread whose access showed it.
json race_instant(Trace const& trace, Layout const& tracks, Race const& race)
{
    auto thread = race.second.thread;
    auto variable = race_variable(trace, race);
    auto side = [&](RaceAccess const& access) {
        return json { { "thread", trace.name(access.thread) }, { "line", access.line }, { "tick", access.tick },
            { "kind", access.write ? "write" : "read" } };
    };
    return json { { "ph", "i" }, { "s", "t" }, { "cat", "race" }, { "pid", Layout::pid(race.process) },
        { "tid", tracks.thread_tid[thread] }, { "name", "race on " + variable },
        { "args",
            { { "variable", variable }, { "sentence", race_sentence(trace, race) }, { "first", side(race.first) },
                { "second", side(race.second) } } } };
}

void add_races(Timeline& timeline, Trace const& trace, Layout const& tracks)
{
    for (auto const& race : find_races(trace).races)
        timeline.add(race.second.tick, race_instant(trace, tracks, race));
}

json variable_counter(Trace const& trace, Layout const& tracks, ProcessId process, std::int32_t variable, std::int64_t value)
{
    auto const& info = trace.processes[process];
    return json { { "ph", "C" }, { "cat", "variable" }, { "pid", Layout::pid(process) },
        { "tid", tracks.process_tid[process] },
        { "name", info.variables[index_of(variable)] }, { "args", { { "value", value } } } };
}

json queue_counter(std::vector<ReadyQueue> const& queues)
{
    json args = json::object();
    for (auto const& queue : queues)
        args[queue.label.empty() ? std::string("ready") : queue.label] = queue.threads.size();
    return json { { "ph", "C" }, { "cat", "queue" }, { "pid", s_machine_pid }, { "tid", s_events_tid }, { "name", "ready queue" },
        { "args", std::move(args) } };
}

json bus_counter(double percent)
{
    return json { { "ph", "C" }, { "cat", "bus" }, { "pid", s_machine_pid }, { "tid", s_events_tid }, { "name", "bus utilisation" },
        { "args", { { "percent", percent } } } };
}


// Counters: each shared variable's value (a sample when its process arrives, then at every
// tick a write changed it; the last write of a tick is the tick's value), the ready-queue
// length (from the snapshots, one series per queue when the policy keeps several) and the bus
// utilisation (the share of its bandwidth granted each tick, a sample at every change).
void add_counters(Timeline& timeline, Trace const& trace, Layout const& tracks)
{
    auto variable_key = [](ProcessId process, std::int32_t variable) { return fmt::format("var {} {}", process, variable); };
    auto variable_sample = [&](ProcessId process, std::int32_t variable, Tick tick, std::int64_t value) {
        timeline.sample(variable_key(process, variable), tick, variable_counter(trace, tracks, process, variable, value));
    };
    for (ProcessId process = 0; process < static_cast<ProcessId>(trace.processes.size()); ++process) {
        auto const& info = trace.processes[process];
        for (std::size_t v = 0; v < info.variables.size(); ++v)
            variable_sample(process, static_cast<std::int32_t>(v), info.arrival,
                v < info.initial_values.size() ? info.initial_values[v] : 0);
    }
    for (auto const& event : trace.events)
        if (event.kind == EventKind::VarWrite && event.process != no_process && event.object >= 0)
            variable_sample(event.process, event.object, event.tick, event.value);

    for (auto const& snapshot : trace.queue_snapshots)
        timeline.sample("ready queue", snapshot.tick, queue_counter(snapshot.queues));

    auto bus_sample = [&](Tick tick, double percent) { timeline.sample("bus", tick, bus_counter(percent)); };
    BusSampler bus;
    for (auto const& use : trace.bus)
        bus.use(use, trace.machine.bus_bandwidth, bus_sample);
    bus.finish(trace.end, bus_sample);
}

// A complete event ("X") per slice: the work a core did for a thread, or a switch into it.
json slice_event(Trace const& trace, CoreId core, Slice const& slice)
{
    auto const& info = trace.threads[slice.thread];
    // A switch slice runs no instruction: its pc may already be past the thread's code
    // (a thread switched in only to end), so it is never looked up.
    json args { { "process", process_name(trace, info.process) },
        { "instruction", slice.switching ? std::string("context switch") : to_string(trace.instruction(slice)) } };
    if (slice.stalled)
        args["stalled"] = "waiting for the bus";
    if (slice.warm)
        args["cache"] = "warm";
    return json { { "ph", "X" }, { "pid", s_machine_pid }, { "tid", core_tid(core) }, { "dur", micros(slice.end - slice.start) },
        { "name", slice.switching ? "switch to " + info.display_name
                : slice.stalled   ? info.display_name + " (bus wait)"
                                  : info.display_name },
        { "cat", slice.switching ? "switch" : slice.stalled ? "stall" : "run" }, { "args", std::move(args) } };
}

// A thread the run left neither done nor unstarted says so at the end, where its state
// has no ticks left to be drawn over (the threads of a deadlock, those at the tick limit).
std::optional<json> final_instant(Trace const& trace, Layout const& tracks, ThreadId id, std::string_view state, std::string_view detail)
{
    if (state == "done" || state == "new")
        return std::nullopt;
    json args { { "state", state } };
    if (!detail.empty())
        args["detail"] = detail;
    return json { { "ph", "i" }, { "s", "t" }, { "cat", "state" }, { "pid", Layout::pid(trace.threads[id].process) },
        { "tid", tracks.thread_tid[id] },
        { "name", fmt::format("{} at the end: {}", trace.name(id), state_name_en(state)) }, { "args", std::move(args) } };
}

// Names and order: the machine first, its cores first; then each process, its own track
// first and its threads in declaration order. One event a line, in the order written: the
// document reads (and diffs) event by event.
void write_head(std::ostream& out, Trace const& trace, Layout const& tracks, bool& first)
{
    auto cores = static_cast<CoreId>(trace.core_slices.size());
    auto write = [&](json const& event) {
        out << (first ? "\n" : ",\n") << dumped(event);
        first = false;
    };
    out << "{\"traceEvents\": [";
    write(metadata("process_name", s_machine_pid, s_events_tid, { { "name", "machine" } }));
    write(metadata("process_sort_index", s_machine_pid, s_events_tid, { { "sort_index", 0 } }));
    for (CoreId core = 0; core < cores; ++core) {
        write(metadata("thread_name", s_machine_pid, core_tid(core), { { "name", "core " + std::to_string(core) } }));
        write(metadata("thread_sort_index", s_machine_pid, core_tid(core), { { "sort_index", core } }));
    }
    write(metadata("thread_name", s_machine_pid, s_events_tid, { { "name", "events" } }));
    write(metadata("thread_sort_index", s_machine_pid, s_events_tid, { { "sort_index", cores } }));
    for (ProcessId process = 0; process < static_cast<ProcessId>(trace.processes.size()); ++process) {
        auto const& info = trace.processes[process];
        auto pid = Layout::pid(process);
        auto own = tracks.process_tid[process];
        write(metadata("process_name", pid, own, { { "name", info.name } }));
        write(metadata("process_sort_index", pid, own, { { "sort_index", process + 1 } }));
        write(metadata("thread_name", pid, own, { { "name", info.name + " (process)" } }));
        write(metadata("thread_sort_index", pid, own, { { "sort_index", 0 } }));
        int index = 1;
        for (ThreadId id : info.threads) {
            auto tid = tracks.thread_tid[id];
            write(metadata("thread_name", pid, tid, { { "name", trace.name(id) } }));
            write(metadata("thread_sort_index", pid, tid, { { "sort_index", index++ } }));
        }
    }
}

void write_tail(std::ostream& out, Trace const& trace)
{
    json other { { "generator", "ticklab" }, { "program", trace.program_file }, { "cores", trace.machine.cores },
        { "scheduler", trace.scheduler }, { "scheduler_description", trace.scheduler_description },
        { "tick", "1 simulated tick = 1 ms (ts in microseconds = tick * 1000)" }, { "end_tick", trace.end },
        { "outcome", std::string(to_string(trace.outcome)) } };
    out << "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": " << dumped(other) << "}\n";
}

}

namespace tl {

using namespace perfetto;

void render_perfetto(std::ostream& out, Trace const& trace)
{
    auto tracks = layout(trace);
    auto cores = static_cast<CoreId>(trace.core_slices.size());
    bool first = true;
    write_head(out, trace, tracks, first);

    Timeline timeline;
    for (CoreId core = 0; core < cores; ++core)
        for (auto const& slice : trace.core_slices[core])
            timeline.add(slice.start, slice_event(trace, core, slice));

    // Each thread's state, and each process's, as slices on their own tracks.
    auto lanes = thread_spans(trace);
    for (ProcessId process = 0; process < static_cast<ProcessId>(trace.processes.size()); ++process) {
        auto pid = Layout::pid(process);
        for (auto const& span : process_spans(trace, lanes, process))
            state_slice(timeline, pid, tracks.process_tid[process], span);
        for (ThreadId id : trace.processes[process].threads)
            for (auto const& span : lanes.spans[index_of(id)])
                if (span.state != "new")
                    state_slice(timeline, pid, tracks.thread_tid[id], span);
    }
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        auto const& final = lanes.finals[index_of(id)];
        if (auto made = final_instant(trace, tracks, id, final.state, final.detail))
            timeline.add(trace.end, std::move(*made));
    }

    add_instants(timeline, trace);
    add_migrations(timeline, trace);
    add_races(timeline, trace, tracks);
    add_counters(timeline, trace, tracks);
    for (auto const& text : timeline.sorted()) {
        out << (first ? "\n" : ",\n") << text;
        first = false;
    }
    write_tail(out, trace);
}

}
