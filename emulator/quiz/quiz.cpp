#include "quiz/quiz.hpp"

#include "engine/machine.hpp"
#include "gen/generator.hpp"
#include "lang/parser.hpp"
#include "lesson/say.hpp"
#include "sched/registry.hpp"
#include "sched/start_run.hpp"
#include "trace/metrics.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <set>

namespace tl {

namespace {

constexpr std::array<QuizTopic, 11> topics { {
    { "fcfs", "first come, first served: waiting, turnaround, response, makespan, completion order",
        "선착순(FCFS): 대기, 반환, 응답 시간, makespan, 끝나는 순서" },
    { "sjf", "shortest job first (non-preemptive): the same questions under SJF",
        "최단 작업 우선(SJF, 비선점): 같은 질문을 SJF로" },
    { "srtf", "shortest remaining time first (preemptive SJF, OSTEP's STCF)",
        "최단 잔여 시간 우선(SRTF, 선점형 SJF, OSTEP의 STCF)" },
    { "rr", "round-robin with a quantum: the same questions with time slices",
        "라운드 로빈(RR): 타임 슬라이스가 있을 때 같은 질문" },
    { "priority", "preemptive priority (the lowest number runs first)",
        "선점형 우선순위(숫자가 작을수록 먼저)" },
    { "mlfq", "multi-level feedback queue: jobs sink as they use their allotment",
        "다단계 피드백 큐(MLFQ): 할당량을 쓰면 아래 큐로 내려감" },
    { "lottery", "lottery: the expected CPU share of each job's tickets, and one seeded run",
        "로또 스케줄링: 티켓으로 정해지는 CPU 몫의 기댓값과 시드가 정한 한 번의 실행" },
    { "multi", "two cores: one global queue (rr) against a queue per core (per-core)",
        "코어 둘: 전역 큐 하나(rr)와 코어마다 큐(per-core)의 비교" },
    { "process-run", "CPU and I/O: each process's state at given ticks, CPU and I/O busy time",
        "CPU와 I/O: 정해진 틱에서 각 프로세스의 상태, CPU와 I/O가 바쁜 시간" },
    { "race", "a data race: every final value a shared counter can have (from explore)",
        "데이터 경쟁: 공유 카운터가 가질 수 있는 모든 최종값(explore로)" },
    { "async", "coroutines in one thread (the delivery): completion order and total time",
        "한 스레드 안의 코루틴(배달 예제): 끝나는 순서와 총 소요 시간" },
} };

constexpr std::array<std::string_view, 6> job_names { "A", "B", "C", "D", "E", "F" };
std::string job_name(int index) { return std::string(job_names[index_of(index)]); }

// A seed of its own for each topic, so that one seed gives unrelated workloads across topics.
std::uint64_t topic_seed(std::string_view topic, std::uint64_t seed)
{
    std::uint64_t hash = 14695981039346656037ull; // FNV-1a
    for (char c : topic) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    return hash ^ (seed * 0x9E3779B97F4A7C15ull);
}

Tick draw(SplitMix64& random, Tick low, Tick high)
{
    return static_cast<Tick>(random.between(static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(high)));
}

std::string two_decimals(double value) { return fmt::format("{:.2f}", value); }

std::string joined(std::vector<std::string> const& items, std::string_view separator = ", ")
{
    std::string out;
    for (auto const& item : items)
        out += (out.empty() ? "" : std::string(separator)) + item;
    return out;
}

// A job of a scheduling worksheet: one process with one thread of the same name.
struct Job {
    std::string name;
    Tick arrival = 0;
    std::vector<Tick> work; // compute, io, compute, ...: odd positions are I/O
    int priority = 0;
};

std::string jobs_text(std::vector<Job> const& jobs, bool with_priority)
{
    std::vector<std::string> items;
    for (auto const& job : jobs)
        items.push_back(with_priority ? fmt::format("{}:{}:{}:{}", job.name, job.arrival, job.work[0], job.priority)
                                      : fmt::format("{}:{}:{}", job.name, job.arrival, job.work[0]));
    return joined(items, ",");
}

std::string jobs_program(std::vector<Job> const& jobs)
{
    std::string out;
    for (auto const& job : jobs) {
        out += fmt::format("process {} arrive {}{}\n", job.name, job.arrival,
            job.priority != 0 ? fmt::format(" priority {}", job.priority) : std::string());
        out += fmt::format("  thread {}\n", job.name);
        for (std::size_t i = 0; i < job.work.size(); ++i)
            out += fmt::format("    {} {}\n", i % 2 == 0 ? "compute" : "io", job.work[i]);
    }
    return out;
}

Program parsed(Worksheet const& sheet)
{
    auto result = sheet.jobs.empty() ? parse_program(sheet.program, "<quiz>") : parse_jobs(sheet.jobs);
    VERIFY(result.ok());
    return std::move(result.program);
}

Trace run_with(Program const& program, QuizSettings const& settings, std::string const& scheduler)
{
    MachineConfig machine;
    machine.cores = settings.cores;
    SchedulerOptions options;
    options.quantum = settings.quantum;
    options.cores = settings.cores;
    if (settings.policy_seed)
        options.seed = *settings.policy_seed;
    for (auto const& setting : settings.set) {
        auto problem = add_setting(options, setting);
        VERIFY(!problem); // the quiz writes its own settings
    }
    auto simulated = simulate_run(machine, program, scheduler, options);
    VERIFY(std::holds_alternative<Trace>(simulated));
    auto& trace = std::get<Trace>(simulated);
    VERIFY(trace.outcome == Outcome::Finished);
    return std::move(trace);
}

// "ticklab run --jobs "A:0:3,B:1:2" --scheduler rr --quantum 2"
std::string run_command_line(Worksheet const& sheet, std::string const& scheduler)
{
    auto const& s = sheet.settings;
    std::string line = sheet.jobs.empty() ? std::string("ticklab run quiz.tl") : fmt::format("ticklab run --jobs \"{}\"", sheet.jobs);
    line += fmt::format(" --scheduler {}", scheduler);
    if (scheduler != "fcfs" && scheduler != "sjf" && scheduler != "srtf" && scheduler != "priority")
        line += fmt::format(" --quantum {}", s.quantum);
    if (s.cores != 1)
        line += fmt::format(" --cores {}", s.cores);
    for (auto const& setting : s.set)
        line += fmt::format(" --set {}", setting);
    if (s.policy_seed)
        line += fmt::format(" --seed {}", *s.policy_seed);
    return line;
}

// Completion order: by finish tick, ties in declaration order.
std::vector<std::string> completion_order(Metrics const& metrics)
{
    std::vector<JobMetrics const*> jobs;
    for (auto const& job : metrics.jobs)
        jobs.push_back(&job);
    std::stable_sort(jobs.begin(), jobs.end(), [](auto const* a, auto const* b) { return a->finish < b->finish; });
    std::vector<std::string> names;
    for (auto const* job : jobs)
        names.push_back(job->name);
    return names;
}

// A number question; `decimals`: printed with two decimals (an average, a share), else as
// the whole number it is.
QuizQuestion number_question(std::string id, std::string text, double exact, std::string how, bool decimals = false)
{
    QuizQuestion question;
    question.id = std::move(id);
    question.text = std::move(text);
    question.kind = AnswerKind::Number;
    question.exact = exact;
    question.answer = decimals || exact != std::floor(exact) ? two_decimals(exact) : fmt::format("{}", static_cast<std::int64_t>(exact));
    question.how = std::move(how);
    return question;
}

// "A 7 + B 5 + C 5 = 17; 17 / 3 = 5.67"
std::string average_how(Language language, Metrics const& metrics, Tick JobMetrics::*field, std::string_view rule)
{
    std::vector<std::string> parts;
    Tick total = 0;
    for (auto const& job : metrics.jobs) {
        parts.push_back(fmt::format("{} {}", job.name, job.*field));
        total += job.*field;
    }
    auto count = metrics.jobs.size();
    return say(language, "{}: {} = {}; {} / {} = {}", "{}: {} = {}; {} / {} = {}", rule, joined(parts, " + "), total, total,
        count, two_decimals(static_cast<double>(total) / static_cast<double>(count)));
}

// The five questions of every scheduling worksheet, answered from one run.
void schedule_questions(Worksheet& sheet, Trace const& trace, std::string_view what)
{
    auto language = sheet.language;
    auto metrics = compute_metrics(trace);
    auto& q = sheet.questions;
    q.push_back(number_question("average_waiting",
        say(language, "What is the average waiting time of the {} (ticks ready but not running)?",
            "{}의 평균 대기 시간은 얼마일까요? (준비 상태로 CPU를 기다린 틱 수)", what),
        metrics.averages.waiting,
        average_how(language, metrics, &JobMetrics::waiting,
            tr(language, "waiting = turnaround - running - blocked", "대기 = 반환 - 실행 - I/O 대기")), true));
    q.push_back(number_question("average_turnaround",
        say(language, "What is the average turnaround time (finish - arrival)?", "평균 반환 시간(끝난 틱 - 도착 틱)은 얼마일까요?"),
        metrics.averages.turnaround,
        average_how(language, metrics, &JobMetrics::turnaround,
            tr(language, "turnaround = finish - arrival", "반환 = 끝난 틱 - 도착 틱")), true));
    q.push_back(number_question("average_response",
        say(language, "What is the average response time (first run - arrival)?",
            "평균 응답 시간(처음 실행한 틱 - 도착 틱)은 얼마일까요?"),
        metrics.averages.response,
        average_how(language, metrics, &JobMetrics::response,
            tr(language, "response = first run - arrival", "응답 = 처음 실행 - 도착")), true));
    auto order = completion_order(metrics);
    q.push_back(number_question("makespan",
        say(language, "At which tick does the last job finish (the makespan)?", "마지막 작업은 몇 틱에 끝날까요? (makespan)"),
        static_cast<double>(metrics.makespan),
        say(language, "{} finishes last, at tick {}", "{}이(가) {} 틱에 마지막으로 끝납니다", order.back(), metrics.makespan)));
    QuizQuestion question;
    question.id = "order";
    question.text = say(language, "In which order do the jobs finish? (their names, the first to finish first)",
        "작업들은 어떤 순서로 끝날까요? (먼저 끝나는 작업부터 이름으로)");
    question.kind = AnswerKind::Names;
    question.answer = joined(order);
    std::vector<std::string> finishes;
    std::vector<JobMetrics const*> by_finish;
    for (auto const& name : order)
        for (auto const& job : metrics.jobs)
            if (job.name == name)
                finishes.push_back(fmt::format("{} {}", job.name, job.finish));
    question.how = say(language, "finish ticks: {} (ties in the order the jobs are listed)",
        "끝난 틱: {} (같은 틱이면 목록 순서대로)", joined(finishes));
    q.push_back(std::move(question));
}

// The jobs of a scheduling worksheet at a level: 3 jobs at tick 0; 4 jobs arriving over
// ticks 0 to 8; 5 jobs arriving over 0 to 12, each with an I/O in the middle.
std::vector<Job> schedule_jobs(SplitMix64& random, int level, Tick burst_min, Tick burst_max, bool priorities)
{
    int count = level == 1 ? 3 : level == 2 ? 4 : 5;
    Tick spread = level == 1 ? 0 : level == 2 ? 8 : 12;
    std::vector<Job> jobs;
    for (int i = 0; i < count; ++i) {
        Job job;
        job.name = job_name(i);
        job.arrival = i == 0 ? 0 : draw(random, 0, spread);
        if (level == 3) {
            Tick before = draw(random, 1, std::max<Tick>(1, burst_max / 2));
            Tick io = draw(random, 2, 6);
            Tick after = draw(random, 1, std::max<Tick>(1, burst_max / 2));
            job.work = { before, io, after };
        } else {
            job.work = { draw(random, burst_min, burst_max) };
        }
        job.priority = priorities ? static_cast<int>(draw(random, 0, 4)) : 0;
        jobs.push_back(job);
    }
    // Listed by arrival, as a teacher would write them (ties keep their draw order).
    std::stable_sort(jobs.begin(), jobs.end(), [](Job const& a, Job const& b) { return a.arrival < b.arrival; });
    for (std::size_t i = 0; i < jobs.size(); ++i)
        jobs[i].name = std::string(job_names[i]);
    return jobs;
}

void set_workload(Worksheet& sheet, std::vector<Job> const& jobs, bool priorities)
{
    if (sheet.level == 3)
        sheet.program = jobs_program(jobs);
    else
        sheet.jobs = jobs_text(jobs, priorities);
}

std::string job_table(Language language, std::vector<Job> const& jobs, bool priorities, std::optional<std::vector<int>> tickets = {})
{
    // Columns padded by display width, so that Korean headings line up too.
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> heading { std::string(tr(language, "job", "작업")), std::string(tr(language, "arrival", "도착")),
        std::string(tr(language, "work", "할 일")) };
    if (priorities)
        heading.emplace_back(tr(language, "priority", "우선순위"));
    if (tickets)
        heading.emplace_back(tr(language, "tickets", "티켓"));
    rows.push_back(heading);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto const& job = jobs[i];
        std::vector<std::string> work;
        for (std::size_t w = 0; w < job.work.size(); ++w)
            work.push_back(w % 2 == 0 ? say(language, "compute {}", "계산 {}", job.work[w]) : say(language, "io {}", "I/O {}", job.work[w]));
        std::vector<std::string> row { job.name, fmt::format("{}", job.arrival), joined(work, ", ") };
        if (priorities)
            row.push_back(fmt::format("{}", job.priority));
        if (tickets)
            row.push_back(fmt::format("{}", (*tickets)[i]));
        rows.push_back(row);
    }
    std::vector<int> widths(heading.size(), 0);
    for (auto const& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], display_width(row[c]));
    std::string out;
    for (auto const& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            bool number = c == 1 || c >= 3;
            line += (c == 0 ? "" : "  ") + (number ? pad_left(row[c], widths[c]) : pad_right(row[c], widths[c]));
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line + "\n";
    }
    return out;
}

