#include "trace/stream.hpp"

#include "trace/csv_blocked.hpp"
#include "trace/render.hpp"
#include "trace/render_util.hpp"
#include "trace/state_events.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace tl {

ParallelismMeter::ParallelismMeter(Trace const& trace)
    : m_trace(trace)
    , m_states(trace.threads.size(), ThreadState::New)
{
}

// Closes the span from m_now to `tick` with the counts that held over it.
void ParallelismMeter::advance_to(Tick tick)
{
    if (tick <= m_now)
        return;
    auto length = static_cast<double>(tick - m_now);
    int wanting = m_running + m_stalled + m_ready + m_switching;
    m_alive += static_cast<double>(wanting) * length;
    m_work += static_cast<double>(m_running) * length;
    m_stall += static_cast<double>(m_stalled) * length;
    m_peak_concurrency = std::max(m_peak_concurrency, wanting);
    m_peak_parallelism = std::max(m_peak_parallelism, m_running);
    m_now = tick;
}

void ParallelismMeter::set(ThreadId id, ThreadState state)
{
    if (id == no_thread || static_cast<std::size_t>(id) >= m_states.size())
        return;
    auto& old = m_states[static_cast<std::size_t>(id)];
    m_ready += (state == ThreadState::Ready) - (old == ThreadState::Ready);
    old = state;
}

// As count_spans (gantt.cpp) reads the events.
void ParallelismMeter::event(Event const& event)
{
    advance_to(event.tick);
    apply_thread_state(m_trace, event, [this](ThreadId id, ThreadState state) { set(id, state); });
}

void ParallelismMeter::slice_begins(CoreId, Slice const& slice)
{
    advance_to(slice.start);
    if (slice.switching)
        ++m_switching;
    else if (slice.stalled)
        ++m_stalled;
    else
        ++m_running;
}

void ParallelismMeter::slice(CoreId, Slice const& slice)
{
    advance_to(slice.end);
    if (slice.switching)
        --m_switching;
    else if (slice.stalled)
        --m_stalled;
    else
        --m_running;
}

Parallelism ParallelismMeter::finish(Tick end)
{
    Parallelism result;
    if (end <= 0)
        return result;
    advance_to(end);
    result.concurrency = m_alive / static_cast<double>(end);
    result.parallelism = m_work / static_cast<double>(end);
    result.stalled = m_stall / static_cast<double>(end);
    result.peak_concurrency = m_peak_concurrency;
    result.peak_parallelism = m_peak_parallelism;
    return result;
}

namespace {

// The keys an event may have, in the order the document sorts them (nlohmann::json keeps an
// object's keys in std::map order: by bytes).
enum Key : std::uint8_t {
    k_base,
    k_by,
    k_cause,
    k_core,
    k_from_core,
    k_handed_over,
    k_holder,
    k_joins,
    k_kind,
    k_line,
    k_memory,
    k_message,
    k_mutex,
    k_on,
    k_process,
    k_reason,
    k_slice,
    k_spawned,
    k_task,
    k_tasks,
    k_text,
    k_thread,
    k_tick,
    k_transfers,
    k_until,
    k_value,
    k_variable,
    key_count
};

constexpr std::array<std::string_view, key_count> s_keys { "base", "by", "cause", "core", "from_core", "handed_over",
    "holder", "joins", "kind", "line", "memory", "message", "mutex", "on", "process", "reason", "slice", "spawned",
    "task", "tasks", "text", "thread", "tick", "transfers", "until", "value", "variable" };

// The fields of one event, each a number, a boolean or a string already in JSON form.
class Fields {
public:
    void number(Key key, std::int64_t value)
    {
        m_slots[key] = Slot::Number;
        m_numbers[key] = value;
    }
    void boolean(Key key, bool value) { m_slots[key] = value ? Slot::True : Slot::False; }
    void raw(Key key, std::string_view json)
    {
        m_slots[key] = Slot::Raw;
        m_raw[key] = json;
    }
    // A string that needs quoting; kept alive until the event is written.
    void text(Key key, std::string_view text)
    {
        m_owned[m_used] = json_string(text);
        raw(key, m_owned[m_used++]);
    }

    // As nlohmann's dump(2) writes the object, each line indented 4 more (an array element).
    void write(std::string& out) const
    {
        out += "    {";
        bool first = true;
        for (std::size_t key = 0; key < key_count; ++key) {
            if (m_slots[key] == Slot::None)
                continue;
            out += first ? "\n      \"" : ",\n      \"";
            first = false;
            out += s_keys[key];
            out += "\": ";
            switch (m_slots[key]) {
            case Slot::Number: fmt::format_to(std::back_inserter(out), "{}", m_numbers[key]); break;
            case Slot::True: out += "true"; break;
            case Slot::False: out += "false"; break;
            case Slot::Raw: out += m_raw[key]; break;
            case Slot::None: break;
            }
        }
        out += "\n    }";
    }

private:
    enum class Slot : std::uint8_t { None, Number, True, False, Raw };
    std::array<Slot, key_count> m_slots {};
    std::array<std::int64_t, key_count> m_numbers {};
    std::array<std::string_view, key_count> m_raw {};
    std::array<std::string, 4> m_owned;
    std::size_t m_used = 0;
};

}

