// The lesson parser: a lesson file's lines, fenced program blocks, prose with figures and
// directives (@needs, @names, @run, @show, @step here; @predict, @choice, @check, @explore and
// @manual in lesson/lesson_exercises.cpp), read into a Lesson with every error found. Its
// expressions are parsed by lesson/expression.cpp; a translation is compared with its
// original by lesson/translation.cpp.

#include "lesson/lesson.hpp"

#include "lesson/capabilities.hpp"
#include "lesson/lesson_parser.hpp"
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

namespace lesson_parsing {

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
    } else if (name == "explore") {
        parse_explore(line, end);
    } else if (name == "manual") {
        parse_manual(line, end);
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

}

LessonParse parse_lesson(std::string_view source, std::string file_name)
{
    lesson_parsing::LessonParser parser(source, std::move(file_name));
    return parser.parse();
}

}
