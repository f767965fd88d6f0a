#include "lesson/lesson.hpp"

#include "lang/suggest.hpp"
#include "lesson/capabilities.hpp"
#include "lesson/measures.hpp"
#include "sched/registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <fmt/format.h>

namespace tl {

std::string_view to_string(Language language)
{
    switch (language) {
    case Language::En:
        return "en";
    case Language::Ko:
        return "ko";
    }
    return "en";
}

std::optional<Language> language_from_code(std::string_view code)
{
    if (code == "en")
        return Language::En;
    if (code == "ko")
        return Language::Ko;
    return std::nullopt;
}

std::string_view to_string(ValueType type)
{
    switch (type) {
    case ValueType::Number:
        return "a number";
    case ValueType::Name:
        return "a name";
    case ValueType::Order:
        return "an order of names";
    case ValueType::Truth:
        return "a comparison";
    }
    return "a value";
}

std::string to_string(Expr const& expr)
{
    switch (expr.kind) {
    case Expr::Kind::Number: {
        if (expr.number == std::floor(expr.number) && std::abs(expr.number) < 1e15)
            return fmt::format("{}", static_cast<std::int64_t>(expr.number));
        return fmt::format("{}", expr.number);
    }
    case Expr::Kind::Text:
        return fmt::format("\"{}\"", expr.text);
    case Expr::Kind::Measure: {
        std::string out = expr.run_written ? expr.run + "." + expr.text : expr.text;
        if (expr.has_argument)
            out += "(" + expr.argument + ")";
        return out;
    }
    case Expr::Kind::Binary: {
        auto side = [](Expr const& operand) {
            auto text = to_string(operand);
            return operand.kind == Expr::Kind::Binary ? "(" + text + ")" : text;
        };
        return side(expr.operands[0]) + " " + expr.text + " " + side(expr.operands[1]);
    }
    }
    return "";
}

int lesson_number(std::string_view stem)
{
    int number = 0;
    std::size_t i = 0;
    while (i < stem.size() && stem[i] >= '0' && stem[i] <= '9' && number < 100000)
        number = number * 10 + (stem[i++] - '0');
    return i == 0 ? 0 : number;
}

namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Columns count code points, like the program parser's, so a caret lands under the right
// character in a Korean line too.
int column_at(std::string_view line, std::size_t offset)
{
    int column = 1;
    for (std::size_t i = 0; i < offset && i < line.size(); ++i)
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80)
            ++column;
    return column;
}

bool is_word_start(char c)
{
    auto byte = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || byte >= 0x80;
}

bool is_word_char(char c) { return is_word_start(c) || (c >= '0' && c <= '9'); }

bool is_identifier(std::string_view word)
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
std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates)
{
    return tl::did_you_mean(nearest(word, candidates, Nearness { .scaled = true }));
}

