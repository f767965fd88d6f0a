#include "trace/races.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <range/v3/view/chunk_by.hpp>
#include <range/v3/view/transform.hpp>
#include <range/v3/view/zip.hpp>
#include <vector>

// The per-tick table streams: each row is written as soon as it is known, from one cursor
// per core over its slices, one over the events and one over the ready-queue snapshots. So
// a run of a million ticks costs a million short writes, never a million rows in memory.

namespace tl {

namespace {

constexpr std::string_view separator = " | ";
constexpr int core_column_cap = 28;
constexpr int folded_core_cap = 40; // "c compute 30001-100000/30000000": a folded row's two counts
// Columns fit their widest cell up to a cap; a longer cell is shortened to fit (see fit).
constexpr int list_column_cap = 64; // ready and blocked
constexpr int wide_list_cap = 120;  // tasks
constexpr int short_list_cap = 60;  // the GIL holders, the shared variables
constexpr int list_column_min = 12;

namespace views = ranges::views;

// Events of one tick stay together: the columns are measured as each tick ends.
bool same_tick(Event const& a, Event const& b) { return a.tick == b.tick; }

std::string_view process_name(Trace const& trace, ProcessId id)
{
    return id == no_process ? std::string_view("?") : std::string_view(trace.processes[static_cast<std::size_t>(id)].name);
}

std::string_view thread_name(Trace const& trace, ThreadId id)
{
    return id == no_thread ? std::string_view("?") : std::string_view(trace.name(id));
}

std::string event_phrase(Trace const& trace, Event const& event)
{
    auto process = process_name(trace, event.process);
    auto thread = thread_name(trace, event.thread);
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
        for (ThreadId id : trace.processes[static_cast<std::size_t>(event.process)].threads)
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
        bool faulted = by != no_thread && trace.totals[static_cast<std::size_t>(by)].faulted;
        return fmt::format("{} killed ({} by {})", thread, faulted ? "fault" : "exit", thread_name(trace, by));
    }
    case EventKind::Print: return fmt::format("{} prints \"{}\"", thread, trace.text(event));
    case EventKind::TickLimit: return "tick limit reached";
    case EventKind::TaskStart: return fmt::format("{} starts task {}", thread, task_label(trace, event));
    case EventKind::TaskRun: return fmt::format("{} runs {}", thread, task_label(trace, event));
    case EventKind::TaskAwait: {
        auto const& code = trace.threads[static_cast<std::size_t>(event.thread)].code;
        auto opcode = code[static_cast<std::size_t>(event.pc)].opcode;
        if (opcode_info(opcode).operand == OperandKind::Calls) // the event's value: how many tasks
            return fmt::format("{} awaits {} of {}", task_label(trace, event), last_word(opcode), event.value);
        return fmt::format("{} awaits {} until {}", task_label(trace, event), last_word(opcode), event.value);
    }
    case EventKind::TaskDone: return fmt::format("{} returns", task_label(trace, event));
    case EventKind::GilAcquire: return fmt::format("{} takes the GIL", thread);
    case EventKind::GilRelease: return fmt::format("{} releases the GIL ({})", thread, gil_release_reason(event));
    case EventKind::GilWait:
        return fmt::format("{} waits for the GIL (held by {})", thread, thread_name(trace, static_cast<ThreadId>(event.value)));
    case EventKind::ProcessLoad:
        return fmt::format("{} loading into RAM at address {} ({} bus transfers)", process,
            event.value == 0 ? std::string("0") : format_bytes(static_cast<std::uint64_t>(event.value)),
            trace.processes[static_cast<std::size_t>(event.process)].load_transfers);
    case EventKind::VarRead: return fmt::format("{} reads {} = {}", thread, object_name(trace, event), event.value);
    case EventKind::VarWrite: return fmt::format("{} writes {} = {}", thread, object_name(trace, event), event.value);
    case EventKind::LockAcquire:
        return fmt::format("{} {} {}", thread, event.value == 1 ? "is handed" : "locks", object_name(trace, event));
    case EventKind::LockRelease: return fmt::format("{} unlocks {}", thread, object_name(trace, event));
    case EventKind::LockWait:
        return fmt::format("{} waits for {} (held by {})", thread, object_name(trace, event),
            thread_name(trace, static_cast<ThreadId>(event.value)));
    case EventKind::Spawn: return fmt::format("{} spawns {}", thread, thread_name(trace, static_cast<ThreadId>(event.value)));
    case EventKind::JoinWait:
        return fmt::format("{} waits to join {}", thread, thread_name(trace, static_cast<ThreadId>(event.value)));
    case EventKind::Fault:
        return fmt::format("FAULT: {} (line {}) {}", thread, event.line, trace.text(event));
    case EventKind::Deadlock: return fmt::format("STOP: {}", trace.text(event));
    case EventKind::CacheWarm: return fmt::format("{} is warm in core {}'s cache", thread, event.core);
    case EventKind::CacheEvict: return fmt::format("{} is pushed out of core {}'s cache", thread, event.core);
    }
    return "?";
}

