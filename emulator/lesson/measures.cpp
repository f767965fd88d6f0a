#include "lesson/measures.hpp"

#include "engine/verify.hpp"
#include "lesson/say.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>

namespace tl {

namespace {

using Result = std::variant<Evaluation, EvaluationError>;

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
                                    : fmt::format("on {} ({}), ", plural(cores, "core", "cores"), details);
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
        auto const& totals = trace.totals[id];
        if (totals.finish >= 0 && !totals.killed)
            finished.push_back(id);
    }
    std::stable_sort(finished.begin(), finished.end(), [&](ThreadId a, ThreadId b) {
        return trace.totals[a].finish < trace.totals[b].finish;
    });
    std::vector<std::vector<ThreadId>> groups;
    for (ThreadId id : finished) {
        auto tick = trace.totals[id].finish;
        if (groups.empty() || trace.totals[groups.back().front()].finish != tick)
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
                say(language, "{} at {}", "{} {}틱", trace.name(id), trace.totals[id].finish));
    return out;
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

// The tick the run ended, said of its one process or of its last thread.
Result makespan(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    result.value = number_value(static_cast<double>(metrics.makespan));
    auto cores = trace.machine.cores;
    if (trace.processes.size() == 1)
        result.evidence.push_back(say(language, "{} finished at tick {} on {} ({})",
            "{} 프로세스가 코어 {}개에서 {}틱에 끝났습니다 ({})", trace.processes.front().name,
            language == Language::Ko ? fmt::format("{}", cores) : fmt::format("{}", metrics.makespan),
            language == Language::Ko ? fmt::format("{}", metrics.makespan) : plural(cores, "core", "cores"), trace.scheduler));
    else
        result.evidence.push_back(say(language, "the last thread finished at tick {} on {} ({})",
            "마지막 스레드가 코어 {}개에서 {}틱에 끝났습니다 ({})",
            language == Language::Ko ? fmt::format("{}", cores) : fmt::format("{}", metrics.makespan),
            language == Language::Ko ? fmt::format("{}", metrics.makespan) : plural(cores, "core", "cores"), trace.scheduler));
    return result;
}

// Context switches, from the metrics.
Result switches(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    result.value = number_value(static_cast<double>(metrics.context_switches));
    result.evidence.push_back(with_context(say(language, "the {} switched threads {} time{}",
        "{}문맥 교환(context switch)이 {}번 일어났습니다{}", language == Language::Ko ? "" : trace.machine.cores == 1 ? "core" : "cores",
        metrics.context_switches, language == Language::Ko || metrics.context_switches == 1 ? "" : "s")));
    return result;
}

// Threads caught in a deadlock, with who waits on whom.
Result deadlocked(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
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
                who = trace.text(event);
        if (who.starts_with("deadlock: "))
            who.erase(0, std::string_view("deadlock: ").size());
        result.evidence.push_back(with_context(say(language, "the run stopped at tick {} in a deadlock: {}",
            "실행은 {}틱에 교착 상태(deadlock)로 멈췄습니다. 스레드 {}개가 서로가 쥔 락을 기다립니다",
            metrics.makespan, language == Language::Ko ? fmt::format("{}", stuck) : who)));
    }
    return result;
}

// The machine's cores.
Result cores(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    result.value = number_value(trace.machine.cores);
    result.evidence.push_back(say(language, "the machine has {}", "이 기계의 코어는 {}개입니다",
        language == Language::Ko ? fmt::format("{}", trace.machine.cores) : plural(trace.machine.cores, "core", "cores")));
    return result;
}