void scheduling_sheet(Worksheet& sheet, SplitMix64& random, std::string const& own_policy)
{
    auto language = sheet.language;
    auto const& topic = sheet.topic;
    bool priorities = topic == "priority";
    Tick burst_max = topic == "mlfq" ? 16 : 10;
    Tick burst_min = topic == "mlfq" ? 3 : 1;
    auto jobs = schedule_jobs(random, sheet.level, burst_min, burst_max, priorities);
    sheet.settings.scheduler = own_policy.empty() ? topic : own_policy;
    if (topic == "rr")
        sheet.settings.quantum = draw(random, 1, 4);
    set_workload(sheet, jobs, priorities);

    std::string policy;
    if (!own_policy.empty())
        policy = say(language, "the policy {} (quantum {} where it slices)", "정책 {}(타임 슬라이스를 쓴다면 퀀텀 {})", own_policy,
            sheet.settings.quantum);
    else if (topic == "fcfs")
        policy = tr(language, "first come, first served (FCFS)", "선착순(FCFS)");
    else if (topic == "sjf")
        policy = tr(language, "shortest job first (SJF, non-preemptive; 'shortest' is the next CPU burst)",
            "최단 작업 우선(SJF, 비선점; '짧다'는 다음 CPU 버스트 기준)");
    else if (topic == "srtf")
        policy = tr(language, "shortest remaining time first (SRTF, preemptive: a shorter newcomer preempts)",
            "최단 잔여 시간 우선(SRTF, 선점: 더 짧은 새 작업이 선점)");
    else if (topic == "rr")
        policy = say(language, "round-robin with a quantum of {} ticks", "퀀텀이 {} 틱인 라운드 로빈", sheet.settings.quantum);
    else if (topic == "priority")
        policy = tr(language, "preemptive priority (the lowest priority number runs; a better newcomer preempts)",
            "선점형 우선순위(우선순위 숫자가 가장 작은 작업이 실행; 더 좋은 새 작업이 선점)");
    else
        policy = say(language, "MLFQ with 3 levels, quanta {0}, {1} and {2} ticks from the top; a job uses one quantum at a level, then drops",
            "MLFQ: 큐 3단계, 퀀텀은 위에서부터 {0}, {1}, {2} 틱; 한 단계에서 퀀텀을 다 쓰면 한 단계 내려감",
            sheet.settings.quantum, sheet.settings.quantum * 2, sheet.settings.quantum * 4);
    sheet.problem = say(language,
        "One core schedules these jobs by {}. Arrivals and work are in ticks; a job that arrives at the tick "
        "another's slice ends queues ahead of it.\n\n{}",
        "코어 하나가 이 작업들을 {} 방식으로 스케줄링합니다. 도착과 할 일은 틱 단위이고, 어떤 작업의 슬라이스가 끝나는 "
        "틱에 도착한 작업은 그 작업보다 앞에 줄을 섭니다.\n\n{}",
        policy, job_table(language, jobs, priorities));
    auto program = parsed(sheet);
    sheet.runs.push_back(run_with(program, sheet.settings, sheet.settings.scheduler));
    sheet.commands.push_back(run_command_line(sheet, sheet.settings.scheduler));
    schedule_questions(sheet, sheet.runs.back(), tr(language, "jobs", "작업"));
}