std::string join(std::vector<std::string> const& items, std::string_view separator = ", ")
{
    std::string out;
    for (auto const& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

std::vector<std::string> measure_names()
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

constexpr std::string_view s_directives[] = { "needs", "names", "run", "show", "step", "predict", "choice", "check" };
constexpr std::string_view s_block_kinds[] = { "program", "code", "not-yet" };

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

// Recursive descent over one expression in [begin, end) of a line. Stops at the first
// error: one message an expression is enough to act on.
class ExprParser {
public:
    ExprParser(LessonParser& owner, LessonParser::Line const& line, std::size_t begin, std::size_t end)
        : m_owner(owner)
        , m_line(line)
        , m_end(end)
        , m_pos(begin)
    {
        advance();
    }

    std::optional<Expr> parse()
    {
        auto expr = comparison();
        if (expr && m_token.kind != Token::Kind::End) {
            fail(m_token.offset, fmt::format("unexpected '{}' after the expression", m_token.text));
            return std::nullopt;
        }
        // A bare word alone is no question: it must be a mistyped measure.
        if (expr && report_bare_word(*expr))
            return std::nullopt;
        return m_failed ? std::nullopt : std::move(expr);
    }

private:
    void fail(std::size_t offset, std::string message)
    {
        if (m_failed)
            return;
        m_failed = true;
        m_owner.error(m_line, offset, std::move(message));
    }

    SourceLocation where(std::size_t offset) const
    {
        return SourceLocation { m_line.number, column_at(m_line.text, offset) };
    }

    void advance()
    {
        auto text = m_line.text;
        while (m_pos < m_end && is_space(text[m_pos]))
            ++m_pos;
        m_token = Token {};
        m_token.offset = m_pos;
        if (m_pos >= m_end) {
            m_token.kind = Token::Kind::End;
            m_token.text = "end of the line";
            return;
        }
        char c = text[m_pos];
        if (c >= '0' && c <= '9') {
            std::size_t start = m_pos;
            while (m_pos < m_end && text[m_pos] >= '0' && text[m_pos] <= '9')
                ++m_pos;
            if (m_pos + 1 < m_end && text[m_pos] == '.' && text[m_pos + 1] >= '0' && text[m_pos + 1] <= '9') {
                ++m_pos;
                while (m_pos < m_end && text[m_pos] >= '0' && text[m_pos] <= '9')
                    ++m_pos;
            }
            m_token.kind = Token::Kind::Number;
            m_token.text = std::string(text.substr(start, m_pos - start));
            m_token.number = std::strtod(m_token.text.c_str(), nullptr);
            return;
        }
        if (is_word_start(c)) {
            std::size_t start = m_pos;
            while (m_pos < m_end
                && (is_word_char(text[m_pos])
                    || (text[m_pos] == '-' && m_pos + 1 < m_end && is_word_char(text[m_pos + 1]))))
                ++m_pos;
            m_token.kind = Token::Kind::Word;
            m_token.text = std::string(text.substr(start, m_pos - start));
            return;
        }
        if (c == '"') {
            auto close = text.find('"', m_pos + 1);
            if (close == std::string_view::npos || close >= m_end) {
                fail(m_pos, "this quoted name is never closed with '\"'");
                m_pos = m_end;
                m_token.kind = Token::Kind::End;
                return;
            }
            m_token.kind = Token::Kind::String;
            m_token.text = std::string(text.substr(m_pos + 1, close - m_pos - 1));
            m_pos = close + 1;
            return;
        }
        for (std::string_view symbol : { "==", "!=", "<=", ">=" }) {
            if (text.substr(m_pos, 2) == symbol) {
                m_token.kind = Token::Kind::Symbol;
                m_token.text = std::string(symbol);
                m_pos += 2;
                return;
            }
        }
        if (std::string_view("().+-*/<>,%").find(c) != std::string_view::npos) {
            m_token.kind = Token::Kind::Symbol;
            m_token.text = std::string(1, c);
            ++m_pos;
            return;
        }
        if (c == '=') {
            fail(m_pos, "write '==' to compare (a single '=' is not an operator)");
        } else {
            auto length = std::size_t(1);
            auto byte = static_cast<unsigned char>(c);
            if (byte >= 0x80)
                length = (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : 4;
            fail(m_pos, fmt::format("unexpected '{}' in an expression", text.substr(m_pos, length)));
        }
        m_pos = m_end;
        m_token.kind = Token::Kind::End;
        m_token.text = "end of the line";
    }

    bool is_symbol(std::string_view symbol) const { return m_token.kind == Token::Kind::Symbol && m_token.text == symbol; }

    static bool is_comparison(std::string_view op)
    {
        return op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
    }

    std::string describe(Expr const& expr) const
    {
        return fmt::format("{} is {}", to_string(expr), to_string(expr.type));
    }

    // A word written without quotes that is no measure: a name when it is compared with a
    // name, and otherwise most likely a mistyped measure.
    bool report_bare_word(Expr const& expr)
    {
        if (expr.kind != Expr::Kind::Text || !m_bare.count(expr.where.column))
            return false;
        fail(m_bare[expr.where.column],
            fmt::format("unknown measure '{}'{}", expr.text, did_you_mean(expr.text, measure_names())));
        return true;
    }

    std::optional<Expr> binary(std::string op, std::size_t offset, Expr left, Expr right)
    {
        // Every tree walk (evaluating, printing, copying) recurses once an operator: a bound
        // keeps them all far from the stack's end, and no claim of a lesson needs more.
        if (++m_operators > max_operators) {
            fail(offset, fmt::format("this expression has too many operators (at most {}); split it into several checks",
                             max_operators));
            return std::nullopt;
        }
        bool names_left = left.type == ValueType::Name || left.type == ValueType::Order;
        bool names_right = right.type == ValueType::Name || right.type == ValueType::Order;
        if (!(names_left && names_right && (op == "==" || op == "!="))) {
            if (report_bare_word(left) || report_bare_word(right))
                return std::nullopt;
        }
        if (left.type == ValueType::Truth || right.type == ValueType::Truth) {
            fail(offset, "only one comparison is allowed: write two checks instead");
            return std::nullopt;
        }
        Expr expr;
        expr.kind = Expr::Kind::Binary;
        expr.text = op;
        expr.where = left.where;
        if (is_comparison(op)) {
            expr.type = ValueType::Truth;
            if (op == "==" || op == "!=") {
                if ((left.type == ValueType::Number) != (right.type == ValueType::Number)) {
                    fail(offset, fmt::format("cannot compare these: {}, {}", describe(left), describe(right)));
                    return std::nullopt;
                }
            } else if (left.type != ValueType::Number || right.type != ValueType::Number) {
                fail(offset, fmt::format("'{}' compares numbers, but {}",
                                 op, describe(left.type != ValueType::Number ? left : right)));
                return std::nullopt;
            }
        } else {
            expr.type = ValueType::Number;
            if (left.type != ValueType::Number || right.type != ValueType::Number) {
                fail(offset, fmt::format("'{}' needs numbers on both sides, but {}", op,
                                 describe(left.type != ValueType::Number ? left : right)));
                return std::nullopt;
            }
        }
        expr.operands.push_back(std::move(left));
        expr.operands.push_back(std::move(right));
        return expr;
    }

    std::optional<Expr> comparison()
    {
        auto left = sum();
        if (!left)
            return std::nullopt;
        if (m_token.kind == Token::Kind::Symbol && is_comparison(m_token.text)) {
            auto op = m_token.text;
            auto offset = m_token.offset;
            advance();
            auto right = sum();
            if (!right)
                return std::nullopt;
            if (m_token.kind == Token::Kind::Symbol && is_comparison(m_token.text)) {
                fail(m_token.offset, "only one comparison is allowed: write two checks instead");
                return std::nullopt;
            }
            return binary(op, offset, std::move(*left), std::move(*right));
        }
        return left;
    }

    std::optional<Expr> sum()
    {
        auto left = product();
        while (left && (is_symbol("+") || is_symbol("-"))) {
            auto op = m_token.text;
            auto offset = m_token.offset;
            advance();
            auto right = product();
            if (!right)
                return std::nullopt;
            left = binary(op, offset, std::move(*left), std::move(*right));
        }
        return left;
    }

    std::optional<Expr> product()
    {
        auto left = primary();
        while (left && (is_symbol("*") || is_symbol("/"))) {
            auto op = m_token.text;
            auto offset = m_token.offset;
            advance();
            auto right = primary();
            if (!right)
                return std::nullopt;
            left = binary(op, offset, std::move(*left), std::move(*right));
        }
        return left;
    }

    std::optional<Expr> primary()
    {
        if (m_failed)
            return std::nullopt;
        auto offset = m_token.offset;
        Expr expr;
        expr.where = where(offset);
        switch (m_token.kind) {
        case Token::Kind::Number:
            expr.kind = Expr::Kind::Number;
            expr.type = ValueType::Number;
            expr.number = m_token.number;
            advance();
            if (is_symbol("%"))
                advance();
            return expr;
        case Token::Kind::String:
            expr.kind = Expr::Kind::Text;
            expr.type = ValueType::Name;
            expr.text = m_token.text;
            advance();
            return expr;
        case Token::Kind::Word:
            return measure();
        case Token::Kind::Symbol:
            if (is_symbol("(")) {
                // Deep enough for any lesson, and far from exhausting the stack on a line of
                // a million '('.
                if (++m_depth > 64) {
                    fail(offset, "too many parentheses inside each other");
                    return std::nullopt;
                }
                advance();
                auto inner = comparison();
                --m_depth;
                if (!inner)
                    return std::nullopt;
                if (!is_symbol(")")) {
                    fail(m_token.offset, fmt::format("expected ')' to close the '(' at column {}", column_at(m_line.text, offset)));
                    return std::nullopt;
                }
                advance();
                return inner;
            }
            break;
        case Token::Kind::End:
            break;
        }
        fail(offset, fmt::format("expected a measure, a number or a name, found '{}'", m_token.text));
        return std::nullopt;
    }

    std::optional<Expr> measure()
    {
        auto offset = m_token.offset;
        auto word = m_token.text;
        advance();
        Expr expr;
        expr.kind = Expr::Kind::Measure;
        expr.where = where(offset);
        std::size_t measure_offset = offset;
        std::string name = word;
        std::string run;
        bool explicit_run = false;
        if (is_symbol(".")) {
            advance();
            if (m_token.kind != Token::Kind::Word) {
                fail(m_token.offset, fmt::format("expected a measure after '{}.', such as '{}.makespan'", word, word));
                return std::nullopt;
            }
            run = word;
            explicit_run = true;
            measure_offset = m_token.offset;
            name = m_token.text;
            advance();
        }
        auto const* info = find_measure(name);
        bool call = is_symbol("(");
        if (!info) {
            if (!explicit_run && !call) {
                // A bare name; binary() decides whether it is a name or a typo.
                Expr text;
                text.kind = Expr::Kind::Text;
                text.type = ValueType::Name;
                text.text = name;
                text.where = expr.where;
                m_bare[text.where.column] = offset;
                return text;
            }
            fail(measure_offset, fmt::format("unknown measure '{}'{}", name, did_you_mean(name, measure_names())));
            return std::nullopt;
        }
        auto const& runs = m_owner.m_run_names;
        if (explicit_run) {
            bool known = std::any_of(runs.begin(), runs.end(), [&](auto const& entry) { return entry.first == run; });
            if (!known) {
                std::vector<std::string> names;
                for (auto const& entry : runs)
                    names.push_back(entry.first);
                fail(offset, fmt::format("no run named '{}' above this line{}{}", run, did_you_mean(run, names),
                                 names.empty() ? std::string(" (declare it with '@run')")
                                               : fmt::format(" (runs so far: {})", join(names))));
                return std::nullopt;
            }
        } else {
            if (runs.empty()) {
                fail(offset, fmt::format("no run above this line for '{}' to measure; declare one with '@run'", name));
                return std::nullopt;
            }
            run = runs.back().first;
        }
        expr.text = name;
        expr.run = run;
        expr.run_written = explicit_run;
        expr.type = info->type;
        if (call) {
            advance();
            expr.argument_where = where(m_token.offset);
            if (m_token.kind == Token::Kind::Word || m_token.kind == Token::Kind::String
                || m_token.kind == Token::Kind::Number) {
                expr.argument = m_token.text;
                expr.has_argument = true;
                advance();
            } else {
                fail(m_token.offset, fmt::format("expected what '{}' is about inside the parentheses", name));
                return std::nullopt;
            }
            if (!is_symbol(")")) {
                fail(m_token.offset, fmt::format("expected ')' after '{}({}'", name, expr.argument));
                return std::nullopt;
            }
            advance();
        }
        switch (info->argument) {
        case MeasureArgument::None:
            if (expr.has_argument) {
                fail(measure_offset, fmt::format("'{}' is about the whole run and takes nothing in parentheses", name));
                return std::nullopt;
            }
            break;
        case MeasureArgument::OptionalCore:
            if (expr.has_argument && !std::all_of(expr.argument.begin(), expr.argument.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                fail(measure_offset, fmt::format("'{}(...)' takes a core number, such as '{}(0)'", name, name));
                return std::nullopt;
            }
            break;
        case MeasureArgument::Thread:
        case MeasureArgument::Job:
        case MeasureArgument::Process:
        case MeasureArgument::Variable:
            if (!expr.has_argument) {
                auto what = info->argument == MeasureArgument::Variable ? "a shared variable"
                    : info->argument == MeasureArgument::Process        ? "a process"
                                                                        : "a thread";
                fail(measure_offset, fmt::format("'{}' needs {}: write {}(NAME)", name, what, name));
                return std::nullopt;
            }
            break;
        }
        if (!info->needs.empty()) {
            auto const* capability = find_capability(info->needs);
            if (capability && !capability->available)
                m_owner.m_need_uses.push_back({ std::string(info->needs), name, m_line, measure_offset });
        }
        return expr;
    }

    LessonParser& m_owner;
    LessonParser::Line const& m_line;
    std::size_t m_end;
    std::size_t m_pos;
    Token m_token;
    bool m_failed = false;
    int m_depth = 0;
    static constexpr int max_operators = 100;
    int m_operators = 0;
    std::map<int, std::size_t> m_bare; // column of a bare word -> its byte offset
};

std::optional<Expr> LessonParser::parse_expression(Line const& line, std::size_t begin, std::size_t end)
{
    ExprParser parser(*this, line, begin, end);
    return parser.parse();
}

// A choice option's value, for a choice on an expression: a number, a name, or names in order.
std::optional<Expr> LessonParser::parse_literal(Line const& line, std::size_t begin, std::size_t end, ValueType type)
{
    auto text = trim(line.text.substr(begin, end - begin));
    while (begin < end && is_space(line.text[begin]))
        ++begin;
    Expr expr;
    expr.where = SourceLocation { line.number, column_at(line.text, begin) };
    if (type == ValueType::Number) {
        auto number_text = text;
        if (!number_text.empty() && number_text.back() == '%')
            number_text.remove_suffix(1);
        double value = 0;
        auto [rest, status] = std::from_chars(number_text.data(), number_text.data() + number_text.size(), value);
        if (status != std::errc() || rest != number_text.data() + number_text.size() || number_text.empty()) {
            error(line, begin, fmt::format("this choice is about a number, so each option must be one, not '{}'", text));
            return std::nullopt;
        }
        expr.kind = Expr::Kind::Number;
        expr.type = ValueType::Number;
        expr.number = value;
        return expr;
    }
    std::string value(text);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
    if (value.empty()) {
        error(line, begin, "this option is empty");
        return std::nullopt;
    }
    expr.kind = Expr::Kind::Text;
    expr.type = ValueType::Name;
    expr.text = value;
    return expr;
}

std::optional<std::vector<Word>> LessonParser::split_words(Line const& line, std::size_t from)
{
    std::vector<Word> words;
    auto text = line.text;
    std::size_t i = from;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i]))
            ++i;
        if (i >= text.size())
            break;
        Word word;
        word.offset = i;
        while (i < text.size() && !is_space(text[i])) {
            if (text[i] == '"') {
                auto close = text.find('"', i + 1);
                if (close == std::string_view::npos) {
                    error(line, i, "this quote is never closed with '\"'");
                    return std::nullopt;
                }
                word.text += text.substr(i + 1, close - i - 1);
                word.quoted = true;
                i = close + 1;
            } else {
                word.text += text[i++];
            }
        }
        words.push_back(std::move(word));
    }
    return words;
}

