// The parser of the toy language (see docs/language.md).
//
// It reads one line at a time and keeps the blocks that are open: the current process and,
// inside it, the current thread. A line's indentation decides where it belongs: column 1 is
// a process header, the process's first indented line fixes the indentation of its children
// (threads, or instructions written directly), and a thread's first instruction fixes the
// indentation of its instructions.
//
// Learners should see every mistake at once, and only real ones. So an error skips the rest
// of its line and nothing else; a header too broken to name its block still opens a block
// ("poisoned": its body is parsed for errors, then dropped), so the lines under it are not
// blamed for being out of place; and a block whose lines all had errors is not reported as
// empty as well.

#include "lang/parser.hpp"

#include "lang/lexer.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <optional>
#include <unordered_map>

namespace tl {

namespace {

// Limits. They keep every number far from overflow and match what the engine accepts:
// engine/config.hpp allows at most 10^12 ticks and 1024 cores.
constexpr std::int64_t max_ticks_operand = 1'000'000'000'000;
constexpr std::int64_t max_priority = 1'000'000'000;
constexpr std::int64_t max_core_number = 1023;
constexpr std::uint64_t max_memory = std::uint64_t(1) << 50; // 1 PiB, as engine's parse_size

constexpr std::string_view keyword_process = "process";
constexpr std::string_view keyword_thread = "thread";
constexpr std::array<std::string_view, 3> process_attributes { "arrive", "memory", "priority" };
constexpr std::array<std::string_view, 1> thread_attributes { "pin" };

std::size_t levenshtein(std::string_view a, std::string_view b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1) });
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The closest candidate within two edits, if any. A candidate that shares nothing with the
// word (every character replaced, as "x" and "io") is no suggestion at all.
template<typename Candidates>
std::optional<std::string_view> closest(std::string_view word, Candidates const& candidates)
{
    std::optional<std::string_view> best;
    std::size_t best_distance = 3;
    for (std::string_view candidate : candidates) {
        auto longer = std::max(word.size(), candidate.size());
        if (longer - std::min(word.size(), candidate.size()) > 2)
            continue; // too far apart for a suggestion, and cheap to rule out on long garbage
        auto distance = levenshtein(word, candidate);
        if (distance < best_distance && distance < longer) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string did_you_mean(std::optional<std::string_view> suggestion)
{
    return suggestion ? fmt::format("; did you mean '{}'?", *suggestion) : std::string();
}

// Mnemonics from opcodes.def, then the two keywords: what a learner may have meant by a
// word at the start of an instruction line.
std::vector<std::string_view> instruction_words()
{
    std::vector<std::string_view> words;
    for (auto const& info : all_opcodes())
        words.push_back(info.mnemonic);
    words.push_back(keyword_thread);
    words.push_back(keyword_process);
    return words;
}

std::string quoted(Token const& token) { return fmt::format("'{}'", shorten(token.raw)); }

bool is_word(Token const& token, std::string_view text) { return token.kind == TokenKind::Word && token.raw == text; }

// The blocks being parsed. They live outside Parser so they are complete types when Parser
// puts them in std::optional (clang checks that before Parser itself is complete).
struct OpenThread {
    ThreadSpec spec;
    SourceLocation name_where;
    bool poisoned = false; // its header was broken: parse its body, but keep nothing
    int code_indent = -1;  // set by its first instruction line
    int body_lines = 0;
};

struct OpenProcess {
    ProcessSpec spec;
    SourceLocation name_where;
    bool poisoned = false; // its header was broken: parse its body, but keep nothing
    int child_indent = -1; // set by its first indented line
    bool saw_thread = false; // a thread line, even a broken one
    bool saw_direct = false; // an instruction line right under the process, even a broken one
    std::vector<Instruction> direct; // instructions written right under the process
    int body_lines = 0;
    std::unordered_map<std::string, int> thread_lines; // thread name -> line of its header
    std::optional<OpenThread> thread;
};

class Parser {
public:
    Parser(std::string_view source, std::string file_name)
        : m_source(source)
    {
        m_result.program.file = file_name;
        m_file = std::move(file_name);
    }

    ParseResult run();

private:
    void line(LexedLine const&);
    void column_one_line(LexedLine const&);
    void process_header(LexedLine const&);
    void thread_header(LexedLine const&);
    std::optional<Instruction> instruction(LexedLine const&);
    void close_thread();
    void close_process();
    void open_dummy_process(int child_indent);

    // Every error goes through here. When the token to blame is the lexer's Error token, the
    // lexer's message wins: it is the real trouble at that spot.
    void error_at(Token const& token, std::string message);
    void error_at(int column, std::string message);
    void error_at(int line, int column, std::string message);
    void inconsistent_indent(LexedLine const&, int expected);

    // "process kitchen arrive 0": the line from its first token to the end of tokens[last].
    std::string text_up_to(LexedLine const&, std::size_t last) const;

    // The operand of a Ticks instruction (1 or more) or of `arrive` (0 or more), at
    // line.tokens[index]; reports the error and answers false when it is not one.
    bool parse_ticks(LexedLine const&, std::size_t index, std::string_view after, bool arrival, std::int64_t& out);

    // "process 'kitchen'", or "this process" when its header was too broken to name it.
    std::string process_label() const;

    std::string_view m_source;
    std::string m_file;
    ParseResult m_result;
    std::vector<std::string_view> m_lines;
    int m_line = 0; // the line being parsed
    std::optional<OpenProcess> m_process;
    std::unordered_map<std::string, int> m_process_lines; // process name -> line of its header
    bool m_saw_process_keyword = false;
};

void Parser::error_at(int line, int column, std::string message)
{
    Diagnostic diagnostic;
    diagnostic.file = m_file;
    diagnostic.where = { line, column };
    diagnostic.message = std::move(message);
    if (line >= 1 && static_cast<std::size_t>(line) <= m_lines.size())
        diagnostic.source_line = std::string(m_lines[static_cast<std::size_t>(line) - 1]);
    m_result.errors.push_back(std::move(diagnostic));
}

void Parser::error_at(int column, std::string message) { error_at(m_line, column, std::move(message)); }

void Parser::error_at(Token const& token, std::string message)
{
    if (token.kind == TokenKind::Error)
        error_at(token.column, token.value);
    else
        error_at(token.column, std::move(message));
}

std::string Parser::process_label() const
{
    if (!m_process || m_process->spec.name.empty())
        return "this process";
    return fmt::format("process '{}'", m_process->spec.name);
}

void Parser::inconsistent_indent(LexedLine const& line, int expected)
{
    error_at(line.tokens.front().column,
        fmt::format("inconsistent indentation: expected {} space{}, found {}", expected, expected == 1 ? "" : "s",
            line.indent));
}

std::string Parser::text_up_to(LexedLine const& line, std::size_t last) const
{
    auto const& first = line.tokens.front().raw;
    auto const& end = line.tokens[last].raw;
    auto text = line.text.substr(static_cast<std::size_t>(first.data() - line.text.data()),
        static_cast<std::size_t>(end.data() + end.size() - first.data()));
    return shorten(text);
}

ParseResult Parser::run()
{
    m_lines = split_lines(m_source);
    // A NUL byte never belongs in a text file: say so once, rather than a screenful of
    // errors about garbage. (error_count stays right: it is set below or here.)
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        auto nul = m_lines[i].find('\0');
        if (nul == std::string_view::npos)
            continue;
        m_line = static_cast<int>(i) + 1;
        auto column = static_cast<int>(count_code_points(m_lines[i].substr(0, nul))) + 1;
        error_at(m_line, column,
            "this looks like a binary file, not a program: it holds a NUL byte here; a program is plain text");
        m_result.error_count = 1;
        return std::move(m_result);
    }
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        m_line = static_cast<int>(i) + 1;
        line(lex_line(m_lines[i], m_line));
    }
    close_process();

    if (!m_saw_process_keyword && m_result.errors.empty())
        error_at(1, 1, "the program has no processes; start it with 'process NAME'");

    // Errors about a whole block (an empty thread) are found when the block ends, after
    // errors inside later lines; learners read them in source order.
    std::stable_sort(m_result.errors.begin(), m_result.errors.end(), [](auto const& a, auto const& b) {
        return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.column < b.where.column;
    });
    // A file that is mostly mistakes (or not a program at all) would bury the first ones.
    m_result.error_count = m_result.errors.size();
    if (m_result.errors.size() > max_reported_errors) {
        auto all = m_result.errors.size();
        m_result.errors.resize(max_reported_errors);
        auto last = m_result.errors.back();
        last.where = {};
        last.source_line.clear();
        last.message = fmt::format("too many errors ({} in all); the first {} are shown above: fix them first",
            all, max_reported_errors);
        m_result.errors.push_back(std::move(last));
    }
    // A program with errors is never half run: it holds no processes at all.
    if (!m_result.errors.empty())
        m_result.program.processes.clear();
    return std::move(m_result);
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
            thread_header(line);
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
        if (auto parsed = instruction(line))
            process.direct.push_back(std::move(*parsed));
        return;
    }

    // Deeper than the process's children: the body of the open thread, if there is one.
    if (!process.thread) {
        inconsistent_indent(line, process.child_indent);
        return;
    }
    auto& thread = *process.thread;
    ++thread.body_lines;
    if (thread.code_indent < 0)
        thread.code_indent = line.indent;
    if (line.indent != thread.code_indent) {
        inconsistent_indent(line, thread.code_indent);
        return;
    }
    if (is_word(first, keyword_thread)) {
        error_at(first.column,
            fmt::format("threads cannot be nested; a 'thread' line goes at {} spaces, like the other threads of "
                        "{}",
                process.child_indent, process_label()));
        return;
    }
    if (auto parsed = instruction(line))
        thread.spec.code.push_back(std::move(*parsed));
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
                    fmt::format("unknown process attribute {} (a process can have arrive, memory and priority){}",
                        quoted(attribute), did_you_mean(closest(attribute.raw, process_attributes))));
            return;
        }
        if (auto seen = given.find(attribute.raw); seen != given.end()) {
            error_at(attribute.column,
                fmt::format("duplicate attribute '{}'; it was already given at column {}", attribute.raw, seen->second));
            return;
        }
        given.emplace(attribute.raw, attribute.column);

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
        if (attribute.raw != "pin") {
            if (std::find(process_attributes.begin(), process_attributes.end(), attribute.raw)
                != process_attributes.end())
                error_at(attribute.column,
                    fmt::format("'{}' belongs on the 'process' line, not on a thread", attribute.raw));
            else
                error_at(attribute.column,
                    fmt::format("unknown thread attribute {} (a thread can have only pin){}", quoted(attribute),
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

bool Parser::parse_ticks(LexedLine const& line, std::size_t index, std::string_view after, bool arrival,
    std::int64_t& out)
{
    auto const& value = line.tokens[index];
    auto number = parse_whole_number(value.kind == TokenKind::Word ? value.raw : std::string_view(), max_ticks_operand);
    if (value.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber) {
        error_at(value, fmt::format("expected {} after '{}', found {}", arrival ? "an arrival tick" : "a number of ticks",
            after, quoted(value)));
        return false;
    }
    if (number.status == WholeNumber::Status::Decimal) {
        error_at(value.column, fmt::format("ticks are whole numbers; found {}", quoted(value)));
        return false;
    }
    if (number.negative && (number.status == WholeNumber::Status::TooLarge || number.value < 0)) {
        error_at(value.column,
            arrival ? fmt::format("an arrival tick cannot be negative; found {} (the first tick is 0)", quoted(value))
                    : fmt::format("'{}' needs at least 1 tick; {} is negative", after, shorten(value.raw)));
        return false;
    }
    if (number.status == WholeNumber::Status::TooLarge) {
        error_at(value.column, fmt::format("{} is too large; the most is {}", shorten(value.raw), max_ticks_operand));
        return false;
    }
    if (!arrival && number.value < 1) {
        error_at(value.column, fmt::format("'{}' needs at least 1 tick", after));
        return false;
    }
    out = number.value;
    return true;
}

std::optional<Instruction> Parser::instruction(LexedLine const& line)
{
    auto const& tokens = line.tokens;
    auto const& mnemonic = tokens[0];
    if (mnemonic.kind != TokenKind::Word) {
        error_at(mnemonic, fmt::format("expected an instruction, found {}", quoted(mnemonic)));
        return std::nullopt;
    }
    auto opcode = opcode_from_mnemonic(mnemonic.raw);
    if (!opcode) {
        auto suggestion = closest(mnemonic.raw, instruction_words());
        error_at(mnemonic.column,
            suggestion ? fmt::format("unknown instruction {}{}", quoted(mnemonic), did_you_mean(suggestion))
                       : fmt::format("unknown instruction {} ('ticklab language' lists them all)", quoted(mnemonic)));
        return std::nullopt;
    }
    auto const& info = opcode_info(*opcode);
    Instruction result;
    result.opcode = *opcode;
    result.where = { m_line, mnemonic.column };

    std::size_t next = 1;
    switch (info.operand) {
    case OperandKind::None:
        if (tokens.size() > 1) {
            error_at(tokens[1],
                fmt::format("unexpected {} after '{}', which takes no operand", quoted(tokens[1]), info.mnemonic));
            return std::nullopt;
        }
        break;
    case OperandKind::Ticks:
        if (tokens.size() < 2) {
            error_at(mnemonic.end_column, fmt::format("expected a number of ticks after '{}'", info.mnemonic));
            return std::nullopt;
        }
        if (!parse_ticks(line, 1, info.mnemonic, false, result.ticks))
            return std::nullopt;
        next = 2;
        break;
    case OperandKind::Text:
        if (tokens.size() < 2) {
            error_at(mnemonic.end_column,
                fmt::format("expected a double-quoted string after '{}', e.g. {} \"hello\"", info.mnemonic,
                    info.mnemonic));
            return std::nullopt;
        }
        if (tokens[1].kind != TokenKind::String) {
            error_at(tokens[1],
                fmt::format("expected a double-quoted string after '{}', found {}", info.mnemonic, quoted(tokens[1])));
            return std::nullopt;
        }
        result.text = tokens[1].value;
        next = 2;
        break;
    }
    if (next < tokens.size()) {
        error_at(tokens[next], fmt::format("unexpected {} after '{}'", quoted(tokens[next]), text_up_to(line, next - 1)));
        return std::nullopt;
    }
    return result;
}

void Parser::close_thread()
{
    if (!m_process || !m_process->thread)
        return;
    auto& process = *m_process;
    auto& thread = *process.thread;
    if (!thread.poisoned) {
        if (thread.spec.code.empty() && thread.body_lines == 0)
            error_at(thread.name_where.line, thread.name_where.column,
                fmt::format("thread '{}' has no instructions", thread.spec.name));
        process.spec.threads.push_back(std::move(thread.spec));
    }
    process.thread.reset();
}

void Parser::close_process()
{
    if (!m_process)
        return;
    close_thread();
    auto& process = *m_process;
    if (!process.poisoned) {
        if (!process.direct.empty()) {
            // Instructions right under a process form its one thread, named after it.
            ThreadSpec only;
            only.name = process.spec.name;
            only.where = process.spec.where;
            only.code = std::move(process.direct);
            process.spec.threads.push_back(std::move(only));
        } else if (!process.saw_thread && !process.saw_direct && process.body_lines == 0) {
            error_at(process.name_where.line, process.name_where.column,
                fmt::format("process '{}' has no threads or instructions", process.spec.name));
        }
        m_result.program.processes.push_back(std::move(process.spec));
    }
    m_process.reset();
}

}

ParseResult parse_program(std::string_view source, std::string file_name)
{
    return Parser(source, std::move(file_name)).run();
}

}