JsonStreamWriter::JsonStreamWriter(Trace const& trace)
    : m_trace(trace)
    , m_meter(trace)
{
    m_thread_names.reserve(trace.threads.size());
    for (auto const& thread : trace.threads)
        m_thread_names.push_back(json_string(thread.display_name));
    m_process_names.reserve(trace.processes.size());
    for (auto const& process : trace.processes)
        m_process_names.push_back(json_string(process.name));
    for (auto kind = 0; kind < event_kind_count; ++kind)
        m_kind_names.push_back(json_string(to_string(static_cast<EventKind>(kind))));
    m_file = std::tmpfile();
    if (m_file == nullptr)
        m_error = fmt::format("cannot make a temporary file for the events: {}", std::strerror(errno));
    m_buffer.reserve(1 << 20);
}

JsonStreamWriter::~JsonStreamWriter()
{
    if (m_file != nullptr)
        std::fclose(m_file);
}

void JsonStreamWriter::flush()
{
    if (m_buffer.empty())
        return;
    if (m_file != nullptr && m_error.empty()) {
        if (std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file) != m_buffer.size())
            m_error = fmt::format("cannot write the events to a temporary file: {}", std::strerror(errno));
        m_spilled += static_cast<std::int64_t>(m_buffer.size());
    }
    m_buffer.clear();
}

// As event_json (json.cpp) fills the object.
void JsonStreamWriter::event(Event const& event)
{
    m_meter.event(event);
    auto const& trace = m_trace;
    auto name = [&](std::int64_t id) -> std::string_view { return m_thread_names[static_cast<std::size_t>(id)]; };
    Fields out;
    out.number(k_tick, event.tick);
    out.raw(k_kind, m_kind_names[static_cast<std::size_t>(event.kind)]);
    if (event.core != no_core)
        out.number(k_core, event.core);
    if (event.process != no_process)
        out.raw(k_process, m_process_names[static_cast<std::size_t>(event.process)]);
    if (event.thread != no_thread)
        out.raw(k_thread, name(event.thread));
    if (event.line != 0)
        out.number(k_line, event.line);
    switch (event.kind) {
    case EventKind::ProcessArrive:
    case EventKind::ProcessWait:
    case EventKind::ProcessAdmit: out.number(k_memory, event.value); break;
    case EventKind::ProcessExit:
        out.raw(k_cause, static_cast<ExitCause>(event.value) == ExitCause::ExitInstruction ? "\"exit\""
                : static_cast<ExitCause>(event.value) == ExitCause::Fault                  ? "\"fault\""
                                                                                           : "\"finished\"");
        break;
    case EventKind::ProcessLoad:
        out.number(k_base, event.value);
        out.number(k_transfers, trace.processes[static_cast<std::size_t>(event.process)].load_transfers);
        break;
    case EventKind::VarRead:
    case EventKind::VarWrite:
        out.text(k_variable, object_name(trace, event));
        out.number(k_value, event.value);
        break;
    case EventKind::LockAcquire:
        out.text(k_mutex, object_name(trace, event));
        out.boolean(k_handed_over, event.value != 0);
        break;
    case EventKind::LockRelease: out.text(k_mutex, object_name(trace, event)); break;
    case EventKind::LockWait:
        out.text(k_mutex, object_name(trace, event));
        out.raw(k_holder, name(event.value));
        break;
    case EventKind::Spawn: out.raw(k_spawned, name(event.value)); break;
    case EventKind::JoinWait: out.raw(k_joins, name(event.value)); break;
    case EventKind::Fault:
    case EventKind::Deadlock: out.text(k_message, trace.text(event)); break;
    case EventKind::CacheWarm:
    case EventKind::CacheEvict: break;
    case EventKind::Dispatch:
        if (event.value != 0)
            out.number(k_slice, event.value);
        break;
    case EventKind::Migrate: out.number(k_from_core, event.value); break;
    case EventKind::Preempt:
        out.raw(k_reason, static_cast<PreemptCause>(event.value) == PreemptCause::SliceEnded ? "\"slice-ended\""
                : static_cast<PreemptCause>(event.value) == PreemptCause::Yielded            ? "\"yield\""
                                                                                             : "\"policy\"");
        break;
    case EventKind::Block:
        out.number(k_until, event.value);
        out.text(k_on, wait_mnemonic(trace, event));
        break;
    case EventKind::ThreadKilled: out.raw(k_by, name(event.value)); break;
    case EventKind::Print: out.text(k_text, trace.text(event)); break;
    case EventKind::TaskStart:
    case EventKind::TaskRun:
    case EventKind::TaskDone: out.text(k_task, task_label(trace, event)); break;
    case EventKind::TaskAwait: {
        out.text(k_task, task_label(trace, event));
        auto const& code = trace.threads[static_cast<std::size_t>(event.thread)].code;
        auto opcode = code[static_cast<std::size_t>(event.pc)].opcode;
        out.text(k_on, opcode_info(opcode).mnemonic);
        if (opcode_info(opcode).operand == OperandKind::Calls)
            out.number(k_tasks, event.value);
        else
            out.number(k_until, event.value);
        break;
    }
    case EventKind::GilAcquire: out.boolean(k_handed_over, event.value != 0); break;
    case EventKind::GilRelease:
        out.raw(k_reason, static_cast<GilReleaseCause>(event.value) == GilReleaseCause::Blocked ? "\"blocked\""
                : static_cast<GilReleaseCause>(event.value) == GilReleaseCause::Ended          ? "\"ended\""
                                                                                                : "\"interval\"");
        break;
    case EventKind::GilWait: out.raw(k_holder, name(event.value)); break;
    case EventKind::ThreadReady:
        if (static_cast<ReadyCause>(event.value) == ReadyCause::Spawned)
            out.boolean(k_spawned, true);
        break;
    case EventKind::Wake:
    case EventKind::ThreadExit:
    case EventKind::TickLimit: break;
    }
    m_buffer += m_events == 0 ? "[\n" : ",\n";
    ++m_events;
    out.write(m_buffer);
    if (m_buffer.size() >= (1 << 20) - 4096)
        flush();
}