// Builds a list cell piece by piece, up to `limit` columns: past that it stops (the cell is
// cut to its column by fit, which reads no further than the column's width). So a list of
// thousands of threads costs a column's width per row, not the length of the list.
class CappedText {
public:
    explicit CappedText(int limit)
        : m_limit(limit)
    {
    }
    bool full() const { return m_width > m_limit; }
    void add(std::string_view piece)
    {
        m_text += piece;
        m_width += display_width(piece);
    }
    std::string take(std::string_view empty = "-") { return m_text.empty() ? std::string(empty) : std::move(m_text); }

private:
    int m_limit;
    int m_width = 0;
    std::string m_text;
};

// "a b" for one global queue; "core 0: a b; core 1: c" for several, skipping empty ones; no
// longer than needed to fill `limit` columns.
std::string ready_text(Trace const& trace, QueueSnapshot const& snapshot, int limit)
{
    CappedText text(limit);
    bool any = false;
    for (auto const& queue : snapshot.queues) {
        if (queue.threads.empty() || text.full())
            continue;
        if (any)
            text.add("; ");
        any = true;
        if (!queue.label.empty()) {
            text.add(queue.label);
            text.add(":");
        }
        bool first = queue.label.empty();
        for (ThreadId thread : queue.threads) {
            if (text.full())
                break;
            if (!first)
                text.add(" ");
            first = false;
            text.add(trace.name(thread));
        }
    }
    return text.take();
}

// The threads blocked right now, in the order they blocked, kept up to date event by event.
// A thread that stops waiting is marked gone and swept out later, so that thousands of
// waiting threads cost constant time per change, not a shift of the whole list.
class BlockedThreads {
public:
    explicit BlockedThreads(Trace const& trace)
        : m_trace(trace)
        , m_position(trace.threads.size(), -1)
    {
    }

    void apply(Event const& event)
    {
        switch (event.kind) {
        case EventKind::Block: {
            remove(event.thread);
            Entry entry { event.thread, wait_mnemonic(m_trace, event), event.value, 0 };
            entry.width = display_width(m_trace.name(event.thread)) + 2 + static_cast<int>(entry.on.size()) + 7
                + digit_count(entry.until) + 1;
            add(std::move(entry));
            break;
        }
        case EventKind::GilWait: {
            remove(event.thread);
            Entry entry { event.thread, "GIL", -1, 0 };
            entry.width = display_width(m_trace.name(event.thread)) + 6;
            add(std::move(entry));
            break;
        }
        case EventKind::LockWait:
        case EventKind::JoinWait: {
            remove(event.thread);
            Entry entry { event.thread, std::string_view(), -1, 0 };
            entry.label = event.kind == EventKind::LockWait
                ? fmt::format("lock {}", object_name(m_trace, event))
                : fmt::format("join {}", m_trace.name(static_cast<ThreadId>(event.value)));
            entry.width = display_width(m_trace.name(event.thread)) + 3 + display_width(entry.label);
            add(std::move(entry));
            break;
        }
        case EventKind::GilAcquire:
        case EventKind::Wake:
        case EventKind::ThreadExit:
        case EventKind::ThreadKilled: remove(event.thread); break;
        case EventKind::ProcessExit:
            // A process that ends takes every thread with it, waiting or not.
            for (ThreadId thread : m_trace.processes[static_cast<std::size_t>(event.process)].threads)
                remove(thread);
            break;
        default: break;
        }
    }

    // "ramen (io until 6), cake (sleep until 9)", or "-"; no longer than needed to fill
    // `limit` columns.
    std::string text(int limit) const
    {
        CappedText text(limit);
        bool first = true;
        for (std::size_t i = m_front; i < m_entries.size() && !text.full(); ++i) {
            auto const& entry = m_entries[i];
            if (entry.thread == no_thread)
                continue; // gone
            if (!first)
                text.add(", ");
            first = false;
            if (!entry.label.empty())
                text.add(fmt::format("{} ({})", m_trace.name(entry.thread), entry.label));
            else if (entry.until < 0)
                text.add(fmt::format("{} ({})", m_trace.name(entry.thread), entry.on));
            else
                text.add(fmt::format("{} ({} until {})", m_trace.name(entry.thread), entry.on, entry.until));
        }
        return text.take();
    }

    // The display width of the whole text, without building it.
    int width() const
    {
        if (m_live == 0)
            return 1;
        return m_width + 2 * (m_live - 1);
    }

private:
    struct Entry {
        ThreadId thread; // no_thread: it has stopped waiting
        std::string_view on;
        Tick until;
        int width;
        std::string label = {}; // "lock m", "join t"; empty: `on` and `until` say what it waits for
    };

    void add(Entry entry)
    {
        m_width += entry.width;
        ++m_live;
        m_position[static_cast<std::size_t>(entry.thread)] = static_cast<std::int64_t>(m_entries.size());
        m_entries.push_back(std::move(entry));
    }