LessonParse LessonParser::parse()
{
    auto& lesson = m_result.lesson;
    bool have_title = false;
    std::string paragraph;
    std::vector<Figure> figures;
    std::optional<Line> paragraph_start;
    auto flush = [&] {
        if (!paragraph.empty() || !figures.empty()) {
            auto& block = add_block(BlockKind::Prose, *paragraph_start);
            block.text = std::move(paragraph);
            block.figures = std::move(figures);
        }
        paragraph.clear();
        figures.clear();
        paragraph_start.reset();
    };

    std::size_t i = 0;
    while (i < m_lines.size()) {
        auto const& line = m_lines[i];
        auto text = line.text;
        if (trim(text).empty()) {
            flush();
            ++i;
            continue;
        }
        if (starts_with(text, "@#")) { // a note for teachers, never shown
            ++i;
            continue;
        }
        if (!have_title) {
            have_title = true;
            if (starts_with(text, "# ") && !trim(text.substr(2)).empty()) {
                lesson.title = std::string(trim(text.substr(2)));
                ++i;
                continue;
            }
            error(line, 0, "a lesson starts with its title, a line like '# Concurrency on one core'");
        }
        if (starts_with(text, "# ")) {
            error(line, 0, "a lesson has one title; start a section with '## ' instead");
            ++i;
            continue;
        }
        if (starts_with(text, "##")) {
            flush();
            auto& block = add_block(BlockKind::Heading, line);
            auto heading = text.find_first_not_of('#');
            block.text = std::string(trim(heading == std::string_view::npos ? "" : text.substr(heading)));
            if (block.text.empty())
                error(line, 0, "this section heading is empty");
            ++i;
            continue;
        }
        if (trim(text) == "---") {
            flush();
            add_block(BlockKind::Pause, line);
            ++i;
            continue;
        }
        if (starts_with(text, ":::")) {
            flush();
            i = parse_fenced(i);
            continue;
        }
        if (starts_with(text, "@")) {
            flush();
            i = parse_directive(i);
            continue;
        }
        // A backslash lets prose start with a character that would begin a directive.
        std::size_t from = 0;
        if (starts_with(text, "\\@") || starts_with(text, "\\:::") || starts_with(text, "\\#"))
            from = 1;
        if (!paragraph_start)
            paragraph_start = line;
        if (paragraph_start->number != line.number)
            paragraph += '\n';
        add_prose_line(line, from, paragraph, figures);
        ++i;
    }
    flush();
    if (!have_title) {
        Line first { m_lines.empty() ? std::string_view() : m_lines.front().text, 1 };
        error(first, 0, "the lesson is empty: it starts with its title, a line like '# Concurrency on one core'");
    }
    for (auto const& use : m_need_uses) {
        if (std::find(lesson.needs.begin(), lesson.needs.end(), use.capability) == lesson.needs.end())
            error(use.line, use.offset,
                fmt::format("'{}' needs {}, which ticklab does not have yet; say so with '@needs {}' at the top",
                    use.measure, use.capability, use.capability));
    }
    std::stable_sort(m_result.errors.begin(), m_result.errors.end(), [](Diagnostic const& a, Diagnostic const& b) {
        return a.where.line != b.where.line ? a.where.line < b.where.line : a.where.column < b.where.column;
    });
    return std::move(m_result);
}

