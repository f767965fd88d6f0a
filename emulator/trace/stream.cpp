#include "trace/stream.hpp"

#include "io/safe_write.hpp"

#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <type_traits>
#include <unistd.h>

namespace tl {

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

// The fields of one event: a number, a boolean, a string already in JSON form or a text to
// quote, each under its key. Only the keys in `present` are set; the rest is not even
// zeroed, so that an event costs only its own fields.
struct Fields {
    enum class Slot : std::uint8_t { Number, True, False, Raw, Name, Text };

    void number(Key key, std::int64_t value)
    {
        present |= 1U << key;
        slots[key] = Slot::Number;
        numbers[key] = value;
    }
    void boolean(Key key, bool value)
    {
        present |= 1U << key;
        slots[key] = value ? Slot::True : Slot::False;
    }
    void raw(Key key, std::string_view json)
    {
        present |= 1U << key;
        slots[key] = Slot::Raw;
        strings[key] = { json.data(), json.size() };
    }
    // JSON from the writer's names, which may be read past their end (see m_arena).
    void name(Key key, std::string_view json)
    {
        present |= 1U << key;
        slots[key] = Slot::Name;
        strings[key] = { json.data(), json.size() };
    }
    // A string that needs quoting (and maybe escaping) as it is written.
    void text(Key key, std::string_view text)
    {
        present |= 1U << key;
        slots[key] = Slot::Text;
        strings[key] = { text.data(), text.size() };
    }

    // Plain arrays, left uninitialised (a std::string_view would be zeroed, 27 of them).
    struct String {
        char const* data;
        std::size_t size;
        operator std::string_view() const { return { data, size }; }
    };

    std::uint32_t present = 0;
    std::array<Slot, key_count> slots;
    std::array<std::int64_t, key_count> numbers;
    std::array<String, key_count> strings;
};
static_assert(key_count <= 32);

// Whether json_string(text) is `text` in quotes: printable ASCII without quote or backslash.
bool plain_ascii(std::string_view text)
{
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\')
            return false;
    }
    return true;
}

// An event as a record of the temporary file: its kind, whose two high bits say that the
// event's process is its thread's and that its line is line_at_pc (neither is then written), a
// byte saying which other fields differ from an Event's defaults, then those fields as
// variable-length integers (7 bits a byte; the core, process and thread as unsigned 32-bit
// numbers, the others zigzagged), the tick as the step from the event before. The headline's
// events take about 7 bytes each, where their JSON takes about 170.
enum RecordKind : std::uint8_t {
    r_own_process = 1 << 6,
    r_line_at_pc = 1 << 7,
};
enum RecordField : std::uint8_t {
    r_core = 1 << 0,
    r_process = 1 << 1,
    r_thread = 1 << 2,
    r_line = 1 << 3,
    r_pc = 1 << 4,
    r_value = 1 << 5,
    r_text = 1 << 6,
    r_more = 1 << 7, // a second byte of flags follows: r_task, r_object
};
enum RecordField2 : std::uint8_t { r_task = 1 << 0, r_object = 1 << 1 };
static_assert(event_kind_count <= r_own_process);
constexpr std::size_t max_record = 3 + 10 * 10; // kind, two flag bytes, ten integers

std::uint64_t zigzag(std::int64_t value)
{
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value)
{
    return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

unsigned char* put_varint(unsigned char* at, std::uint64_t value)
{
    while (value >= 0x80) {
        *at++ = static_cast<unsigned char>(value | 0x80);
        value >>= 7;
    }
    *at++ = static_cast<unsigned char>(value);
    return at;
}

unsigned char const* get_varint(unsigned char const* at, std::uint64_t& value)
{
    value = 0;
    for (int shift = 0;; shift += 7) {
        auto byte = *at++;
        value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0)
            return at;
    }
}