void lottery_sheet(Worksheet& sheet, SplitMix64& random)
{
    auto language = sheet.language;
    int count = sheet.level == 1 ? 2 : 3;
    Tick spread = sheet.level == 3 ? 6 : 0;
    std::vector<Job> jobs;
    std::vector<int> tickets;
    constexpr std::array<int, 6> choices { 10, 25, 50, 75, 100, 200 };
    for (int i = 0; i < count; ++i) {
        Job job;
        job.name = job_name(i);
        job.arrival = i == 0 ? 0 : draw(random, 0, spread);
        job.work = { draw(random, 10, 30) };
        jobs.push_back(job);
        tickets.push_back(choices[random.between(0, choices.size() - 1)]);
    }
    std::vector<std::string> ticket_text;
    for (int t : tickets)
        ticket_text.push_back(fmt::format("{}", t));
    sheet.settings.scheduler = "lottery";
    sheet.settings.quantum = 1;
    sheet.settings.set.push_back("tickets=" + joined(ticket_text, ","));
    sheet.settings.policy_seed = random.between(1, 1000);
    sheet.jobs = jobs_text(jobs, false);
    sheet.problem = say(language,
        "One core runs a lottery every tick (quantum 1): each ready job holds tickets, and the draw (seed {}) picks "
        "who runs.\n\n{}",
        "코어 하나가 틱마다(퀀텀 1) 추첨합니다. 준비된 작업마다 티켓이 있고, 추첨(시드 {})이 실행할 작업을 고릅니다.\n\n{}",
        *sheet.settings.policy_seed, job_table(language, jobs, false, tickets));
    auto program = parsed(sheet);
    sheet.runs.push_back(run_with(program, sheet.settings, "lottery"));
    sheet.commands.push_back(run_command_line(sheet, "lottery"));
    int total = 0;
    for (int t : tickets)
        total += t;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        double share = 100.0 * tickets[i] / total;
        sheet.questions.push_back(number_question(fmt::format("share_{}", jobs[i].name),
            say(language, "While every job is ready, what share of the CPU (in %) does {} expect?",
                "모든 작업이 준비 상태일 때 {}이(가) 기대하는 CPU 몫은 몇 %일까요?", jobs[i].name),
            std::round(share * 100) / 100,
            say(language, "its tickets over all tickets: {} / {} = {}%", "자기 티켓 / 전체 티켓: {} / {} = {}%", tickets[i],
                total, two_decimals(share)),
            true));
    }
    // Who finishes when depends on the draws: only the makespan can be worked out by hand.
    auto metrics = compute_metrics(sheet.runs.back());
    sheet.questions.push_back(number_question("makespan",
        say(language, "At which tick does the last job finish (the makespan)?", "마지막 작업은 몇 틱에 끝날까요? (makespan)"),
        static_cast<double>(metrics.makespan),
        say(language, "the core is never idle: the work adds up, {}", "코어가 쉬지 않으므로 할 일을 모두 더한 값: {}",
            metrics.makespan)));
}