// One line of prose, with its figures: "{EXPRESSION}" or "{EXPRESSION = VALUE}" ('\\{' is a
// brace).
void LessonParser::add_prose_line(Line const& line, std::size_t from, std::string& paragraph, std::vector<Figure>& figures)
{
    auto text = line.text;
    std::size_t i = from;
    while (i < text.size()) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '{' || text[i + 1] == '}')) {
            paragraph += text[i + 1];
            i += 2;
            continue;
        }
        if (c == '}') {
            error(line, i, "this '}' closes no figure (write '\\}' for a brace in prose)");
            paragraph += c;
            ++i;
            continue;
        }
        if (c != '{') {
            paragraph += c;
            ++i;
            continue;
        }
        auto close = text.find('}', i + 1);
        if (close == std::string_view::npos) {
            error(line, i, "this figure is never closed with '}' (write '\\{' for a brace in prose)");
            paragraph += text.substr(i);
            return;
        }
        // The '=' between the expression and the value it states; '==', '<=', '>=' and '!='
        // are comparisons, and a figure is no comparison.
        auto eq = std::string_view::npos;
        for (auto k = i + 1; k < close; ++k) {
            if (text[k] != '=')
                continue;
            bool part_of_operator = (k + 1 < close && text[k + 1] == '=')
                || (k > i + 1 && (text[k - 1] == '=' || text[k - 1] == '<' || text[k - 1] == '>' || text[k - 1] == '!'));
            if (!part_of_operator) {
                eq = k;
                break;
            }
        }
        Figure figure;
        figure.offset = paragraph.size();
        figure.where = SourceLocation { line.number, column_at(text, i) };
        figure.source_line = std::string(text);
        auto expr_end = eq == std::string_view::npos ? close : eq;
        if (trim(text.substr(i + 1, expr_end - i - 1)).empty()) {
            error(line, i, "this figure is empty: write '{EXPRESSION}' or '{EXPRESSION = VALUE}', such as '{makespan = 13}'");
        } else if (auto expr = parse_expression(line, i + 1, expr_end)) {
            if (expr->type == ValueType::Truth) {
                error(line, i + 1, "a figure is a number or a name, not a comparison: write '{EXPRESSION = VALUE}', such as '{makespan = 13}'");
            } else {
                figure.expr = std::move(*expr);
                bool ok = true;
                if (eq != std::string_view::npos) {
                    auto begin = eq + 1;
                    while (begin < close && is_space(text[begin]))
                        ++begin;
                    figure.stated_where = SourceLocation { line.number, column_at(text, begin) };
                    figure.stated_text = std::string(trim(text.substr(eq + 1, close - eq - 1)));
                    figure.stated = parse_stated(line, eq + 1, close, figure.expr.type);
                    ok = figure.stated.has_value();
                }
                if (ok)
                    figures.push_back(std::move(figure));
            }
        }
        i = close + 1;
    }
}

