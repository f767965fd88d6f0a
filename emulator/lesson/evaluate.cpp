#include "lesson/evaluate.hpp"

#include "lesson/measures.hpp"
#include "lesson/say.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace tl {

namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}

std::variant<Evaluation, EvaluationError> evaluation_error(SourceLocation where, std::string message)
{
    return EvaluationError { where, std::move(message) };
}

std::string format_number(double number)
{
    if (std::abs(number - std::round(number)) < 1e-9)
        return fmt::format("{}", static_cast<std::int64_t>(std::llround(number)));
    auto text = fmt::format("{:.2f}", number);
    while (!text.empty() && text.back() == '0')
        text.pop_back();
    if (!text.empty() && text.back() == '.')
        text.pop_back();
    return text;
}

std::optional<ThreadId> find_thread(Trace const& trace, std::string_view name, bool any_case)
{
    auto same = [&](std::string_view a) { return any_case ? lower(a) == lower(name) : a == name; };
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id)
        if (same(trace.threads[id].display_name))
            return id;
    // A thread's declared name also works while no other process has a thread of that name.
    std::optional<ThreadId> found;
    int count = 0;
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        if (same(trace.threads[id].name)) {
            found = id;
            ++count;
        }
    }
    return count == 1 ? found : std::nullopt;
}

std::optional<ProcessId> find_process(Trace const& trace, std::string_view name, bool any_case)
{
    for (ProcessId id = 0; id < static_cast<ProcessId>(trace.processes.size()); ++id) {
        auto const& process = trace.processes[id].name;
        if (any_case ? lower(process) == lower(name) : process == name)
            return id;
    }
    return std::nullopt;
}

Value number_value(double number, bool percent)
{
    Value value;
    value.type = ValueType::Number;
    value.number = number;
    value.percent = percent;
    return value;
}

namespace {

// A literal name or list of names: "pasta", "pasta, cake, ramen".
Value literal_names(std::string_view text)
{
    Value value;
    std::string name;
    auto flush = [&] {
        if (!name.empty())
            value.groups.push_back({ name });
        name.clear();
    };
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t')
            flush();
        else
            name += c;
    }
    flush();
    value.type = value.groups.size() == 1 ? ValueType::Name : ValueType::Order;
    return value;
}

using Result = std::variant<Evaluation, EvaluationError>;


// The run a clause is about, as context() wrote it at its start ("on 2 cores (rr), ",
// "코어 2개(rr)에서 "), or "" when it has none.
std::string_view clause_context(std::string_view clause)
{
    for (auto [start, end] : { std::pair<std::string_view, std::string_view> { "on ", "), " }, { "코어 ", ")에서 " } }) {
        if (!clause.starts_with(start))
            continue;
        auto at = clause.find(end);
        if (at != std::string_view::npos)
            return clause.substr(0, at + end.size());
    }
    return {};
}

// Clauses in order, each once; a run already named is not named again.
void add_evidence(std::vector<std::string>& into, std::vector<std::string> const& from)
{
    for (auto clause : from) {
        auto context = clause_context(clause);
        if (!context.empty()
            && std::any_of(into.begin(), into.end(), [&](std::string const& had) { return clause_context(had) == context; }))
            clause.erase(0, context.size());
        bool had = std::any_of(into.begin(), into.end(), [&](std::string const& earlier) {
            return earlier == clause || earlier.substr(clause_context(earlier).size()) == clause;
        });
        if (!had)
            into.push_back(clause);
    }
}

// Whether a measure's evidence already says what `arrival` of the same thing would: the
// admission, turnaround and response clauses all state the arrival tick.
bool states_arrival(Expr const& expr, Expr const& arrival)
{
    return arrival.kind == Expr::Kind::Measure && arrival.text == "arrival" && expr.kind == Expr::Kind::Measure
        && (expr.text == "admitted" || expr.text == "turnaround" || expr.text == "response") && expr.run == arrival.run
        && expr.argument == arrival.argument;
}

