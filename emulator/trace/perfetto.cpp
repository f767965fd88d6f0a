#include "trace/races.hpp"
#include "trace/stream.hpp"
#include "trace/render_util.hpp"
#include "trace/thread_states.hpp"
#include "trace/visual.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <array>
#include <compare>
#include <limits>
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
        timeline.add(event.tick, migration_instant(trace, event));
        auto const& list = starts[static_cast<std::size_t>(event.thread)];
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
        { "tid", tracks.thread_tid[static_cast<std::size_t>(thread)] }, { "name", "race on " + variable },
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
    auto const& info = trace.processes[static_cast<std::size_t>(process)];
    return json { { "ph", "C" }, { "cat", "variable" }, { "pid", Layout::pid(process) },
        { "tid", tracks.process_tid[static_cast<std::size_t>(process)] },
        { "name", info.variables[static_cast<std::size_t>(variable)] }, { "args", { { "value", value } } } };
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

// The bus counter's samples from the ticks on which it was asked for (ticks not listed had
// no demand: 0%): a sample at every change, and 0 at the end. Fed tick by tick.
class BusSampler {
public:
    template<typename Sample>
    void use(BusTick const& use, int bandwidth, Sample&& sample)
    {
        start(use.tick, sample);
        if (use.tick > m_expected && m_last != 0) {
            sample(m_expected, 0.0);
            m_last = 0;
        }
        double percent = 100.0 * use.granted / bandwidth;
        if (percent != m_last)
            sample(use.tick, percent);
        m_last = percent;
        m_expected = use.tick + 1;
    }
    template<typename Sample>
    void finish(Tick end, Sample&& sample)
    {
        start(std::numeric_limits<Tick>::max(), sample);
        if (m_last != 0 && m_expected < end)
            sample(m_expected, 0.0);
        sample(end, 0.0);
    }

private:
    template<typename Sample>
    void start(Tick first, Sample& sample)
    {
        if (m_started)
            return;
        m_started = true;
        if (first > 0) {
            sample(0, 0.0);
            m_last = 0;
        }
    }
    bool m_started = false;
    double m_last = -1;
    Tick m_expected = 0; // the tick after the last one listed
};

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
        auto const& info = trace.processes[static_cast<std::size_t>(process)];
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
    auto const& info = trace.threads[static_cast<std::size_t>(slice.thread)];
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
    return json { { "ph", "i" }, { "s", "t" }, { "cat", "state" }, { "pid", Layout::pid(trace.threads[static_cast<std::size_t>(id)].process) },
        { "tid", tracks.thread_tid[static_cast<std::size_t>(id)] },
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

void render_perfetto(std::ostream& out, Trace const& trace)
{
    auto tracks = layout(trace);
    auto cores = static_cast<CoreId>(trace.core_slices.size());
    bool first = true;
    write_head(out, trace, tracks, first);

    Timeline timeline;
    for (CoreId core = 0; core < cores; ++core)
        for (auto const& slice : trace.core_slices[static_cast<std::size_t>(core)])
            timeline.add(slice.start, slice_event(trace, core, slice));

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
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        auto const& final = lanes.finals[static_cast<std::size_t>(id)];
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

namespace tl {

// --- The streamed trace (trace/stream.hpp) ---------------------------------------------------

namespace {

// An event's place in the whole-trace order: render_perfetto adds events category by
// category (slices core by core; state slices process by process, each process's own track
// before its threads'; the threads' final states; instants; migrations; races; counters) and
// sorts them stably by ts, E before the rest. The key spells that order out, so the streamed
// events, made in the order of the run, sort into the same one.
struct SortKey {
    Tick tick = 0;
    std::uint8_t rank = 1; // 0: E, which comes first at its ts
    std::uint8_t category = 0;
    std::int64_t a = 0;
    std::int64_t b = 0;
    std::int64_t c = 0;
    auto operator<=>(SortKey const&) const = default;
};

enum Category : std::uint8_t {
    c_slices,
    c_states,
    c_finals,
    c_instants,
    c_migrations,
    c_races,
    c_counters,
};

// Texts sorted by their SortKey with bounded memory: a buffer sorted and written to a temporary
// file as a run whenever it fills, the runs merged when read back.
class SortedSpill {
public:
    explicit SortedSpill(std::size_t buffer_bytes)
        : m_buffer_bytes(buffer_bytes)
    {
        m_file = std::tmpfile();
        if (m_file == nullptr)
            m_error = fmt::format("cannot make a temporary file for the trace: {}", std::strerror(errno));
    }
    ~SortedSpill()
    {
        if (m_file != nullptr)
            std::fclose(m_file);
    }
    SortedSpill(SortedSpill const&) = delete;
    SortedSpill& operator=(SortedSpill const&) = delete;

    std::string const& error() const { return m_error; }

    void add(SortKey const& place, json event)
    {
        event["ts"] = micros(place.tick);
        auto text = dumped(event);
        m_bytes += text.size() + sizeof(Entry);
        m_buffer.push_back({ place, std::move(text) });
        if (m_bytes >= m_buffer_bytes)
            spill();
    }

    // Every text in order, to `write`.
    template<typename Write>
    void drain(Write&& write)
    {
        if (m_runs.empty()) {
            sort();
            for (auto& entry : m_buffer)
                write(entry.text);
            m_buffer.clear();
            return;
        }
        spill();
        if (!m_error.empty() || std::fflush(m_file) != 0) {
            if (m_error.empty())
                m_error = fmt::format("cannot write the trace to a temporary file: {}", std::strerror(errno));
            return;
        }
        std::vector<Reader> readers;
        readers.reserve(m_runs.size());
        for (auto [begin, end] : m_runs)
            readers.push_back(Reader(fileno(m_file), begin, end));
        auto later = [&](std::size_t x, std::size_t y) { return readers[y].place < readers[x].place; };
        std::vector<std::size_t> heap;
        for (std::size_t i = 0; i < readers.size(); ++i)
            if (readers[i].next())
                heap.push_back(i);
        std::make_heap(heap.begin(), heap.end(), later);
        while (!heap.empty()) {
            std::pop_heap(heap.begin(), heap.end(), later);
            auto i = heap.back();
            write(readers[i].text);
            if (readers[i].next())
                std::push_heap(heap.begin(), heap.end(), later);
            else
                heap.pop_back();
        }
        for (auto const& reader : readers)
            if (reader.failed && m_error.empty())
                m_error = fmt::format("cannot read the trace back from its temporary file: {}", std::strerror(errno));
    }

private:
    struct Entry {
        SortKey place;
        std::string text;
    };
    struct Header {
        SortKey place;
        std::uint64_t size = 0;
    };

    // One sorted run read back a block at a time.
    struct Reader {
        Reader(int fd, std::int64_t begin, std::int64_t end)
            : fd(fd)
            , offset(begin)
            , end(end)
        {
        }
        bool take(char* out, std::size_t size)
        {
            while (size > 0) {
                if (at == buffer.size()) {
                    auto want = static_cast<std::size_t>(std::min<std::int64_t>(end - offset, 1 << 17));
                    if (want == 0)
                        return false;
                    buffer.resize(want);
                    auto got = ::pread(fd, buffer.data(), want, offset);
                    if (got <= 0) {
                        failed = true;
                        return false;
                    }
                    buffer.resize(static_cast<std::size_t>(got));
                    offset += got;
                    at = 0;
                }
                auto part = std::min(size, buffer.size() - at);
                std::memcpy(out, buffer.data() + at, part);
                at += part;
                out += part;
                size -= part;
            }
            return true;
        }
        bool next()
        {
            Header header;
            if (!take(reinterpret_cast<char*>(&header), sizeof header))
                return false;
            place = header.place;
            text.resize(header.size);
            return take(text.data(), text.size());
        }
        int fd;
        std::int64_t offset;
        std::int64_t end;
        std::vector<char> buffer;
        std::size_t at = 0;
        bool failed = false;
        SortKey place;
        std::string text;
    };

    void sort()
    {
        std::sort(m_buffer.begin(), m_buffer.end(), [](Entry const& x, Entry const& y) { return x.place < y.place; });
    }

    void spill()
    {
        if (m_buffer.empty())
            return;
        sort();
        if (m_file != nullptr && m_error.empty()) {
            auto begin = m_written;
            for (auto const& entry : m_buffer) {
                Header header { entry.place, entry.text.size() };
                if (std::fwrite(&header, sizeof header, 1, m_file) != 1
                    || std::fwrite(entry.text.data(), 1, entry.text.size(), m_file) != entry.text.size()) {
                    m_error = fmt::format("cannot write the trace to a temporary file: {}", std::strerror(errno));
                    break;
                }
                m_written += static_cast<std::int64_t>(sizeof header + entry.text.size());
            }
            m_runs.push_back({ begin, m_written });
        }
        m_buffer.clear();
        m_bytes = 0;
    }

    std::size_t m_buffer_bytes;
    std::vector<Entry> m_buffer;
    std::size_t m_bytes = 0;
    std::FILE* m_file = nullptr;
    std::int64_t m_written = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> m_runs;
    std::string m_error;
};

}

struct PerfettoStreamWriter::State {
    State(Trace const& trace, std::size_t buffer_bytes);

    // Everything known about the tick `m_now` is in: each thread touched on it takes its
    // state for the tick, and each process its threads' changes.
    void settle();
    void advance(Tick tick)
    {
        if (tick > m_now) {
            settle();
            m_now = tick;
        }
    }
    void touch(ThreadId id)
    {
        auto index = static_cast<std::size_t>(id);
        if (!m_threads[index].touched) {
            m_threads[index].touched = true;
            m_touched.push_back(id);
        }
    }
    // The state as the events set it (thread_spans' `set`), effective at the end of the tick.
    void set(ThreadId id, std::string state, std::string detail = {})
    {
        if (id == no_thread || static_cast<std::size_t>(id) >= m_threads.size())
            return;
        auto& thread = m_threads[static_cast<std::size_t>(id)];
        thread.base = std::move(state);
        thread.base_detail = std::move(detail);
        touch(id);
    }
    // The thread's drawn state changes at `tick`: the span before it ends there.
    void change(ThreadId id, Tick tick, std::string const& state, std::string const& detail);
    void close_thread(ThreadId id, Tick tick);
    void flush_process(ProcessId process);
    void close_process(ProcessId process, Tick tick);
    void variable_sample(ProcessId process, std::int32_t variable, SortKey const& place, std::int64_t value);
    void emit_queues();
    // The bus counter's sample for `tick`: a later sample of the same tick replaces it; the one
    // before is spilled once a new tick's sample comes.
    void bus_sample(Tick tick, double percent)
    {
        if (bus_pending && bus_place.tick == tick) {
            bus_percent = percent;
            return;
        }
        if (bus_pending)
            spill.add(bus_place, bus_counter(bus_percent));
        bus_pending = true;
        bus_place = SortKey { tick, 1, c_counters, 3, bus_samples++, 0 };
        bus_percent = percent;
    }

    Trace const* trace;
    Layout tracks;
    SortedSpill spill;
    Tick m_now = 0;
    std::int64_t events = 0;

    struct Thread {
        std::string base = "new"; // as thread_spans' `now`: "core" while it holds one
        std::string base_detail;
        CoreId slice_core = no_core; // the core of the slice it is in, if any
        std::string slice_kind;      // that slice's state: run, switch or stall
        std::string state = "new";   // the state drawn, since `since`
        std::string detail;
        Tick since = 0;
        std::int64_t spans = 0;
        bool touched = false;
        bool arrived = false;
        ProcessId process = no_process;
        std::int64_t track = 0; // its place in its process: 1 for the first thread
        std::size_t precedence = 0;
        std::vector<std::array<Tick, 3>> starts; // per core it ran on: core, last slice start, the one before
    };
    std::vector<Thread> m_threads;
    std::vector<ThreadId> m_touched;

    struct Process {
        std::vector<std::pair<Tick, std::string>> admission; // memory and loading, as they happened
        std::vector<std::pair<Tick, std::pair<ThreadId, std::size_t>>> changes;
        std::array<int, s_process_precedence.size()> count {};
        std::string state = "new";
        std::string detail;
        Tick since = 0;
        std::int64_t spans = 0;
        bool touched = false;
        struct Sample {
            SortKey place;
            std::int64_t value = 0;
        };
        std::vector<Sample> variables;
    };
    std::vector<Process> m_processes;
    std::vector<ProcessId> m_touched_processes;

    std::vector<std::int64_t> core_slices;
    int migrations = 0;

    bool have_queues = false;
    Tick queues_tick = 0;
    std::vector<ReadyQueue> last_queues;
    std::int64_t snapshots = 0;

    BusSampler bus;
    bool bus_pending = false;
    SortKey bus_place;
    double bus_percent = 0;
    std::int64_t bus_samples = 0;
};

PerfettoStreamWriter::State::State(Trace const& trace, std::size_t buffer_bytes)
    : trace(&trace)
    , tracks(layout(trace))
    , spill(buffer_bytes)
    , m_threads(trace.threads.size())
    , m_processes(trace.processes.size())
    , core_slices(trace.core_slices.size(), 0)
{
    for (ProcessId p = 0; p < static_cast<ProcessId>(trace.processes.size()); ++p) {
        auto const& info = trace.processes[static_cast<std::size_t>(p)];
        auto& process = m_processes[static_cast<std::size_t>(p)];
        process.count[precedence("new")] = static_cast<int>(info.threads.size());
        process.detail = fmt::format("{} of {} thread{}", info.threads.size(), info.threads.size(), info.threads.size() == 1 ? "" : "s");
        std::int64_t track = 1;
        for (ThreadId id : info.threads) {
            auto& thread = m_threads[static_cast<std::size_t>(id)];
            thread.process = p;
            thread.track = track++;
            thread.precedence = precedence("new");
        }
        for (std::size_t v = 0; v < info.variables.size(); ++v)
            process.variables.push_back({ SortKey { info.arrival, 1, c_counters, 0, p, static_cast<std::int64_t>(v) },
                v < info.initial_values.size() ? info.initial_values[v] : 0 });
    }
}

void PerfettoStreamWriter::State::change(ThreadId id, Tick tick, std::string const& state, std::string const& detail)
{
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    if (thread.state == state && thread.detail == detail)
        return;
    close_thread(id, tick);
    thread.state = state;
    thread.detail = detail;
    thread.since = tick;
    if (thread.process == no_process)
        return;
    auto& process = m_processes[static_cast<std::size_t>(thread.process)];
    process.changes.push_back({ tick, { id, precedence(state) } });
    if (!process.touched) {
        process.touched = true;
        m_touched_processes.push_back(thread.process);
    }
}

void PerfettoStreamWriter::State::close_thread(ThreadId id, Tick tick)
{
    auto& thread = m_threads[static_cast<std::size_t>(id)];
    if (tick <= thread.since || thread.state == "new" || thread.process == no_process)
        return;
    auto pid = Layout::pid(thread.process);
    auto tid = tracks.thread_tid[static_cast<std::size_t>(id)];
    auto span = thread.spans++;
    spill.add(SortKey { thread.since, 1, c_states, thread.process, thread.track, 2 * span }, state_begin(pid, tid, thread.state, thread.detail));
    spill.add(SortKey { tick, 0, c_states, thread.process, thread.track, 2 * span + 1 }, state_end(pid, tid, thread.state));
}

// As process_spans groups its threads' changes by tick.
void PerfettoStreamWriter::State::flush_process(ProcessId id)
{
    auto& process = m_processes[static_cast<std::size_t>(id)];
    process.touched = false;
    auto& changes = process.changes;
    std::stable_sort(changes.begin(), changes.end(), [](auto const& x, auto const& y) { return x.first < y.first; });
    auto threads = trace->processes[static_cast<std::size_t>(id)].threads.size();
    for (std::size_t k = 0; k < changes.size();) {
        auto tick = changes[k].first;
        for (; k < changes.size() && changes[k].first == tick; ++k) {
            auto [thread, now] = changes[k].second;
            auto& was = m_threads[static_cast<std::size_t>(thread)].precedence;
            --process.count[was];
            was = now;
            ++process.count[was];
        }
        std::size_t top = 0;
        while (top + 1 < process.count.size() && process.count[top] == 0)
            ++top;
        auto state = std::string(s_process_precedence[top]);
        auto detail = fmt::format("{} of {} thread{}", process.count[top], threads, threads == 1 ? "" : "s");
        if (state == process.state && detail == process.detail)
            continue;
        close_process(id, tick);
        process.state = std::move(state);
        process.detail = std::move(detail);
        process.since = tick;
    }
    changes.clear();
}

void PerfettoStreamWriter::State::close_process(ProcessId id, Tick tick)
{
    auto& process = m_processes[static_cast<std::size_t>(id)];
    if (tick <= process.since || process.state == "new")
        return;
    auto pid = Layout::pid(id);
    auto tid = tracks.process_tid[static_cast<std::size_t>(id)];
    auto span = process.spans++;
    spill.add(SortKey { process.since, 1, c_states, id, 0, 2 * span }, state_begin(pid, tid, process.state, process.detail));
    spill.add(SortKey { tick, 0, c_states, id, 0, 2 * span + 1 }, state_end(pid, tid, process.state));
}

void PerfettoStreamWriter::State::settle()
{
    for (ThreadId id : m_touched) {
        auto& thread = m_threads[static_cast<std::size_t>(id)];
        thread.touched = false;
        if (thread.base == "core")
            change(id, m_now, thread.slice_core != no_core ? thread.slice_kind : std::string("run"), thread.base_detail);
        else
            change(id, m_now, thread.base, thread.base_detail);
    }
    m_touched.clear();
    for (ProcessId id : m_touched_processes)
        flush_process(id);
    m_touched_processes.clear();
}

// A counter sample replaces the one its counter already has at the same tick, in its place.
void PerfettoStreamWriter::State::variable_sample(ProcessId id, std::int32_t variable, SortKey const& place, std::int64_t value)
{
    auto& sample = m_processes[static_cast<std::size_t>(id)].variables[static_cast<std::size_t>(variable)];
    if (sample.place.tick == place.tick) {
        sample.value = value;
        return;
    }
    spill.add(sample.place, variable_counter(*trace, tracks, id, variable, sample.value));
    sample = { place, value };
}

void PerfettoStreamWriter::State::emit_queues()
{
    spill.add(SortKey { queues_tick, 1, c_counters, 2, snapshots++, 0 }, queue_counter(last_queues));
}

PerfettoStreamWriter::PerfettoStreamWriter(Trace const& trace, std::size_t buffer_bytes)
    : m_state(std::make_unique<State>(trace, buffer_bytes))
{
}

PerfettoStreamWriter::~PerfettoStreamWriter() = default;

bool PerfettoStreamWriter::ok() const { return m_state->spill.error().empty(); }

std::string const& PerfettoStreamWriter::error() const { return m_state->spill.error(); }

void PerfettoStreamWriter::event(Event const& event)
{
    auto& s = *m_state;
    auto const& trace = *s.trace;
    s.advance(event.tick);
    auto ordinal = s.events++;
    if (auto made = instant_for(trace, event))
        s.spill.add(SortKey { event.tick, 1, c_instants, ordinal, 0, 0 }, std::move(*made));

    auto id = event.thread;
    switch (event.kind) {
    // The threads a process starts when admitted wait for memory and load with it; which
    // they are is known when they arrive, so the waiting is drawn then, back to when it began.
    case EventKind::ProcessWait:
        if (event.process != no_process)
            s.m_processes[static_cast<std::size_t>(event.process)].admission.push_back({ event.tick, "memory" });
        break;
    case EventKind::ProcessLoad:
        if (event.process != no_process)
            s.m_processes[static_cast<std::size_t>(event.process)].admission.push_back({ event.tick, "loading" });
        break;
    case EventKind::ThreadReady:
        if (static_cast<ReadyCause>(event.value) == ReadyCause::Arrived && id != no_thread
            && static_cast<std::size_t>(id) < s.m_threads.size()) {
            auto& thread = s.m_threads[static_cast<std::size_t>(id)];
            if (!thread.arrived && thread.process != no_process) {
                thread.arrived = true;
                for (auto const& [tick, state] : s.m_processes[static_cast<std::size_t>(thread.process)].admission) {
                    if (thread.base == "new" || (state == "loading" && thread.base == "memory")) {
                        thread.base = state;
                        thread.base_detail.clear();
                        s.change(id, tick, state, {});
                    }
                }
            }
        }
        s.set(id, "ready");
        break;
    case EventKind::Wake:
    case EventKind::Preempt: s.set(id, "ready"); break;
    case EventKind::Dispatch: s.set(id, "core", fmt::format("core {}", event.core)); break;
    case EventKind::Block: {
        auto on = wait_mnemonic(trace, event);
        auto state = on == "sleep" ? "sleep" : on == "tasks" ? "await" : "io";
        s.set(id, state, fmt::format("until {}", event.value));
        break;
    }
    case EventKind::LockWait:
        s.set(id, "lock", fmt::format("{} (held by {})", object_name(trace, event), trace.name(static_cast<ThreadId>(event.value))));
        break;
    case EventKind::JoinWait: s.set(id, "join", trace.name(static_cast<ThreadId>(event.value))); break;
    case EventKind::GilWait:
        s.set(id, "gil", event.value == no_thread ? std::string() : fmt::format("held by {}", trace.name(static_cast<ThreadId>(event.value))));
        break;
    case EventKind::ThreadExit: s.set(id, "done"); break;
    case EventKind::Fault: s.set(id, "fault", std::string(trace.text(event))); break;
    case EventKind::ThreadKilled: {
        auto by = static_cast<ThreadId>(event.value);
        s.set(id, "killed", by == no_thread ? std::string() : fmt::format("by {}", trace.name(by)));
        break;
    }
    case EventKind::Migrate: {
        if (id == no_thread)
            break;
        auto from = static_cast<CoreId>(event.value);
        s.spill.add(SortKey { event.tick, 1, c_migrations, ordinal, 0, 0 }, migration_instant(trace, event));
        // The thread's last slice on its old core that began before this tick.
        Tick before = -1;
        for (auto const& entry : s.m_threads[static_cast<std::size_t>(id)].starts)
            if (entry[0] == from)
                before = entry[1] >= 0 && entry[1] < event.tick ? entry[1] : entry[2] >= 0 && entry[2] < event.tick ? entry[2] : -1;
        if (before < 0)
            break;
        ++s.migrations;
        s.spill.add(SortKey { before, 1, c_migrations, ordinal, 1, 0 }, migration_flow(trace, event, s.migrations, true));
        s.spill.add(SortKey { event.tick, 1, c_migrations, ordinal, 2, 0 }, migration_flow(trace, event, s.migrations, false));
        break;
    }
    case EventKind::VarWrite:
        if (event.process != no_process && event.object >= 0)
            s.variable_sample(event.process, event.object, SortKey { event.tick, 1, c_counters, 1, ordinal, 0 }, event.value);
        break;
    default: break;
    }
}

void PerfettoStreamWriter::slice_begins(CoreId core, Slice const& slice)
{
    auto& s = *m_state;
    s.advance(slice.start);
    if (slice.thread == no_thread || static_cast<std::size_t>(slice.thread) >= s.m_threads.size())
        return;
    auto& thread = s.m_threads[static_cast<std::size_t>(slice.thread)];
    thread.slice_core = core;
    thread.slice_kind = slice.switching ? "switch" : slice.stalled ? "stall" : "run";
    s.touch(slice.thread);
    auto found = std::find_if(thread.starts.begin(), thread.starts.end(), [&](auto const& entry) { return entry[0] == core; });
    if (found == thread.starts.end())
        thread.starts.push_back({ core, slice.start, -1 });
    else
        *found = { core, slice.start, (*found)[1] };
}

void PerfettoStreamWriter::slice(CoreId core, Slice const& slice)
{
    auto& s = *m_state;
    s.advance(slice.end);
    if (slice.end > slice.start)
        s.spill.add(SortKey { slice.start, 1, c_slices, core, s.core_slices[static_cast<std::size_t>(core)]++, 0 },
            slice_event(*s.trace, core, slice));
    if (slice.thread == no_thread || static_cast<std::size_t>(slice.thread) >= s.m_threads.size())
        return;
    auto& thread = s.m_threads[static_cast<std::size_t>(slice.thread)];
    if (slice.end == slice.start) // not a slice of the trace: its start is forgotten
        for (auto& entry : thread.starts)
            if (entry[0] == core && entry[1] == slice.start)
                entry = { core, entry[2], -1 };
    if (thread.slice_core == core) {
        thread.slice_core = no_core;
        s.touch(slice.thread);
    }
}

// As Machine::record_queues keeps its snapshots: one at each change, the last of a tick.
void PerfettoStreamWriter::queues(Tick tick, std::vector<ReadyQueue> const& queues)
{
    auto& s = *m_state;
    s.advance(tick);
    if (s.have_queues && queues == s.last_queues)
        return;
    if (s.have_queues && s.queues_tick != tick)
        s.emit_queues();
    s.have_queues = true;
    s.queues_tick = tick;
    s.last_queues = queues;
}

void PerfettoStreamWriter::bus(BusTick const& use)
{
    auto& s = *m_state;
    s.advance(use.tick);
    s.bus.use(use, s.trace->machine.bus_bandwidth, [&](Tick tick, double percent) { s.bus_sample(tick, percent); });
}

void PerfettoStreamWriter::write(std::ostream& out, Trace const& trace)
{
    auto& s = *m_state;
    s.trace = &trace;
    s.settle();
    auto end = trace.end;
    for (ThreadId id = 0; id < static_cast<ThreadId>(s.m_threads.size()); ++id) {
        s.close_thread(id, end);
        auto const& thread = s.m_threads[static_cast<std::size_t>(id)];
        auto state = thread.base == "core" ? std::string("run") : thread.base;
        if (auto made = final_instant(trace, s.tracks, id, state, thread.base_detail))
            s.spill.add(SortKey { end, 1, c_finals, id, 0, 0 }, std::move(*made));
    }
    for (ProcessId id = 0; id < static_cast<ProcessId>(s.m_processes.size()); ++id) {
        s.close_process(id, end);
        auto& process = s.m_processes[static_cast<std::size_t>(id)];
        for (std::size_t v = 0; v < process.variables.size(); ++v)
            s.spill.add(process.variables[v].place, variable_counter(trace, s.tracks, id, static_cast<std::int32_t>(v), process.variables[v].value));
    }
    std::int64_t index = 0;
    for (auto const& race : find_races(trace).races)
        s.spill.add(SortKey { race.second.tick, 1, c_races, index++, 0, 0 }, race_instant(trace, s.tracks, race));
    if (s.have_queues)
        s.emit_queues();
    s.bus.finish(end, [&](Tick tick, double percent) { s.bus_sample(tick, percent); });
    if (s.bus_pending)
        s.spill.add(s.bus_place, bus_counter(s.bus_percent));

    bool first = true;
    write_head(out, trace, s.tracks, first);
    s.spill.drain([&](std::string const& text) {
        out << (first ? "\n" : ",\n") << text;
        first = false;
    });
    write_tail(out, trace);
}

}
