#pragma once

// The state behind the per-tick table's columns beyond the cores: the ready and blocked
// threads, the processes waiting for memory, the coroutine tasks, the GIL holders, the shared
// variables, the bus and the RAM map. Each column object follows the events tick by tick
// (`apply`) and says its cell (`text(limit)`); table.cpp measures and writes them.

#include "trace/render_util.hpp"
#include "trace/trace.hpp"

#include <fmt/format.h>
#include <range/v3/view/transform.hpp>
#include <range/v3/view/zip.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace tl::table_columns {

namespace views = ranges::views;

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

// The threads blocked right now, in the order they blocked, kept up to date event by event.
// A thread that stops waiting is marked gone and swept out later, so that thousands of
// waiting threads cost constant time per change, not a shift of the whole list.
class BlockedThreads {
public:
    explicit BlockedThreads(Trace const& trace)
        : m_trace(trace)
        , m_position(trace.threads.count(), -1)
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
            for (ThreadId thread : m_trace.processes[event.process].threads)
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
        m_position[entry.thread] = static_cast<std::int64_t>(m_entries.size());
        m_entries.push_back(std::move(entry));
    }

    void remove(ThreadId thread)
    {
        if (thread == no_thread)
            return;
        auto& position = m_position[thread];
        if (position < 0)
            return;
        auto& entry = m_entries[index_of(position)];
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
            m_position[m_entries[i].thread] = static_cast<std::int64_t>(i);
    }

    Trace const& m_trace;
    std::vector<Entry> m_entries;
    PerId<ThreadId, std::int64_t> m_position; // its entry, or -1
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
            auto const& process = m_trace.processes[m_waiting[i]];
            text.add(fmt::format("{}{} ({})", i == 0 ? "" : ", ", process.name, format_bytes(process.memory)));
        }
        return text.take();
    }

private:
    Trace const& m_trace;
    std::vector<ProcessId> m_waiting;
};

constexpr std::string_view memory_header = "waiting for memory";

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
            auto const& code = m_trace.threads[event.thread].code;
            auto opcode = code[index_of(event.pc)].opcode;
            set(event.task, opcode_info(opcode).operand == OperandKind::Calls
                    ? std::string(last_word(opcode))
                    : fmt::format("{} until {}", last_word(opcode), event.value));
            break;
        }
        case EventKind::TaskDone: remove(event.task); break;
        case EventKind::ProcessExit:
            for (std::size_t i = 0; i < m_entries.size();)
                if (m_trace.threads[m_trace.tasks[m_entries[i].first].thread]
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
            auto const& info = m_trace.tasks[task];
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
        , m_holder(trace.processes.count(), no_thread)
        , m_waiters(trace.processes.count())
    {
    }

    void apply(Event const& event)
    {
        if (event.process == no_process)
            return;
        auto p = event.process;
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
    PerId<ProcessId, ThreadId> m_holder;
    PerId<ProcessId, std::vector<ThreadId>> m_waiters;
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
            m_values[event.process][index_of(event.object)] = event.value;
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
    PerId<ProcessId, std::vector<std::int64_t>> m_values;
    int m_with_variables = 0;
};

// "a b" for one global queue; "core 0: a b; core 1: c" for several, skipping empty ones; no
// longer than needed to fill `limit` columns.
std::string ready_text(Trace const& trace, QueueSnapshot const& snapshot, int limit);

bool has_memory_waits(Trace const& trace);

bool has_shared(Trace const& trace);

// "2/4" transfers granted of the bandwidth, with "+1 wait" for cores that stalled.
std::string bus_text(Trace const& trace, BusTick const& use);

// The RAM map during tick t: "kitchen 0-16K, free 16K-1M".
std::string ram_text(Trace const& trace, Tick t);

// The next tick after t at which the RAM map may change (or past the end).
Tick next_ram_change(Trace const& trace, Tick t);

bool has_gil(Trace const& trace);

}