std::int64_t migrations(Trace const& trace)
{
    std::int64_t count = 0;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Migrate)
            ++count;
    return count;
}

void multi_sheet(Worksheet& sheet, SplitMix64& random)
{
    auto language = sheet.language;
    int count = sheet.level == 1 ? 3 : sheet.level == 2 ? 4 : 5;
    Tick spread = sheet.level == 1 ? 0 : 6;
    std::vector<Job> jobs;
    for (int i = 0; i < count; ++i) {
        Job job;
        job.name = job_name(i);
        job.arrival = i == 0 ? 0 : draw(random, 0, spread);
        job.work = { draw(random, 2, 12) };
        jobs.push_back(job);
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](Job const& a, Job const& b) { return a.arrival < b.arrival; });
    for (std::size_t i = 0; i < jobs.size(); ++i)
        jobs[i].name = std::string(job_names[i]);
    sheet.settings.scheduler = "rr,per-core";
    sheet.settings.cores = 2;
    sheet.settings.quantum = draw(random, 2, 3);
    if (sheet.level == 3)
        sheet.settings.set.push_back("steal=on");
    sheet.jobs = jobs_text(jobs, false);
    sheet.problem = say(language,
        "Two cores, quantum {0}. First one global queue feeds both cores (rr): a job whose slice ends goes to the back "
        "and may come back on the other core. Then each core has its own queue (per-core): a job joins a core's "
        "queue when it arrives and stays there{1}.\n\n{2}",
        "코어 둘, 퀀텀 {0}. 먼저 전역 큐 하나가 두 코어에 작업을 줍니다(rr): 슬라이스가 끝난 작업은 맨 뒤로 가고 다른 "
        "코어에서 다시 돌 수 있습니다. 다음은 코어마다 자기 큐가 있습니다(per-core): 작업은 도착할 때 한 코어의 큐에 "
        "들어가 그 코어에 머뭅니다{1}.\n\n{2}",
        sheet.settings.quantum,
        sheet.level == 3 ? tr(language, ", except that an idle core steals from a busy one (steal=on)",
                               ", 다만 한가한 코어는 바쁜 코어의 작업을 가져옵니다(steal=on)")
                         : std::string_view(),
        job_table(language, jobs, false));
    auto program = parsed(sheet);
    for (std::string scheduler : { "rr", "per-core" }) {
        QuizSettings one = sheet.settings;
        if (scheduler == "rr")
            one.set.clear();
        sheet.runs.push_back(run_with(program, one, scheduler));
        Worksheet shown = sheet;
        shown.settings = one;
        sheet.commands.push_back(run_command_line(shown, scheduler));
    }
    auto const& global = sheet.runs[0];
    auto const& local = sheet.runs[1];
    auto mg = compute_metrics(global);
    auto ml = compute_metrics(local);
    auto makespan_how = [&](Metrics const& m) {
        auto order = completion_order(m);
        return say(language, "{} finishes last, at tick {}", "{}이(가) {} 틱에 마지막으로 끝납니다", order.back(), m.makespan);
    };
    sheet.questions.push_back(number_question("makespan_global",
        say(language, "With one global queue (rr), at which tick does the last job finish?",
            "전역 큐 하나(rr)일 때 마지막 작업은 몇 틱에 끝날까요?"),
        static_cast<double>(mg.makespan), makespan_how(mg)));
    sheet.questions.push_back(number_question("makespan_per_core",
        say(language, "With a queue per core (per-core), at which tick does the last job finish?",
            "코어마다 큐가 있을 때(per-core) 마지막 작업은 몇 틱에 끝날까요?"),
        static_cast<double>(ml.makespan), makespan_how(ml)));
    sheet.questions.push_back(number_question("migrations_global",
        say(language, "With one global queue, how many times does a job resume on another core than the one it last ran on?",
            "전역 큐 하나일 때 작업이 직전과 다른 코어에서 다시 실행되는 일(이주)은 몇 번일까요?"),
        static_cast<double>(migrations(global)),
        say(language, "the run's migrate events: {}", "실행 기록의 migrate 사건 수: {}", migrations(global))));
    sheet.questions.push_back(number_question("migrations_per_core",
        say(language, "With a queue per core, how many migrations?", "코어마다 큐가 있을 때 이주는 몇 번일까요?"),
        static_cast<double>(migrations(local)),
        say(language, "the run's migrate events: {}", "실행 기록의 migrate 사건 수: {}", migrations(local))));
    sheet.questions.push_back(number_question("average_turnaround_global",
        say(language, "With one global queue, what is the average turnaround time?", "전역 큐 하나일 때 평균 반환 시간은 얼마일까요?"),
        mg.averages.turnaround,
        average_how(language, mg, &JobMetrics::turnaround, tr(language, "turnaround = finish - arrival", "반환 = 끝난 틱 - 도착 틱")), true));
    sheet.questions.push_back(number_question("average_turnaround_per_core",
        say(language, "With a queue per core, what is the average turnaround time?", "코어마다 큐가 있을 때 평균 반환 시간은 얼마일까요?"),
        ml.averages.turnaround,
        average_how(language, ml, &JobMetrics::turnaround, tr(language, "turnaround = finish - arrival", "반환 = 끝난 틱 - 도착 틱")), true));
}