// The value a figure states: a number ("13", "1.85", "71%"), a name, or names in order.
std::optional<Expr> LessonParser::parse_stated(Line const& line, std::size_t begin, std::size_t end, ValueType type)
{
    auto text = trim(line.text.substr(begin, end - begin));
    while (begin < end && is_space(line.text[begin]))
        ++begin;
    Expr expr;
    expr.where = SourceLocation { line.number, column_at(line.text, begin) };
    if (text.empty()) {
        error(line, begin, "this figure states no value after '='");
        return std::nullopt;
    }
    if (type == ValueType::Number) {
        auto number_text = text;
        if (number_text.back() == '%')
            number_text.remove_suffix(1);
        double value = 0;
        auto [rest, status] = std::from_chars(number_text.data(), number_text.data() + number_text.size(), value);
        if (status != std::errc() || rest != number_text.data() + number_text.size() || number_text.empty()) {
            error(line, begin, fmt::format("this figure is a number, so the value it states must be one, not '{}'", text));
            return std::nullopt;
        }
        expr.kind = Expr::Kind::Number;
        expr.type = ValueType::Number;
        expr.number = value;
        return expr;
    }
    expr.kind = Expr::Kind::Text;
    expr.type = type;
    expr.text = std::string(text);
    return expr;
}

std::size_t LessonParser::parse_fenced(std::size_t index)
{
    auto const& line = m_lines[index];
    auto words = split_words(line, 3).value_or(std::vector<Word> {});
    std::size_t close = index + 1;
    while (close < m_lines.size() && trim(m_lines[close].text) != ":::")
        ++close;
    if (close >= m_lines.size()) {
        error(line, 0, "this block is never closed: end it with a line holding only ':::'");
        return m_lines.size();
    }
    std::string body;
    for (std::size_t k = index + 1; k < close; ++k) {
        body += m_lines[k].text;
        body += '\n';
    }
    if (words.empty()) {
        error(line, 0, "say what this block holds: '::: program NAME', '::: code' or '::: not-yet CAPABILITY'");
        return close + 1;
    }
    auto const& kind = words[0];
    if (kind.text == "program") {
        if (words.size() < 2 || !is_identifier(words[1].text)) {
            error(line, words.size() < 2 ? line.text.size() : words[1].offset,
                "a program block needs a name: '::: program NAME'");
        } else if (std::find(m_program_names.begin(), m_program_names.end(), words[1].text) != m_program_names.end()) {
            error(line, words[1].offset, fmt::format("a program block named '{}' already exists", words[1].text));
        } else {
            if (words.size() > 2)
                error(line, words[2].offset, fmt::format("unexpected '{}' after the program's name", words[2].text));
            m_program_names.push_back(words[1].text);
            auto& block = add_block(BlockKind::Program, line);
            block.name = words[1].text;
            block.text = std::move(body);
            block.first_line = line.number + 1;
        }
    } else if (kind.text == "code") {
        auto& block = add_block(BlockKind::Code, line);
        block.name = words.size() > 1 ? words[1].text : "";
        block.text = std::move(body);
    } else if (kind.text == "not-yet") {
        if (words.size() < 2) {
            error(line, line.text.size(), "say which capability is missing: '::: not-yet coroutines'");
        } else {
            auto const* capability = find_capability(words[1].text);
            std::vector<std::string> names;
            for (auto const& known : all_capabilities())
                names.emplace_back(known.name);
            if (!capability)
                error(line, words[1].offset, fmt::format("unknown capability '{}'{} (known: {})", words[1].text,
                                                 did_you_mean(words[1].text, names), join(names)));
            else if (capability->available)
                error(line, words[1].offset, fmt::format("'{}' is in ticklab now: rewrite this part of the lesson to show it",
                                                 words[1].text));
            auto& block = add_block(BlockKind::NotYet, line);
            block.name = words[1].text;
            block.text = std::move(body);
        }
    } else {
        std::vector<std::string> kinds(std::begin(s_block_kinds), std::end(s_block_kinds));
        error(line, kind.offset, fmt::format("unknown block '::: {}'{} (blocks: program, code, not-yet)", kind.text,
                                     did_you_mean(kind.text, kinds)));
    }
    return close + 1;
}

std::size_t LessonParser::parse_directive(std::size_t index)
{
    auto const& line = m_lines[index];
    auto text = line.text;
    std::size_t end = 1;
    while (end < text.size() && (is_word_char(text[end]) || text[end] == '-'))
        ++end;
    auto name = text.substr(1, end - 1);
    if (name == "needs") {
        parse_needs(line, end);
    } else if (name == "names") {
        parse_names(line, end);
    } else if (name == "run") {
        parse_run(line, end);
    } else if (name == "show") {
        parse_show(line, end, false);
    } else if (name == "step") {
        parse_show(line, end, true);
    } else if (name == "predict") {
        parse_question(line, end, BlockKind::Predict);
    } else if (name == "choice") {
        parse_question(line, end, BlockKind::Choice);
        if (!m_result.lesson.blocks.empty() && m_result.lesson.blocks.back().kind == BlockKind::Choice
            && m_result.lesson.blocks.back().where.line == line.number)
            return parse_options(index + 1, m_result.lesson.blocks.back());
        // A malformed @choice still owns its options: skip them rather than read them as prose.
        std::size_t next = index + 1;
        while (next < m_lines.size() && starts_with(trim(m_lines[next].text), "- "))
            ++next;
        return next;
    } else if (name == "check") {
        parse_check(line, end);
    } else {
        std::vector<std::string> names(std::begin(s_directives), std::end(s_directives));
        if (name.empty())
            error(line, 0, "a line starting with '@' is a directive; write '\\@' to start prose with '@'");
        else {
            for (auto& candidate : names)
                candidate.insert(0, "@");
            auto written = "@" + std::string(name);
            error(line, 1, fmt::format("unknown directive '{}'{} (directives: {})", written, did_you_mean(written, names),
                               join(names, ", ")));
        }
    }
    return index + 1;
}

