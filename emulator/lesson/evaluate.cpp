#include "lesson/evaluate.hpp"

#include "lesson/measures.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace tl {

namespace {

std::string_view tr(Language language, std::string_view en, std::string_view ko)
{
    return language == Language::Ko ? ko : en;
}

template<typename... Args>
std::string say(Language language, std::string_view en, std::string_view ko, Args&&... args)
{
    return fmt::format(fmt::runtime(tr(language, en, ko)), std::forward<Args>(args)...);
}

std::string plural(std::int64_t count, std::string_view word)
{
    return fmt::format("{} {}{}", count, word, count == 1 ? "" : "s");
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

std::string lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<ThreadId> find_thread(Trace const& trace, std::string_view name, bool any_case = false)
{
    auto same = [&](std::string_view a) { return any_case ? lower(a) == lower(name) : a == name; };
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id)
        if (same(trace.threads[static_cast<std::size_t>(id)].display_name))
            return id;
    // A thread's declared name also works while no other process has a thread of that name.
    std::optional<ThreadId> found;
    int count = 0;
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        if (same(trace.threads[static_cast<std::size_t>(id)].name)) {
            found = id;
            ++count;
        }
    }
    return count == 1 ? found : std::nullopt;
}

std::optional<ProcessId> find_process(Trace const& trace, std::string_view name, bool any_case = false)
{
    for (ProcessId id = 0; id < static_cast<ProcessId>(trace.processes.size()); ++id) {
        auto const& process = trace.processes[static_cast<std::size_t>(id)].name;
        if (any_case ? lower(process) == lower(name) : process == name)
            return id;
    }
    return std::nullopt;
}

std::string thread_list(Trace const& trace)
{
    std::string out;
    for (auto const& thread : trace.threads)
        out += (out.empty() ? "" : ", ") + thread.display_name;
    return out;
}

// Which run a clause is about, when a lesson has several: "on 3 cores (per-core), ".
// The RAM and the quantum are named only when they are not the defaults, which is when a
// lesson compares runs by them.
std::string context(LessonRun const& run, Language language)
{
    auto cores = run.trace.machine.cores;
    std::string details(run.trace.scheduler);
    if (run.trace.machine.ram != MachineConfig {}.ram)
        details += language == Language::Ko ? fmt::format(", RAM {}", format_bytes(run.trace.machine.ram))
                                            : fmt::format(", {} of RAM", format_bytes(run.trace.machine.ram));
    if (run.setup.options.quantum != SchedulerOptions {}.quantum
        && run.trace.scheduler_description.find("quantum") != std::string::npos)
        details += fmt::format(fmt::runtime(language == Language::Ko ? ", 퀀텀 {}" : ", quantum {}"), run.setup.options.quantum);
    return language == Language::Ko ? fmt::format("코어 {}개({})에서 ", cores, details)
                                    : fmt::format("on {} ({}), ", plural(cores, "core"), details);
}

Tick event_tick(Trace const& trace, EventKind kind, ProcessId process)
{
    for (auto const& event : trace.events)
        if (event.kind == kind && event.process == process)
            return event.tick;
    return -1;
}

// Finished threads grouped by finish tick, earliest first; ties keep declaration order.
std::vector<std::vector<ThreadId>> finish_groups(Trace const& trace)
{
    std::vector<ThreadId> finished;
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace.threads.size()); ++id) {
        auto const& totals = trace.totals[static_cast<std::size_t>(id)];
        if (totals.finish >= 0 && !totals.killed)
            finished.push_back(id);
    }
    std::stable_sort(finished.begin(), finished.end(), [&](ThreadId a, ThreadId b) {
        return trace.totals[static_cast<std::size_t>(a)].finish < trace.totals[static_cast<std::size_t>(b)].finish;
    });
    std::vector<std::vector<ThreadId>> groups;
    for (ThreadId id : finished) {
        auto tick = trace.totals[static_cast<std::size_t>(id)].finish;
        if (groups.empty() || trace.totals[static_cast<std::size_t>(groups.back().front())].finish != tick)
            groups.emplace_back();
        groups.back().push_back(id);
    }
    return groups;
}