// Writes `record` for `event`, whose tick follows `last_tick` and whose thread belongs to
// `own_process`; answers its end.
unsigned char* encode(unsigned char* record, Event const& event, Tick last_tick, ProcessId own_process)
{
    auto* at = record;
    auto* kind = at++;
    *kind = static_cast<unsigned char>(event.kind);
    auto* flags = at++;
    std::uint8_t more = 0;
    *flags = 0;
    at = put_varint(at, zigzag(event.tick - last_tick));
    auto id = [&](std::uint8_t flag, std::int32_t value, std::int32_t absent) {
        if (value == absent)
            return;
        *flags |= flag;
        at = put_varint(at, static_cast<std::uint32_t>(value));
    };
    auto field = [&](std::uint8_t flag, std::int64_t value, std::int64_t absent) {
        if (value == absent)
            return;
        *flags |= flag;
        at = put_varint(at, zigzag(value));
    };
    id(r_core, event.core, no_core);
    if (event.process != no_process && event.process == own_process)
        *kind |= r_own_process;
    else
        id(r_process, event.process, no_process);
    id(r_thread, event.thread, no_thread);
    if (event.line == line_at_pc)
        *kind |= r_line_at_pc;
    else
        field(r_line, event.line, 0);
    field(r_pc, event.pc, -1);
    field(r_value, event.value, 0);
    field(r_text, event.text, -1);
    if (event.task != -1 || event.object != -1) {
        *flags |= r_more;
        auto* second = at++;
        if (event.task != -1)
            more |= r_task, at = put_varint(at, zigzag(event.task));
        if (event.object != -1)
            more |= r_object, at = put_varint(at, zigzag(event.object));
        *second = more;
    }
    return at;
}

// Reads the record at `record` into `event` (whose tick is the one before); answers its end.
// Its process, when it is its thread's, is left to the caller: answers whether it is.
unsigned char const* decode(unsigned char const* record, Event& event, bool& own_process)
{
    auto const* at = record;
    Tick tick = event.tick;
    event = Event {};
    auto kind = *at++;
    event.kind = static_cast<EventKind>(kind & (r_own_process - 1));
    own_process = (kind & r_own_process) != 0;
    if ((kind & r_line_at_pc) != 0)
        event.line = line_at_pc;
    auto flags = *at++;
    std::uint64_t value = 0;
    at = get_varint(at, value);
    event.tick = tick + unzigzag(value);
    auto id = [&](std::uint8_t flag, std::int32_t& out) {
        if ((flags & flag) == 0)
            return;
        at = get_varint(at, value);
        out = static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
    };
    auto field = [&](std::uint8_t flag, auto& out) {
        if ((flags & flag) == 0)
            return;
        at = get_varint(at, value);
        out = static_cast<std::remove_reference_t<decltype(out)>>(unzigzag(value));
    };
    id(r_core, event.core);
    id(r_process, event.process);
    id(r_thread, event.thread);
    field(r_line, event.line);
    field(r_pc, event.pc);
    field(r_value, event.value);
    field(r_text, event.text);
    if ((flags & r_more) != 0) {
        auto more = *at++;
        if ((more & r_task) != 0)
            at = get_varint(at, value), event.task = static_cast<std::int32_t>(unzigzag(value));
        if ((more & r_object) != 0)
            at = get_varint(at, value), event.object = static_cast<std::int32_t>(unzigzag(value));
    }
    return at;
}

// A preemption's reason, as JSON.
std::string_view preempt_reason(std::int64_t cause)
{
    return static_cast<PreemptCause>(cause) == PreemptCause::SliceEnded ? "\"slice-ended\""
        : static_cast<PreemptCause>(cause) == PreemptCause::Yielded      ? "\"yield\""
                                                                         : "\"policy\"";
}