void LessonParser::parse_needs(Line const& line, std::size_t from)
{
    // Capabilities are separated by spaces or commas.
    std::vector<Word> words;
    auto text = line.text;
    for (std::size_t i = from; i < text.size();) {
        if (is_space(text[i]) || text[i] == ',') {
            ++i;
            continue;
        }
        Word word;
        word.offset = i;
        while (i < text.size() && !is_space(text[i]) && text[i] != ',')
            word.text += text[i++];
        words.push_back(std::move(word));
    }
    std::vector<std::string> names;
    for (auto const& known : all_capabilities())
        names.emplace_back(known.name);
    if (words.empty())
        error(line, line.text.size(), "say what the lesson needs: '@needs coroutines'");
    for (auto const& word : words) {
        auto const* capability = find_capability(word.text);
        if (!capability) {
            error(line, word.offset, fmt::format("unknown capability '{}'{} (known: {})", word.text,
                                         did_you_mean(word.text, names), join(names)));
            continue;
        }
        if (capability->available) {
            error(line, word.offset,
                fmt::format("'{}' is in ticklab now: remove it from '@needs' and show it in the lesson", word.text));
            continue;
        }
        m_result.lesson.needs.push_back(word.text);
        m_result.lesson.needs_where.push_back(SourceLocation { line.number, column_at(line.text, word.offset) });
    }
}

void LessonParser::parse_names(Line const& line, std::size_t from)
{
    // "@names 라면=ramen 파스타=pasta": pairs separated by spaces or commas.
    auto text = line.text;
    bool any = false;
    for (std::size_t i = from; i < text.size();) {
        if (is_space(text[i]) || text[i] == ',') {
            ++i;
            continue;
        }
        auto start = i;
        while (i < text.size() && !is_space(text[i]) && text[i] != ',')
            ++i;
        auto pair = text.substr(start, i - start);
        auto equals = pair.find('=');
        auto word = pair.substr(0, std::min(equals, pair.size()));
        auto name = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
        if (equals == std::string_view::npos || word.empty() || name.empty() || name.find('=') != std::string_view::npos) {
            error(line, start,
                fmt::format("'{}' is not WORD=NAME: write the word the lesson uses, '=', and the thread or process "
                            "it stands for, with no spaces ('@names 라면=ramen')",
                    pair));
            continue;
        }
        any = true;
        NameAlias alias;
        alias.word = std::string(word);
        alias.name = std::string(name);
        alias.where = SourceLocation { line.number, column_at(text, start) };
        alias.name_where = SourceLocation { line.number, column_at(text, start + equals + 1) };
        alias.source_line = std::string(text);
        m_result.lesson.names.push_back(std::move(alias));
    }
    if (!any && std::none_of(m_result.errors.begin(), m_result.errors.end(),
                    [&](Diagnostic const& diagnostic) { return diagnostic.where.line == line.number; }))
        error(line, text.size(), "say which words stand for which names: '@names 라면=ramen 파스타=pasta'");
}

void LessonParser::parse_run(Line const& line, std::size_t from)
{
    auto words = split_words(line, from);
    if (!words)
        return;
    RunDirective run;
    run.where = SourceLocation { line.number, 1 };
    run.source_line = std::string(line.text);
    std::size_t first = 0;
    std::optional<Word> name;
    if (words->size() >= 2 && (*words)[1].text == "=" && !(*words)[1].quoted) {
        name = (*words)[0];
        first = 2;
        if (!is_identifier(name->text)) {
            error(line, name->offset,
                fmt::format("'{}' cannot name a run: use letters, digits, '_' and '-', starting with a letter", name->text));
            return;
        }
    }
    if (first >= words->size()) {
        error(line, line.text.size(), "a run needs a program: '@run NAME = PROGRAM [ticklab run options]'");
        return;
    }
    auto const& program = (*words)[first];
    auto command_start = program.offset;
    if (!starts_with(program.text, "-")) {
        run.program = program.text;
        run.program_where = SourceLocation { line.number, column_at(line.text, program.offset) };
        ++first;
    }
    for (std::size_t k = first; k < words->size(); ++k) {
        auto const& word = (*words)[k];
        // A quoted value is located at its first character inside the quotes, so that a
        // column within it (a --jobs list's) lands on the right character.
        auto offset = word.offset + (line.text[word.offset] == '"' ? 1 : 0);
        run.words.push_back(word.text);
        run.word_where.push_back(SourceLocation { line.number, column_at(line.text, offset) });
    }
    if (name) {
        run.name = name->text;
    } else if (!run.program.empty()) {
        auto stem = run.program;
        if (auto slash = stem.find_last_of('/'); slash != std::string::npos)
            stem = stem.substr(slash + 1);
        if (stem.size() > 3 && stem.ends_with(".tl"))
            stem.resize(stem.size() - 3);
        run.name = stem;
        if (!is_identifier(stem)) {
            error(line, program.offset, fmt::format("name this run: '@run NAME = {}'", run.program));
            return;
        }
    } else {
        run.name = "jobs";
    }
    for (auto const& [known, at] : m_run_names) {
        if (known == run.name) {
            error(line, name ? name->offset : program.offset,
                fmt::format("a run named '{}' already exists (line {}); give this one another name: '@run NAME = ...'",
                    run.name, at));
            return;
        }
    }
    run.command = "ticklab run " + std::string(trim(line.text.substr(command_start)));
    m_run_names.emplace_back(run.name, line.number);
    auto& block = add_block(BlockKind::Run, line);
    block.name = run.name;
    block.run = m_result.lesson.runs.size();
    m_result.lesson.runs.push_back(std::move(run));
}

