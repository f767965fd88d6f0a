// The lesson's expression language: a recursive-descent parser over one expression of a
// line ("finish(pasta) - arrival(pasta) > 3", "finish-order@rr"), typed as it is read, with
// each measure checked against the measure table (lesson/measures.hpp) and the runs above it.

#include "lesson/capabilities.hpp"
#include "lesson/lesson_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace tl::lesson_parsing {

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

}
