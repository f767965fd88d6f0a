#include "trace/races.hpp"
#include "trace/render_util.hpp"
#include "trace/thread_states.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
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

namespace tl {

namespace {

using nlohmann::json;

constexpr int s_machine_pid = 1;
constexpr int s_events_tid = 0;
constexpr std::int64_t s_micros_per_tick = 1000;

std::int64_t micros(Tick tick) { return tick * s_micros_per_tick; }

int core_tid(CoreId core) { return core == no_core ? s_events_tid : core + 1; }

// Which state a process's own track shows when its threads are in several: the most active
// one, in this order (a process with one thread running is running, whatever the others do).
constexpr std::array<std::string_view, 16> s_process_precedence {
    "run", "stall", "switch", "ready", "loading", "memory", "io", "sleep", "await", "lock", "join", "gil",
    "fault", "killed", "done", "new",
};

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

struct Layout {
    std::vector<int> process_tid; // per process: its own track
    std::vector<int> thread_tid;  // per thread
    static int pid(ProcessId process) { return process + 2; }
};

Layout layout(Trace const& trace)
{
    Layout out;
    int next = static_cast<int>(trace.core_slices.size()) + 1;
    out.thread_tid.assign(trace.threads.size(), 0);
    for (auto const& process : trace.processes) {
        out.process_tid.push_back(next++);
        for (ThreadId id : process.threads)
            out.thread_tid[static_cast<std::size_t>(id)] = next++;
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
    return trace.processes[static_cast<std::size_t>(process)].name;
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
void state_slice(Timeline& timeline, int pid, int tid, StateSpan const& span)
{
    json args { { "state", span.state } };
    if (!span.detail.empty())
        args["detail"] = span.detail;
    auto name = std::string(state_name_en(span.state));
    timeline.add(span.start, json { { "ph", "B" }, { "cat", "state" }, { "pid", pid }, { "tid", tid }, { "name", name },
                                 { "args", std::move(args) } });
    timeline.add(span.end, json { { "ph", "E" }, { "cat", "state" }, { "pid", pid }, { "tid", tid }, { "name", name } }, 0);
}

// A process's state over time, from its threads' spans: at each tick the most active state
// any of its threads is in (s_process_precedence), with how many of them are in it.
std::vector<StateSpan> process_spans(Trace const& trace, ThreadLanes const& lanes, ProcessId process)
{
    auto const& threads = trace.processes[static_cast<std::size_t>(process)].threads;
    // (tick, thread's index in the process, span) for every change of a thread's state.
    std::vector<std::pair<Tick, std::pair<std::size_t, StateSpan const*>>> changes;
    for (std::size_t i = 0; i < threads.size(); ++i)
        for (auto const& span : lanes.spans[static_cast<std::size_t>(threads[i])])
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

void add_instants(Timeline& timeline, Trace const& trace)
{
    // Instants for what a learner looks for on a timeline: output, wake-ups, and threads or
    // processes cut short (a thread killed by `exit` or a fault, the tick limit, a deadlock).
    for (auto const& event : trace.events) {
        auto emit = [&](std::string name, json args) { timeline.add(event.tick, instant(trace, event, std::move(name), std::move(args))); };
        switch (event.kind) {
        case EventKind::Print:
            emit(trace.name(event.thread) + " prints",
                { { "thread", trace.name(event.thread) }, { "text", std::string(trace.text(event)) } });
            break;
        case EventKind::Wake:
            emit(trace.name(event.thread) + " wakes",
                { { "thread", trace.name(event.thread) }, { "after", std::string(wait_mnemonic(trace, event)) } });
            break;
        case EventKind::ThreadKilled:
            emit(trace.name(event.thread) + " killed",
                { { "thread", trace.name(event.thread) }, { "by", trace.name(static_cast<ThreadId>(event.value)) } });
            break;
        case EventKind::ProcessExit:
            if (static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction)
                emit(process_name(trace, event.process) + " exits", { { "by", trace.name(event.thread) } });
            break;
        case EventKind::TickLimit: emit("tick limit", { { "ticks", event.value } }); break;
        case EventKind::Fault:
            emit(trace.name(event.thread) + " faults: " + std::string(trace.text(event)),
                { { "thread", trace.name(event.thread) }, { "line", event.line }, { "message", std::string(trace.text(event)) } });
            break;
        case EventKind::Deadlock: {
            // The message names the cycle: "deadlock: left waits for mutex 'fork2' held by right; ...".
            auto message = std::string(trace.text(event));
            auto dead = instant(trace, event, message, { { "message", message } });
            dead["s"] = "g";
            timeline.add(event.tick, std::move(dead));
            break;
        }
        case EventKind::LockWait:
            emit(trace.name(event.thread) + " waits for " + std::string(object_name(trace, event)),
                { { "thread", trace.name(event.thread) }, { "holder", trace.name(static_cast<ThreadId>(event.value)) } });
            break;
        case EventKind::TaskRun:
            emit(trace.name(event.thread) + " runs " + std::string(task_label(trace, event)),
                { { "thread", trace.name(event.thread) }, { "task", std::string(task_label(trace, event)) } });
            break;
        case EventKind::TaskDone:
            emit(std::string(task_label(trace, event)) + " returns",
                { { "thread", trace.name(event.thread) }, { "task", std::string(task_label(trace, event)) } });
            break;
        case EventKind::GilWait:
            emit(trace.name(event.thread) + " waits for the GIL",
                { { "thread", trace.name(event.thread) }, { "holder", trace.name(static_cast<ThreadId>(event.value)) } });
            break;
        case EventKind::GilAcquire:
            emit(trace.name(event.thread) + " takes the GIL", { { "thread", trace.name(event.thread) } });
            break;
        default: break;
        }
    }
}

// An instant per migration on the new core's track, and a flow arrow from the thread's last
// slice on its old core to its first on the new one ("s" binds to the slice enclosing its
// ts, "f" with bp "e" likewise). A thread that did no work on its old core (it waited for a
// mutex as soon as it was dispatched there) has no slice there to start an arrow from.
void add_migrations(Timeline& timeline, Trace const& trace)
{
    std::vector<std::vector<std::pair<Tick, CoreId>>> starts(trace.threads.size()); // per thread: (slice start, core)
    for (CoreId core = 0; core < static_cast<CoreId>(trace.core_slices.size()); ++core)
        for (auto const& slice : trace.core_slices[static_cast<std::size_t>(core)])
            if (slice.thread != no_thread)
                starts[static_cast<std::size_t>(slice.thread)].push_back({ slice.start, core });
    for (auto& list : starts)
        std::stable_sort(list.begin(), list.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
    int id = 0;
    for (auto const& event : trace.events) {
        if (event.kind != EventKind::Migrate || event.thread == no_thread)
            continue;
        auto from = static_cast<CoreId>(event.value);
        json args { { "thread", trace.name(event.thread) }, { "from_core", from }, { "to_core", event.core } };
        auto name = trace.name(event.thread) + " migrates";
        timeline.add(event.tick, json { { "ph", "i" }, { "s", "t" }, { "cat", "migration" }, { "pid", s_machine_pid },
                                     { "tid", core_tid(event.core) }, { "name", fmt::format("{} moves from core {}", trace.name(event.thread), from) },
                                     { "args", args } });
        auto const& list = starts[static_cast<std::size_t>(event.thread)];
        auto at = std::lower_bound(list.begin(), list.end(), event.tick, [](auto const& entry, Tick tick) { return entry.first < tick; });
        while (at != list.begin() && std::prev(at)->second != from)
            --at;
        if (at == list.begin())
            continue; // never ran on the old core (cannot happen in a consistent trace)
        auto before = std::prev(at)->first;
        ++id;
        timeline.add(before, json { { "ph", "s" }, { "cat", "migration" }, { "id", id }, { "pid", s_machine_pid },
                                 { "tid", core_tid(from) }, { "name", name }, { "args", args } });
        timeline.add(event.tick, json { { "ph", "f" }, { "bp", "e" }, { "cat", "migration" }, { "id", id },
                                     { "pid", s_machine_pid }, { "tid", core_tid(event.core) }, { "name", name }, { "args", args } });
    }
}

// An instant per data race, on the track of the thread whose access showed it.
void add_races(Timeline& timeline, Trace const& trace, Layout const& tracks)
{
    for (auto const& race : find_races(trace).races) {
        auto thread = race.second.thread;
        auto variable = race_variable(trace, race);
        auto side = [&](RaceAccess const& access) {
            return json { { "thread", trace.name(access.thread) }, { "line", access.line }, { "tick", access.tick },
                { "kind", access.write ? "write" : "read" } };
        };
        timeline.add(race.second.tick,
            json { { "ph", "i" }, { "s", "t" }, { "cat", "race" }, { "pid", Layout::pid(race.process) },
                { "tid", tracks.thread_tid[static_cast<std::size_t>(thread)] }, { "name", "race on " + variable },
                { "args",
                    { { "variable", variable }, { "sentence", race_sentence(trace, race) }, { "first", side(race.first) },
                        { "second", side(race.second) } } } });
    }
}

// Counters: each shared variable's value (a sample when its process arrives, then at every
// tick a write changed it; the last write of a tick is the tick's value), the ready-queue
// length (from the snapshots, one series per queue when the policy keeps several) and the bus
// utilisation (the share of its bandwidth granted each tick, a sample at every change).
void add_counters(Timeline& timeline, Trace const& trace, Layout const& tracks)
{
    auto variable_key = [](ProcessId process, std::int32_t variable) { return fmt::format("var {} {}", process, variable); };
    auto variable_sample = [&](ProcessId process, std::int32_t variable, Tick tick, std::int64_t value) {
        auto const& info = trace.processes[static_cast<std::size_t>(process)];
        timeline.sample(variable_key(process, variable), tick,
            json { { "ph", "C" }, { "cat", "variable" }, { "pid", Layout::pid(process) },
                { "tid", tracks.process_tid[static_cast<std::size_t>(process)] },
                { "name", info.variables[static_cast<std::size_t>(variable)] }, { "args", { { "value", value } } } });
    };
    for (ProcessId process = 0; process < static_cast<ProcessId>(trace.processes.size()); ++process) {
        auto const& info = trace.processes[static_cast<std::size_t>(process)];
        for (std::size_t v = 0; v < info.variables.size(); ++v)
            variable_sample(process, static_cast<std::int32_t>(v), info.arrival,
                v < info.initial_values.size() ? info.initial_values[v] : 0);
    }
    for (auto const& event : trace.events)
        if (event.kind == EventKind::VarWrite && event.process != no_process && event.object >= 0)
            variable_sample(event.process, event.object, event.tick, event.value);

    for (auto const& snapshot : trace.queue_snapshots) {
        json args = json::object();
        for (auto const& queue : snapshot.queues)
            args[queue.label.empty() ? std::string("ready") : queue.label] = queue.threads.size();
        timeline.sample("ready queue", snapshot.tick,
            json { { "ph", "C" }, { "cat", "queue" }, { "pid", s_machine_pid }, { "tid", s_events_tid }, { "name", "ready queue" },
                { "args", std::move(args) } });
    }

    auto bus_sample = [&](Tick tick, double percent) {
        timeline.sample("bus", tick,
            json { { "ph", "C" }, { "cat", "bus" }, { "pid", s_machine_pid }, { "tid", s_events_tid }, { "name", "bus utilisation" },
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
}

}

void render_perfetto(std::ostream& out, Trace const& trace)
{
    auto tracks = layout(trace);
    auto cores = static_cast<CoreId>(trace.core_slices.size());

    // Names and order: the machine first, its cores first; then each process, its own track
    // first and its threads in declaration order.
    // One event a line, in the order written: the document reads (and diffs) event by event.
    bool first = true;
    auto write_text = [&](std::string const& text) {
        out << (first ? "\n" : ",\n") << text;
        first = false;
    };
    auto write = [&](json const& event) { write_text(dumped(event)); };
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
        auto const& info = trace.processes[static_cast<std::size_t>(process)];
        auto pid = Layout::pid(process);
        auto own = tracks.process_tid[static_cast<std::size_t>(process)];
        write(metadata("process_name", pid, own, { { "name", info.name } }));
        write(metadata("process_sort_index", pid, own, { { "sort_index", process + 1 } }));
        write(metadata("thread_name", pid, own, { { "name", info.name + " (process)" } }));
        write(metadata("thread_sort_index", pid, own, { { "sort_index", 0 } }));
        int index = 1;
        for (ThreadId id : info.threads) {
            auto tid = tracks.thread_tid[static_cast<std::size_t>(id)];
            write(metadata("thread_name", pid, tid, { { "name", trace.name(id) } }));
            write(metadata("thread_sort_index", pid, tid, { { "sort_index", index++ } }));
        }
    }

    Timeline timeline;
    // A complete event ("X") per slice: the work a core did for a thread, or a switch into it.
    for (CoreId core = 0; core < cores; ++core) {
        for (auto const& slice : trace.core_slices[static_cast<std::size_t>(core)]) {
            auto const& info = trace.threads[static_cast<std::size_t>(slice.thread)];
            // A switch slice runs no instruction: its pc may already be past the thread's code
            // (a thread switched in only to end), so it is never looked up.
            json args { { "process", process_name(trace, info.process) },
                { "instruction", slice.switching ? std::string("context switch") : to_string(trace.instruction(slice)) } };
            if (slice.stalled)
                args["stalled"] = "waiting for the bus";
            if (slice.warm)
                args["cache"] = "warm";
            timeline.add(slice.start,
                json { { "ph", "X" }, { "pid", s_machine_pid }, { "tid", core_tid(core) }, { "dur", micros(slice.end - slice.start) },
                    { "name", slice.switching ? "switch to " + info.display_name
                            : slice.stalled   ? info.display_name + " (bus wait)"
                                              : info.display_name },
                    { "cat", slice.switching ? "switch" : slice.stalled ? "stall" : "run" }, { "args", std::move(args) } });
        }
    }

    // Each thread's state, and each process's, as slices on their own tracks.
    auto lanes = thread_spans(trace);
    for (ProcessId process = 0; process < static_cast<ProcessId>(trace.processes.size()); ++process) {
        auto pid = Layout::pid(process);
        for (auto const& span : process_spans(trace, lanes, process))
            state_slice(timeline, pid, tracks.process_tid[static_cast<std::size_t>(process)], span);
        for (ThreadId id : trace.processes[static_cast<std::size_t>(process)].threads)
            for (auto const& span : lanes.spans[static_cast<std::size_t>(id)])
                if (span.state != "new")
                    state_slice(timeline, pid, tracks.thread_tid[static_cast<std::size_t>(id)], span);
    }
    // A thread the run left neither done nor unstarted says so at the end, where its state
    // has no ticks left to be drawn over (the threads of a deadlock, those at the tick limit).
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        auto const& final = lanes.finals[static_cast<std::size_t>(id)];
        if (final.state == "done" || final.state == "new")
            continue;
        json args { { "state", final.state } };
        if (!final.detail.empty())
            args["detail"] = final.detail;
        timeline.add(trace.end,
            json { { "ph", "i" }, { "s", "t" }, { "cat", "state" }, { "pid", Layout::pid(trace.threads[static_cast<std::size_t>(id)].process) },
                { "tid", tracks.thread_tid[static_cast<std::size_t>(id)] },
                { "name", fmt::format("{} at the end: {}", trace.name(id), state_name_en(final.state)) }, { "args", std::move(args) } });
    }

    add_instants(timeline, trace);
    add_migrations(timeline, trace);
    add_races(timeline, trace, tracks);
    add_counters(timeline, trace, tracks);
    for (auto const& text : timeline.sorted())
        write_text(text);

    json other { { "generator", "ticklab" }, { "program", trace.program_file }, { "cores", trace.machine.cores },
        { "scheduler", trace.scheduler }, { "scheduler_description", trace.scheduler_description },
        { "tick", "1 simulated tick = 1 ms (ts in microseconds = tick * 1000)" }, { "end_tick", trace.end },
        { "outcome", std::string(to_string(trace.outcome)) } };
    out << "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": " << dumped(other)
        << "}\n";
}

}