    void remove(ThreadId thread)
    {
        if (thread == no_thread)
            return;
        auto& position = m_position[static_cast<std::size_t>(thread)];
        if (position < 0)
            return;
        auto& entry = m_entries[static_cast<std::size_t>(position)];
        m_width -= entry.width;
        --m_live;
        entry.thread = no_thread;
        position = -1;
        if (m_live == 0) {
            m_entries.clear();
            m_front = 0;
            return;
        }
        while (m_front < m_entries.size() && m_entries[m_front].thread == no_thread)
            ++m_front;
        if (m_entries.size() - m_front > 2 * static_cast<std::size_t>(m_live) + 64)
            sweep();
    }

    // Drops the entries of threads that stopped waiting, keeping the others in order.
    void sweep()
    {
        std::erase_if(m_entries, [](Entry const& e) { return e.thread == no_thread; });
        m_front = 0;
        for (std::size_t i = 0; i < m_entries.size(); ++i)
            m_position[static_cast<std::size_t>(m_entries[i].thread)] = static_cast<std::int64_t>(i);
    }

    Trace const& m_trace;
    std::vector<Entry> m_entries;
    std::vector<std::int64_t> m_position; // by thread: its entry, or -1
    std::size_t m_front = 0;              // entries before it are all gone
    int m_live = 0;
    int m_width = 0;
};

// The processes waiting for memory, first come first served: "browser (32K), clock (8K)".
// Shown in a column of its own, only for runs in which some process had to wait.
class MemoryQueue {
public:
    explicit MemoryQueue(Trace const& trace)
        : m_trace(trace)
    {
    }

    void apply(Event const& event)
    {
        switch (event.kind) {
        case EventKind::ProcessWait: m_waiting.push_back(event.process); break;
        case EventKind::ProcessLoad:
        case EventKind::ProcessAdmit: std::erase(m_waiting, event.process); break;
        default: break;
        }
    }

    std::string text(int limit) const
    {
        CappedText text(limit);
        for (std::size_t i = 0; i < m_waiting.size() && !text.full(); ++i) {
            auto const& process = m_trace.processes[static_cast<std::size_t>(m_waiting[i])];
            text.add(fmt::format("{}{} ({})", i == 0 ? "" : ", ", process.name, format_bytes(process.memory)));
        }
        return text.take();
    }

private:
    Trace const& m_trace;
    std::vector<ProcessId> m_waiting;
};

constexpr std::string_view memory_header = "waiting for memory";

bool has_memory_waits(Trace const& trace)
{
    return std::any_of(trace.events.begin(), trace.events.end(), [](Event const& e) { return e.kind == EventKind::ProcessWait; });
}

// Coroutine tasks alive in event loops, with what each is doing: "delivery(A, 9) (sleep until
// 9)". Shown in a column of its own, only for programs that have tasks.
class LiveTasks {
public:
    explicit LiveTasks(Trace const& trace)
        : m_trace(trace)
    {
        std::vector<ThreadId> seen;
        for (auto const& task : trace.tasks)
            if (std::find(seen.begin(), seen.end(), task.thread) == seen.end())
                seen.push_back(task.thread);
        m_threads_with_tasks = static_cast<int>(seen.size());
    }

    void apply(Event const& event)
    {
        switch (event.kind) {
        case EventKind::TaskStart: set(event.task, "ready"); break;
        case EventKind::TaskRun: set(event.task, "runs"); break;
        case EventKind::TaskAwait: {
            auto const& code = m_trace.threads[static_cast<std::size_t>(event.thread)].code;
            auto opcode = code[static_cast<std::size_t>(event.pc)].opcode;
            set(event.task, opcode_info(opcode).operand == OperandKind::Calls
                    ? std::string(last_word(opcode))
                    : fmt::format("{} until {}", last_word(opcode), event.value));
            break;
        }
        case EventKind::TaskDone: remove(event.task); break;
        case EventKind::ProcessExit:
            for (std::size_t i = 0; i < m_entries.size();)
                if (m_trace.threads[static_cast<std::size_t>(m_trace.tasks[static_cast<std::size_t>(m_entries[i].first)].thread)]
                        .process
                    == event.process)
                    m_entries.erase(m_entries.begin() + static_cast<std::ptrdiff_t>(i));
                else
                    ++i;
            break;
        default: break;
        }
    }

    std::string text(int limit) const
    {
        CappedText text(limit);
        for (std::size_t i = 0; i < m_entries.size() && !text.full(); ++i) {
            auto const& [task, state] = m_entries[i];
            auto const& info = m_trace.tasks[static_cast<std::size_t>(task)];
            text.add(fmt::format("{}{}{} ({})", i == 0 ? "" : ", ",
                m_threads_with_tasks > 1 ? m_trace.name(info.thread) + ": " : "", info.label, state));
        }
        return text.take();
    }

private:
    void set(std::int32_t task, std::string state)
    {
        for (auto& entry : m_entries)
            if (entry.first == task) {
                entry.second = std::move(state);
                return;
            }
        m_entries.emplace_back(task, std::move(state));
    }
    void remove(std::int32_t task)
    {
        std::erase_if(m_entries, [&](auto const& entry) { return entry.first == task; });
    }

    Trace const& m_trace;
    int m_threads_with_tasks = 0;
    std::vector<std::pair<std::int32_t, std::string>> m_entries; // by creation
};

