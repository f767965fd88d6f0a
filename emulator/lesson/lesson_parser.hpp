#pragma once

// The lesson parser's insides, shared by its two files: lesson/lesson.cpp (the lesson's lines,
// blocks and directives) and lesson/expression.cpp (the expressions of @predict, @check and
// figures). Not a public interface: use parse_lesson() in lesson/lesson.hpp.

#include "lang/suggest.hpp"
#include "lesson/lesson.hpp"
#include "lesson/measures.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tl::lesson_parsing {

inline bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

inline std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

inline bool is_space(char c) { return c == ' ' || c == '\t'; }

// Columns count code points, like the program parser's, so a caret lands under the right
// character in a Korean line too.
inline int column_at(std::string_view line, std::size_t offset)
{
    int column = 1;
    for (std::size_t i = 0; i < offset && i < line.size(); ++i)
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80)
            ++column;
    return column;
}

inline bool is_word_start(char c)
{
    auto byte = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || byte >= 0x80;
}

inline bool is_word_char(char c) { return is_word_start(c) || (c >= '0' && c <= '9'); }

inline bool is_identifier(std::string_view word)
{
    if (word.empty() || !is_word_start(word.front()))
        return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = word[i];
        if (is_word_char(c))
            continue;
        if (c == '-' && i + 1 < word.size() && is_word_char(word[i + 1]))
            continue;
        return false;
    }
    return true;
}

// The closest candidate to a mistyped word, when one is close enough to be a likely typo: a
// third of the word's length (at least one edit).
inline std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates)
{
    return tl::did_you_mean(nearest(word, candidates, Nearness { .scaled = true }));
}

inline std::string join(std::vector<std::string> const& items, std::string_view separator = ", ")
{
    std::string out;
    for (auto const& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

inline std::vector<std::string> measure_names()
{
    std::vector<std::string> names;
    for (auto const& measure : all_measures())
        names.emplace_back(measure.name);
    return names;
}

// A word of a directive line and the byte where it starts.
struct Word {
    std::string text;
    std::size_t offset = 0;
    bool quoted = false;
};

struct Token {
    enum class Kind : std::uint8_t { Number, Word, String, Symbol, End };
    Kind kind = Kind::End;
    std::string text;
    double number = 0;
    std::size_t offset = 0;
};

inline constexpr std::string_view s_directives[] = { "needs", "names", "run", "show", "step", "predict", "choice", "check", "explore",
    "manual" };
inline constexpr std::string_view s_block_kinds[] = { "program", "code", "not-yet" };

class LessonParser {
public:
    LessonParser(std::string_view source, std::string file)
    {
        m_result.lesson.file = std::move(file);
        // A byte order mark, which some editors write first, is skipped, as in programs.
        constexpr std::string_view bom = "\xEF\xBB\xBF";
        if (source.substr(0, bom.size()) == bom)
            source.remove_prefix(bom.size());
        int number = 1;
        std::size_t start = 0;
        while (start <= source.size()) {
            auto end = source.find('\n', start);
            if (end == std::string_view::npos)
                end = source.size();
            auto text = source.substr(start, end - start);
            if (!text.empty() && text.back() == '\r')
                text.remove_suffix(1);
            if (end == source.size() && text.empty())
                break; // no line after the final newline
            m_lines.push_back(Line { text, number++ });
            start = end + 1;
        }
    }

    LessonParse parse();

private:
    struct Line {
        std::string_view text;
        int number = 0;
    };

    void error(Line const& line, std::size_t offset, std::string message)
    {
        m_result.errors.push_back(Diagnostic { m_result.lesson.file, SourceLocation { line.number, column_at(line.text, offset) },
            std::move(message), std::string(line.text) });
    }

    Block& add_block(BlockKind kind, Line const& line)
    {
        Block block;
        block.kind = kind;
        block.where = SourceLocation { line.number, 1 };
        block.source_line = std::string(line.text);
        m_result.lesson.blocks.push_back(std::move(block));
        return m_result.lesson.blocks.back();
    }

    std::size_t parse_fenced(std::size_t index);
    std::size_t parse_directive(std::size_t index);
    void parse_needs(Line const&, std::size_t from);
    void parse_names(Line const&, std::size_t from);
    void parse_run(Line const&, std::size_t from);
    void parse_show(Line const&, std::size_t from, bool step);
    void parse_question(Line const&, std::size_t from, BlockKind);
    std::size_t parse_options(std::size_t index, Block&);
    void parse_check(Line const&, std::size_t from);
    void parse_explore(Line const&, std::size_t from);
    void parse_manual(Line const&, std::size_t from);
    std::optional<std::pair<std::string, std::size_t>> leading_run(Line const&, std::size_t from, std::size_t end);
    void add_prose_line(Line const&, std::size_t from, std::string& paragraph, std::vector<Figure>& figures);
    std::optional<Expr> parse_stated(Line const&, std::size_t begin, std::size_t end, ValueType);

    std::optional<std::vector<Word>> split_words(Line const&, std::size_t from);
    std::optional<Expr> parse_expression(Line const&, std::size_t begin, std::size_t end);
    std::optional<Expr> parse_literal(Line const&, std::size_t begin, std::size_t end, ValueType);

    std::vector<Line> m_lines;
    LessonParse m_result;
    std::vector<std::string> m_program_names;
    std::vector<std::pair<std::string, int>> m_run_names; // name, line
    struct NeedUse {
        std::string capability;
        std::string measure;
        Line line;
        std::size_t offset;
    };
    std::vector<NeedUse> m_need_uses;

    friend class ExprParser;
};

}