// A thread's state at a tick, as process-run.py names them: run, ready, blocked, done
// (and new before it arrives).
std::string state_at(Trace const& trace, ThreadId thread, Tick tick)
{
    auto const& totals = trace.totals[thread];
    if (totals.finish >= 0 && tick >= totals.finish)
        return "done";
    if (tick < totals.arrival)
        return "new";
    for (auto const& slices : trace.core_slices)
        for (auto const& slice : slices)
            if (slice.thread == thread && !slice.switching && slice.start <= tick && tick < slice.end)
                return "run";
    Tick blocked_until = -1;
    for (auto const& event : trace.events) {
        if (event.tick > tick)
            break;
        if (event.thread != thread)
            continue;
        if (event.kind == EventKind::Block)
            blocked_until = event.value;
        else if (event.kind == EventKind::Wake || event.kind == EventKind::Dispatch)
            blocked_until = -1;
    }
    return blocked_until > tick ? "blocked" : "ready";
}

void process_run_sheet(Worksheet& sheet, SplitMix64& random)
{
    auto language = sheet.language;
    int count = sheet.level == 1 ? 2 : 3;
    std::vector<Job> jobs;
    for (int i = 0; i < count; ++i) {
        Job job;
        job.name = job_name(i);
        job.arrival = sheet.level == 3 && i > 0 ? draw(random, 0, 4) : 0;
        int ios = sheet.level == 1 ? static_cast<int>(random.between(0, 1)) : static_cast<int>(random.between(1, 2));
        if (i == 0 && ios == 0)
            ios = 1; // at least one I/O on the sheet
        job.work.push_back(draw(random, 1, 3));
        for (int k = 0; k < ios; ++k) {
            job.work.push_back(draw(random, 2, 5));
            job.work.push_back(draw(random, 1, 3));
        }
        jobs.push_back(job);
    }
    sheet.settings.scheduler = "fcfs";
    sheet.program = jobs_program(jobs);
    sheet.problem = say(language,
        "One core, first come first served: a process runs until it issues I/O (then the next ready one runs) or "
        "ends. I/O takes the ticks given, on a device, while the CPU runs others.\n\n{}",
        "코어 하나, 선착순: 프로세스는 I/O를 시작하거나(그러면 다음 준비된 프로세스가 실행) 끝날 때까지 실행합니다. I/O는 "
        "주어진 틱 동안 장치에서 진행되고, 그동안 CPU는 다른 프로세스를 실행합니다.\n\n{}",
        job_table(language, jobs, false));
    auto program = parsed(sheet);
    sheet.runs.push_back(run_with(program, sheet.settings, "fcfs"));
    sheet.commands.push_back(run_command_line(sheet, "fcfs"));
    auto const& trace = sheet.runs.back();
    auto metrics = compute_metrics(trace);

    // Three ticks to trace by hand, drawn after the run so that each falls inside it.
    std::set<Tick> ticks;
    while (ticks.size() < 3 && std::ssize(ticks) < metrics.makespan)
        ticks.insert(draw(random, 0, metrics.makespan - 1));
    for (Tick tick : ticks) {
        std::vector<std::string> states;
        std::vector<std::string> named;
        for (std::size_t t = 0; t < trace.threads.size(); ++t) {
            auto state = state_at(trace, static_cast<ThreadId>(t), tick);
            states.push_back(state);
            named.push_back(fmt::format("{} {}", trace.threads[t].display_name, state));
        }
        QuizQuestion question;
        question.id = fmt::format("states_at_{}", tick);
        question.text = say(language,
            "During tick {} (from {} to {}), what is each process doing? Answer run, ready, blocked or done for {}, in that "
            "order.",
            "{} 틱 동안({}부터 {}까지) 각 프로세스는 무엇을 할까요? {} 순서로 run, ready, blocked, done 중 하나로 답하세요.",
            tick, tick, tick + 1, joined(std::vector<std::string>(job_names.begin(), job_names.begin() + count)));
        question.kind = AnswerKind::Words;
        question.answer = joined(states, " ");
        question.how = say(language, "the per-tick table at tick {}: {}", "틱별 표의 {} 틱: {}", tick, joined(named));
        sheet.questions.push_back(std::move(question));
    }
    Tick cpu = trace.core_busy[0];
    sheet.questions.push_back(number_question("cpu_busy",
        say(language, "For how many ticks is the CPU busy?", "CPU가 바쁜 틱은 모두 몇 틱일까요?"), static_cast<double>(cpu),
        say(language, "every compute tick runs once: {}", "계산 틱은 모두 한 번씩 실행됩니다: {}", cpu)));
    Tick io_busy = 0;
    for (Tick tick = 0; tick < metrics.makespan; ++tick)
        for (std::size_t t = 0; t < trace.threads.size(); ++t)
            if (state_at(trace, static_cast<ThreadId>(t), tick) == "blocked") {
                ++io_busy;
                break;
            }
    sheet.questions.push_back(number_question("io_busy",
        say(language, "For how many ticks is at least one process waiting for I/O?",
            "적어도 한 프로세스가 I/O를 기다리는 틱은 모두 몇 틱일까요?"),
        static_cast<double>(io_busy),
        say(language, "ticks with some process blocked, in the per-tick table: {}", "틱별 표에서 blocked가 하나라도 있는 틱: {}",
            io_busy)));
    sheet.questions.push_back(number_question("makespan",
        say(language, "At which tick does the last process finish?", "마지막 프로세스는 몇 틱에 끝날까요?"),
        static_cast<double>(metrics.makespan),
        say(language, "{} finishes last, at tick {}", "{}이(가) {} 틱에 마지막으로 끝납니다", completion_order(metrics).back(),
            metrics.makespan)));
}