void LessonParser::parse_show(Line const& line, std::size_t from, bool step)
{
    auto words = split_words(line, from);
    if (!words)
        return;
    auto directive = step ? "@step" : "@show";
    if (m_run_names.empty()) {
        error(line, 0, fmt::format("no run above this line for '{}' to show; declare one with '@run'", directive));
        return;
    }
    Block block;
    block.kind = step ? BlockKind::Step : BlockKind::Show;
    block.where = SourceLocation { line.number, 1 };
    block.source_line = std::string(line.text);
    block.name = m_run_names.back().first;
    std::size_t k = 0;
    auto is_run = [&](std::string const& word) {
        return std::any_of(m_run_names.begin(), m_run_names.end(), [&](auto const& entry) { return entry.first == word; });
    };
    if (k < words->size() && is_run((*words)[k].text)) {
        block.name = (*words)[k].text;
        ++k;
    }
    std::vector<std::string> runs;
    for (auto const& entry : m_run_names)
        runs.push_back(entry.first);
    if (step) {
        std::vector<Tick> ticks;
        for (; k < words->size(); ++k) {
            auto const& word = (*words)[k];
            Tick value = 0;
            auto [rest, status] = std::from_chars(word.text.data(), word.text.data() + word.text.size(), value);
            bool digits = !word.text.empty() && word.text.find_first_not_of("0123456789", word.text[0] == '-' ? 1 : 0)
                    == std::string::npos && word.text != "-";
            if (digits && ticks.size() < 2 && (word.text[0] == '-' || status != std::errc() || value > max_tick_limit)) {
                error(line, word.offset,
                    word.text[0] == '-' ? fmt::format("a tick cannot be negative, not {}", word.text)
                                        : fmt::format("tick {} is too large: at most {}", word.text, max_tick_limit));
                return;
            }
            if (status != std::errc() || rest != word.text.data() + word.text.size() || ticks.size() == 2) {
                error(line, word.offset,
                    ticks.size() == 2 ? fmt::format("unexpected '{}': '@step [RUN] [FROM [TO]]' takes two ticks at most", word.text)
                                      : fmt::format("no run named '{}' above this line{} (runs so far: {})", word.text,
                                          did_you_mean(word.text, runs), join(runs)));
                return;
            }
            ticks.push_back(value);
        }
        if (!ticks.empty())
            block.from = ticks[0];
        if (ticks.size() > 1) {
            block.to = ticks[1];
            if (block.to < block.from) {
                error(line, (*words)[words->size() - 1].offset,
                    fmt::format("the last tick ({}) comes before the first ({})", block.to, block.from));
                return;
            }
        }
    } else {
        std::vector<std::string> views(std::begin(lesson_views), std::end(lesson_views));
        for (; k < words->size(); ++k) {
            auto const& word = (*words)[k];
            if (std::find(views.begin(), views.end(), word.text) == views.end()) {
                auto candidates = views;
                candidates.insert(candidates.end(), runs.begin(), runs.end());
                error(line, word.offset, fmt::format("'{}' is neither a run above this line nor something to show{} "
                                                     "(runs: {}; shows: {})",
                                             word.text, did_you_mean(word.text, candidates), join(runs), join(views)));
                return;
            }
            block.views.push_back(word.text);
        }
        // A run is shown the way a learner watches one: every tick, then the picture.
        if (block.views.empty())
            block.views = { "table", "chart" };
    }
    m_result.lesson.blocks.push_back(std::move(block));
}

// The ':' between an expression and its question, outside quotes.
std::size_t find_colon(std::string_view text, std::size_t from)
{
    bool quoted = false;
    for (std::size_t i = from; i < text.size(); ++i) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (text[i] == ':' && !quoted)
            return i;
    }
    return std::string_view::npos;
}

void LessonParser::parse_question(Line const& line, std::size_t from, BlockKind kind)
{
    auto directive = kind == BlockKind::Predict ? "@predict" : "@choice";
    auto colon = find_colon(line.text, from);
    if (colon == std::string_view::npos) {
        error(line, line.text.size(),
            kind == BlockKind::Predict
                ? "expected ':' and the question after the measure, as in '@predict makespan: How many ticks does it take?'"
                : "expected ':' and the question, as in '@choice first-finish: Which order is served first?'");
        return;
    }
    auto question = trim(line.text.substr(colon + 1));
    if (question.empty()) {
        error(line, colon, fmt::format("the question after ':' is empty: say what {} asks", directive));
        return;
    }
    Block block;
    block.kind = kind;
    block.where = SourceLocation { line.number, 1 };
    block.source_line = std::string(line.text);
    block.text = std::string(question);
    if (trim(line.text.substr(from, colon - from)).empty()) {
        if (kind == BlockKind::Predict) {
            error(line, from, "say what the learner predicts before ':', such as '@predict makespan: ...'");
            return;
        }
    } else {
        auto expr = parse_expression(line, from, colon);
        if (!expr)
            return;
        if (expr->type == ValueType::Truth) {
            error(line, from + (line.text.substr(from).size() - trim(line.text.substr(from)).size()),
                fmt::format("{} asks for a value, not a comparison: put claims in '@check'", directive));
            return;
        }
        block.expr = std::move(*expr);
    }
    m_result.lesson.blocks.push_back(std::move(block));
}

std::size_t LessonParser::parse_options(std::size_t index, Block& block)
{
    auto errors_before = m_result.errors.size();
    std::size_t next = index;
    while (next < m_lines.size()) {
        auto const& line = m_lines[next];
        auto text = line.text;
        auto dash = text.find_first_not_of(" \t");
        if (dash == std::string_view::npos || text.substr(dash, 2) != "- ")
            break;
        ChoiceOption option;
        option.where = SourceLocation { line.number, column_at(text, dash) };
        option.source_line = std::string(text);
        auto body = dash + 2;
        while (body < text.size() && is_space(text[body]))
            ++body;
        if (block.expr) {
            auto literal = parse_literal(line, body, text.size(), block.expr->type);
            if (literal) {
                option.text = std::string(trim(text.substr(body)));
                option.value = std::move(*literal);
                block.options.push_back(std::move(option));
            }
        } else {
            if (body >= text.size() || text[body] != '[') {
                error(line, body, "in a choice without a measure, each option starts with its condition: "
                                  "'- [three.makespan < one.makespan] It finishes sooner.'");
            } else {
                auto close = text.find(']', body);
                if (close == std::string_view::npos) {
                    error(line, body, "this '[' is never closed with ']'");
                } else {
                    auto condition = parse_expression(line, body + 1, close);
                    if (condition && condition->type != ValueType::Truth) {
                        error(line, body + 1, "an option's condition must be a comparison, such as 'makespan < 10'");
                    } else if (condition) {
                        option.text = std::string(trim(text.substr(close + 1)));
                        if (option.text.empty())
                            error(line, close, "say what this option means after its ']'");
                        option.condition = std::move(*condition);
                        block.options.push_back(std::move(option));
                    }
                }
            }
        }
        ++next;
    }
    if (next == index) {
        error(m_lines[index - 1], 0, "a choice needs its options on the lines below, each starting with '- '");
    } else if (next - index == 1 && block.options.size() == 1) {
        error(m_lines[index], 0, "a choice needs at least two options");
    } else if (next - index > max_choice_options) {
        // The learner answers with a letter: a) to z).
        auto const& line = m_lines[index + max_choice_options];
        error(line, 0, fmt::format("a choice has at most {} options, answered a) to z); this is option {}",
                           max_choice_options, max_choice_options + 1));
    }
    // A choice with a broken option is dropped: judging the options left would only add
    // errors about what the teacher is already fixing.
    if (m_result.errors.size() != errors_before)
        m_result.lesson.blocks.pop_back();
    return next;
}