// Who holds each GIL and who waits for it: "py: t1 (waiting: t2)". Only for programs with a GIL.
class GilHolders {
public:
    explicit GilHolders(Trace const& trace)
        : m_trace(trace)
        , m_holder(trace.processes.size(), no_thread)
        , m_waiters(trace.processes.size())
    {
    }

    void apply(Event const& event)
    {
        if (event.process == no_process)
            return;
        auto p = static_cast<std::size_t>(event.process);
        auto& waiters = m_waiters[p];
        switch (event.kind) {
        case EventKind::GilAcquire:
            m_holder[p] = event.thread;
            std::erase(waiters, event.thread);
            break;
        case EventKind::GilRelease: m_holder[p] = no_thread; break;
        case EventKind::GilWait: waiters.push_back(event.thread); break;
        case EventKind::ProcessExit:
            m_holder[p] = no_thread;
            waiters.clear();
            break;
        default: break;
        }
    }

    std::string text(int limit) const
    {
        CappedText text(limit);
        bool first = true;
        for (std::size_t p = 0; p < m_trace.processes.size() && !text.full(); ++p) {
            if (!m_trace.processes[p].gil)
                continue;
            if (!first)
                text.add("; ");
            first = false;
            text.add(m_trace.processes[p].name + ": " + (m_holder[p] == no_thread ? "free" : m_trace.name(m_holder[p])));
            if (!m_waiters[p].empty()) {
                text.add(" (waiting:");
                for (std::size_t i = 0; i < m_waiters[p].size() && !text.full(); ++i)
                    text.add(" " + m_trace.name(m_waiters[p][i]));
                text.add(")");
            }
        }
        return text.take("");
    }

private:
    Trace const& m_trace;
    std::vector<ThreadId> m_holder;
    std::vector<std::vector<ThreadId>> m_waiters;
};

// The value of every shared variable, kept up to date event by event: "count=3 done=1", with
// the process's name in front when several processes have variables.
class SharedValues {
public:
    explicit SharedValues(Trace const& trace)
        : m_trace(trace)
    {
        for (auto const& process : trace.processes) {
            m_values.push_back(process.initial_values);
            m_with_variables += process.variables.empty() ? 0 : 1;
        }
    }

    void apply(Event const& event)
    {
        if (event.kind == EventKind::VarWrite)
            m_values[static_cast<std::size_t>(event.process)][static_cast<std::size_t>(event.object)] = event.value;
    }

    std::string text() const
    {
        std::string out;
        for (std::size_t p = 0; p < m_trace.processes.size(); ++p) {
            auto const& process = m_trace.processes[p];
            if (process.variables.empty())
                continue;
            if (!out.empty())
                out += "; ";
            if (m_with_variables > 1)
                out += process.name + ": ";
            auto assignment = [](auto const& pair) { return fmt::format("{}={}", pair.first, pair.second); };
            out += fmt::format("{}", fmt::join(views::zip(process.variables, m_values[p]) | views::transform(assignment), " "));
        }
        return out;
    }

private:
    Trace const& m_trace;
    std::vector<std::vector<std::int64_t>> m_values;
    int m_with_variables = 0;
};

bool has_shared(Trace const& trace)
{
    return std::any_of(trace.processes.begin(), trace.processes.end(), [](auto const& p) { return !p.variables.empty(); });
}

// "2/4" transfers granted of the bandwidth, with "+1 wait" for cores that stalled.
std::string bus_text(Trace const& trace, BusTick const& use)
{
    auto text = fmt::format("{}/{}", use.granted, trace.machine.bus_bandwidth);
    if (use.stalled > 0)
        text += fmt::format(" +{} wait", use.stalled);
    return text;
}

// The RAM map during tick t: "kitchen 0-16K, free 16K-1M".
std::string ram_text(Trace const& trace, Tick t)
{
    std::vector<ProcessInfo const*> held;
    for (auto const& process : trace.processes)
        if (process.base >= 0 && process.allocated <= t && (process.freed < 0 || process.freed > t))
            held.push_back(&process);
    std::sort(held.begin(), held.end(), [](auto const* a, auto const* b) { return a->base < b->base; });
    std::string out;
    std::uint64_t at = 0;
    auto add = [&](std::string_view what, std::uint64_t from, std::uint64_t to) {
        if (!out.empty())
            out += ", ";
        out += fmt::format("{} {}-{}", what, from == 0 ? "0" : format_bytes(from), format_bytes(to));
    };
    for (auto const* process : held) {
        auto base = static_cast<std::uint64_t>(process->base);
        if (base > at)
            add("free", at, base);
        bool loading = process->loaded < 0 || process->loaded > t;
        add(loading ? process->name + " (loading)" : process->name, base, base + process->memory);
        at = base + process->memory;
    }
    if (at < trace.machine.ram)
        add("free", at, trace.machine.ram);
    return out;
}

// The next tick after t at which the RAM map may change (or past the end).
Tick next_ram_change(Trace const& trace, Tick t)
{
    Tick next = trace.end + 1;
    for (auto const& process : trace.processes)
        for (Tick at : { process.allocated, process.loaded, process.freed })
            if (at > t)
                next = std::min(next, at);
    return next;
}