std::string order_text(Trace const& trace, std::vector<std::vector<ThreadId>> const& groups, Language language)
{
    std::string out;
    for (auto const& group : groups)
        for (ThreadId id : group)
            out += fmt::format("{}{}", out.empty() ? "" : ", ",
                say(language, "{} at {}", "{} {}틱", trace.name(id), trace.totals[static_cast<std::size_t>(id)].finish));
    return out;
}

Value number_value(double number, bool percent = false)
{
    Value value;
    value.type = ValueType::Number;
    value.number = number;
    value.percent = percent;
    return value;
}

Value names_value(Trace const& trace, std::vector<std::vector<ThreadId>> const& groups, ValueType type)
{
    Value value;
    value.type = type;
    for (auto const& group : groups) {
        value.groups.emplace_back();
        for (ThreadId id : group)
            value.groups.back().push_back(trace.name(id));
    }
    return value;
}

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

Result fail(SourceLocation where, std::string message) { return EvaluationError { where, std::move(message) }; }

Result measure(Expr const& expr, LessonRun const& run, Language language, bool many_runs)
{
    auto const& trace = run.trace;
    auto const& metrics = run.metrics;
    auto const* info = find_measure(expr.text);
    Evaluation result;
    auto ctx = context(run, language);
    auto with_context = [&](std::string clause) { return many_runs ? ctx + clause : clause; };

    // Plain ids rather than optionals: what the measure is about, or none.
    ThreadId thread = no_thread;
    ProcessId process = no_process;
    if (info->argument == MeasureArgument::Thread || info->argument == MeasureArgument::Job
        || info->argument == MeasureArgument::Process) {
        thread = find_thread(trace, expr.argument).value_or(no_thread);
        if (info->argument != MeasureArgument::Thread)
            process = find_process(trace, expr.argument).value_or(no_process);
        if (info->argument == MeasureArgument::Process && thread != no_thread && process == no_process)
            process = trace.threads[static_cast<std::size_t>(thread)].process;
        if (thread == no_thread && process == no_process) {
            auto what = info->argument == MeasureArgument::Thread ? "thread" : "thread or process";
            return fail(expr.argument_where, fmt::format("run '{}' has no {} named '{}' (its threads: {})", run.name, what,
                                                 expr.argument, thread_list(trace)));
        }
        if (info->argument == MeasureArgument::Job && thread != no_thread)
            process = no_process; // a thread's own name wins over a process of the same name
    }
    auto name = expr.argument;

    auto const& text = expr.text;
    if (text == "makespan") {
        result.value = number_value(static_cast<double>(metrics.makespan));
        auto cores = trace.machine.cores;
        if (trace.processes.size() == 1)
            result.evidence.push_back(say(language, "{} finished at tick {} on {} ({})",
                "{} 프로세스가 코어 {}개에서 {}틱에 끝났습니다 ({})", trace.processes.front().name,
                language == Language::Ko ? fmt::format("{}", cores) : fmt::format("{}", metrics.makespan),
                language == Language::Ko ? fmt::format("{}", metrics.makespan) : plural(cores, "core"), trace.scheduler));
        else
            result.evidence.push_back(say(language, "the last thread finished at tick {} on {} ({})",
                "마지막 스레드가 코어 {}개에서 {}틱에 끝났습니다 ({})",
                language == Language::Ko ? fmt::format("{}", cores) : fmt::format("{}", metrics.makespan),
                language == Language::Ko ? fmt::format("{}", metrics.makespan) : plural(cores, "core"), trace.scheduler));
    } else if (text == "switches") {
        result.value = number_value(static_cast<double>(metrics.context_switches));
        result.evidence.push_back(with_context(say(language, "the cores switched threads {} time{}",
            "문맥 교환(context switch)이 {}번 일어났습니다{}", metrics.context_switches,
            language == Language::Ko || metrics.context_switches == 1 ? "" : "s")));
    } else if (text == "cores") {
        result.value = number_value(trace.machine.cores);
        result.evidence.push_back(say(language, "the machine has {}", "이 기계의 코어는 {}개입니다",
            language == Language::Ko ? fmt::format("{}", trace.machine.cores) : plural(trace.machine.cores, "core")));
    } else if (text == "utilisation") {
        if (expr.has_argument) {
            auto core = std::strtol(expr.argument.c_str(), nullptr, 10);
            if (core < 0 || core >= static_cast<long>(metrics.cores.size()))
                return fail(expr.argument_where,
                    fmt::format("run '{}' has no core {} (it has cores 0 to {})", run.name, core, metrics.cores.size() - 1));
            auto const& stats = metrics.cores[static_cast<std::size_t>(core)];
            auto percent = std::round(stats.utilisation * 100);
            result.value = number_value(percent, true);
            result.evidence.push_back(with_context(say(language, "core {} was busy {} of {} ticks: {}%",
                "코어 {}는 {}틱 중 {}틱 동안 일했습니다: {}%", core,
                language == Language::Ko ? metrics.makespan : stats.busy,
                language == Language::Ko ? stats.busy : metrics.makespan, format_number(percent))));
        } else {
            auto percent = std::round(metrics.utilisation * 100);
            auto total = metrics.makespan * trace.machine.cores;
            result.value = number_value(percent, true);
            result.evidence.push_back(with_context(say(language, "the cores were busy {} of {} core-ticks ({} x {}): {}%",
                "코어들이 전체 {1} 코어-틱({2} x {3}) 중 {0}틱 동안 일했습니다: {4}%", metrics.busy, total,
                trace.machine.cores, metrics.makespan, format_number(percent))));
        }
    } else if (text == "average-waiting" || text == "average-turnaround" || text == "average-response") {
        double average = text == "average-waiting" ? metrics.averages.waiting
            : text == "average-turnaround"         ? metrics.averages.turnaround
                                                   : metrics.averages.response;
        average = std::round(average * 100) / 100;
        std::string list;
        for (auto const& job : metrics.jobs) {
            if (!job.finished)
                continue;
            auto each = text == "average-waiting" ? job.waiting : text == "average-turnaround" ? job.turnaround : job.response;
            list += fmt::format("{}{} {}", list.empty() ? "" : ", ", job.name, each);
        }
        auto en_kind = text == "average-waiting" ? "waiting" : text == "average-turnaround" ? "turnaround" : "response";
        auto ko_kind = text == "average-waiting" ? "대기 시간" : text == "average-turnaround" ? "반환 시간" : "응답 시간";
        // An average over no thread is no number, not 0: say so, as first-finish does.
        if (list.empty())
            return fail(expr.where, fmt::format("no thread finished in run '{}', so it has no average {} time", run.name,
                                        en_kind));
        result.value = number_value(average);
        result.evidence.push_back(with_context(say(language, "the average {} time is {} ticks ({})",
            "평균 {}은 {}틱입니다 ({})", language == Language::Ko ? ko_kind : en_kind, format_number(average), list)));
    } else if (text == "first-finish" || text == "last-finish" || text == "finish-order") {
        auto groups = finish_groups(trace);
        if (groups.empty())
            return fail(expr.where, fmt::format("no thread finished in run '{}'", run.name));
        auto order = order_text(trace, groups, language);
        if (text == "finish-order") {
            result.value = names_value(trace, groups, ValueType::Order);
            result.evidence.push_back(with_context(say(language, "they finished in this order: {}", "끝난 순서는 {}입니다", order)));
        } else {
            bool first = text == "first-finish";
            auto const& group = first ? groups.front() : groups.back();
            result.value = names_value(trace, { group }, ValueType::Name);
            std::string who;
            for (ThreadId id : group)
                who += fmt::format("{}{}", who.empty() ? "" : say(language, " and ", ", "), trace.name(id));
            auto tick = trace.totals[static_cast<std::size_t>(group.front())].finish;
            if (first)
                result.evidence.push_back(with_context(say(language, "{} finished first, at tick {}; the order was {}",
                    "{} 스레드가 {}틱에 가장 먼저 끝났습니다. 끝난 순서: {}", who, tick, order)));
            else
                result.evidence.push_back(with_context(say(language, "{} finished last, at tick {}; the order was {}",
                    "{} 스레드가 {}틱에 가장 늦게 끝났습니다. 끝난 순서: {}", who, tick, order)));
        }
    } else if (text == "finish" || text == "arrival") {
        bool finish = text == "finish";
        Tick tick = 0;
        if (thread != no_thread) {
            auto const& totals = trace.totals[static_cast<std::size_t>(thread)];
            tick = finish ? totals.finish : totals.arrival;
            if (finish && (totals.finish < 0 || totals.killed))
                return fail(expr.argument_where, fmt::format("'{}' never finished in run '{}'{}", name, run.name,
                                                     totals.killed ? " (its process ended first)" : ""));
            result.evidence.push_back(with_context(finish
                    ? say(language, "{} finished at tick {}", "{} 스레드는 {}틱에 끝났습니다", name, tick)
                    : say(language, "{} arrived at tick {}", "{} 스레드는 {}틱에 도착했습니다", name, tick)));
        } else {
            tick = finish ? event_tick(trace, EventKind::ProcessExit, process)
                          : trace.processes[static_cast<std::size_t>(process)].arrival;
            if (tick < 0)
                return fail(expr.argument_where, fmt::format("process '{}' never finished in run '{}'", name, run.name));
            result.evidence.push_back(with_context(finish
                    ? say(language, "{} finished at tick {}", "{} 프로세스는 {}틱에 끝났습니다", name, tick)
                    : say(language, "{} arrived at tick {}", "{} 프로세스는 {}틱에 도착했습니다", name, tick)));
        }
        result.value = number_value(static_cast<double>(tick));
    } else if (text == "admitted") {
        auto tick = event_tick(trace, EventKind::ProcessAdmit, process);
        auto const& info_process = trace.processes[static_cast<std::size_t>(process)];
        if (tick < 0)
            return fail(expr.argument_where, fmt::format("process '{}' was never loaded in run '{}'", info_process.name, run.name));
        result.value = number_value(static_cast<double>(tick));
        auto waited = tick - info_process.arrival;
        if (waited > 0)
            result.evidence.push_back(with_context(say(language,
                "{} arrived at tick {} but was loaded into RAM only at tick {}, after waiting {} ticks for memory",
                "{0} 프로세스는 {1}틱에 도착했지만 메모리를 {3}틱 기다린 뒤 {2}틱에야 RAM에 올라갔습니다", info_process.name,
                info_process.arrival, tick, waited)));
        else
            result.evidence.push_back(with_context(say(language, "{} was loaded into RAM at tick {}, as soon as it arrived",
                "{} 프로세스는 도착하자마자 {}틱에 RAM에 올라갔습니다", info_process.name, tick)));
    } else if (text == "value") {
        // The first process (in declaration order) that has a variable of that name.
        std::optional<std::int64_t> found;
        std::string owner;
        std::string variables;
        for (auto const& process : trace.processes)
            for (std::size_t v = 0; v < process.variables.size(); ++v) {
                auto const& variable = process.variables[v];
                variables += fmt::format("{}{}", variables.empty() ? "" : ", ", variable);
                if (!found && variable == name) {
                    found = process.final_values[v];
                    owner = process.name;
                }
            }
        if (!found)
            return fail(expr.argument_where, fmt::format("run '{}' has no shared variable named '{}' ({})", run.name, name,
                                                 variables.empty() ? std::string("it has none")
                                                                   : fmt::format("its variables: {}", variables)));
        result.value = number_value(static_cast<double>(*found));
        result.evidence.push_back(with_context(say(language, "the shared variable {0} of {1} ended at {2}",
            "{1} 프로세스의 공유 변수 {0}의 최종 값은 {2}입니다", name, owner, *found)));
    } else {
        // Per-thread times, from the metrics.
        auto const& job = metrics.jobs[static_cast<std::size_t>(thread)];
        if ((text == "turnaround") && !job.finished)
            return fail(expr.argument_where, fmt::format("'{}' never finished in run '{}'", name, run.name));
        if ((text == "first-run" || text == "response") && job.first_run < 0)
            return fail(expr.argument_where, fmt::format("'{}' never ran in run '{}'", name, run.name));
        Tick value = 0;
        std::string clause;
        if (text == "first-run") {
            value = job.first_run;
            clause = say(language, "{} first ran at tick {}", "{} 스레드는 {}틱에 처음 실행되었습니다", name, value);
        } else if (text == "turnaround") {
            value = job.turnaround;
            clause = say(language, "{} arrived at tick {} and finished at tick {}: a turnaround of {} ticks",
                "{} 스레드는 {}틱에 도착해 {}틱에 끝났습니다: 반환 시간 {}틱", name, job.arrival, job.finish, value);
        } else if (text == "waiting") {
            value = job.waiting;
            clause = say(language, "{} waited, ready but not running, for {} ticks",
                "{} 스레드는 준비(ready) 상태로 {}틱 동안 기다렸습니다", name, value);
        } else if (text == "response") {
            value = job.response;
            clause = say(language, "{} arrived at tick {} and first ran at tick {}: a response time of {} ticks",
                "{} 스레드는 {}틱에 도착해 {}틱에 처음 실행되었습니다: 응답 시간 {}틱", name, job.arrival, job.first_run, value);
        } else if (text == "running") {
            value = job.running;
            clause = say(language, "{} ran on a core for {} ticks", "{} 스레드는 코어에서 {}틱 동안 실행되었습니다", name, value);
        } else {
            value = job.blocked;
            clause = say(language, "{} was blocked (waiting on I/O, a timer, a lock, a join or the GIL) for {} ticks",
                "{} 스레드는 I/O, 타이머, 락, join 또는 GIL을 기다리며 {}틱 동안 막혀(blocked) 있었습니다", name, value);
        }
        result.value = number_value(static_cast<double>(value));
        result.evidence.push_back(with_context(std::move(clause)));
    }
    return result;
}

