// The lesson directives a learner answers or acts in: @predict and @choice (with their
// options), @check, @explore and @manual. The rest of the lesson parser is lesson/lesson.cpp.

#include "lesson/lesson_parser.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl::lesson_parsing {

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

// The run a directive names with its first word, or the latest run above when its first word
// is no run; nothing (after an error) when there is no run above. The second member is where
// the rest of the directive starts.
std::optional<std::pair<std::string, std::size_t>> LessonParser::leading_run(Line const& line, std::size_t from,
    std::size_t end)
{
    auto directive = line.text.substr(0, from);
    if (m_run_names.empty()) {
        error(line, 0, fmt::format("no run above this line for '{}'; declare one with '@run'", directive));
        return std::nullopt;
    }
    auto begin = from;
    while (begin < end && is_space(line.text[begin]))
        ++begin;
    auto stop = begin;
    while (stop < end && !is_space(line.text[stop]))
        ++stop;
    auto word = std::string(line.text.substr(begin, stop - begin));
    if (std::any_of(m_run_names.begin(), m_run_names.end(), [&](auto const& entry) { return entry.first == word; }))
        return std::pair { word, stop };
    return std::pair { m_run_names.back().first, from };
}

// "@explore [RUN] [VARIABLE: QUESTION]": every schedule of the run's program; with a
// question, the learner first names the values VARIABLE can end with.
void LessonParser::parse_explore(Line const& line, std::size_t from)
{
    auto colon = find_colon(line.text, from);
    auto before = colon == std::string_view::npos ? line.text.size() : colon;
    auto run = leading_run(line, from, before);
    if (!run)
        return;
    Block block;
    block.kind = BlockKind::Explore;
    block.where = SourceLocation { line.number, 1 };
    block.source_line = std::string(line.text);
    block.name = run->first;
    auto rest = trim(line.text.substr(run->second, before - run->second));
    auto rest_at = line.text.find_first_not_of(" \t", run->second);
    if (colon == std::string_view::npos) {
        if (!rest.empty()) {
            std::vector<std::string> runs;
            for (auto const& entry : m_run_names)
                runs.push_back(entry.first);
            error(line, rest_at,
                fmt::format("'{}' is no run above this line{} (runs so far: {}); to ask about a variable first, "
                            "write '@explore [RUN] VARIABLE: QUESTION'",
                    rest, did_you_mean(rest, runs), join(runs)));
            return;
        }
    } else {
        auto question = trim(line.text.substr(colon + 1));
        if (rest.empty()) {
            error(line, colon, "say which shared variable the question asks about before ':', as in "
                               "'@explore race count: Which final values can count have?'");
            return;
        }
        if (!is_identifier(rest) || rest.find(' ') != std::string_view::npos) {
            error(line, rest_at, fmt::format("'{}' is not a variable's name: '@explore [RUN] VARIABLE: QUESTION'", rest));
            return;
        }
        if (question.empty()) {
            error(line, colon, "the question after ':' is empty: say what @explore asks");
            return;
        }
        block.variable = std::string(rest);
        block.variable_where = SourceLocation { line.number, column_at(line.text, rest_at) };
        block.text = std::string(question);
    }
    m_result.lesson.blocks.push_back(std::move(block));
}

// Measures of a goal without a run of their own read the run played by hand.
void retarget(Expr& expr, std::string const& run)
{
    if (expr.kind == Expr::Kind::Measure && !expr.run_written)
        expr.run = run;
    for (auto& operand : expr.operands)
        retarget(operand, run);
}

// "@manual [RUN] [GOAL]: TASK": the learner picks, at every pick, the thread that runs.
void LessonParser::parse_manual(Line const& line, std::size_t from)
{
    auto colon = find_colon(line.text, from);
    if (colon == std::string_view::npos) {
        error(line, line.text.size(),
            "expected ':' and the task, as in '@manual race value(count) == 2: Make the counter end at 2.'");
        return;
    }
    auto run = leading_run(line, from, colon);
    if (!run)
        return;
    auto task = trim(line.text.substr(colon + 1));
    if (task.empty()) {
        error(line, colon, "the task after ':' is empty: say what the learner is to do");
        return;
    }
    Block block;
    block.kind = BlockKind::Manual;
    block.where = SourceLocation { line.number, 1 };
    block.source_line = std::string(line.text);
    block.name = run->first;
    block.text = std::string(task);
    if (!trim(line.text.substr(run->second, colon - run->second)).empty()) {
        auto goal = parse_expression(line, run->second, colon);
        if (!goal)
            return;
        if (goal->type != ValueType::Truth) {
            error(line, line.text.find_first_not_of(" \t", run->second),
                "a goal must be a comparison that the learner's run is to make true, such as 'value(count) == 2' or "
                "'deadlocked > 0'");
            return;
        }
        retarget(*goal, block.name);
        block.expr = std::move(*goal);
    }
    m_result.lesson.blocks.push_back(std::move(block));
}

}