// `top`: the whole expression, the only one whose arithmetic is spelled out ("so 13 / 7 = 1.86").
Result evaluate_in(Expr const& expr, CheckedLesson const& lesson, Language language, bool many_runs, bool top = true)
{
    switch (expr.kind) {
    case Expr::Kind::Number:
        return Evaluation { number_value(expr.number), {} };
    case Expr::Kind::Text:
        return Evaluation { literal_names(expr.text), {} };
    case Expr::Kind::Measure: {
        auto const* run = lesson.run(expr.run);
        if (!run)
            return evaluation_error(expr.where, fmt::format("run '{}' could not run, so '{}' has no value", expr.run, to_string(expr)));
        return evaluate_measure(expr, *run, language, many_runs);
    }
    case Expr::Kind::Binary:
        break;
    }
    auto left = evaluate_in(expr.operands[0], lesson, language, many_runs, false);
    if (std::holds_alternative<EvaluationError>(left))
        return left;
    auto right = evaluate_in(expr.operands[1], lesson, language, many_runs, false);
    if (std::holds_alternative<EvaluationError>(right))
        return right;
    auto& l = std::get<Evaluation>(left);
    auto& r = std::get<Evaluation>(right);
    Evaluation result;
    if (!states_arrival(expr.operands[1], expr.operands[0]))
        add_evidence(result.evidence, l.evidence);
    if (!states_arrival(expr.operands[0], expr.operands[1]))
        add_evidence(result.evidence, r.evidence);
    if (!l.value.missing.empty() || !r.value.missing.empty()) {
        result.value.type = expr.type;
        result.value.missing = !l.value.missing.empty() ? l.value.missing : r.value.missing;
        return result;
    }
    auto const& op = expr.text;
    if (expr.type == ValueType::Truth) {
        result.value.type = ValueType::Truth;
        if (op == "==" || op == "!=") {
            bool same = same_value(l.value, r.value);
            result.value.truth = op == "==" ? same : !same;
        } else {
            double a = l.value.number;
            double b = r.value.number;
            result.value.truth = op == "<" ? a < b : op == "<=" ? a <= b : op == ">" ? a > b : a >= b;
        }
        return result;
    }
    double a = l.value.number;
    double b = r.value.number;
    if (op == "/" && b == 0)
        return evaluation_error(expr.operands[1].where, fmt::format("'{}' is 0, and nothing can be divided by 0", to_string(expr.operands[1])));
    double value = op == "+" ? a + b : op == "-" ? a - b : op == "*" ? a * b : a / b;
    result.value = number_value(value);
    if (top)
        result.evidence.push_back(say(language, "so {} {} {} = {}", "따라서 {} {} {} = {}", to_string(l.value), op,
        to_string(r.value), to_string(result.value)));
    return result;
}

bool linearizes(std::vector<std::vector<std::string>> const& groups, std::vector<std::vector<std::string>> const& singles)
{
    std::size_t next = 0;
    for (auto const& group : groups) {
        if (next + group.size() > singles.size())
            return false;
        for (std::size_t k = 0; k < group.size(); ++k) {
            auto const& name = singles[next + k].front();
            if (std::find(group.begin(), group.end(), name) == group.end())
                return false;
        }
        next += group.size();
    }
    return next == singles.size();
}

bool all_single(std::vector<std::vector<std::string>> const& groups)
{
    return std::all_of(groups.begin(), groups.end(), [](auto const& group) { return group.size() == 1; });
}

}

std::string to_string(Value const& value)
{
    if (!value.missing.empty())
        return "?";
    switch (value.type) {
    case ValueType::Number:
        return format_number(value.number) + (value.percent ? "%" : "");
    case ValueType::Truth:
        return value.truth ? "true" : "false";
    case ValueType::Name:
    case ValueType::Order:
        break;
    }
    std::string out;
    for (auto const& group : value.groups) {
        if (!out.empty())
            out += ", ";
        std::string tie;
        for (auto const& name : group)
            tie += (tie.empty() ? "" : " = ") + name;
        out += tie;
    }
    return out;
}

std::variant<Evaluation, EvaluationError> evaluate(Expr const& expr, CheckedLesson const& lesson, Language language)
{
    return evaluate_in(expr, lesson, language, lesson.lesson.runs.size() > 1);
}

std::variant<Evaluation, EvaluationError> evaluate_goal(Expr const& goal, CheckedLesson const& lesson,
    std::string const& run_name, Trace trace, Language language)
{
    CheckedLesson played = lesson;
    for (std::size_t i = 0; i < played.lesson.runs.size() && i < played.runs.size(); ++i) {
        if (played.lesson.runs[i].name != run_name || !played.runs[i])
            continue;
        played.runs[i]->metrics = compute_metrics(trace);
        played.runs[i]->trace = std::move(trace);
        break;
    }
    return evaluate_in(goal, played, language, false);
}

bool same_value(Value const& a, Value const& b)
{
    if (a.type == ValueType::Number || b.type == ValueType::Number)
        return a.type == b.type && std::abs(a.number - b.number) < 0.005;
    if (a.type == ValueType::Truth || b.type == ValueType::Truth)
        return a.type == b.type && a.truth == b.truth;
    auto const& x = a.groups;
    auto const& y = b.groups;
    if (x.size() == 1 && y.size() == 1) {
        for (auto const& name : x.front())
            if (std::find(y.front().begin(), y.front().end(), name) != y.front().end())
                return true;
        return false;
    }
    if (all_single(y))
        return linearizes(x, y);
    if (all_single(x))
        return linearizes(y, x);
    return x == y;
}

std::string evidence_text(Evaluation const& evaluation, Language language)
{
    std::string out;
    for (auto const& clause : evaluation.evidence) {
        if (!out.empty())
            out += language == Language::Ko ? ". " : "; ";
        out += clause;
    }
    if (!out.empty())
        out += '.';
    return out;
}