void race_sheet(Worksheet& sheet, SplitMix64& random)
{
    auto language = sheet.language;
    int threads = sheet.level == 3 ? 3 : 2;
    std::int64_t start = static_cast<std::int64_t>(random.between(0, 5));
    std::string program = fmt::format("process counter\n  shared count = {}\n", start);
    std::vector<std::string> lines;
    for (int i = 0; i < threads; ++i) {
        auto times = sheet.level == 2 ? random.between(2, 3) : random.between(1, 2);
        std::string name(1, static_cast<char>('a' + i));
        program += fmt::format("  thread {}\n    repeat {}\n      incr count\n", name, times);
        lines.push_back(say(language, "thread {} adds 1 to count {} times", "스레드 {}는 count에 1을 {}번 더합니다", name, times));
    }
    sheet.settings.scheduler = "explore";
    sheet.program = program;
    sheet.problem = say(language,
        "count starts at {}; {}. Each `incr count` is three steps: read, add 1, write. A switch may come between any two "
        "steps.\n\n{}",
        "count는 {}에서 시작합니다; {}. `incr count` 하나는 읽기, 1 더하기, 쓰기의 세 단계이고, 어느 두 단계 사이에서든 "
        "전환이 일어날 수 있습니다.\n\n{}",
        start, joined(lines, "; "), program);
    sheet.commands.push_back("ticklab explore quiz.tl");
    auto parsed_program = parsed(sheet);
    MachineConfig machine;
    auto result = explore(machine, parsed_program, ExploreLimits {});
    VERIFY(result.complete);
    std::set<std::int64_t> values;
    std::vector<std::string> counted;
    for (auto const& outcome : result.outcomes)
        values.insert(outcome.variables.at(0).second);
    for (auto const& outcome : result.outcomes)
        counted.push_back(say(language, "{} ({} schedules)", "{}(스케줄 {}개)", outcome.variables.at(0).second, outcome.schedules));
    std::vector<std::string> value_text;
    for (auto value : values)
        value_text.push_back(fmt::format("{}", value));
    QuizQuestion question;
    question.id = "final_values";
    question.text = say(language, "Which final values can count have? (every one, in any order)",
        "count의 최종값으로 가능한 것은 무엇일까요? (모두, 순서는 상관없음)");
    question.kind = AnswerKind::Set;
    question.answer = joined(value_text);
    question.how = say(language, "explore tries every schedule; its outcomes: {}", "explore가 모든 스케줄을 시도한 결과: {}",
        joined(counted));
    sheet.questions.push_back(question);
    sheet.questions.push_back(number_question("smallest",
        say(language, "What is the smallest final value?", "가장 작은 최종값은 얼마일까요?"),
        static_cast<double>(*values.begin()),
        say(language, "the smallest of the outcomes: {}", "결과 중 가장 작은 값: {}", *values.begin())));
    sheet.questions.push_back(number_question("largest",
        say(language, "What is the largest final value?", "가장 큰 최종값은 얼마일까요?"),
        static_cast<double>(*values.rbegin()),
        say(language, "no update lost: {}", "잃어버린 갱신이 없을 때: {}", *values.rbegin())));
    sheet.explored = std::move(result);
}