void add_evidence(std::vector<std::string>& into, std::vector<std::string> const& from)
{
    for (auto const& clause : from)
        if (std::find(into.begin(), into.end(), clause) == into.end())
            into.push_back(clause);
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
            return fail(expr.where, fmt::format("run '{}' could not run, so '{}' has no value", expr.run, to_string(expr)));
        return measure(expr, *run, language, many_runs);
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
    add_evidence(result.evidence, l.evidence);
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
        return fail(expr.operands[1].where, fmt::format("'{}' is 0, and nothing can be divided by 0", to_string(expr.operands[1])));
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

std::variant<Value, std::string> parse_answer(std::string_view input, ValueType type, LessonRun const* run, Language language)
{
    auto trimmed = input;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
        trimmed.remove_prefix(1);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
        trimmed.remove_suffix(1);
    if (type == ValueType::Number) {
        double number = 0;
        auto [rest, status] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
        if (status != std::errc() || trimmed.empty())
            return say(language, "Please answer with a number, such as 12.", "숫자로 답해 주세요 (예: 12).");
        // "13 ticks", "13%" and "13틱" are fine; "13 or 14" is not.
        std::string_view after(rest, static_cast<std::size_t>(trimmed.data() + trimmed.size() - rest));
        while (!after.empty() && after.front() == ' ')
            after.remove_prefix(1);
        if (!after.empty() && after != "%" && after != "tick" && after != "ticks" && after != "틱" && after != "틱.")
            return say(language, "Please answer with one number, such as 12.", "숫자 하나로 답해 주세요 (예: 12).");
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
            if (auto thread = find_thread(run->trace, name, true))
                canonical = run->trace.name(*thread);
            else if (auto process = find_process(run->trace, name, true))
                canonical = run->trace.processes[static_cast<std::size_t>(*process)].name;
        } else {
            canonical = name;
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
    auto threads = run ? thread_list(run->trace) : std::string();
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