bool has_gil(Trace const& trace)
{
    return std::any_of(trace.processes.begin(), trace.processes.end(), [](auto const& p) { return p.gil; });
}

// A stretch of ticks the table shows as one row.
struct Fold {
    Tick first = 0;
    Tick last = 0;
};

struct FoldPlan {
    std::vector<Fold> folds;
    int tick_width = 0; // the widest "first-last"
    int core_width = 0; // the widest core cell of a folded row
};

std::pair<std::int32_t, std::int32_t> bus_key(std::vector<BusTick> const& bus, std::size_t i, Tick t)
{
    if (i < bus.size() && bus[i].tick == t)
        return { bus[i].granted, bus[i].stalled };
    return { 0, 0 };
}

// The first tick after t, before `bound`, at which the bus column reads differently (or
// `bound`). `cursor` is the first use at or after t. Ticks without a use read "0/B".
Tick next_bus_change(std::vector<BusTick> const& bus, std::size_t cursor, Tick t, Tick bound)
{
    auto current = bus_key(bus, cursor, t);
    std::size_t i = cursor < bus.size() && bus[cursor].tick == t ? cursor + 1 : cursor;
    for (Tick u = t + 1; u < bound;) {
        if (i < bus.size() && bus[i].tick == u) {
            if (bus_key(bus, i, u) != current)
                return u;
            ++i;
            ++u;
            continue;
        }
        if (current != std::pair<std::int32_t, std::int32_t> { 0, 0 })
            return u;
        if (i == bus.size())
            break;
        u = bus[i].tick;
    }
    return bound;
}

// The core cell of tick t, or of ticks t..last folded ("pasta compute 4-100/100").
std::string core_cell(Trace const& trace, Slice const* slice, Tick t, Tick last)
{
    if (!slice)
        return "idle";
    auto const& name = trace.name(slice->thread);
    if (slice->switching)
        return fmt::format("-> {} (switch)", name);
    return fmt::format("{} {}", name, slice_activity(trace, *slice, t, last));
}

// The slice core `core` runs at tick t, moving its cursor on; null when the core is idle.
Slice const* slice_at(Trace const& trace, std::size_t core, std::size_t& cursor, Tick t)
{
    auto const& slices = trace.core_slices[core];
    while (cursor < slices.size() && slices[cursor].end <= t)
        ++cursor;
    if (cursor == slices.size() || slices[cursor].start > t)
        return nullptr;
    return &slices[cursor];
}

// Which ticks of start..last fold: after each row, the ticks up to the next change of
// anything but a counter (an event, a ready-queue snapshot, a slice beginning or ending, the
// bus's use, the RAM map) are quiet; fold_quiet_ticks or more of them make one row. The plan
// moves from change to change, so a quiet run of 10^8 ticks costs what its events cost.
FoldPlan plan_folds(Trace const& trace, TableOptions const& options, Tick start, Tick last)
{
    FoldPlan plan;
    if (options.every_tick)
        return plan;
    auto cores = trace.core_slices.size();
    std::vector<std::size_t> slice_cursor(cores, 0);
    std::size_t event_cursor = 0;
    std::size_t snapshot_cursor = 0;
    std::size_t bus_cursor = 0;
    bool show_bus = watches_bus(trace);
    Tick stop = std::min(trace.end, last + 1); // the rows of executed ticks end before it
    for (Tick t = start; t < stop;) {
        Tick next = stop;
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick <= t)
            ++event_cursor;
        if (event_cursor < trace.events.size())
            next = std::min(next, trace.events[event_cursor].tick);
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick <= t)
            ++snapshot_cursor;
        if (snapshot_cursor < trace.queue_snapshots.size())
            next = std::min(next, trace.queue_snapshots[snapshot_cursor].tick);
        for (std::size_t core = 0; core < cores; ++core) {
            auto const* slice = slice_at(trace, core, slice_cursor[core], t);
            auto const& slices = trace.core_slices[core];
            if (slice)
                next = std::min(next, slice->end);
            else if (slice_cursor[core] < slices.size())
                next = std::min(next, slices[slice_cursor[core]].start);
        }
        if (options.ram)
            next = std::min(next, next_ram_change(trace, t));
        if (show_bus && next > t + 1) {
            while (bus_cursor < trace.bus.size() && trace.bus[bus_cursor].tick < t)
                ++bus_cursor;
            next = next_bus_change(trace.bus, bus_cursor, t, next);
        }
        // Ticks t+1 .. next-1 change nothing but counters. Fewer than fold_quiet_ticks keep
        // a row each (and each of them has the same next change, so none of them folds).
        if (next - t - 1 >= fold_quiet_ticks) {
            Fold fold { t + 1, next - 1 };
            plan.folds.push_back(fold);
            plan.tick_width = std::max(plan.tick_width, digit_count(fold.first) + 1 + digit_count(fold.last));
            for (std::size_t core = 0; core < cores; ++core)
                plan.core_width = std::max(plan.core_width,
                    display_width(core_cell(trace, slice_at(trace, core, slice_cursor[core], t), fold.first, fold.last)));
        }
        t = next;
    }
    return plan;
}