void async_sheet(Worksheet& sheet, SplitMix64& random)
{
    auto language = sheet.language;
    int count = sheet.level == 1 ? 2 : 3;
    // The delivery kinds of docs/coroutines-and-gil.md: gathered waits overlap; awaited one
    // after another they do not; CPU work never overlaps in one thread.
    auto kind = random.between(0, 2);
    std::vector<std::string> names;
    std::vector<Tick> meals;
    std::vector<Tick> cooks;
    for (int i = 0; i < count; ++i) {
        names.push_back(job_name(i));
        meals.push_back(draw(random, 1, 9));
        cooks.push_back(sheet.level == 3 ? draw(random, 1, 3) : 0);
    }
    std::string body = sheet.level == 3 ? "  async delivery(name, cook, mealtime)\n    compute cook\n" : "  async delivery(name, mealtime)\n";
    body += "    print \"{name} sent\"\n";
    body += kind == 2 ? "    compute mealtime\n" : "    await sleep mealtime\n";
    body += "    print \"{name} done\"\n";
    std::vector<std::string> calls;
    for (int i = 0; i < count; ++i)
        calls.push_back(sheet.level == 3 ? fmt::format("delivery(\"{}\", {}, {})", names[i], cooks[i], meals[i])
                                         : fmt::format("delivery(\"{}\", {})", names[i], meals[i]));
    std::string main = "  async main()\n";
    if (kind == 1)
        for (auto const& call : calls)
            main += fmt::format("    await {}\n", call);
    else
        main += fmt::format("    await gather {}\n", joined(calls));
    sheet.program = "process delivery\n" + body + main + "  run main()\n  print \"total {tick}\"\n";
    sheet.settings.scheduler = "rr";
    sheet.problem = say(language,
        "One thread runs an event loop (Python's asyncio). `await sleep` lets other tasks run while this one waits; "
        "`compute` holds the thread.\n\n{}",
        "스레드 하나가 이벤트 루프(파이썬의 asyncio)를 돌립니다. `await sleep`은 기다리는 동안 다른 태스크가 실행되게 "
        "하고, `compute`는 스레드를 붙잡고 있습니다.\n\n{}",
        sheet.program);
    auto program = parsed(sheet);
    sheet.runs.push_back(run_with(program, sheet.settings, "rr"));
    sheet.commands.push_back(run_command_line(sheet, "rr"));
    auto const& trace = sheet.runs.back();
    std::vector<std::string> order;
    std::vector<std::string> when;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Print) {
            auto text = std::string(trace.text(event));
            auto done = text.find(" done");
            if (done != std::string::npos) {
                order.push_back(text.substr(0, done));
                when.push_back(fmt::format("{} {}", text.substr(0, done), event.tick));
            }
        }
    QuizQuestion question;
    question.id = "order";
    question.text = say(language, "In which order are the deliveries done? (names, the first done first)",
        "배달은 어떤 순서로 끝날까요? (먼저 끝나는 것부터 이름으로)");
    question.kind = AnswerKind::Names;
    question.answer = joined(order);
    question.how = say(language, "the \"done\" lines print at ticks {}", "\"done\" 줄이 찍히는 틱: {}", joined(when));
    sheet.questions.push_back(question);
    std::string why = kind == 0 ? tr(language, "the gathered sleeps overlap, so the longest wait decides",
                                      "gather로 모은 sleep은 겹치므로 가장 긴 기다림이 정합니다")
                                      .data()
        : kind == 1 ? tr(language, "each delivery is awaited before the next starts: the waits add up",
                        "배달마다 끝나길 기다린 뒤 다음을 시작하므로 기다림이 더해집니다")
                          .data()
                    : tr(language, "compute holds the one thread: the meals run one after another",
                        "compute는 하나뿐인 스레드를 붙잡으므로 식사가 차례로 진행됩니다")
                          .data();
    sheet.questions.push_back(number_question("makespan",
        say(language, "At which tick does the program print its total (the total time)?",
            "프로그램은 몇 틱에 총 소요 시간을 찍을까요? (총 소요 시간)"),
        static_cast<double>(trace.end), say(language, "{}: {} ticks", "{}: {} 틱", why, trace.end)));
}

