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
//
// The parser is cut by concern (see parser_internal.hpp): this file drives it line by line
// and reports errors; parser_blocks.cpp, parser_instructions.cpp and parser_linking.cpp
// hold the rest.

#include "lang/parser_internal.hpp"

namespace tl {

namespace parser_detail {

void Parser::error_at(int line, int column, std::string message)
{
    Diagnostic diagnostic;
    diagnostic.file = m_file;
    diagnostic.where = { line, column };
    diagnostic.message = std::move(message);
    if (line >= 1 && line <= std::ssize(m_lines))
        diagnostic.source_line = std::string(m_lines[index_of(line - 1)]);
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
    LexedLine lexed; // one for every line, so its tokens' storage is allocated once
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        m_line = static_cast<int>(i) + 1;
        lex_line(m_lines[i], m_line, lexed);
        line(lexed);
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

}

ParseResult parse_program(std::string_view source, std::string file_name)
{
    return parser_detail::Parser(source, std::move(file_name)).run();
}

}