struct Widths {
    int tick = 4;
    int core = 6;
    int ready = list_column_min;
    int blocked = list_column_min;
    int tasks = list_column_min;
    int gil = list_column_min;
    int bus = 3;
    int shared = list_column_min;
    int memory = list_column_min;
    int ram = list_column_min;
};

// Column widths from cheap bounds and one pass over the stored events and snapshots (both
// already in memory: the table itself is what must not be).
Widths column_widths(Trace const& trace, TableOptions const& options, FoldPlan const& plan)
{
    Widths widths;
    widths.tick = std::max({ 4, digit_count(trace.end), plan.tick_width });

    // "compute 2/4": the mnemonic, then progress and total with as many digits as the total.
    int core = 0;
    for (auto const& thread : trace.threads) {
        int name = display_width(thread.display_name);
        int longest = 0;
        for (auto const& instruction : thread.code)
            if (auto const& info = opcode_info(instruction.opcode); info.timing == Timing::Cpu)
                longest = std::max(longest, static_cast<int>(info.mnemonic.size()) + 2 + 2 * digit_count(instruction.ticks));
            else if (memory_steps(instruction.opcode) > 0)
                longest = std::max(longest, display_width(to_string(instruction)) + 11); // ": write", " (bus wait)"
        if (trace.machine.cache > 0 && thread.working_set > 0)
            longest += 5; // " warm", " cold"
        if (longest > 0)
            core = std::max(core, name + 1 + longest);
        if (trace.machine.switch_cost > 0)
            core = std::max(core, name + 12); // "-> pasta (switch)"
    }
    int header = 5 + digit_count(std::max(0, trace.machine.cores - 1));
    widths.core = std::max({ 6, header, std::min(core, core_column_cap), std::min(plan.core_width, folded_core_cap) });

    int ready = 0;
    for (auto const& snapshot : trace.queue_snapshots)
        ready = std::max(ready, display_width(ready_text(trace, snapshot, list_column_cap)));
    widths.ready = std::max(list_column_min, std::min(ready, list_column_cap));

    BlockedThreads blocked(trace);
    int blocked_width = 0;
    for (auto const& tick_events : trace.events | views::chunk_by(same_tick)) {
        for (auto const& event : tick_events)
            blocked.apply(event);
        blocked_width = std::max(blocked_width, blocked.width());
    }
    widths.blocked = std::max(list_column_min, std::min(blocked_width, list_column_cap));

    if (!trace.tasks.empty() || has_gil(trace)) {
        LiveTasks tasks(trace);
        GilHolders gil(trace);
        int tasks_width = 0;
        int gil_width = 0;
        for (auto const& tick_events : trace.events | views::chunk_by(same_tick)) {
            for (auto const& event : tick_events) {
                tasks.apply(event);
                gil.apply(event);
            }
            tasks_width = std::max(tasks_width, display_width(tasks.text(wide_list_cap)));
            gil_width = std::max(gil_width, display_width(gil.text(short_list_cap)));
        }
        // Wider caps than the other lists: these columns are what such programs are about.
        widths.tasks = std::max(list_column_min, std::min(tasks_width, wide_list_cap));
        widths.gil = std::max(list_column_min, std::min(gil_width, short_list_cap));
    }
    for (auto const& use : trace.bus)
        widths.bus = std::max(widths.bus, display_width(bus_text(trace, use)));
    if (has_shared(trace)) {
        SharedValues shared(trace);
        int shared_width = display_width(shared.text());
        for (auto const& event : trace.events) {
            shared.apply(event);
            if (event.kind == EventKind::VarWrite)
                shared_width = std::max(shared_width, display_width(shared.text()));
        }
        widths.shared = std::max(list_column_min, std::min(shared_width, short_list_cap));
    }
    if (has_memory_waits(trace)) {
        MemoryQueue memory(trace);
        int memory_width = 0;
        for (auto const& tick_events : trace.events | views::chunk_by(same_tick)) {
            for (auto const& event : tick_events)
                memory.apply(event);
            memory_width = std::max(memory_width, display_width(memory.text(list_column_cap)));
        }
        // At least as wide as its header, which is longer than the other columns' names.
        widths.memory = std::max(display_width(memory_header), std::min(memory_width, list_column_cap));
    }
    if (options.ram)
        for (Tick t = 0; t <= trace.end; t = next_ram_change(trace, t))
            widths.ram = std::max(widths.ram, display_width(ram_text(trace, t)));
    return widths;
}

// A cell no wider than `width` columns: whole when it fits, else cut at a word and marked
// " ...", so that no column pushes the ones after it out of line. Linear in the cell.
std::string fit(std::string const& cell, int width)
{
    if (static_cast<int>(cell.size()) <= width || display_width(cell) <= width)
        return cell;
    std::size_t cut = 0;      // bytes that fit in width - 4 columns, ending on a code point
    std::size_t last_space = 0;
    int used = 0;
    for (std::size_t i = 0; i < cell.size();) {
        std::size_t next = i + 1;
        while (next < cell.size() && (static_cast<unsigned char>(cell[next]) & 0xC0) == 0x80)
            ++next;
        used += display_width(std::string_view(cell).substr(i, next - i));
        if (used > width - 4)
            break;
        if (cell[i] == ' ')
            last_space = i;
        cut = next;
        i = next;
    }
    if (last_space > 0)
        cut = last_space;
    while (cut > 0 && (cell[cut - 1] == ' ' || cell[cut - 1] == ','))
        --cut;
    return cell.substr(0, cut) + " ...";
}