// Busy core-ticks over all core-ticks, of the machine or of one core.
Result utilisation(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    if (expr.has_argument) {
        auto core = std::strtol(expr.argument.c_str(), nullptr, 10);
        if (core < 0 || core >= static_cast<long>(metrics.cores.size()))
            return evaluation_error(expr.argument_where,
                fmt::format("run '{}' has no core {} (it has cores 0 to {})", run.name, core, metrics.cores.size() - 1));
        auto const& stats = metrics.cores[static_cast<CoreId>(core)];
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
    return result;
}

// average-waiting, average-turnaround and average-response: the mean over finished threads, each listed.
Result average_time(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
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
        return evaluation_error(expr.where, fmt::format("no thread finished in run '{}', so it has no average {} time", run.name,
                                    en_kind));
    result.value = number_value(average);
    result.evidence.push_back(with_context(say(language, "the average {} time is {} ticks ({})",
        "평균 {}은 {}틱입니다 ({})", language == Language::Ko ? ko_kind : en_kind, format_number(average), list)));
    return result;
}

// first-finish, last-finish and finish-order: threads by finish tick, ties kept together.
Result finish_ranking(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    auto groups = finish_groups(trace);
    if (groups.empty())
        return evaluation_error(expr.where, fmt::format("no thread finished in run '{}'", run.name));
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
        auto tick = trace.totals[group.front()].finish;
        if (first)
            result.evidence.push_back(with_context(say(language, "{} finished first, at tick {}; the order was {}",
                "{} 스레드가 {}틱에 가장 먼저 끝났습니다. 끝난 순서: {}", who, tick, order)));
        else
            result.evidence.push_back(with_context(say(language, "{} finished last, at tick {}; the order was {}",
                "{} 스레드가 {}틱에 가장 늦게 끝났습니다. 끝난 순서: {}", who, tick, order)));
    }
    return result;
}

// finish and arrival: of a thread, or of a whole process.
Result finish_or_arrival(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    bool finish = text == "finish";
    Tick tick = 0;
    if (thread != no_thread) {
        auto const& totals = trace.totals[thread];
        tick = finish ? totals.finish : totals.arrival;
        if (finish && (totals.finish < 0 || totals.killed))
            return evaluation_error(expr.argument_where, fmt::format("'{}' never finished in run '{}'{}", name, run.name,
                                                 totals.killed ? " (its process ended first)" : ""));
        result.evidence.push_back(with_context(finish
                ? say(language, "{} finished at tick {}", "{} 스레드는 {}틱에 끝났습니다", name, tick)
                : say(language, "{} arrived at tick {}", "{} 스레드는 {}틱에 도착했습니다", name, tick)));
    } else {
        tick = finish ? event_tick(trace, EventKind::ProcessExit, process)
                      : trace.processes[process].arrival;
        if (tick < 0)
            return evaluation_error(expr.argument_where, fmt::format("process '{}' never finished in run '{}'", name, run.name));
        result.evidence.push_back(with_context(finish
                ? say(language, "{} finished at tick {}", "{} 프로세스는 {}틱에 끝났습니다", name, tick)
                : say(language, "{} arrived at tick {}", "{} 프로세스는 {}틱에 도착했습니다", name, tick)));
    }
    result.value = number_value(static_cast<double>(tick));
    return result;
}

// When a process was loaded into RAM, and what it waited for.
Result admitted(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    auto tick = event_tick(trace, EventKind::ProcessAdmit, process);
    auto const& info_process = trace.processes[process];
    if (tick < 0)
        return evaluation_error(expr.argument_where, fmt::format("process '{}' was never loaded in run '{}'", info_process.name, run.name));
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
    return result;
}

// A shared variable's final value: the first process (in declaration order) that has one of that name.
Result shared_value(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
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
        return evaluation_error(expr.argument_where, fmt::format("run '{}' has no shared variable named '{}' ({})", run.name, name,
                                             variables.empty() ? std::string("it has none")
                                                               : fmt::format("its variables: {}", variables)));
    result.value = number_value(static_cast<double>(*found));
    result.evidence.push_back(with_context(say(language, "the shared variable {0} of {1} ended at {2}",
        "{1} 프로세스의 공유 변수 {0}의 최종 값은 {2}입니다", name, owner, *found)));
    return result;
}

// first-run, turnaround, waiting, response, running and blocked: a thread's times, from the metrics.
Result thread_time(MeasureInput const& in)
{
    auto const& [expr, run, trace, metrics, language, thread, process, name, text, with_context] = in;
    Evaluation result;
    // Per-thread times, from the metrics.
    auto const& job = metrics.jobs[thread];
    if ((text == "turnaround") && !job.finished)
        return evaluation_error(expr.argument_where, fmt::format("'{}' never finished in run '{}'", name, run.name));
    if ((text == "first-run" || text == "response") && job.first_run < 0)
        return evaluation_error(expr.argument_where, fmt::format("'{}' never ran in run '{}'", name, run.name));
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
            = trace.processes[trace.threads[thread].process].name;
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
    return result;
}

