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
constexpr std::string_view keyword_async = "async";
constexpr std::array<std::string_view, 4> process_attributes { "arrive", "memory", "priority", "gil" };
// Limits of coroutine expansion (see link_coroutines): each call gets its own copy of the body.
constexpr std::size_t max_expanded_code = 100'000;
constexpr std::array<std::string_view, 2> thread_attributes { "pin", "spawned" };
constexpr std::string_view keyword_shared = "shared";
constexpr std::string_view keyword_mutex = "mutex";
constexpr std::string_view keyword_repeat = "repeat";
// Shared variables hold whole numbers up to 10^15 either way (so that a run of increments
// can never overflow); `repeat` runs its block at most this many times.
constexpr std::int64_t max_variable_value = 1'000'000'000'000'000;
constexpr std::int64_t max_repeat = 1'000'000;

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
        if (distance < best_distance && 2 * distance < longer) {
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

// A coroutine call as written: `delivery("A", 9)`, or with a parameter of the caller.
struct RawArg {
    enum class Kind : std::uint8_t { Number, Text, Param };
    Kind kind = Kind::Number;
    std::int64_t number = 0;
    std::string text;  // Text: the string
    int param = -1;    // Param: the caller's parameter
    SourceLocation where;
};

struct RawCall {
    std::string name;
    SourceLocation where;
    std::vector<RawArg> args;
    int callee = -1; // set when linking
};

// A piece of a print's text: literal, a parameter's value, or the current tick.
struct Piece {
    enum class Kind : std::uint8_t { Literal, Param, Tick };
    Kind kind = Kind::Literal;
    std::string text;
    int param = -1;
};

// An instruction before linking: its operand may still name a parameter.
struct Pending {
    Instruction instruction;
    SourceLocation target_where; // the name operand of a Variable, Assign, Mutex or Thread instruction
    int ticks_param = -1; // the ticks operand is this parameter of the coroutine
    std::vector<RawCall> calls;
    std::vector<Piece> pieces; // Print
};

// An open `repeat N` block: its body is code[start..], and when the block ends the body is
// copied until it appears `count` times.
struct Repeat {
    std::size_t start = 0;
    std::int64_t count = 1;
    int header_indent = 0;
    int body_indent = -1; // set by its first line
    SourceLocation where; // the 'repeat' keyword
};

struct Coroutine {
    std::string name;
    std::vector<std::string> params;
    std::vector<Pending> body;
    SourceLocation where; // the 'async' keyword
};

// The blocks being parsed. They live outside Parser so they are complete types when Parser
// puts them in std::optional (clang checks that before Parser itself is complete).
struct OpenThread {
    ThreadSpec spec;
    std::vector<Pending> code;
    bool is_async = false;            // an `async NAME(...)` block, not a thread
    std::vector<std::string> params;  // its parameters
    SourceLocation name_where;
    bool poisoned = false; // its header was broken: parse its body, but keep nothing
    int code_indent = -1;  // set by its first instruction line
    int body_lines = 0;
    std::vector<Repeat> repeats; // open repeat blocks, innermost last
};

struct OpenProcess {
    ProcessSpec spec;
    SourceLocation name_where;
    bool poisoned = false; // its header was broken: parse its body, but keep nothing
    int child_indent = -1; // set by its first indented line
    bool saw_thread = false; // a thread line, even a broken one
    bool saw_direct = false; // an instruction line right under the process, even a broken one
    std::vector<Pending> direct; // instructions written right under the process
    std::vector<Repeat> direct_repeats;
    std::vector<std::vector<Pending>> thread_code; // per spec.threads entry, before linking
    std::vector<Coroutine> coroutines;
    bool broken_async = false; // an async header too broken to name its routine
    int body_lines = 0;
    std::unordered_map<std::string, int> thread_lines; // thread name -> line of its header
    std::unordered_map<std::string, int> declaration_lines; // shared variable or mutex -> its line
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
    std::optional<Pending> instruction(LexedLine const&, OpenThread const* async_block);
    void async_header(LexedLine const&);
    void declaration(LexedLine const&);
    // A `repeat N` line: opens a block in `code`.
    void repeat_header(LexedLine const&, std::vector<Pending>& code, std::vector<Repeat>& repeats);
    // Closes the repeat blocks that `line` is not inside and checks its indentation against
    // the innermost open one (or `base_indent`); reports and answers false when it fits none.
    bool fit_block(LexedLine const&, std::vector<Pending>& code, std::vector<Repeat>& repeats, int base_indent);
    void close_repeat(std::vector<Pending>& code, std::vector<Repeat>& repeats);
    void close_repeats(std::vector<Pending>& code, std::vector<Repeat>& repeats);
    // A line of code that fits its block: a `repeat N` header or an instruction.
    void code_line(LexedLine const&, std::vector<Pending>& code, std::vector<Repeat>& repeats,
        OpenThread const* async_block);
    // Names of shared variables, mutexes and threads used by instructions, resolved.
    void resolve_names(OpenProcess&);
    // NAME(ARG, ...) at tokens[index]; with `many`, more calls may follow after commas.
    // Answers the index past the calls, or 0 after reporting an error.
    std::size_t parse_calls(LexedLine const&, std::size_t index, std::string_view after, bool many,
        OpenThread const* async_block, std::vector<RawCall>& out);
    bool parse_text(Token const&, OpenThread const* async_block, std::vector<Piece>& out);
    void link(OpenProcess&);
    void close_thread();
    void close_process();
    void open_dummy_process(int child_indent);

    // Every error goes through here. When the token to blame is the lexer's Error token, the
    // lexer's message wins: it is the real trouble at that spot.
    void error_at(Token const& token, std::string message);
    void error_at(int column, std::string message);
    void error_at(int line, int column, std::string message);
    // Whether an error at `where` would be among those shown: a suggestion searches every
    // name of a process, so an error that is not shown (a file of thousands) gets none.
    bool will_be_shown(SourceLocation where) const;
    template<typename Candidates>
    std::optional<std::string_view> suggest_at(SourceLocation where, std::string_view word, Candidates const& candidates) const
    {
        return will_be_shown(where) ? closest(word, candidates) : std::nullopt;
    }
    void inconsistent_indent(LexedLine const&, int expected);

    // "process kitchen arrive 0": the line from its first token to the end of tokens[last].
    std::string text_up_to(LexedLine const&, std::size_t last) const;

    // The operand of a Ticks instruction (1 or more) or of `arrive` (0 or more), at
    // line.tokens[index]; reports the error and answers false when it is not one.
    bool parse_ticks(LexedLine const&, std::size_t index, std::string_view after, bool arrival, std::int64_t& out);
    // A value for a shared variable (`shared x = N`, `write x N`); reports what is wrong with it.
    std::optional<std::int64_t> variable_value(Token const& value, std::string_view expected);

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

bool Parser::will_be_shown(SourceLocation where) const
{
    // The errors are shown sorted by place (a stable sort), the first max_reported_errors of
    // them: this one is not when that many already found come at or before its place.
    std::size_t before = 0;
    for (auto const& error : m_result.errors) {
        if (error.where.line < where.line || (error.where.line == where.line && error.where.column <= where.column))
            if (++before >= max_reported_errors)
                return false;
    }
    return true;
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
                    fmt::format("unknown process attribute {} (a process can have arrive, memory, priority and gil){}",
                        quoted(attribute), did_you_mean(closest(attribute.raw, process_attributes))));
            return;
        }
        if (auto seen = given.find(attribute.raw); seen != given.end()) {
            error_at(attribute.column,
                fmt::format("duplicate attribute '{}'; it was already given at column {}", attribute.raw, seen->second));
            return;
        }
        given.emplace(attribute.raw, attribute.column);

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
        if (attribute.raw == "spawned") {
            if (thread.spec.spawned) {
                error_at(attribute.column, "duplicate attribute 'spawned'");
                return;
            }
            thread.spec.spawned = true;
            ++i;
            continue;
        }
        if (attribute.raw != "pin") {
            if (std::find(process_attributes.begin(), process_attributes.end(), attribute.raw)
                != process_attributes.end())
                error_at(attribute.column,
                    fmt::format("'{}' belongs on the 'process' line, not on a thread", attribute.raw));
            else
                error_at(attribute.column,
                    fmt::format("unknown thread attribute {} (a thread can have pin and spawned){}", quoted(attribute),
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

namespace {

int find_param(std::vector<std::string> const& params, std::string_view name)
{
    for (std::size_t i = 0; i < params.size(); ++i)
        if (params[i] == name)
            return static_cast<int>(i);
    return -1;
}

std::string param_list(std::vector<std::string> const& params)
{
    std::string text;
    for (std::size_t i = 0; i < params.size(); ++i)
        text += (i == 0 ? "" : ", ") + params[i];
    return text;
}

}

std::optional<std::int64_t> Parser::variable_value(Token const& value, std::string_view expected)
{
    auto number = parse_whole_number(value.kind == TokenKind::Word ? value.raw : std::string_view(), max_variable_value);
    if (value.kind != TokenKind::Word || number.status == WholeNumber::Status::NotANumber
        || number.status == WholeNumber::Status::Decimal) {
        error_at(value, fmt::format("expected {}, found {}", expected, quoted(value)));
        return std::nullopt;
    }
    if (number.status == WholeNumber::Status::TooLarge) {
        error_at(value.column,
            fmt::format("{} is too large; shared variables hold at most {} either way", shorten(value.raw),
                max_variable_value));
        return std::nullopt;
    }
    return number.value;
}

std::optional<Pending> Parser::instruction(LexedLine const& line, OpenThread const* async_block)
{
    auto const& tokens = line.tokens;
    auto const& mnemonic = tokens[0];
    if (mnemonic.kind != TokenKind::Word) {
        error_at(mnemonic, fmt::format("expected an instruction, found {}", quoted(mnemonic)));
        return std::nullopt;
    }
    if (mnemonic.raw == keyword_async) {
        error_at(mnemonic.column,
            "an async routine is declared at the level of the threads, right under its process, not inside a "
            "thread or another routine");
        return std::nullopt;
    }
    Pending pending;
    auto& result = pending.instruction;
    result.where = { m_line, mnemonic.column };
    std::size_t first_operand = 1;
    std::optional<Opcode> opcode;
    if (mnemonic.raw == "await") {
        if (!async_block) {
            error_at(mnemonic.column,
                "'await' is only allowed inside an async routine (declared with 'async NAME(...)' under the process)");
            return std::nullopt;
        }
        if (tokens.size() < 2) {
            error_at(mnemonic.end_column,
                "expected what to await after 'await': sleep N, io N, gather NAME(...), ... or a call NAME(...)");
            return std::nullopt;
        }
        auto const& what = tokens[1];
        bool call = what.kind == TokenKind::Word && tokens.size() > 2 && tokens[2].kind == TokenKind::Open;
        if (is_word(what, "sleep")) {
            opcode = Opcode::AwaitSleep;
        } else if (is_word(what, "io")) {
            opcode = Opcode::AwaitIo;
        } else if (is_word(what, "gather") && !call) {
            opcode = Opcode::AwaitGather;
        } else if (call) {
            opcode = Opcode::AwaitCall;
            first_operand = 1;
        } else if (what.kind == TokenKind::Word && opcode_from_mnemonic(what.raw)) {
            error_at(what.column,
                fmt::format("{} cannot be awaited; await sleep N, io N, gather or a coroutine call{}", quoted(what),
                    what.raw == "compute" ? " (compute holds the thread: write it without 'await')" : ""));
            return std::nullopt;
        } else {
            error_at(what,
                fmt::format("{} cannot be awaited; await sleep N, io N, gather NAME(...), ... or a coroutine call "
                            "NAME(...)",
                    quoted(what)));
            return std::nullopt;
        }
        if (*opcode != Opcode::AwaitCall)
            first_operand = 2;
    } else if (mnemonic.raw == "atomic") {
        if (tokens.size() < 2 || !is_word(tokens[1], "incr")) {
            error_at(tokens.size() < 2 ? mnemonic.end_column : tokens[1].column,
                "expected 'incr' after 'atomic': atomic incr NAME adds 1 to a shared variable in one step");
            return std::nullopt;
        }
        opcode = Opcode::AtomicIncr;
        first_operand = 2;
    } else {
        opcode = opcode_from_mnemonic(mnemonic.raw);
        if (!opcode) {
            auto suggestion = closest(mnemonic.raw, instruction_words());
            error_at(mnemonic.column,
                suggestion ? fmt::format("unknown instruction {}{}", quoted(mnemonic), did_you_mean(suggestion))
                           : fmt::format("unknown instruction {} ('ticklab language' lists them all)",
                                 quoted(mnemonic)));
            return std::nullopt;
        }
        if (*opcode == Opcode::Return && !async_block) {
            error_at(mnemonic.column, "'return' is only allowed inside an async routine; 'exit' ends a process");
            return std::nullopt;
        }
        if (*opcode == Opcode::Run && async_block) {
            error_at(mnemonic.column,
                "'run' starts a thread's event loop; inside an async routine, write 'await NAME(...)' instead");
            return std::nullopt;
        }
    }
    auto const& info = opcode_info(*opcode);
    result.opcode = *opcode;
    // The words that make the mnemonic, for messages: "compute", "await sleep".
    auto const& last_word = tokens[first_operand - 1];

    std::size_t next = first_operand;
    switch (info.operand) {
    case OperandKind::None:
        if (tokens.size() > next) {
            error_at(tokens[next],
                fmt::format("unexpected {} after '{}', which takes no operand", quoted(tokens[next]), info.mnemonic));
            return std::nullopt;
        }
        break;
    case OperandKind::Ticks:
        if (tokens.size() <= next) {
            error_at(last_word.end_column,
                fmt::format("expected a number of ticks after '{}'{}", info.mnemonic,
                    async_block && !async_block->params.empty() ? " (or a parameter)" : ""));
            return std::nullopt;
        }
        if (async_block && tokens[next].kind == TokenKind::Word && is_valid_name(tokens[next].raw)) {
            int param = find_param(async_block->params, tokens[next].raw);
            if (param < 0) {
                error_at(tokens[next].column,
                    fmt::format("unknown name {} after '{}'; {}", quoted(tokens[next]), info.mnemonic,
                        async_block->params.empty()
                            ? fmt::format("'{}' has no parameters", async_block->spec.name)
                            : fmt::format("the parameters of '{}' are {}", async_block->spec.name,
                                param_list(async_block->params))));
                return std::nullopt;
            }
            pending.ticks_param = param;
        } else if (!parse_ticks(line, next, info.mnemonic, false, result.ticks)) {
            return std::nullopt;
        }
        next += 1;
        break;
    case OperandKind::Text:
        if (tokens.size() <= next) {
            error_at(mnemonic.end_column,
                fmt::format("expected a double-quoted string after '{}', e.g. {} \"hello\"", info.mnemonic,
                    info.mnemonic));
            return std::nullopt;
        }
        if (tokens[next].kind != TokenKind::String) {
            error_at(tokens[next],
                fmt::format("expected a double-quoted string after '{}', found {}", info.mnemonic, quoted(tokens[next])));
            return std::nullopt;
        }
        if (!parse_text(tokens[next], async_block, pending.pieces))
            return std::nullopt;
        next += 1;
        break;
    case OperandKind::Call:
    case OperandKind::Calls:
        if (tokens.size() <= next) {
            error_at(last_word.end_column,
                fmt::format("expected a coroutine call such as NAME(ARGS) after '{}'", info.mnemonic));
            return std::nullopt;
        }
        next = parse_calls(line, next, info.mnemonic, info.operand == OperandKind::Calls, async_block, pending.calls);
        if (next == 0)
            return std::nullopt;
        break;
    case OperandKind::Variable:
    case OperandKind::Assign:
    case OperandKind::Mutex:
    case OperandKind::Thread: {
        std::string_view what = info.operand == OperandKind::Mutex ? "a mutex name"
            : info.operand == OperandKind::Thread                  ? "a thread name"
                                                                   : "a shared variable name";
        if (tokens.size() <= next) {
            error_at(last_word.end_column, fmt::format("expected {} after '{}'", what, info.mnemonic));
            return std::nullopt;
        }
        auto const& name = tokens[next];
        if (name.kind != TokenKind::Word || !is_valid_name(name.raw)) {
            error_at(name, fmt::format("expected {} after '{}', found {}", what, info.mnemonic, quoted(name)));
            return std::nullopt;
        }
        result.text = std::string(name.raw);
        pending.target_where = { m_line, name.column };
        next += 1;
        if (info.operand != OperandKind::Assign)
            break;
        if (tokens.size() <= next) {
            error_at(name.end_column,
                fmt::format("expected the value to write after 'write {}', e.g. write {} 0", result.text, result.text));
            return std::nullopt;
        }
        auto value = variable_value(tokens[next], "a whole number to write");
        if (!value)
            return std::nullopt;
        result.ticks = *value;
        next += 1;
        break;
    }
    }
    if (next < tokens.size()) {
        error_at(tokens[next], fmt::format("unexpected {} after '{}'", quoted(tokens[next]), text_up_to(line, next - 1)));
        return std::nullopt;
    }
    return pending;
}

std::size_t Parser::parse_calls(LexedLine const& line, std::size_t i, std::string_view after, bool many,
    OpenThread const* async_block, std::vector<RawCall>& out)
{
    auto const& tokens = line.tokens;
    while (true) {
        if (i >= tokens.size()) {
            error_at(tokens.back().end_column, fmt::format("expected a coroutine call such as NAME(ARGS) after '{}'",
                text_up_to(line, tokens.size() - 1)));
            return 0;
        }
        auto const& name = tokens[i];
        if (name.kind != TokenKind::Word || !is_valid_name(name.raw)) {
            error_at(name, fmt::format("expected a coroutine name after '{}', found {}", text_up_to(line, i - 1),
                quoted(name)));
            return 0;
        }
        RawCall call;
        call.name = std::string(name.raw);
        call.where = { m_line, name.column };
        if (i + 1 >= tokens.size() || tokens[i + 1].kind != TokenKind::Open) {
            error_at(name.end_column,
                fmt::format("expected '(' after '{}'; a call lists its arguments in brackets, e.g. {}()", name.raw,
                    name.raw));
            return 0;
        }
        i += 2;
        // ARG, ARG, ... )
        if (i < tokens.size() && tokens[i].kind == TokenKind::Close) {
            ++i;
        } else {
            while (true) {
                if (i >= tokens.size()) {
                    error_at(tokens.back().end_column, fmt::format("expected ')' to close the call of '{}'", call.name));
                    return 0;
                }
                auto const& value = tokens[i];
                RawArg arg;
                arg.where = { m_line, value.column };
                if (value.kind == TokenKind::String) {
                    arg.kind = RawArg::Kind::Text;
                    arg.text = value.value;
                } else if (value.kind == TokenKind::Word && is_valid_name(value.raw)) {
                    int param = async_block ? find_param(async_block->params, value.raw) : -1;
                    if (param < 0) {
                        error_at(value.column,
                            async_block && !async_block->params.empty()
                                ? fmt::format("unknown name {} in the arguments; the parameters of '{}' are {}",
                                    quoted(value), async_block->spec.name, param_list(async_block->params))
                                : fmt::format("unknown name {} in the arguments; pass a number or a double-quoted "
                                              "string",
                                    quoted(value)));
                        return 0;
                    }
                    arg.kind = RawArg::Kind::Param;
                    arg.param = param;
                } else if (value.kind == TokenKind::Word) {
                    auto number = parse_whole_number(value.raw, max_ticks_operand);
                    if (number.status != WholeNumber::Status::Ok || number.value < 1) {
                        error_at(value.column,
                            fmt::format("expected an argument (a number of ticks from 1 to {}, a double-quoted "
                                        "string or a parameter), found {}",
                                max_ticks_operand, quoted(value)));
                        return 0;
                    }
                    arg.number = number.value;
                } else {
                    error_at(value, fmt::format("expected an argument of '{}', found {}", call.name, quoted(value)));
                    return 0;
                }
                call.args.push_back(std::move(arg));
                ++i;
                if (i < tokens.size() && tokens[i].kind == TokenKind::Close) {
                    ++i;
                    break;
                }
                if (i >= tokens.size() || tokens[i].kind != TokenKind::Comma) {
                    if (i >= tokens.size())
                        error_at(tokens.back().end_column,
                            fmt::format("expected ')' to close the call of '{}'", call.name));
                    else
                        error_at(tokens[i], fmt::format("expected ',' or ')' in the call of '{}', found {}", call.name,
                            quoted(tokens[i])));
                    return 0;
                }
                ++i;
            }
        }
        out.push_back(std::move(call));
        if (!many || i >= tokens.size() || tokens[i].kind != TokenKind::Comma)
            return i;
        ++i;
        if (i >= tokens.size()) {
            error_at(tokens.back().end_column, fmt::format("expected another call after ',' in '{}'", after));
            return 0;
        }
    }
}

bool Parser::parse_text(Token const& token, OpenThread const* async_block, std::vector<Piece>& out)
{
    // Braces are found in the raw token, for columns; escapes never make or hide one, so
    // the decoded value has the same braces in the same order.
    auto const& value = token.value;
    std::vector<int> brace_columns;
    {
        int column = token.column;
        std::size_t pos = 0;
        auto const& raw = token.raw;
        while (pos < raw.size()) {
            char32_t code_point = 0;
            auto length = decode_utf8(raw, pos, code_point);
            if (length == 0)
                length = 1;
            if (raw[pos] == '{' || raw[pos] == '}')
                brace_columns.push_back(column);
            pos += length;
            ++column;
        }
    }
    std::size_t brace = 0;
    auto column_of_brace = [&] { return brace < brace_columns.size() ? brace_columns[brace] : token.column; };
    std::string literal;
    std::size_t pos = 0;
    while (pos < value.size()) {
        char c = value[pos];
        if ((c == '{' || c == '}') && pos + 1 < value.size() && value[pos + 1] == c) {
            literal += c;
            pos += 2;
            brace += 2;
            continue;
        }
        if (c == '}') {
            error_at(column_of_brace(), "a '}' with no '{' before it; write '}}' for a brace in the text");
            return false;
        }
        if (c != '{') {
            literal += c;
            ++pos;
            continue;
        }
        auto close = value.find('}', pos);
        if (close == std::string::npos) {
            error_at(column_of_brace(), "a '{' with no '}' after it; write '{{' for a brace in the text");
            return false;
        }
        auto name = std::string_view(value).substr(pos + 1, close - pos - 1);
        Piece piece;
        if (name == "tick") {
            piece.kind = Piece::Kind::Tick;
        } else {
            int param = async_block ? find_param(async_block->params, name) : -1;
            if (param < 0) {
                error_at(column_of_brace(),
                    async_block && !async_block->params.empty()
                        ? fmt::format("unknown name '{}' in braces; the parameters of '{}' are {} (and {{tick}} is "
                                      "the current tick)",
                            shorten(name), async_block->spec.name, param_list(async_block->params))
                        : fmt::format("unknown name '{}' in braces; only {{tick}} (the current tick){} can be put in "
                                      "a text here; write '{{{{' for a brace",
                            shorten(name), async_block ? "" : " and, in async routines, parameters"));
                return false;
            }
            piece.kind = Piece::Kind::Param;
            piece.param = param;
        }
        if (!literal.empty())
            out.push_back(Piece { Piece::Kind::Literal, std::move(literal), -1 });
        literal.clear();
        out.push_back(std::move(piece));
        pos = close + 1;
        brace += 2;
    }
    if (!literal.empty() || out.empty())
        out.push_back(Piece { Piece::Kind::Literal, std::move(literal), -1 });
    return true;
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

void Parser::resolve_names(OpenProcess& process)
{
    auto const& spec = process.spec;
    std::vector<std::string_view> variables(spec.variables.begin(), spec.variables.end());
    std::vector<std::string_view> mutexes(spec.mutexes.begin(), spec.mutexes.end());
    std::vector<std::string_view> threads;
    for (auto const& thread : spec.threads)
        threads.push_back(thread.name);
    auto index_of = [](std::vector<std::string_view> const& names, std::string_view name) {
        auto found = std::find(names.begin(), names.end(), name);
        return found == names.end() ? -1 : static_cast<std::int32_t>(found - names.begin());
    };
    // `self`: the thread whose own code this is (-1 in an async routine, which any thread may run).
    auto resolve = [&](std::vector<Pending>& code, std::int32_t self) {
        for (auto& pending : code) {
            auto& instruction = pending.instruction;
            auto kind = opcode_info(instruction.opcode).operand;
            auto const& name = instruction.text;
            auto where = pending.target_where;
            auto mnemonic = opcode_info(instruction.opcode).mnemonic;
            if (kind == OperandKind::Variable || kind == OperandKind::Assign) {
                instruction.target = index_of(variables, name);
                if (instruction.target >= 0)
                    continue;
                if (index_of(mutexes, name) >= 0)
                    error_at(where.line, where.column,
                        fmt::format("'{}' is a mutex, not a shared variable; '{}' works on variables declared with "
                                    "'shared NAME'",
                            name, mnemonic));
                else
                    error_at(where.line, where.column,
                        fmt::format("unknown shared variable '{}' in {}{}", name, process_label(),
                            variables.empty() ? fmt::format("; declare it under the process with 'shared {} = 0'", name)
                                              : did_you_mean(suggest_at(where, name, variables))));
            } else if (kind == OperandKind::Mutex) {
                instruction.target = index_of(mutexes, name);
                if (instruction.target >= 0)
                    continue;
                if (index_of(variables, name) >= 0)
                    error_at(where.line, where.column,
                        fmt::format("'{}' is a shared variable, not a mutex; declare a mutex with 'mutex NAME'", name));
                else
                    error_at(where.line, where.column,
                        fmt::format("unknown mutex '{}' in {}{}", name, process_label(),
                            mutexes.empty() ? fmt::format("; declare it under the process with 'mutex {}'", name)
                                            : did_you_mean(suggest_at(where, name, mutexes))));
            } else if (kind == OperandKind::Thread) {
                instruction.target = index_of(threads, name);
                if (instruction.target < 0) {
                    error_at(where.line, where.column,
                        fmt::format("unknown thread '{}' in {}{}", name, process_label(),
                            did_you_mean(suggest_at(where, name, threads))));
                    continue;
                }
                auto const& target = spec.threads[static_cast<std::size_t>(instruction.target)];
                if (instruction.target == self)
                    error_at(where.line, where.column,
                        instruction.opcode == Opcode::Join
                            ? fmt::format("thread '{}' cannot join itself: it would wait for ever", name)
                            : fmt::format("thread '{}' cannot spawn itself: it is already running", name));
                else if (instruction.opcode == Opcode::Spawn && !target.spawned)
                    error_at(where.line, where.column,
                        fmt::format("thread '{}' starts with its process, so it cannot be spawned; declare it "
                                    "'thread {} spawned' to start it with 'spawn {}'",
                            name, name, name));
            }
        }
    };
    for (std::size_t t = 0; t < process.thread_code.size(); ++t)
        resolve(process.thread_code[t], static_cast<std::int32_t>(t));
    for (auto& coroutine : process.coroutines)
        resolve(coroutine.body, -1);
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

namespace {

struct Value {
    bool is_text = false;
    std::string text;
    std::int64_t number = 0;
    std::string display() const { return is_text ? text : fmt::format("{}", number); }
};

std::string call_label(std::string const& name, std::vector<Value> const& args)
{
    std::string label = name + "(";
    for (std::size_t i = 0; i < args.size(); ++i)
        label += (i == 0 ? "" : ", ") + args[i].display();
    return label + ")";
}

std::vector<Value> argument_values(RawCall const& call, std::vector<Value> const& caller)
{
    std::vector<Value> values;
    for (auto const& arg : call.args) {
        switch (arg.kind) {
        case RawArg::Kind::Number: values.push_back(Value { false, {}, arg.number }); break;
        case RawArg::Kind::Text: values.push_back(Value { true, arg.text, 0 }); break;
        case RawArg::Kind::Param: values.push_back(caller[static_cast<std::size_t>(arg.param)]); break;
        }
    }
    return values;
}

// The instruction with its parameters filled in (calls get their labels; entries come later).
Instruction instantiate(Pending const& pending, std::vector<Value> const& args)
{
    Instruction result = pending.instruction;
    if (pending.ticks_param >= 0)
        result.ticks = args[static_cast<std::size_t>(pending.ticks_param)].number;
    if (result.opcode == Opcode::Print) {
        result.text.clear();
        for (auto const& piece : pending.pieces) {
            switch (piece.kind) {
            case Piece::Kind::Literal: result.text += piece.text; break;
            case Piece::Kind::Param: result.text += args[static_cast<std::size_t>(piece.param)].display(); break;
            case Piece::Kind::Tick: result.tick_at.push_back(static_cast<std::uint32_t>(result.text.size())); break;
            }
        }
    }
    for (auto const& call : pending.calls)
        result.calls.push_back(CallTarget { call_label(call.name, argument_values(call, args)), -1 });
    return result;
}

}

void Parser::link(OpenProcess& process)
{
    auto& coroutines = process.coroutines;
    std::unordered_map<std::string, int> by_name;
    for (std::size_t i = 0; i < coroutines.size(); ++i)
        by_name.emplace(coroutines[i].name, static_cast<int>(i));
    std::vector<std::string_view> names;
    for (auto const& coroutine : coroutines)
        names.push_back(coroutine.name);

    // Every call names a routine of this process, with as many arguments as it has parameters.
    auto resolve = [&](std::vector<Pending>& code) {
        for (auto& pending : code)
            for (auto& call : pending.calls) {
                auto found = by_name.find(call.name);
                if (found == by_name.end()) {
                    if (!process.broken_async)
                        error_at(call.where.line, call.where.column,
                            fmt::format("unknown async routine '{}' in {}{}", call.name, process_label(),
                                did_you_mean(suggest_at(call.where, call.name, names))));
                    continue;
                }
                auto const& callee = coroutines[static_cast<std::size_t>(found->second)];
                if (call.args.size() != callee.params.size()) {
                    error_at(call.where.line, call.where.column,
                        fmt::format("'{}' takes {} argument{}{}, but {} {} given", callee.name, callee.params.size(),
                            callee.params.size() == 1 ? "" : "s",
                            callee.params.empty() ? "" : fmt::format(" ({})", param_list(callee.params)),
                            call.args.size(), call.args.size() == 1 ? "was" : "were"));
                    continue;
                }
                call.callee = found->second;
            }
    };
    for (auto& coroutine : coroutines)
        resolve(coroutine.body);
    for (auto& code : process.thread_code)
        resolve(code);

    // A parameter used as a number of ticks, directly or by passing it on, takes numbers only.
    std::vector<std::vector<SourceLocation>> ticks_use(coroutines.size());
    for (std::size_t c = 0; c < coroutines.size(); ++c) {
        ticks_use[c].assign(coroutines[c].params.size(), SourceLocation {});
        for (auto const& pending : coroutines[c].body)
            if (pending.ticks_param >= 0 && ticks_use[c][static_cast<std::size_t>(pending.ticks_param)].line == 0)
                ticks_use[c][static_cast<std::size_t>(pending.ticks_param)] = pending.instruction.where;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t c = 0; c < coroutines.size(); ++c)
            for (auto const& pending : coroutines[c].body)
                for (auto const& call : pending.calls) {
                    if (call.callee < 0)
                        continue;
                    for (std::size_t a = 0; a < call.args.size(); ++a) {
                        auto const& arg = call.args[a];
                        auto const& use = ticks_use[static_cast<std::size_t>(call.callee)][a];
                        if (arg.kind == RawArg::Kind::Param && use.line != 0
                            && ticks_use[c][static_cast<std::size_t>(arg.param)].line == 0) {
                            ticks_use[c][static_cast<std::size_t>(arg.param)] = use;
                            changed = true;
                        }
                    }
                }
    }
    auto check_texts = [&](std::vector<Pending> const& code) {
        for (auto const& pending : code)
            for (auto const& call : pending.calls) {
                if (call.callee < 0)
                    continue;
                for (std::size_t a = 0; a < call.args.size(); ++a) {
                    auto const& use = ticks_use[static_cast<std::size_t>(call.callee)][a];
                    if (call.args[a].kind == RawArg::Kind::Text && use.line != 0)
                        error_at(call.args[a].where.line, call.args[a].where.column,
                            fmt::format("'{}' of '{}' is a number of ticks (line {} waits or computes for it), but "
                                        "this argument is a text",
                                coroutines[static_cast<std::size_t>(call.callee)].params[a],
                                coroutines[static_cast<std::size_t>(call.callee)].name, use.line));
                }
            }
    };
    for (auto const& coroutine : coroutines)
        check_texts(coroutine.body);
    for (auto const& code : process.thread_code)
        check_texts(code);

    // No recursion: a routine may not reach itself through its calls.
    auto calls_of = [&](std::size_t c) {
        std::vector<int> out;
        for (auto const& pending : coroutines[c].body)
            for (auto const& call : pending.calls)
                if (call.callee >= 0)
                    out.push_back(call.callee);
        return out;
    };
    for (std::size_t c = 0; c < coroutines.size(); ++c) {
        for (auto const& pending : coroutines[c].body) {
            for (auto const& call : pending.calls) {
                if (call.callee < 0)
                    continue;
                // Does the callee reach c?
                std::vector<char> seen(coroutines.size(), 0);
                std::vector<int> stack { call.callee };
                bool reaches = false;
                while (!stack.empty() && !reaches) {
                    auto at = static_cast<std::size_t>(stack.back());
                    stack.pop_back();
                    if (at == c) {
                        reaches = true;
                        break;
                    }
                    if (seen[at])
                        continue;
                    seen[at] = 1;
                    for (int next : calls_of(at))
                        stack.push_back(next);
                }
                if (reaches)
                    error_at(call.where.line, call.where.column,
                        static_cast<std::size_t>(call.callee) == c
                            ? fmt::format("'{}' calls itself; async routines cannot be recursive", call.name)
                            : fmt::format("'{}' calls '{}', which leads back to '{}'; async routines cannot be "
                                          "recursive",
                                coroutines[c].name, call.name, coroutines[c].name));
            }
        }
    }
    // A program with errors is never run: nothing to expand (and a broken header may have
    // left calls unresolved).
    if (!m_result.errors.empty() || process.poisoned)
        return;

    // Expansion: each call gets its own copy of the routine's body, arguments filled in.
    for (std::size_t t = 0; t < process.spec.threads.size(); ++t) {
        auto& thread = process.spec.threads[t];
        auto const& own = process.thread_code[t];
        thread.code.clear();
        bool calls = false;
        for (auto const& pending : own) {
            thread.code.push_back(instantiate(pending, {}));
            calls = calls || !pending.calls.empty();
        }
        if (calls) {
            // The thread ends here; the coroutine bodies follow.
            Instruction end;
            end.opcode = Opcode::Return;
            end.where = thread.where;
            thread.code.push_back(std::move(end));
        }
        bool too_big = false;
        // Body of call `call` of instruction at `at`, appended; then its own calls, depth first.
        auto expand = [&](auto& self, std::size_t at, std::size_t k, RawCall const& call, std::vector<Value> const& caller)
            -> void {
            if (too_big)
                return;
            auto const& coroutine = coroutines[static_cast<std::size_t>(call.callee)];
            auto args = argument_values(call, caller);
            if (thread.code.size() + coroutine.body.size() + 1 > max_expanded_code) {
                too_big = true;
                return;
            }
            auto entry = thread.code.size();
            thread.code[at].calls[k].entry = static_cast<std::int32_t>(entry);
            for (auto const& pending : coroutine.body)
                thread.code.push_back(instantiate(pending, args));
            Instruction end;
            end.opcode = Opcode::Return;
            end.where = coroutine.where;
            thread.code.push_back(std::move(end));
            for (std::size_t i = 0; i < coroutine.body.size(); ++i)
                for (std::size_t j = 0; j < coroutine.body[i].calls.size(); ++j)
                    self(self, entry + i, j, coroutine.body[i].calls[j], args);
        };
        for (std::size_t i = 0; i < own.size() && !too_big; ++i)
            for (std::size_t k = 0; k < own[i].calls.size(); ++k)
                expand(expand, i, k, own[i].calls[k], {});
        if (too_big) {
            for (auto const& pending : own)
                if (!pending.calls.empty()) {
                    error_at(pending.instruction.where.line, pending.instruction.where.column,
                        fmt::format("the coroutine calls of thread '{}' expand to more than {} instructions; ticklab "
                                    "runs smaller programs",
                            thread.name, max_expanded_code));
                    break;
                }
            return;
        }
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

ParseResult parse_program(std::string_view source, std::string file_name)
{
    return Parser(source, std::move(file_name)).run();
}

}