// Joins the cells with " | ", padding all but the last (each fitted to its column), and drops
// trailing spaces (an empty events cell would otherwise leave a dangling separator).
void write_row(std::ostream& out, std::string& line, std::vector<std::string> const& cells, std::vector<int> const& widths,
    std::size_t right_aligned)
{
    line.clear();
    std::size_t count = cells.size();
    while (count > 1 && cells[count - 1].empty())
        --count;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0)
            line += separator;
        if (i + 1 == cells.size())
            line += cells[i]; // the events: as long as they are
        else
            line += i < right_aligned ? pad_left(fit(cells[i], widths[i]), widths[i])
                                      : pad_right(fit(cells[i], widths[i]), widths[i]);
    }
    while (!line.empty() && line.back() == ' ')
        line.pop_back();
    line += '\n';
    out << line;
}

}

void render_header(std::ostream& out, Trace const& trace)
{
    auto const& machine = trace.machine;
    // The conventions in force, from their one table (engine/config.hpp), then the cache
    // model's sizes when it is on.
    std::string in_force;
    for (auto const& convention : conventions())
        if (convention.always || convention.changed(machine))
            in_force += fmt::format("; {}", convention.changed(machine) ? convention.when_changed : convention.at_default);
    if (machine.cache > 0)
        in_force += fmt::format("; cache {} per core, warm after {} ticks, then {}x as fast", machine.cache,
            machine.cache_warmup, machine.cache_warm_rate);
    out << fmt::format("ticklab: {} on {} core{}, RAM {}, bus {}/tick{}; scheduler: {}; switch cost {}{}\n",
        trace.program_file, machine.cores, machine.cores == 1 ? "" : "s", format_bytes(machine.ram),
        machine.bus_bandwidth,
        machine.load_chunk > 0 ? fmt::format(", loading {} per bus transfer", format_bytes(machine.load_chunk)) : "", trace.scheduler_description.empty() ? trace.scheduler : trace.scheduler_description,
        machine.switch_cost, in_force);
}

void render_table(std::ostream& out, Trace const& trace) { render_table(out, trace, TableOptions {}); }

