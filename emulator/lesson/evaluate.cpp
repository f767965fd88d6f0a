#include "lesson/evaluate.hpp"

#include "lesson/measures.hpp"
#include "lesson/say.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace tl {

namespace {

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
        result.evidence.push_back(with_context(say(language, "the {} switched threads {} time{}",
            "{}문맥 교환(context switch)이 {}번 일어났습니다{}", language == Language::Ko ? "" : trace.machine.cores == 1 ? "core" : "cores",
            metrics.context_switches, language == Language::Ko || metrics.context_switches == 1 ? "" : "s")));
    } else if (text == "deadlocked") {
        int stuck = 0;
        for (auto const& totals : trace.totals)
            if (totals.finish < 0 && !totals.killed)
                ++stuck;
        if (trace.outcome != Outcome::Deadlock)
            stuck = 0;
        result.value = number_value(stuck);
        if (stuck == 0) {
            result.evidence.push_back(with_context(say(language, "no deadlock: the run finished at tick {}",
                "교착 상태는 없었습니다. 실행은 {}틱에 끝났습니다", metrics.makespan)));
        } else {
            std::string who;
            for (auto const& event : trace.events)
                if (event.kind == EventKind::Deadlock && event.text >= 0)
                    who = trace.texts[static_cast<std::size_t>(event.text)];
            if (who.starts_with("deadlock: "))
                who.erase(0, std::string_view("deadlock: ").size());
            result.evidence.push_back(with_context(say(language, "the run stopped at tick {} in a deadlock: {}",
                "실행은 {}틱에 교착 상태(deadlock)로 멈췄습니다. 스레드 {}개가 서로가 쥔 락을 기다립니다",
                metrics.makespan, language == Language::Ko ? fmt::format("{}", stuck) : who)));
        }
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
        // Two different waits: for free memory (until `allocated`), then for the bus to bring
        // the program in (until admitted).
        auto arrival = info_process.arrival;
        auto reserved = info_process.allocated >= 0 ? info_process.allocated : tick;
        auto waited = reserved - arrival;
        auto loading = tick - reserved;
        std::string what;
        if (waited == 0 && loading == 0)
            what = say(language, "{} was loaded into RAM at tick {}, as soon as it arrived",
                "{} 프로세스는 도착한 {}틱에 곧바로 RAM에 적재되었습니다", info_process.name, tick);
        else if (loading == 0)
            what = say(language, "{} arrived at tick {}, waited {} ticks for free memory, and was loaded into RAM at tick {}",
                "{} 프로세스는 {}틱에 도착해 빈 메모리를 {}틱 동안 기다린 뒤 {}틱에 RAM에 적재되었습니다", info_process.name,
                arrival, waited, tick);
        else if (waited == 0)
            what = say(language, "{} arrived at tick {} and was loaded over the bus in {} transfers, ready at tick {}",
                "{} 프로세스는 {}틱에 도착해 버스로 적재되다가({}번 전송) {}틱에 적재를 마쳤습니다", info_process.name, arrival,
                info_process.load_transfers, tick);
        else
            what = say(language,
                "{} arrived at tick {}, waited {} ticks for free memory, then was loaded over the bus in {} transfers, "
                "ready at tick {}",
                "{} 프로세스는 {}틱에 도착해 빈 메모리를 {}틱 동안 기다렸고, 그 뒤 버스로 적재되다가({}번 전송) {}틱에 "
                "적재를 마쳤습니다",
                info_process.name, arrival, waited, info_process.load_transfers, tick);
        result.evidence.push_back(with_context(what));
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
                "{} 스레드는 I/O, 타이머, 락, join 또는 GIL을 기다리며 {}틱 동안 대기(blocked) 상태였습니다", name, value);
        }
        // A thread cut short: when, and by whom, is what the learner needs to know.
        std::string killed;
        for (auto const& event : trace.events) {
            if (event.kind != EventKind::ThreadKilled || event.thread != thread)
                continue;
            auto cause = event.value >= 0 && event.value < static_cast<std::int64_t>(trace.threads.size())
                ? trace.name(static_cast<ThreadId>(event.value))
                : std::string();
            auto const& process_name
                = trace.processes[static_cast<std::size_t>(trace.threads[static_cast<std::size_t>(thread)].process)].name;
            killed = cause.empty() || cause == name
                ? say(language, "it was killed at tick {} when its process {} ended",
                      "{1} 프로세스가 끝나면서 {0}틱에 강제 종료되었습니다", event.tick, process_name)
                : say(language, "it was killed at tick {} when {} ended its process {}",
                      "{1} 스레드가 {2} 프로세스를 끝내면서 {0}틱에 강제 종료되었습니다", event.tick, cause, process_name);
            break;
        }
        result.value = number_value(static_cast<double>(value));
        result.evidence.push_back(with_context(std::move(clause)));
        if (!killed.empty())
            result.evidence.push_back(std::move(killed));
    }
    return result;
}

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

std::optional<std::string> named_in_run(Trace const& trace, std::string_view typed, std::vector<NameAlias> const& aliases)
{
    std::string_view name = typed;
    for (auto const& alias : aliases)
        if (lower(alias.word) == lower(typed))
            name = alias.name;
    if (auto thread = find_thread(trace, name, true))
        return trace.name(*thread);
    if (auto process = find_process(trace, name, true))
        return trace.processes[static_cast<std::size_t>(*process)].name;
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
