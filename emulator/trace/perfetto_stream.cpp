#include "io/safe_write.hpp"
#include "trace/perfetto_events.hpp"
#include "trace/render_util.hpp"
#include "trace/stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <compare>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

// The Perfetto trace written as the run goes (trace/stream.hpp): the same document as
// render_perfetto (trace/perfetto.cpp), from the events and slices as they happen.

namespace tl {

using namespace perfetto;

// Named, not anonymous: PerfettoStreamWriter::State below (declared in trace/stream.hpp) holds
// a SortKey and a SortedSpill, and GCC warns (-Wsubobject-linkage, an error here) of a class
// with fields of an anonymous namespace's types when their file is not the translation unit's
// main file, as in the library's unity build (emulator/meson.build).
namespace perfetto_stream_detail {

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
        std::string why;
        m_file = scratch_file("the trace", why);
        if (m_file == nullptr)
            m_error = why;
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

using namespace perfetto_stream_detail;

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
        if (!m_threads[id].touched) {
            m_threads[id].touched = true;
            m_touched.push_back(id);
        }
    }
    // The state as the events set it (thread_spans' `set`), effective at the end of the tick.
    void set(ThreadId id, std::string state, std::string detail = {})
    {
        if (!m_threads.contains(id))
            return;
        auto& thread = m_threads[id];
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
    PerId<ThreadId, Thread> m_threads;
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
        PerId<VariableId, Sample> variables;
    };
    PerId<ProcessId, Process> m_processes;
    std::vector<ProcessId> m_touched_processes;

    PerId<CoreId, std::int64_t> core_slices;
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
    , m_threads(trace.threads.count())
    , m_processes(trace.processes.count())
    , core_slices(trace.core_slices.count(), 0)
{
    for (ProcessId p : trace.processes.ids()) {
        auto const& info = trace.processes[p];
        auto& process = m_processes[p];
        process.count[precedence("new")] = static_cast<int>(info.threads.size());
        process.detail = fmt::format("{} of {} thread{}", info.threads.size(), info.threads.size(), info.threads.size() == 1 ? "" : "s");
        std::int64_t track = 1;
        for (ThreadId id : info.threads) {
            auto& thread = m_threads[id];
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
    auto& thread = m_threads[id];
    if (thread.state == state && thread.detail == detail)
        return;
    close_thread(id, tick);
    thread.state = state;
    thread.detail = detail;
    thread.since = tick;
    if (thread.process == no_process)
        return;
    auto& process = m_processes[thread.process];
    process.changes.push_back({ tick, { id, precedence(state) } });
    if (!process.touched) {
        process.touched = true;
        m_touched_processes.push_back(thread.process);
    }
}

void PerfettoStreamWriter::State::close_thread(ThreadId id, Tick tick)
{
    auto& thread = m_threads[id];
    if (tick <= thread.since || thread.state == "new" || thread.process == no_process)
        return;
    auto pid = Layout::pid(thread.process);
    auto tid = tracks.thread_tid[id];
    auto span = thread.spans++;
    spill.add(SortKey { thread.since, 1, c_states, thread.process, thread.track, 2 * span }, state_begin(pid, tid, thread.state, thread.detail));
    spill.add(SortKey { tick, 0, c_states, thread.process, thread.track, 2 * span + 1 }, state_end(pid, tid, thread.state));
}

// As process_spans groups its threads' changes by tick.
void PerfettoStreamWriter::State::flush_process(ProcessId id)
{
    auto& process = m_processes[id];
    process.touched = false;
    auto& changes = process.changes;
    std::stable_sort(changes.begin(), changes.end(), [](auto const& x, auto const& y) { return x.first < y.first; });
    auto threads = trace->processes[id].threads.size();
    for (std::size_t k = 0; k < changes.size();) {
        auto tick = changes[k].first;
        for (; k < changes.size() && changes[k].first == tick; ++k) {
            auto [thread, now] = changes[k].second;
            auto& was = m_threads[thread].precedence;
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
    auto& process = m_processes[id];
    if (tick <= process.since || process.state == "new")
        return;
    auto pid = Layout::pid(id);
    auto tid = tracks.process_tid[id];
    auto span = process.spans++;
    spill.add(SortKey { process.since, 1, c_states, id, 0, 2 * span }, state_begin(pid, tid, process.state, process.detail));
    spill.add(SortKey { tick, 0, c_states, id, 0, 2 * span + 1 }, state_end(pid, tid, process.state));
}

void PerfettoStreamWriter::State::settle()
{
    for (ThreadId id : m_touched) {
        auto& thread = m_threads[id];
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
    auto& sample = m_processes[id].variables[variable];
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
            s.m_processes[event.process].admission.push_back({ event.tick, "memory" });
        break;
    case EventKind::ProcessLoad:
        if (event.process != no_process)
            s.m_processes[event.process].admission.push_back({ event.tick, "loading" });
        break;
    case EventKind::ThreadReady:
        if (static_cast<ReadyCause>(event.value) == ReadyCause::Arrived && s.m_threads.contains(id)) {
            auto& thread = s.m_threads[id];
            if (!thread.arrived && thread.process != no_process) {
                thread.arrived = true;
                for (auto const& [tick, state] : s.m_processes[thread.process].admission) {
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
        for (auto const& entry : s.m_threads[id].starts)
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
    if (!s.m_threads.contains(slice.thread))
        return;
    auto& thread = s.m_threads[slice.thread];
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
        s.spill.add(SortKey { slice.start, 1, c_slices, core, s.core_slices[core]++, 0 },
            slice_event(*s.trace, core, slice));
    if (!s.m_threads.contains(slice.thread))
        return;
    auto& thread = s.m_threads[slice.thread];
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
    for (ThreadId id : s.m_threads.ids()) {
        s.close_thread(id, end);
        auto const& thread = s.m_threads[id];
        auto state = thread.base == "core" ? std::string("run") : thread.base;
        if (auto made = final_instant(trace, s.tracks, id, state, thread.base_detail))
            s.spill.add(SortKey { end, 1, c_finals, id, 0, 0 }, std::move(*made));
    }
    for (ProcessId id = 0; id < static_cast<ProcessId>(s.m_processes.size()); ++id) {
        s.close_process(id, end);
        auto& process = s.m_processes[id];
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