// Code points before byte `at` of `text`, plus one: a 1-based column.
int column_of(std::string_view text, std::size_t at)
{
    int column = 1;
    for (std::size_t i = 0; i < at && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            ++column;
    return column;
}

struct Token {
    std::string text;
    std::size_t at = 0;
};

std::vector<Token> tokens(std::string_view text)
{
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ','))
            ++i;
        std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != ',')
            ++i;
        if (i > start)
            out.push_back({ std::string(text.substr(start, i - start)), start });
    }
    return out;
}

std::string lower(std::string text)
{
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return text;
}

std::optional<double> number_of(std::string const& text)
{
    if (text.empty() || text.size() > 40)
        return std::nullopt;
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value))
        return std::nullopt;
    if (text.find_first_of("xXpPnN") != std::string::npos) // no hex, inf or nan
        return std::nullopt;
    return value;
}

}

std::span<QuizTopic const> quiz_topics() { return topics; }

QuizTopic const* find_quiz_topic(std::string_view name)
{
    for (auto const& topic : topics)
        if (topic.name == name)
            return &topic;
    return nullptr;
}

bool quiz_topic_takes_policy(std::string_view topic)
{
    return topic == "fcfs" || topic == "sjf" || topic == "srtf" || topic == "rr" || topic == "priority" || topic == "mlfq";
}

std::optional<std::string> check_quiz_policy(std::string const& policy)
{
    auto made = make_scheduler(policy, SchedulerOptions {});
    if (auto const* error = std::get_if<std::string>(&made))
        return *error;
    return std::nullopt;
}

std::variant<Worksheet, std::string> make_worksheet(QuizRequest const& request)
{
    if (!find_quiz_topic(request.topic))
        return fmt::format("unknown topic '{}' (see 'ticklab quiz --list')", request.topic);
    if (request.level < min_quiz_level || request.level > max_quiz_level)
        return fmt::format("--level must be {} to {}, not {}", min_quiz_level, max_quiz_level, request.level);
    if (request.seed > max_quiz_seed)
        return fmt::format("--seed must be 0 to {}, not {}", max_quiz_seed, request.seed);
    if (!request.policy.empty() && !quiz_topic_takes_policy(request.topic))
        return fmt::format("--scheduler goes with a scheduling topic (fcfs, sjf, srtf, rr, priority or mlfq), not '{}'",
            request.topic);
    Worksheet sheet;
    sheet.topic = request.topic;
    sheet.seed = request.seed;
    sheet.level = request.level;
    sheet.language = request.language;
    sheet.policy = request.policy;
    SplitMix64 random(topic_seed(request.topic, request.seed));
    auto const& topic = request.topic;
    if (topic == "lottery")
        lottery_sheet(sheet, random);
    else if (topic == "multi")
        multi_sheet(sheet, random);
    else if (topic == "process-run")
        process_run_sheet(sheet, random);
    else if (topic == "race")
        race_sheet(sheet, random);
    else if (topic == "async")
        async_sheet(sheet, random);
    else
        scheduling_sheet(sheet, random, request.policy);
    return sheet;
}

std::variant<bool, AnswerProblem> grade_answer(QuizQuestion const& question, std::string_view given)
{
    auto words = tokens(given);
    if (words.empty())
        return AnswerProblem { 1, "no answer" };
    switch (question.kind) {
    case AnswerKind::Number: {
        if (words.size() > 1)
            return AnswerProblem { column_of(given, words[1].at), "one number expected; this is more" };
        auto value = number_of(words[0].text);
        if (!value)
            return AnswerProblem { column_of(given, words[0].at), fmt::format("'{}' is not a number", words[0].text) };
        return std::abs(*value - question.exact) < 0.01;
    }
    case AnswerKind::Set: {
        std::multiset<std::int64_t> wanted;
        for (auto const& token : tokens(question.answer))
            wanted.insert(std::strtoll(token.text.c_str(), nullptr, 10));
        std::set<std::int64_t> seen;
        for (auto const& token : words) {
            auto value = number_of(token.text);
            if (!value || *value != std::floor(*value) || std::abs(*value) > 1e15)
                return AnswerProblem { column_of(given, token.at), fmt::format("'{}' is not a whole number", token.text) };
            seen.insert(static_cast<std::int64_t>(*value));
        }
        return std::set<std::int64_t>(wanted.begin(), wanted.end()) == seen;
    }
    case AnswerKind::Names:
    case AnswerKind::Words: {
        auto wanted = tokens(question.answer);
        if (words.size() != wanted.size())
            return false;
        for (std::size_t i = 0; i < words.size(); ++i)
            if (lower(words[i].text) != lower(wanted[i].text))
                return false;
        return true;
    }
    }
    return false;
}

}