std::optional<std::string> named_in_run(Trace const& trace, std::string_view typed, std::vector<NameAlias> const& aliases)
{
    std::string_view name = typed;
    for (auto const& alias : aliases)
        if (lower(alias.word) == lower(typed))
            name = alias.name;
    if (auto thread = find_thread(trace, name, true))
        return trace.name(*thread);
    if (auto process = find_process(trace, name, true))
        return trace.processes[*process].name;
    return std::nullopt;
}

namespace {

std::string_view trim_spaces(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

bool ends_with(std::string_view text, std::string_view end)
{
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

// What may follow a number in an answer: a unit, then a sentence's end ("13틱입니다.").
bool is_number_tail(std::string_view tail)
{
    tail = trim_spaces(tail);
    while (!tail.empty() && (tail.back() == '.' || tail.back() == '!'))
        tail.remove_suffix(1);
    // The polite endings a Korean learner may type after the number or its unit.
    for (std::string_view ending : { "입니다", "이에요", "예요", "이요", "요" }) {
        if (ends_with(tail, ending)) {
            tail.remove_suffix(ending.size());
            break;
        }
    }
    tail = trim_spaces(tail);
    auto unit = lower(tail);
    for (std::string_view known : { "", "%", "tick", "ticks", "틱", "percent", "퍼센트", "time", "times", "번" })
        if (unit == known)
            return true;
    return false;
}

// The threads of a run for a message, each with the words @names gives it: "ramen (라면)".
std::string thread_list(Trace const& trace, std::vector<NameAlias> const& aliases)
{
    std::string out;
    for (auto const& thread : trace.threads) {
        std::string words;
        for (auto const& alias : aliases)
            if (named_in_run(trace, alias.name) == thread.display_name)
                words += (words.empty() ? "" : ", ") + alias.word;
        out += (out.empty() ? "" : ", ") + thread.display_name + (words.empty() ? "" : " (" + words + ")");
    }
    return out;
}

}

std::variant<Value, std::string> parse_answer(std::string_view input, ValueType type, LessonRun const* run, Language language,
    std::vector<NameAlias> const& aliases)
{
    auto trimmed = trim_spaces(input);
    if (type == ValueType::Number) {
        double number = 0;
        auto [rest, status] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
        if (status != std::errc() || trimmed.empty())
            return say(language, "Please answer with a number, such as 12.", "숫자로 답해 주세요 (예: 12).");
        // "13 ticks", "13%", "13틱" and "13틱입니다" are fine; "13 or 14" is not, and neither is a
        // unit ticklab does not know: the answer is refused whole, never cut to its number.
        std::string_view after(rest, static_cast<std::size_t>(trimmed.data() + trimmed.size() - rest));
        if (!is_number_tail(after))
            return say(language,
                "Please answer with one number, such as 12 (a unit may follow: 12 ticks, 12%); '{}' is not one.",
                "숫자 하나로 답해 주세요 (예: 12, 12틱, 12%). '{}'은(는) 알 수 있는 단위가 아닙니다.", trim_spaces(after));
        return number_value(number);
    }
    Value answer;
    answer.type = type;
    std::string name;
    std::vector<std::string> unknown;
    auto flush = [&] {
        if (name.empty())
            return;
        std::optional<std::string> canonical;
        if (run) {
            canonical = named_in_run(run->trace, name, aliases);
        } else {
            canonical = name;
            for (auto const& alias : aliases)
                if (lower(alias.word) == lower(name))
                    canonical = alias.name;
        }
        if (canonical)
            answer.groups.push_back({ *canonical });
        else
            unknown.push_back(name);
        name.clear();
    };
    for (char c : trimmed) {
        if (c == ',' || c == ' ' || c == '\t')
            flush();
        else
            name += c;
    }
    flush();
    auto threads = run ? thread_list(run->trace, aliases) : std::string();
    if (!unknown.empty())
        return say(language, "There is no thread called '{}' here; the threads are {}.",
            "'{}'라는 스레드는 없습니다. 스레드는 {}입니다.", unknown.front(), threads);
    if (answer.groups.empty())
        return type == ValueType::Order
            ? say(language, "Please name the threads in order, such as: {}.", "스레드 이름을 순서대로 적어 주세요 (예: {}).", threads)
            : say(language, "Please name one thread: {}.", "스레드 이름 하나를 적어 주세요: {}.", threads);
    if (type == ValueType::Name && answer.groups.size() > 1)
        return say(language, "Please name just one thread.", "스레드 이름 하나만 적어 주세요.");
    return answer;
}

bool answer_matches(Value const& answer, Value const& truth)
{
    if (truth.type == ValueType::Number) {
        if (std::abs(truth.number - std::round(truth.number)) < 1e-9)
            return std::abs(answer.number - truth.number) < 1e-9;
        return std::abs(answer.number - truth.number) <= 0.05 + 1e-9;
    }
    return same_value(answer, truth);
}

LessonRun const* run_of(Expr const& expr, CheckedLesson const& lesson)
{
    if (expr.kind == Expr::Kind::Measure)
        return lesson.run(expr.run);
    for (auto const& operand : expr.operands)
        if (auto const* run = run_of(operand, lesson))
            return run;
    return nullptr;
}

}