// One row per measure: its name, what it reads, its type, the capability it needs, its summary
// and its evaluator. To add a measure: a row here and, unless an evaluator above fits, one more.
constexpr std::array s_measures {
    MeasureInfo { "makespan", MeasureArgument::None, ValueType::Number, "", "the tick at which the run ended", makespan },
    MeasureInfo { "switches", MeasureArgument::None, ValueType::Number, "", "context switches", switches },
    MeasureInfo { "deadlocked", MeasureArgument::None, ValueType::Number, "locks",
        "threads caught in a deadlock when the run stopped (0 when it finished)", deadlocked },
    MeasureInfo { "cores", MeasureArgument::None, ValueType::Number, "", "the machine's cores", cores },
    MeasureInfo { "utilisation", MeasureArgument::OptionalCore, ValueType::Number, "",
        "percent of core-ticks spent on work (of one core, given its number)", utilisation },
    MeasureInfo { "average-waiting", MeasureArgument::None, ValueType::Number, "", "mean waiting time of the threads", average_time },
    MeasureInfo { "average-turnaround", MeasureArgument::None, ValueType::Number, "",
        "mean turnaround time of the threads", average_time },
    MeasureInfo { "average-response", MeasureArgument::None, ValueType::Number, "", "mean response time of the threads", average_time },
    MeasureInfo { "first-finish", MeasureArgument::None, ValueType::Name, "", "the thread that finished first", finish_ranking },
    MeasureInfo { "last-finish", MeasureArgument::None, ValueType::Name, "", "the thread that finished last", finish_ranking },
    MeasureInfo { "finish-order", MeasureArgument::None, ValueType::Order, "", "the threads in the order they finished", finish_ranking },
    MeasureInfo { "finish", MeasureArgument::Job, ValueType::Number, "", "the tick a thread (or process) finished", finish_or_arrival },
    MeasureInfo { "arrival", MeasureArgument::Job, ValueType::Number, "", "the tick a thread (or process) arrived", finish_or_arrival },
    MeasureInfo { "first-run", MeasureArgument::Thread, ValueType::Number, "", "the tick a thread first ran", thread_time },
    MeasureInfo { "turnaround", MeasureArgument::Thread, ValueType::Number, "", "finish - arrival", thread_time },
    MeasureInfo { "waiting", MeasureArgument::Thread, ValueType::Number, "", "ticks ready but not running", thread_time },
    MeasureInfo { "response", MeasureArgument::Thread, ValueType::Number, "", "first run - arrival", thread_time },
    MeasureInfo { "running", MeasureArgument::Thread, ValueType::Number, "", "ticks on a core", thread_time },
    MeasureInfo { "blocked", MeasureArgument::Thread, ValueType::Number, "", "ticks blocked: on I/O, a timer, a lock, a join or the GIL", thread_time },
    MeasureInfo { "admitted", MeasureArgument::Process, ValueType::Number, "",
        "the tick a process was loaded into RAM", admitted },
    MeasureInfo { "value", MeasureArgument::Variable, ValueType::Number, "shared-memory",
        "a shared variable's final value", shared_value },
};

}

std::span<MeasureInfo const> all_measures() { return s_measures; }

MeasureInfo const* find_measure(std::string_view name)
{
    for (auto const& measure : s_measures)
        if (measure.name == name)
            return &measure;
    return nullptr;
}

std::variant<Evaluation, EvaluationError> evaluate_measure(Expr const& expr, LessonRun const& run, Language language, bool many_runs)
{
    auto const& trace = run.trace;
    auto const& metrics = run.metrics;
    auto const* info = find_measure(expr.text);
    VERIFY(info);
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
            process = trace.threads[thread].process;
        if (thread == no_thread && process == no_process) {
            auto what = info->argument == MeasureArgument::Thread ? "thread" : "thread or process";
            return evaluation_error(expr.argument_where, fmt::format("run '{}' has no {} named '{}' (its threads: {})", run.name, what,
                                                 expr.argument, thread_list(trace)));
        }
        if (info->argument == MeasureArgument::Job && thread != no_thread)
            process = no_process; // a thread's own name wins over a process of the same name
    }
    return info->compute(MeasureInput { expr, run, trace, metrics, language, thread, process, expr.argument, expr.text,
        with_context });
}

}