void JsonStreamWriter::write(std::ostream& out, Trace const& trace, Metrics const& metrics)
{
    flush();
    auto frame = json_frame(trace, metrics, m_meter.finish(trace.end));
    out << frame.before;
    if (m_events == 0) {
        out << "[]";
    } else if (m_file != nullptr && m_error.empty()) {
        std::rewind(m_file);
        std::vector<char> chunk(1 << 20);
        for (;;) {
            auto count = std::fread(chunk.data(), 1, chunk.size(), m_file);
            if (count == 0)
                break;
            out.write(chunk.data(), static_cast<std::streamsize>(count));
        }
        if (std::ferror(m_file) != 0)
            m_error = fmt::format("cannot read the events back from their temporary file: {}", std::strerror(errno));
        out << "\n  ]";
    }
    out << frame.after;
}

CsvStreamWriter::CsvStreamWriter(std::ostream& out, Trace const& trace)
    : m_out(out)
    , m_trace(&trace)
    , m_open(trace.core_slices.size())
    , m_cells(trace.core_slices.size())
{
    // As render_csv_ticks writes the header.
    std::string header = "tick";
    for (std::size_t core = 0; core < trace.core_slices.size(); ++core)
        header += fmt::format(",{}", csv_field(fmt::format("core{}", core)));
    header += ",ready,blocked\n";
    m_out << header;
    for (auto& open : m_open)
        open.thread = no_thread;
}

void CsvStreamWriter::rows_before(Tick tick)
{
    if (tick <= m_next_row)
        return;
    // Every row until `tick` is the same but for its tick number.
    m_row.clear();
    for (auto const& cell : m_cells) {
        m_row += ',';
        m_row += cell;
    }
    m_row += ',';
    m_row += csv_field(m_ready);
    m_row += ',';
    std::string blocked;
    for (ThreadId id : m_blocked) {
        if (!blocked.empty())
            blocked += ' ';
        blocked += m_trace->name(id);
    }
    m_row += csv_field(blocked);
    m_row += '\n';
    std::string out;
    for (; m_next_row < tick; ++m_next_row) {
        fmt::format_to(std::back_inserter(out), "{}", m_next_row);
        out += m_row;
        if (out.size() >= (1 << 20)) {
            m_out << out;
            out.clear();
        }
    }
    m_out << out;
}

// As render_csv_ticks follows the events.
void CsvStreamWriter::event(Event const& event)
{
    rows_before(event.tick);
    follow_blocked(m_blocked, *m_trace, event);
}

void CsvStreamWriter::slice_begins(CoreId core, Slice const& slice)
{
    rows_before(slice.start);
    auto index = static_cast<std::size_t>(core);
    m_open[index] = slice;
    auto const& name = m_trace->name(slice.thread);
    m_cells[index] = csv_field(slice.switching ? "switch to " + name : slice.stalled ? name + " (bus wait)" : name);
}

void CsvStreamWriter::slice(CoreId core, Slice const& slice)
{
    rows_before(slice.end);
    auto index = static_cast<std::size_t>(core);
    m_open[index].thread = no_thread;
    m_cells[index].clear();
}

void CsvStreamWriter::queues(Tick tick, std::vector<ReadyQueue> const& queues)
{
    rows_before(tick);
    if (queues == m_queues)
        return;
    m_queues = queues;
    m_ready.clear();
    for (auto const& queue : m_queues)
        for (ThreadId id : queue.threads) {
            if (!m_ready.empty())
                m_ready += ' ';
            m_ready += m_trace->name(id);
        }
}

void CsvStreamWriter::finish(Trace const& trace)
{
    m_trace = &trace;
    rows_before(trace.end);
}

}