void LessonParser::parse_check(Line const& line, std::size_t from)
{
    if (trim(line.text.substr(from)).empty()) {
        error(line, line.text.size(), "say what must hold, such as '@check makespan == 13'");
        return;
    }
    auto expr = parse_expression(line, from, line.text.size());
    if (!expr)
        return;
    if (expr->type != ValueType::Truth) {
        auto start = line.text.find_first_not_of(" \t", from);
        error(line, start, "a check must be a comparison, such as 'makespan == 13'");
        return;
    }
    auto& block = add_block(BlockKind::Check, line);
    block.expr = std::move(*expr);
}

}

namespace {

// A program block without its comments and quoted texts: what a translation may change.
std::string program_skeleton(std::string_view text)
{
    std::string out;
    bool quoted = false;
    bool comment = false;
    for (char c : text) {
        if (c == '\n') {
            while (!out.empty() && out.back() == ' ')
                out.pop_back();
            out += '\n';
            quoted = comment = false;
            continue;
        }
        if (comment)
            continue;
        if (c == '"') {
            quoted = !quoted;
            out += c;
            continue;
        }
        if (quoted)
            continue;
        if (c == '#') {
            comment = true;
            continue;
        }
        out += c;
    }
    return out;
}

// What a block asks, runs or claims, without its prose.
std::optional<std::string> signature(Block const& block, Lesson const& lesson)
{
    switch (block.kind) {
    case BlockKind::Run: {
        auto const& run = lesson.runs[block.run];
        std::string words;
        for (auto const& word : run.words)
            words += " " + word;
        return fmt::format("@run {} = {}{}", run.name, run.program, words);
    }
    case BlockKind::Show: {
        std::string views;
        for (auto const& view : block.views)
            views += " " + view;
        return fmt::format("@show {}{}", block.name, views);
    }
    case BlockKind::Step:
        return fmt::format("@step {} {} {}", block.name, block.from, block.to);
    case BlockKind::Predict:
        return fmt::format("@predict {}", block.expr ? to_string(*block.expr) : "");
    case BlockKind::Check:
        return fmt::format("@check {}", block.expr ? to_string(*block.expr) : "");
    case BlockKind::Choice: {
        std::string options;
        for (auto const& option : block.options)
            options += " - " + (option.condition ? "[" + to_string(*option.condition) + "]" : to_string(*option.value));
        return fmt::format("@choice {}:{}", block.expr ? to_string(*block.expr) : "", options);
    }
    case BlockKind::Program:
        return fmt::format("::: program {}\n{}", block.name, program_skeleton(block.text));
    case BlockKind::NotYet:
        return fmt::format("::: not-yet {}", block.name);
    case BlockKind::Heading:
    case BlockKind::Prose:
    case BlockKind::Pause:
    case BlockKind::Code:
        break;
    }
    return std::nullopt;
}

// "{makespan = 13}", as a figure is written, spaced the one way.
std::string figure_signature(Figure const& figure)
{
    return figure.stated ? fmt::format("{{{} = {}}}", to_string(figure.expr), figure.stated_text)
                         : fmt::format("{{{}}}", to_string(figure.expr));
}

std::string first_line(std::string_view text)
{
    return std::string(text.substr(0, text.find('\n')));
}

}

std::vector<Diagnostic> compare_translation(Lesson const& original, Lesson const& translation,
    std::string_view translation_source)
{
    std::vector<Diagnostic> problems;
    auto needs = [](Lesson const& lesson) {
        auto sorted = lesson.needs;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    };
    if (needs(original) != needs(translation)) {
        problems.push_back(Diagnostic { translation.file, SourceLocation { 1, 1 },
            fmt::format("the translation needs '{}' but {} needs '{}'", join(needs(translation), ", "), original.file,
                join(needs(original), ", ")),
            first_line(translation_source) });
        return problems;
    }
    struct Entry {
        std::string text;
        SourceLocation where;
        std::string source_line;
    };
    auto entries = [](Lesson const& lesson) {
        std::vector<Entry> out;
        for (auto const& block : lesson.blocks) {
            if (auto text = signature(block, lesson))
                out.push_back(Entry { *text, block.where, block.source_line });
            // A figure in prose states the same value in every language.
            for (auto const& figure : block.figures)
                out.push_back(Entry { figure_signature(figure), figure.where, figure.source_line });
        }
        return out;
    };
    auto a = entries(original);
    auto b = entries(translation);
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        if (i < a.size() && i < b.size() && a[i].text == b[i].text)
            continue;
        bool here = i < b.size();
        auto where = here ? b[i].where : SourceLocation { 1, 1 };
        std::string message;
        if (i >= b.size())
            message = fmt::format("the translation ends here, but {}:{} goes on with '{}'", original.file,
                a[i].where.line, first_line(a[i].text));
        else if (i >= a.size())
            message = fmt::format("the translation has '{}' here, which {} does not have", first_line(b[i].text), original.file);
        else
            message = fmt::format("the translation has '{}' here, but {}:{} has '{}'", first_line(b[i].text), original.file,
                a[i].where.line, first_line(a[i].text));
        problems.push_back(Diagnostic { translation.file, where, std::move(message),
            here ? b[i].source_line : first_line(translation_source) });
        break;
    }
    return problems;
}

LessonParse parse_lesson(std::string_view source, std::string file_name)
{
    LessonParser parser(source, std::move(file_name));
    return parser.parse();
}

}