constexpr auto s_digit_pairs = [] {
    std::array<char, 200> pairs {};
    for (std::size_t i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

constexpr auto s_powers_of_ten = [] {
    std::array<std::uint64_t, 20> powers {};
    powers[0] = 1;
    for (std::size_t i = 1; i < powers.size(); ++i)
        powers[i] = powers[i - 1] * 10;
    return powers;
}();

// `value` in decimal at `at`, as std::to_chars writes it (at most 20 bytes); answers its end.
char* put_decimal(char* at, std::int64_t value)
{
    if (value < 0)
        return std::to_chars(at, at + 20, value).ptr;
    auto rest = static_cast<std::uint64_t>(value);
    if (rest < 10) {
        *at = static_cast<char>('0' + rest);
        return at + 1;
    }
    std::size_t digits = 2;
    while (digits < s_powers_of_ten.size() && rest >= s_powers_of_ten[digits])
        ++digits;
    auto* end = at + digits;
    auto* next = end;
    while (rest >= 100) {
        next -= 2;
        std::memcpy(next, &s_digit_pairs[2 * (rest % 100)], 2);
        rest /= 100;
    }
    if (rest >= 10) {
        next -= 2;
        std::memcpy(next, &s_digit_pairs[2 * rest], 2);
    } else {
        *--next = static_cast<char>('0' + rest);
    }
    return end;
}

// write(2) of all of it, again after a signal.
bool write_all(int fd, unsigned char const* data, std::size_t size)
{
    while (size > 0) {
        auto written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

}

JsonStreamWriter::JsonStreamWriter(Trace const& trace, std::size_t buffer_bytes)
    : m_meter(trace)
    , m_capacity(std::max(buffer_bytes, min_buffer))
    , m_records(std::make_unique<unsigned char[]>(m_capacity))
    , m_record_end(m_records.get())
    , m_text(std::make_unique<char[]>(m_capacity + routine_room))
    , m_pos(m_text.get())
    , m_end(m_text.get() + m_capacity)
{
    static_assert(min_buffer >= 2 * max_record);
    // Before each key: the comma that ends the field before it (dropped for the first), the
    // newline and indentation of an array element's field (nlohmann's dump(2), 4 more spaces
    // in), the key, and the colon.
    std::vector<std::size_t> ends;
    for (auto key : s_keys) {
        m_arena.append(",\n      \"").append(key).append("\": ");
        ends.push_back(m_arena.size());
    }
    for (auto kind = 0; kind < event_kind_count; ++kind) {
        m_arena += json_string(to_string(static_cast<EventKind>(kind)));
        ends.push_back(m_arena.size());
    }
    for (auto const& thread : trace.threads) {
        m_arena += json_string(thread.display_name);
        ends.push_back(m_arena.size());
    }
    for (auto const& process : trace.processes) {
        m_arena += json_string(process.name);
        ends.push_back(m_arena.size());
    }
    m_arena.append(name_padding, ' ');
    std::size_t start = 0;
    std::size_t index = 0;
    auto next = [&] {
        std::string_view name(m_arena.data() + start, ends[index] - start);
        start = ends[index++];
        return name;
    };
    for (std::size_t key = 0; key < key_count; ++key)
        m_key_prefixes.push_back(next());
    for (auto kind = 0; kind < event_kind_count; ++kind)
        m_kind_names.push_back(next());
    for (std::size_t thread = 0; thread < trace.threads.size(); ++thread)
        m_thread_names.push_back(next());
    for (std::size_t process = 0; process < trace.processes.size(); ++process)
        m_process_names.push_back(next());

    std::size_t lines = 0;
    for (auto const& thread : trace.threads)
        lines += thread.code.size();
    m_lines.reserve(lines);
    m_opcodes.reserve(lines);
    m_code_starts.reserve(trace.threads.size() + 1);
    for (auto const& thread : trace.threads) {
        m_thread_processes.push_back(thread.process);
        m_code_starts.push_back(m_lines.size());
        for (auto const& instruction : thread.code) {
            m_lines.push_back(instruction.where.line);
            m_opcodes.push_back(instruction.opcode);
        }
    }
    m_code_starts.push_back(m_lines.size());

    auto piece = [&](std::string_view text) {
        Piece made;
        if (text.size() > made.bytes.size()) {
            m_routine = false;
            return made;
        }
        std::memcpy(made.bytes.data(), text.data(), text.size());
        made.size = text.size();
        return made;
    };
    auto key = [&](Key key) { return std::string(m_key_prefixes[key]); };
    m_open = piece(",\n    {" + key(k_core).substr(1));
    m_from_core_key = piece(key(k_from_core));
    constexpr std::array<EventKind, 3> kinds { EventKind::Dispatch, EventKind::Migrate, EventKind::Preempt };
    for (std::size_t kind = 0; kind < kinds.size(); ++kind) {
        auto text = key(k_kind) + std::string(m_kind_names[static_cast<std::size_t>(kinds[kind])]);
        m_kind[kind] = piece(text);
        m_kind_line[kind] = piece(text + key(k_line));
    }
    m_process_key = piece(key(k_process));
    m_slice_key = piece(key(k_slice));
    for (std::size_t cause = 0; cause < m_reason_thread.size(); ++cause)
        m_reason_thread[cause] = piece(key(k_reason) + std::string(preempt_reason(static_cast<std::int64_t>(cause))) + key(k_thread));
    m_thread_key = piece(key(k_thread));
    // The tick's key, at most 20 digits, and the event's end.
    if (m_key_prefixes[k_tick].size() + 20 + 6 > m_tick_end.bytes.size())
        m_routine = false;
    else
        set_tick_end(0);
}

JsonStreamWriter::~JsonStreamWriter()
{
    if (m_file != nullptr)
        std::fclose(m_file);
}

void JsonStreamWriter::event(Event const& event)
{
    m_meter.event(event);
    if (static_cast<std::size_t>(m_records.get() + m_capacity - m_record_end) < max_record)
        spill();
    auto own_process = event.thread != no_thread ? m_thread_processes[event.thread] : no_process;
    m_record_end = encode(m_record_end, event, m_last_tick, own_process);
    m_last_tick = event.tick;
    ++m_events;
}

// The records to the temporary file, made when they first fill the buffer.
void JsonStreamWriter::spill()
{
    auto size = static_cast<std::size_t>(m_record_end - m_records.get());
    m_record_end = m_records.get();
    if (size == 0 || !m_error.empty())
        return;
    if (m_file == nullptr) {
        std::string why;
        m_file = scratch_file("the events", why);
        if (m_file == nullptr) {
            m_error = why;
            return;
        }
    }
    if (!write_all(fileno(m_file), m_records.get(), size))
        m_error = fmt::format("cannot write the events to a temporary file: {}", std::strerror(errno));
    m_spilled += static_cast<std::int64_t>(size);
}

// A failed write leaves the stream failed, for the caller to see (the command line says so
// for standard output, whatever wrote to it); the events are not formatted any further.
void JsonStreamWriter::flush_text()
{
    if (m_out != nullptr && *m_out && m_error.empty())
        m_out->write(m_text.get(), m_pos - m_text.get());
    m_pos = m_text.get();
}

void JsonStreamWriter::put_long(std::string_view text)
{
    flush_text();
    if (text.size() > m_capacity) {
        if (m_out != nullptr && *m_out && m_error.empty())
            m_out->write(text.data(), static_cast<std::streamsize>(text.size()));
        return;
    }
    std::memcpy(m_pos, text.data(), text.size());
    m_pos += text.size();
}

void JsonStreamWriter::put_number(std::int64_t value)
{
    if (m_end - m_pos < 24)
        flush_text();
    m_pos = std::to_chars(m_pos, m_end, value).ptr;
}

void JsonStreamWriter::put_text(std::string_view text)
{
    if (!plain_ascii(text)) {
        put(json_string(text));
        return;
    }
    put("\"");
    put(text);
    put("\"");
}

// As event_json (json.cpp) fills the object, and nlohmann's dump(2) writes it.
void JsonStreamWriter::format(Trace const& trace, Event const& event)
{
    auto name = [&](std::int64_t id) -> std::string_view { return m_thread_names[static_cast<ThreadId>(id)]; };
    Fields out;
    out.number(k_tick, event.tick);
    out.name(k_kind, m_kind_names[static_cast<std::size_t>(event.kind)]);
    if (event.core != no_core)
        out.number(k_core, event.core);
    if (event.process != no_process)
        out.name(k_process, m_process_names[event.process]);
    if (event.thread != no_thread)
        out.name(k_thread, name(event.thread));
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
        out.number(k_transfers, trace.processes[event.process].load_transfers);
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
        out.name(k_holder, name(event.value));
        break;
    case EventKind::Spawn: out.name(k_spawned, name(event.value)); break;
    case EventKind::JoinWait: out.name(k_joins, name(event.value)); break;
    case EventKind::Fault:
    case EventKind::Deadlock: out.text(k_message, trace.text(event)); break;
    case EventKind::CacheWarm:
    case EventKind::CacheEvict: break;
    case EventKind::Dispatch:
        if (event.value != 0)
            out.number(k_slice, event.value);
        break;
    case EventKind::Migrate: out.number(k_from_core, event.value); break;
    case EventKind::Preempt: out.raw(k_reason, preempt_reason(event.value)); break;
    case EventKind::Block:
        out.number(k_until, event.value);
        out.text(k_on, wait_mnemonic(event.kind, opcode_at(event.thread, event.pc)));
        break;
    case EventKind::ThreadKilled: out.name(k_by, name(event.value)); break;
    case EventKind::Print: out.text(k_text, trace.text(event)); break;
    case EventKind::TaskStart:
    case EventKind::TaskRun:
    case EventKind::TaskDone: out.text(k_task, task_label(trace, event)); break;
    case EventKind::TaskAwait: {
        out.text(k_task, task_label(trace, event));
        auto opcode = trace.instruction_at(event.thread, event.pc)->opcode;
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
    case EventKind::GilWait: out.name(k_holder, name(event.value)); break;
    case EventKind::ThreadReady:
        if (static_cast<ReadyCause>(event.value) == ReadyCause::Spawned)
            out.boolean(k_spawned, true);
        break;
    case EventKind::Wake:
    case EventKind::ThreadExit:
    case EventKind::TickLimit: break;
    }

    put("    {");
    bool first = true;
    for (auto keys = out.present; keys != 0; keys &= keys - 1) {
        auto key = static_cast<std::size_t>(std::countr_zero(keys));
        auto prefix = m_key_prefixes[key];
        put_name(first ? prefix.substr(1) : prefix);
        first = false;
        switch (out.slots[key]) {
        case Fields::Slot::Number: put_number(out.numbers[key]); break;
        case Fields::Slot::True: put("true"); break;
        case Fields::Slot::False: put("false"); break;
        case Fields::Slot::Raw: put(out.strings[key]); break;
        case Fields::Slot::Name: put_name(out.strings[key]); break;
        case Fields::Slot::Text: put_text(out.strings[key]); break;
        }
    }
    put("\n    }");
}

namespace {

char* put_piece(char* at, std::array<char, 64> const& bytes, std::size_t size)
{
    std::memcpy(at, bytes.data(), bytes.size());
    return at + size;
}

}

void JsonStreamWriter::set_tick_end(Tick tick)
{
    auto tick_key = m_key_prefixes[k_tick];
    auto* end = m_tick_end.bytes.data();
    std::memcpy(end, tick_key.data(), tick_key.size());
    end = put_decimal(end + tick_key.size(), tick);
    std::memcpy(end, "\n    }", 6);
    m_tick_end.size = index_of(end + 6 - m_tick_end.bytes.data());
    m_tick_end_of = tick;
}

bool JsonStreamWriter::format_routine(Event const& event)
{
    std::size_t kind = 0;
    switch (event.kind) {
    case EventKind::Dispatch: kind = 0; break;
    case EventKind::Migrate: kind = 1; break;
    case EventKind::Preempt:
        kind = 2;
        if (event.value < 0 || static_cast<std::uint64_t>(event.value) >= m_reason_thread.size())
            return false;
        break;
    default: return false;
    }
    if (!m_routine || event.core == no_core || event.process == no_process || event.thread == no_thread)
        return false;
    auto thread = m_thread_names[event.thread];
    auto process = m_process_names[event.process];
    if (thread.size() > name_padding || process.size() > name_padding)
        return false;
    // The keys in order: core, from_core, kind, line, process, reason, slice, thread, tick.
    // m_pos is at most m_end: there is routine_room past it.
    auto* at = m_pos;
    auto piece = [&](Piece const& piece) { at = put_piece(at, piece.bytes, piece.size); };
    auto name = [&](std::string_view name) {
        std::memcpy(at, name.data(), name_padding);
        at += name.size();
    };
    piece(m_open);
    at = put_decimal(at, event.core);
    if (kind == 1) {
        piece(m_from_core_key);
        at = put_decimal(at, event.value);
    }
    if (event.line != 0) {
        piece(m_kind_line[kind]);
        at = put_decimal(at, event.line);
    } else {
        piece(m_kind[kind]);
    }
    piece(m_process_key);
    name(process);
    if (kind == 0 && event.value != 0) {
        piece(m_slice_key);
        at = put_decimal(at, event.value);
    }
    piece(kind == 2 ? m_reason_thread[index_of(event.value)] : m_thread_key);
    name(thread);
    if (event.tick != m_tick_end_of)
        set_tick_end(event.tick);
    piece(m_tick_end);
    m_pos = at;
    if (m_pos > m_end)
        flush_text();
    return true;
}

// Reads the records back (from the buffer alone when they never left it, else from the
// temporary file through the buffer) and formats each event.
void JsonStreamWriter::write_events(Trace const& trace)
{
    put("[\n");
    auto const* at = static_cast<unsigned char const*>(m_records.get());
    auto const* end = static_cast<unsigned char const*>(m_record_end);
    std::int64_t offset = 0;
    if (m_file != nullptr) {
        spill();
        at = end = m_records.get();
    }
    // The events go in batches: decoded first, each one's line and names asked of the memory
    // (the tables are large, the thread random), then formatted once they have come.
    constexpr std::size_t batch = 16;
    std::array<Event, batch> events;
    std::array<std::int32_t const*, batch> lines {};
    Event event;
    for (std::int64_t index = 0; index < m_events && m_error.empty() && *m_out;) {
        std::size_t count = 0;
        for (; count < batch && index + static_cast<std::int64_t>(count) < m_events; ++count) {
            if (m_file != nullptr && index_of(end - at) < max_record && offset < m_spilled) {
                // Refill: the part of a record left at the end of the buffer moves to its start.
                auto left = index_of(end - at);
                std::memmove(m_records.get(), at, left);
                auto want = std::min<std::int64_t>(static_cast<std::int64_t>(m_capacity - left), m_spilled - offset);
                ssize_t got = 0;
                do
                    got = ::pread(fileno(m_file), m_records.get() + left, index_of(want), offset);
                while (got < 0 && errno == EINTR);
                if (got <= 0) {
                    m_error = fmt::format("cannot read the events back from their temporary file: {}",
                        got == 0 ? "it is shorter than what was written" : std::strerror(errno));
                    return;
                }
                offset += got;
                at = m_records.get();
                end = at + left + got;
            }
            bool own_process = false;
            at = decode(at, event, own_process);
            if (own_process)
                event.process = m_thread_processes[event.thread];
            lines[count] = nullptr;
            if (event.thread != no_thread) {
                if (event.line == line_at_pc) {
                    lines[count] = line_slot(event.thread, event.pc);
                    __builtin_prefetch(lines[count]);
                }
                __builtin_prefetch(&m_thread_names[event.thread]);
            }
            events[count] = event;
        }
        for (std::size_t i = 0; i < count; ++i)
            if (events[i].thread != no_thread)
                __builtin_prefetch(m_thread_names[events[i].thread].data());
        for (std::size_t i = 0; i < count; ++i, ++index) {
            auto& next = events[i];
            if (next.line == line_at_pc)
                next.line = lines[i] != nullptr ? *lines[i] : 0;
            if (index > 0 && format_routine(next))
                continue;
            if (index > 0)
                put(",\n");
            format(trace, next);
        }
    }
    put("\n  ]");
}

void JsonStreamWriter::write(std::ostream& out, Trace const& trace, Metrics const& metrics)
{
    auto frame = json_frame(trace, metrics, m_meter.finish(trace.end));
    m_out = &out;
    put(frame.before);
    if (m_events == 0)
        put("[]");
    else
        write_events(trace);
    put(frame.after);
    flush_text();
    m_out = nullptr;
}

}