void render_table(std::ostream& out, Trace const& trace, TableOptions const& options)
{
    Tick start = std::max<Tick>(options.from, 0);
    Tick last = options.to < 0 ? trace.end : std::min(options.to, trace.end);
    auto plan = plan_folds(trace, options, start, last);
    auto widths = column_widths(trace, options, plan);
    auto cores = trace.core_slices.size();

    std::vector<int> column_widths { widths.tick };
    for (std::size_t core = 0; core < cores; ++core)
        column_widths.push_back(widths.core);
    bool show_tasks = !trace.tasks.empty();
    bool show_gil = has_gil(trace);
    bool show_bus = watches_bus(trace);
    bool show_shared = has_shared(trace);
    bool show_memory = has_memory_waits(trace);
    if (show_bus)
        column_widths.push_back(widths.bus);
    column_widths.push_back(widths.ready);
    column_widths.push_back(widths.blocked);
    if (show_memory)
        column_widths.push_back(widths.memory);
    if (show_tasks)
        column_widths.push_back(widths.tasks);
    if (show_gil)
        column_widths.push_back(widths.gil);
    if (show_shared)
        column_widths.push_back(widths.shared);
    if (options.ram)
        column_widths.push_back(widths.ram);
    column_widths.push_back(0);

    std::vector<std::string> cells;
    cells.reserve(column_widths.size());
    std::string line;

    cells.push_back("tick");
    for (std::size_t core = 0; core < cores; ++core)
        cells.push_back(fmt::format("core {}", core));
    if (show_bus)
        cells.push_back("bus");
    cells.push_back("ready");
    cells.push_back("blocked");
    if (show_memory)
        cells.push_back(std::string(memory_header));
    if (show_tasks)
        cells.push_back("tasks");
    if (show_gil)
        cells.push_back("GIL");
    if (show_shared)
        cells.push_back("shared");
    if (options.ram)
        cells.push_back("RAM");
    cells.push_back("events");
    write_row(out, line, cells, column_widths, 1);

    std::vector<std::size_t> slice_cursor(cores, 0);
    std::size_t bus_cursor = 0;
    std::size_t event_cursor = 0;
    std::size_t snapshot_cursor = 0;
    std::string ready = "-";
    BlockedThreads blocked(trace);
    LiveTasks tasks(trace);
    GilHolders gil(trace);
    SharedValues shared(trace);
    MemoryQueue memory(trace);
    if (options.from > 0) {
        // The rows before `from` are not written: only what they change is followed.
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick < options.from) {
            auto const& event = trace.events[event_cursor++];
            blocked.apply(event);
            memory.apply(event);
            if (show_tasks)
                tasks.apply(event);
            if (show_gil)
                gil.apply(event);
            if (show_shared)
                shared.apply(event);
        }
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick < options.from)
            ++snapshot_cursor;
        if (snapshot_cursor > 0)
            ready = ready_text(trace, trace.queue_snapshots[snapshot_cursor - 1], widths.ready);
    }

    // The cells after the cores, as they stand during tick t (`executed`: a tick the cores ran).
    auto state_cells = [&](Tick t, bool executed) {
        if (show_bus) {
            while (bus_cursor < trace.bus.size() && trace.bus[bus_cursor].tick < t)
                ++bus_cursor;
            if (!executed || bus_cursor == trace.bus.size() || trace.bus[bus_cursor].tick != t)
                cells.push_back(executed ? fmt::format("0/{}", trace.machine.bus_bandwidth) : "-");
            else
                cells.push_back(bus_text(trace, trace.bus[bus_cursor]));
        }
        cells.push_back(ready);
        cells.push_back(blocked.text(widths.blocked));
        if (show_memory)
            cells.push_back(memory.text(widths.memory));
        if (show_tasks)
            cells.push_back(tasks.text(widths.tasks));
        if (show_gil)
            cells.push_back(gil.text(widths.gil));
        if (show_shared)
            cells.push_back(shared.text());
        if (options.ram)
            cells.push_back(ram_text(trace, t));
    };

    // One row: tick `t` as the cores executed it, with the queues and waits in force during
    // it and the events of the boundary just before it. `executed` is false for the row at
    // the very end, which only shows the events that closed the run.
    auto row = [&](Tick t, bool executed) {
        cells.clear();
        cells.push_back(fmt::format("{}", t));

        std::string events;
        while (event_cursor < trace.events.size() && trace.events[event_cursor].tick <= t) {
            auto const& event = trace.events[event_cursor++];
            blocked.apply(event);
            memory.apply(event);
            if (show_tasks)
                tasks.apply(event);
            if (show_gil)
                gil.apply(event);
            if (show_shared)
                shared.apply(event);
            if (!events.empty())
                events += "; ";
            events += event_phrase(trace, event);
        }
        while (snapshot_cursor < trace.queue_snapshots.size() && trace.queue_snapshots[snapshot_cursor].tick <= t)
            ready = ready_text(trace, trace.queue_snapshots[snapshot_cursor++], widths.ready);

        for (std::size_t core = 0; core < cores; ++core)
            cells.push_back(executed ? core_cell(trace, slice_at(trace, core, slice_cursor[core], t), t, t) : "-");
        state_cells(t, executed);
        cells.push_back(std::move(events));
        write_row(out, line, cells, column_widths, 1);
    };

    // A folded row: ticks first..last, with no events and no change but the counters.
    auto folded_row = [&](Fold const& fold) {
        cells.clear();
        cells.push_back(fmt::format("{}-{}", fold.first, fold.last));
        bool running = false;
        for (std::size_t core = 0; core < cores; ++core) {
            auto const* slice = slice_at(trace, core, slice_cursor[core], fold.first);
            running = running || (slice && !slice->switching);
            cells.push_back(core_cell(trace, slice, fold.first, fold.last));
        }
        state_cells(fold.first, true);
        cells.push_back(fmt::format("{} ticks: {}", fold.last - fold.first + 1,
            running ? "the same threads keep running" : "no thread runs"));
        write_row(out, line, cells, column_widths, 1);
    };

    std::size_t next_fold = 0;
    for (Tick t = start; t < trace.end && t <= last;) {
        if (next_fold < plan.folds.size() && plan.folds[next_fold].first == t) {
            folded_row(plan.folds[next_fold]);
            t = plan.folds[next_fold++].last + 1;
            continue;
        }
        row(t, true);
        ++t;
    }
    if (event_cursor < trace.events.size() && trace.end <= last)
        row(trace.end, false);
    if (!plan.folds.empty())
        out << "(a row such as " << plan.folds.front().first << "-" << plan.folds.front().last
            << " stands for ticks in which nothing changes but progress; --all-ticks gives each its own row)\n";
    // The footer, under the last row: the data races (trace/races.hpp), by the rows to look at.
    if (trace.end <= last) {
        auto races = find_races(trace).races;
        auto side = [&](RaceAccess const& access) {
            return fmt::format("{}'s {}{} at tick {} (line {})", trace.name(access.thread), access.atomic ? "atomic " : "",
                access.write ? "write" : "read", access.tick, access.line);
        };
        for (std::size_t i = 0; i < races.size() && i < races_listed; ++i)
            out << fmt::format("race on {}: {} and {} are not ordered\n", race_variable(trace, races[i]),
                side(races[i].first), side(races[i].second));
        if (races.size() > races_listed)
            out << fmt::format("and {} more race{} (--format json lists them all)\n", races.size() - races_listed,
                races.size() - races_listed == 1 ? "" : "s");
    }
}

void render_output(std::ostream& out, Trace const& trace)
{
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print)
            out << fmt::format("[tick {}] {}: {}\n", event.tick, thread_name(trace, event.thread), trace.text(event));
}

}
