// The parser's blocks: where a line belongs (by its indentation), the headers that open a
// process, a thread or an async routine, the declarations of shared variables and mutexes,
// `repeat` blocks, and what is checked and kept when a block closes. One instruction line
// is parser_instructions.cpp's; names are resolved in parser_linking.cpp.

#include "lang/parser_internal.hpp"

namespace tl::parser_detail {

namespace {

// The unit of a size ("64K"): K, M or G (powers of 1024, either case) at the end of `digits`,
// which loses it; 1 when there is none.
std::uint64_t size_unit(std::string_view& digits)
{
    std::uint64_t unit = 1;
    if (!digits.empty()) {
        switch (digits.back()) {
        case 'K': case 'k': unit = 1024; break;
        case 'M': case 'm': unit = 1024 * 1024; break;
        case 'G': case 'g': unit = 1024 * 1024 * 1024; break;
        default: break;
        }
        if (unit != 1)
            digits.remove_suffix(1);
    }
    return unit;
}

}

void Parser::line(LexedLine const& line)
{
    if (line.tokens.empty())
        return; // blank or only a comment

    auto const& first = line.tokens.front();
    if (line.tab_column != 0 || first.kind == TokenKind::Error) {
        if (line.tab_column != 0)
            error_at(line.tab_column, "tabs are not allowed in indentation; indent with spaces");
        else
            error_at(first, "");
        // The line belongs to whatever block is open, so that block is not also reported as
        // empty.
        if (m_process) {
            ++m_process->body_lines;
            if (m_process->thread)
                ++m_process->thread->body_lines;
        }
        return;
    }

    if (line.indent == 0) {
        column_one_line(line);
        return;
    }

    if (!m_process) {
        if (first.kind == TokenKind::Word && opcode_from_mnemonic(first.raw))
            error_at(first.column,
                fmt::format("instruction {} comes before any process; start the program with 'process NAME'",
                    quoted(first)));
        else
            error_at(first.column,
                "this line is indented, but no process has started yet; start the program with 'process NAME' "
                "at the start of a line");
        // The lines that follow are most likely the body of the process the learner forgot;
        // parse them as such instead of reporting each one as out of place.
        open_dummy_process(line.indent);
        return;
    }

    auto& process = *m_process;
    ++process.body_lines;
    if (process.child_indent < 0)
        process.child_indent = line.indent;

    if (is_word(first, keyword_process)) {
        error_at(first.column, "'process' lines must start at the beginning of the line, without indentation");
        return;
    }

    if (line.indent < process.child_indent) {
        inconsistent_indent(line, process.child_indent);
        return;
    }

    if (line.indent == process.child_indent) {
        if (is_word(first, keyword_thread)) {
            close_repeats(process.direct, process.direct_repeats);
            thread_header(line);
            return;
        }
        if (is_word(first, keyword_async)) {
            close_repeats(process.direct, process.direct_repeats);
            async_header(line);
            return;
        }
        if (is_word(first, keyword_shared) || is_word(first, keyword_mutex)) {
            close_repeats(process.direct, process.direct_repeats);
            declaration(line);
            return;
        }
        if (process.saw_thread) {
            error_at(first.column,
                fmt::format("{} has threads, so this instruction must be inside one of them; indent it under a "
                            "thread",
                    process_label()));
            return;
        }
        process.saw_direct = true;
        if (process.thread)
            close_thread(); // the async routine above ends here
        fit_block(line, process.direct, process.direct_repeats, process.child_indent);
        code_line(line, process.direct, process.direct_repeats, nullptr);
        return;
    }

    // Deeper than the process's children: the body of a repeat block written right under
    // the process, or of the open thread, if there is one.
    if (!process.thread && !process.direct_repeats.empty()) {
        if (fit_block(line, process.direct, process.direct_repeats, process.child_indent))
            code_line(line, process.direct, process.direct_repeats, nullptr);
        return;
    }
    if (!process.thread) {
        inconsistent_indent(line, process.child_indent);
        return;
    }
    auto& thread = *process.thread;
    ++thread.body_lines;
    if (thread.code_indent < 0)
        thread.code_indent = line.indent;
    if (!fit_block(line, thread.code, thread.repeats, thread.code_indent))
        return;
    if (is_word(first, keyword_thread)) {
        error_at(first.column,
            fmt::format("threads cannot be nested; a 'thread' line goes at {} spaces, like the other threads of "
                        "{}",
                process.child_indent, process_label()));
        return;
    }
    code_line(line, thread.code, thread.repeats, thread.is_async ? &thread : nullptr);
}

void Parser::code_line(LexedLine const& line, std::vector<Pending>& code, std::vector<Repeat>& repeats,
    OpenThread const* async_block)
{
    if (is_word(line.tokens.front(), keyword_repeat)) {
        repeat_header(line, code, repeats);
        return;
    }
    if (auto parsed = instruction(line, async_block))
        code.push_back(std::move(*parsed));
}

void Parser::column_one_line(LexedLine const& line)
{
    auto const& first = line.tokens.front();
    if (is_word(first, keyword_process)) {
        process_header(line);
        return;
    }
    bool no_process = !m_process;
    bool misplaced = first.kind == TokenKind::Word && opcode_from_mnemonic(first.raw).has_value();
    if (is_word(first, keyword_thread)) {
        error_at(first.column, no_process ? "a 'thread' line must be indented under a process; start the program "
                                            "with 'process NAME'"
                                          : "a 'thread' line must be indented under its process");
    } else if (first.kind == TokenKind::Word && opcode_from_mnemonic(first.raw)) {
        error_at(first.column,
            no_process
                ? fmt::format("instruction {} comes before any process; start the program with 'process NAME'",
                    quoted(first))
                : fmt::format("instruction {} must be indented under its process or thread", quoted(first)));
    } else if (first.kind == TokenKind::Word) {
        std::array<std::string_view, 1> keywords { keyword_process };
        error_at(first.column,
            fmt::format("expected 'process' at the start of the line, found {}{}", quoted(first),
                did_you_mean(closest(first.raw, keywords))));
    } else {
        error_at(first, fmt::format("expected 'process' at the start of the line, found {}", quoted(first)));
    }
    // An instruction at column 1 most likely lost its indentation: it still belongs to the
    // open process. Anything else (a thread line, a broken process header) has lines of its
    // own under it; they are parsed as the body of an unnamed process rather than being
    // blamed on the process before, which would report each of them once more.
    if (misplaced && !no_process)
        ++m_process->body_lines;
    else
        open_dummy_process(-1);
}

void Parser::open_dummy_process(int child_indent)
{
    close_process();
    m_process.emplace();
    m_process->poisoned = true;
    m_process->child_indent = child_indent;
}

void Parser::process_header(LexedLine const& line)
{
    close_process();
    m_saw_process_keyword = true;
    m_process.emplace();
    auto& process = *m_process;
    auto const& tokens = line.tokens;
    process.spec.where = { m_line, tokens[0].column };

    if (tokens.size() < 2) {
        error_at(tokens[0].end_column, "expected a process name after 'process'");
        process.poisoned = true;
        return;
    }
    auto const& name = tokens[1];
    if (name.kind != TokenKind::Word) {
        error_at(name, fmt::format("expected a process name after 'process', found {}", quoted(name)));
        process.poisoned = true;
        return;
    }
    if (!is_valid_name(name.raw)) {
        error_at(name.column,
            fmt::format("{} is not a valid process name; a name starts with a letter or '_' and goes on with "
                        "letters, digits, '_' or '-'",
                quoted(name)));
        process.poisoned = true;
        return;
    }
    process.spec.name = std::string(name.raw);
    process.name_where = { m_line, name.column };
    auto [first, inserted] = m_process_lines.emplace(process.spec.name, m_line);
    if (!inserted) {
        error_at(name.column,
            fmt::format("duplicate process name '{}'; the first '{}' is on line {}", process.spec.name,
                process.spec.name, first->second));
        // Still parse its body, so its own mistakes are reported too.
    }

    std::unordered_map<std::string_view, int> given; // attribute -> its column
    for (std::size_t i = 2; i < tokens.size();) {
        auto const& attribute = tokens[i];
        if (attribute.kind != TokenKind::Word || !is_valid_name(attribute.raw)) {
            error_at(attribute, fmt::format("unexpected {} after '{}'", quoted(attribute), text_up_to(line, i - 1)));
            return;
        }
        auto known = std::find(process_attributes.begin(), process_attributes.end(), attribute.raw);
        if (known == process_attributes.end()) {
            if (attribute.raw == "pin")
                error_at(attribute.column, "'pin' belongs on a 'thread' line, not on the process line");
            else
                error_at(attribute.column,
                    fmt::format("unknown process attribute {} (a process can have arrive, memory, priority, gil and working-set){}",
                        quoted(attribute), did_you_mean(closest(attribute.raw, process_attributes))));
            return;
        }
        if (auto seen = given.find(attribute.raw); seen != given.end()) {
            error_at(attribute.column,
                fmt::format("duplicate attribute '{}'; it was already given at column {}", attribute.raw, seen->second));
            return;
        }
        given.emplace(attribute.raw, attribute.column);

        if (attribute.raw == "working-set") {
            auto size = working_set(line, i + 1);
            if (!size)
                return;
            process.spec.working_set = *size;
            i += 2;
            continue;
        }
        if (attribute.raw == "gil") {
            // gil [interval N]
            process.spec.gil = true;
            if (i + 1 < tokens.size() && is_word(tokens[i + 1], "interval")) {
                if (i + 2 >= tokens.size()) {
                    error_at(tokens[i + 1].end_column, "expected a number of ticks after 'gil interval'");
                    return;
                }
                std::int64_t interval = 0;
                if (!parse_ticks(line, i + 2, "gil interval", false, interval))
                    return;
                process.spec.gil_interval = interval;
                i += 3;
            } else {
                i += 1;
            }
            continue;
        }

        if (i + 1 >= tokens.size()) {
            auto const* what = attribute.raw == "arrive" ? "an arrival tick"
                : attribute.raw == "memory"              ? "a memory size such as 64K"
                                                         : "a priority number";
            error_at(attribute.end_column, fmt::format("expected {} after '{}'", what, attribute.raw));
            return;
        }
        auto const& value = tokens[i + 1];

        if (attribute.raw == "arrive") {
            std::int64_t arrival = 0;
            if (!parse_ticks(line, i + 1, "arrive", true, arrival))
                return;
            process.spec.arrival = arrival;
        } else if (attribute.raw == "memory") {
            // SIZE: digits, then K, M or G (powers of 1024), either case.
            std::string_view digits = value.kind == TokenKind::Word ? value.raw : std::string_view();
            std::uint64_t unit = size_unit(digits);
            auto number = parse_whole_number(digits, static_cast<std::int64_t>(max_memory));
            if (value.kind != TokenKind::Word || digits.empty() || number.negative
                || number.status == WholeNumber::Status::NotANumber || number.status == WholeNumber::Status::Decimal) {
                error_at(value,
                    fmt::format("expected a memory size after 'memory', found {}; write a whole number of bytes, "
                                "optionally with K, M or G, e.g. 64K",
                        quoted(value)));
                return;
            }
            if (number.status == WholeNumber::Status::TooLarge
                || static_cast<std::uint64_t>(number.value) > max_memory / unit) {
                error_at(value.column,
                    fmt::format("memory {} is too large; the most is {}G", shorten(value.raw), max_memory / (1024 * 1024 * 1024)));
                return;
            }
            if (number.value == 0) {
                error_at(value.column, "a process needs at least 1 byte of memory");
                return;
            }
            process.spec.memory = static_cast<std::uint64_t>(number.value) * unit;
        } else {
            auto number = parse_whole_number(value.kind == TokenKind::Word ? value.raw : std::string_view(), max_priority);
            if (value.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber
                || number.status == WholeNumber::Status::Decimal) {
                error_at(value, fmt::format("expected a priority number after 'priority', found {}", quoted(value)));
                return;
            }
            if (number.status == WholeNumber::Status::TooLarge) {
                error_at(value.column,
                    number.negative ? fmt::format("{} is too small; the least is {}", shorten(value.raw), -max_priority)
                                    : fmt::format("{} is too large; the most is {}", shorten(value.raw), max_priority));
                return;
            }
            process.spec.priority = static_cast<int>(number.value);
        }
        i += 2;
    }
}

std::optional<std::uint64_t> Parser::working_set(LexedLine const& line, std::size_t index)
{
    auto const& tokens = line.tokens;
    if (index >= tokens.size()) {
        error_at(tokens[index - 1].end_column, "expected a size after 'working-set', such as 50 or 64K");
        return std::nullopt;
    }
    auto const& value = tokens[index];
    std::string_view digits = value.kind == TokenKind::Word ? value.raw : std::string_view();
    std::uint64_t unit = size_unit(digits);
    auto number = parse_whole_number(digits, static_cast<std::int64_t>(max_memory));
    if (value.kind != TokenKind::Word || digits.empty() || number.negative
        || number.status == WholeNumber::Status::NotANumber || number.status == WholeNumber::Status::Decimal) {
        error_at(value,
            fmt::format("expected a size after 'working-set', found {}; write a whole number, optionally with K, M "
                        "or G, e.g. 50 or 64K",
                quoted(value)));
        return std::nullopt;
    }
    if (number.status == WholeNumber::Status::TooLarge || static_cast<std::uint64_t>(number.value) > max_memory / unit) {
        error_at(value.column,
            fmt::format("working-set {} is too large; the most is {}G", shorten(value.raw), max_memory / (1024 * 1024 * 1024)));
        return std::nullopt;
    }
    if (number.value == 0) {
        error_at(value.column, "a working set is at least 1; leave 'working-set' out for a thread the cache ignores");
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(number.value) * unit;
}

void Parser::thread_header(LexedLine const& line)
{
    auto& process = *m_process;
    close_thread();
    auto const& tokens = line.tokens;
    bool mixed = process.saw_direct;
    if (mixed)
        error_at(tokens[0].column,
            fmt::format("{} already has instructions right under it, so it cannot also have threads; put those "
                        "instructions in a thread too",
                process_label()));
    process.saw_thread = true;
    process.thread.emplace();
    auto& thread = *process.thread;
    thread.spec.where = { m_line, tokens[0].column };
    thread.poisoned = mixed;
    if (mixed)
        return; // one error for the line is enough

    if (tokens.size() < 2) {
        error_at(tokens[0].end_column, "expected a thread name after 'thread'");
        thread.poisoned = true;
        return;
    }
    auto const& name = tokens[1];
    if (name.kind != TokenKind::Word) {
        error_at(name, fmt::format("expected a thread name after 'thread', found {}", quoted(name)));
        thread.poisoned = true;
        return;
    }
    if (!is_valid_name(name.raw)) {
        error_at(name.column,
            fmt::format("{} is not a valid thread name; a name starts with a letter or '_' and goes on with "
                        "letters, digits, '_' or '-'",
                quoted(name)));
        thread.poisoned = true;
        return;
    }
    thread.spec.name = std::string(name.raw);
    thread.name_where = { m_line, name.column };
    auto [first, inserted] = process.thread_lines.emplace(thread.spec.name, m_line);
    if (!inserted)
        error_at(name.column,
            fmt::format("duplicate thread name '{}' in {}; the first '{}' is on line {}", thread.spec.name,
                process_label(), thread.spec.name, first->second));

    bool pinned = false;
    for (std::size_t i = 2; i < tokens.size();) {
        auto const& attribute = tokens[i];
        if (attribute.kind != TokenKind::Word || !is_valid_name(attribute.raw)) {
            if (pinned && attribute.kind == TokenKind::Word && parse_whole_number(attribute.raw, max_core_number).status
                    != WholeNumber::Status::NotANumber)
                error_at(attribute.column,
                    fmt::format("expected ',' between core numbers, found {}; write pin 0,2", quoted(attribute)));
            else
                error_at(attribute, fmt::format("unexpected {} after '{}'", quoted(attribute), text_up_to(line, i - 1)));
            return;
        }
        if (attribute.raw == "spawned") {
            if (thread.spec.spawned) {
                error_at(attribute.column, "duplicate attribute 'spawned'");
                return;
            }
            thread.spec.spawned = true;
            ++i;
            continue;
        }
        if (attribute.raw == "working-set") {
            if (thread.spec.working_set != 0) {
                error_at(attribute.column, "duplicate attribute 'working-set'");
                return;
            }
            auto size = working_set(line, i + 1);
            if (!size)
                return;
            thread.spec.working_set = *size;
            i += 2;
            continue;
        }
        if (attribute.raw != "pin") {
            if (std::find(process_attributes.begin(), process_attributes.end(), attribute.raw)
                != process_attributes.end())
                error_at(attribute.column,
                    fmt::format("'{}' belongs on the 'process' line, not on a thread", attribute.raw));
            else
                error_at(attribute.column,
                    fmt::format("unknown thread attribute {} (a thread can have pin, spawned and working-set){}", quoted(attribute),
                        did_you_mean(closest(attribute.raw, thread_attributes))));
            return;
        }
        if (pinned) {
            error_at(attribute.column, "duplicate attribute 'pin'; list all the cores in one: pin 0,2");
            return;
        }
        pinned = true;

        // C[,C...]: a core number, then any number of ", core number".
        ++i;
        std::string_view after = "pin";
        int after_end = attribute.end_column;
        while (true) {
            if (i >= tokens.size()) {
                error_at(after_end, fmt::format("expected a core number after '{}'", after));
                return;
            }
            auto const& core = tokens[i];
            auto number = parse_whole_number(core.kind == TokenKind::Word ? core.raw : std::string_view(),
                max_core_number);
            if (core.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber
                || number.status == WholeNumber::Status::Decimal) {
                error_at(core, fmt::format("expected a core number after '{}', found {}", after, quoted(core)));
                return;
            }
            if (number.negative) {
                error_at(core.column, fmt::format("core numbers start at 0; {} is negative", shorten(core.raw)));
                return;
            }
            if (number.status == WholeNumber::Status::TooLarge) {
                error_at(core.column,
                    fmt::format("core {} is too large; the most is {}", shorten(core.raw), max_core_number));
                return;
            }
            int value = static_cast<int>(number.value);
            if (std::find(thread.spec.pinned.begin(), thread.spec.pinned.end(), value) != thread.spec.pinned.end()) {
                error_at(core.column, fmt::format("core {} is listed twice after 'pin'", value));
                return;
            }
            thread.spec.pinned.push_back(value);
            ++i;
            if (i >= tokens.size() || tokens[i].kind != TokenKind::Comma)
                break;
            after = ",";
            after_end = tokens[i].end_column;
            ++i;
        }
    }
}

void Parser::declaration(LexedLine const& line)
{
    auto& process = *m_process;
    if (process.thread)
        close_thread(); // the thread or routine above ends here
    auto const& tokens = line.tokens;
    auto const& keyword = tokens[0];
    bool shared = keyword.raw == keyword_shared;
    std::string_view what = shared ? "a shared variable" : "a mutex";
    if (tokens.size() < 2) {
        error_at(keyword.end_column, fmt::format("expected the name of {} after '{}'", what, keyword.raw));
        return;
    }
    auto const& name = tokens[1];
    if (name.kind != TokenKind::Word || !is_valid_name(name.raw)) {
        if (name.kind == TokenKind::Word && name.raw.find('=') != std::string_view::npos)
            error_at(name.column, "put blanks around '=': shared NAME = VALUE");
        else
            error_at(name, fmt::format("expected the name of {} after '{}', found {}", what, keyword.raw, quoted(name)));
        return;
    }
    std::int64_t initial = 0;
    std::size_t next = 2;
    if (shared && tokens.size() > next && is_word(tokens[next], "=")) {
        if (tokens.size() <= next + 1) {
            error_at(tokens[next].end_column, fmt::format("expected the initial value after '='"));
            return;
        }
        auto value = variable_value(tokens[next + 1], "a whole number after '='");
        if (!value)
            return;
        initial = *value;
        next += 2;
    }
    if (tokens.size() > next) {
        error_at(tokens[next], fmt::format("unexpected {} after '{}'{}", quoted(tokens[next]), text_up_to(line, next - 1),
                                   shared && next == 2 ? "; give an initial value as shared NAME = VALUE" : ""));
        return;
    }
    auto [first, inserted] = process.declaration_lines.emplace(std::string(name.raw), m_line);
    if (!inserted) {
        error_at(name.column,
            fmt::format("'{}' is declared twice in {}; the first is on line {}", shorten(name.raw), process_label(),
                first->second));
        return;
    }
    if (process.poisoned)
        return;
    if (shared) {
        process.spec.variables.emplace_back(name.raw);
        process.spec.initial_values.push_back(initial);
    } else {
        process.spec.mutexes.emplace_back(name.raw);
    }
}

void Parser::repeat_header(LexedLine const& line, std::vector<Pending>& code, std::vector<Repeat>& repeats)
{
    auto const& tokens = line.tokens;
    Repeat repeat;
    repeat.start = code.size();
    repeat.header_indent = line.indent;
    repeat.where = { m_line, tokens[0].column };
    repeat.count = 0; // stays 0 when the count is broken: the body is parsed but kept once
    if (tokens.size() < 2) {
        error_at(tokens[0].end_column, "expected how many times to repeat after 'repeat', e.g. repeat 10");
    } else {
        auto const& value = tokens[1];
        auto number = parse_whole_number(value.kind == TokenKind::Word ? value.raw : std::string_view(), max_repeat);
        if (value.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber
            || number.status == WholeNumber::Status::Decimal)
            error_at(value, fmt::format("expected a whole number of times after 'repeat', found {}", quoted(value)));
        else if (number.status == WholeNumber::Status::TooLarge)
            error_at(value.column, fmt::format("{} is too many; 'repeat' goes up to {}", shorten(value.raw), max_repeat));
        else if (number.value < 1)
            error_at(value.column, fmt::format("'repeat' needs at least 1 time, not {}", shorten(value.raw)));
        else if (tokens.size() > 2)
            error_at(tokens[2],
                fmt::format("unexpected {} after '{}'; the instructions to repeat go on the lines below, indented",
                    quoted(tokens[2]), text_up_to(line, 1)));
        else
            repeat.count = number.value;
    }
    repeats.push_back(repeat);
}

bool Parser::fit_block(LexedLine const& line, std::vector<Pending>& code, std::vector<Repeat>& repeats, int base_indent)
{
    while (!repeats.empty()) {
        auto& top = repeats.back();
        if (top.body_indent < 0) {
            if (line.indent > top.header_indent) {
                top.body_indent = line.indent;
                return true;
            }
            close_repeat(code, repeats); // reports the empty block
            continue;
        }
        if (line.indent == top.body_indent)
            return true;
        if (line.indent < top.body_indent) {
            close_repeat(code, repeats);
            continue;
        }
        inconsistent_indent(line, top.body_indent);
        return false;
    }
    if (line.indent != base_indent) {
        inconsistent_indent(line, base_indent);
        return false;
    }
    return true;
}

void Parser::close_repeat(std::vector<Pending>& code, std::vector<Repeat>& repeats)
{
    auto repeat = repeats.back();
    repeats.pop_back();
    if (repeat.body_indent < 0) {
        error_at(repeat.where.line, repeat.where.column,
            "'repeat' has nothing to repeat; indent the instructions to repeat under it");
        return;
    }
    if (repeat.count <= 1 || repeat.start >= code.size())
        return;
    auto body = code.size() - repeat.start;
    auto total = code.size() + body * static_cast<std::size_t>(repeat.count - 1);
    if (total > max_expanded_code) {
        error_at(repeat.where.line, repeat.where.column,
            fmt::format("'repeat {}' of {} instruction{} makes more than {} instructions in one thread; repeat fewer "
                        "times, or let longer instructions (compute N) do the work",
                repeat.count, body, body == 1 ? "" : "s", max_expanded_code));
        return;
    }
    code.reserve(total);
    for (std::int64_t i = 1; i < repeat.count; ++i)
        for (std::size_t j = 0; j < body; ++j)
            code.push_back(code[repeat.start + j]);
}

void Parser::close_repeats(std::vector<Pending>& code, std::vector<Repeat>& repeats)
{
    while (!repeats.empty())
        close_repeat(code, repeats);
}

void Parser::async_header(LexedLine const& line)
{
    auto& process = *m_process;
    close_thread();
    auto const& tokens = line.tokens;
    process.thread.emplace();
    auto& block = *process.thread;
    block.is_async = true;
    block.spec.where = { m_line, tokens[0].column };
    auto poison = [&] {
        block.poisoned = true;
        process.broken_async = true;
    };
    if (tokens.size() < 2 || tokens[1].kind != TokenKind::Word || !is_valid_name(tokens[1].raw)) {
        if (tokens.size() < 2)
            error_at(tokens[0].end_column, "expected a routine name after 'async', e.g. async main()");
        else
            error_at(tokens[1], fmt::format("expected a routine name after 'async', found {}", quoted(tokens[1])));
        poison();
        return;
    }
    auto const& name = tokens[1];
    block.spec.name = std::string(name.raw);
    block.name_where = { m_line, name.column };
    for (auto const& other : process.coroutines)
        if (other.name == block.spec.name) {
            error_at(name.column, fmt::format("duplicate async routine '{}' in {}; the first is on line {}",
                block.spec.name, process_label(), other.where.line));
            poison();
            process.broken_async = false; // the name is known: calls to it are fine
            break;
        }
    if (tokens.size() < 3 || tokens[2].kind != TokenKind::Open) {
        error_at(name.end_column,
            fmt::format("expected '(' after '{}'; list the parameters in brackets, e.g. async {}() or async {}(name, "
                        "ticks)",
                name.raw, name.raw, name.raw));
        poison();
        return;
    }
    std::size_t i = 3;
    if (i < tokens.size() && tokens[i].kind == TokenKind::Close) {
        ++i;
    } else {
        while (true) {
            if (i >= tokens.size()) {
                error_at(tokens.back().end_column, "expected ')' to close the parameter list");
                poison();
                return;
            }
            auto const& param = tokens[i];
            if (param.kind != TokenKind::Word || !is_valid_name(param.raw)) {
                error_at(param, fmt::format("expected a parameter name, found {}", quoted(param)));
                poison();
                return;
            }
            if (param.raw == "tick") {
                error_at(param.column, "'tick' is reserved: {tick} in a text is the current tick; choose another name");
                poison();
                return;
            }
            if (find_param(block.params, param.raw) >= 0) {
                error_at(param.column, fmt::format("duplicate parameter '{}'", param.raw));
                poison();
                return;
            }
            block.params.emplace_back(param.raw);
            ++i;
            if (i < tokens.size() && tokens[i].kind == TokenKind::Close) {
                ++i;
                break;
            }
            if (i >= tokens.size() || tokens[i].kind != TokenKind::Comma) {
                if (i >= tokens.size())
                    error_at(tokens.back().end_column, "expected ')' to close the parameter list");
                else
                    error_at(tokens[i], fmt::format("expected ',' or ')' after a parameter, found {}", quoted(tokens[i])));
                poison();
                return;
            }
            ++i;
        }
    }
    if (i < tokens.size()) {
        error_at(tokens[i], fmt::format("unexpected {} after '{}'", quoted(tokens[i]), text_up_to(line, i - 1)));
        poison();
        process.broken_async = false;
    }
}

void Parser::close_thread()
{
    if (!m_process || !m_process->thread)
        return;
    auto& process = *m_process;
    auto& thread = *process.thread;
    close_repeats(thread.code, thread.repeats);
    if (thread.is_async) {
        if (!thread.poisoned) {
            if (thread.code.empty() && thread.body_lines == 0)
                error_at(thread.name_where.line, thread.name_where.column,
                    fmt::format("async routine '{}' has no instructions", thread.spec.name));
            process.coroutines.push_back(
                Coroutine { thread.spec.name, std::move(thread.params), std::move(thread.code), thread.spec.where });
        }
    } else if (!thread.poisoned) {
        if (thread.code.empty() && thread.body_lines == 0)
            error_at(thread.name_where.line, thread.name_where.column,
                fmt::format("thread '{}' has no instructions", thread.spec.name));
        process.spec.threads.push_back(std::move(thread.spec));
        process.thread_code.push_back(std::move(thread.code));
    }
    process.thread.reset();
}

void Parser::close_process()
{
    if (!m_process)
        return;
    close_thread();
    auto& process = *m_process;
    close_repeats(process.direct, process.direct_repeats);
    if (!process.poisoned) {
        if (!process.direct.empty()) {
            // Instructions right under a process form its one thread, named after it.
            ThreadSpec only;
            only.name = process.spec.name;
            only.where = process.spec.where;
            process.spec.threads.push_back(std::move(only));
            process.thread_code.push_back(std::move(process.direct));
        } else if (!process.saw_thread && !process.saw_direct && process.body_lines == 0) {
            error_at(process.name_where.line, process.name_where.column,
                fmt::format("process '{}' has no threads or instructions", process.spec.name));
        } else if (!process.saw_thread && !process.saw_direct && !process.coroutines.empty()) {
            error_at(process.name_where.line, process.name_where.column,
                fmt::format("process '{}' has async routines but no thread to run them; add instructions such as "
                            "'run {}()' under it",
                    process.spec.name, process.coroutines.front().name));
        }
        if (!process.spec.threads.empty()
            && std::all_of(process.spec.threads.begin(), process.spec.threads.end(), [](auto const& t) { return t.spawned; }))
            error_at(process.name_where.line, process.name_where.column,
                fmt::format("every thread of process '{}' is 'spawned', so none starts with it and none can spawn the "
                            "others; leave 'spawned' off the first",
                    process.spec.name));
        resolve_names(process);
        link(process);
        m_result.program.processes.push_back(std::move(process.spec));
    }
    m_process.reset();
}

}
