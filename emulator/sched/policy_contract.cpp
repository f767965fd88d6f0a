#include "sched/policy_contract.hpp"

#include "engine/machine.hpp"
#include "gen/generator.hpp"
#include "lang/input_file.hpp"
#include "lang/parser.hpp"
#include "sched/lua_policy.hpp"
#include "sched/registry.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace tl {

namespace {

struct Workload {
    Program program;
    int cores = 1;
    std::size_t threads = 0;
};

// Small to larger: 1 to 5 processes of 1 to 3 threads, on 1 to 3 cores, three seeds each;
// on several cores every fourth thread is pinned to one core. Compute, I/O and sleep,
// arrivals spread over 8 ticks, three priorities.
std::vector<Workload> ladder()
{
    std::vector<Workload> workloads;
    for (int processes = 1; processes <= 5; ++processes) {
        for (int threads = 1; threads <= 3; ++threads) {
            for (int cores = 1; cores <= 3; ++cores) {
                for (std::uint64_t seed = 1; seed <= 3; ++seed) {
                    GeneratorOptions options;
                    options.processes = processes;
                    options.threads = threads;
                    options.seed = seed;
                    options.arrival_spread = 8;
                    options.burst = { 1, 5 };
                    options.wait = { 1, 4 };
                    options.length = 4;
                    options.priorities = 3;
                    Workload workload { generate_program(options), cores,
                        static_cast<std::size_t>(processes * threads) };
                    int count = 0;
                    for (auto& process : workload.program.processes)
                        for (auto& thread : process.threads)
                            if (cores > 1 && count++ % 4 == 1)
                                thread.pinned = { count % cores };
                    workloads.push_back(std::move(workload));
                }
            }
        }
    }
    std::stable_sort(workloads.begin(), workloads.end(),
        [](Workload const& a, Workload const& b) { return a.threads < b.threads; });
    return workloads;
}

// The starvation workload with `newcomers` newcomers: `first` (priority 0, 3 ticks) and `low`
// (priority 5, 6 ticks) arrive at 0; then a newcomer of priority 0 and 5 ticks every 5
// ticks, keeping one core busy. A policy that always prefers newcomers (better priority,
// shorter, later) never runs `low` while they keep coming.
std::string starvation_jobs(int newcomers)
{
    std::string jobs = "first:0:3:0,low:0:6:5";
    for (int i = 1; i <= newcomers; ++i)
        jobs += fmt::format(",new{}:{}:5:0", i, 1 + 5 * (i - 1));
    return jobs;
}

constexpr Tick starvation_bound = 60;

std::string names_of(Trace const& trace, std::vector<ThreadId> const& threads)
{
    std::string names;
    for (std::size_t i = 0; i < threads.size() && i < 5; ++i)
        names += fmt::format("{}{}", i == 0 ? "" : ", ", trace.name(threads[i]));
    if (threads.size() > 5)
        names += fmt::format(" and {} more", threads.size() - 5);
    return names;
}

class ContractChecker {
public:
    ContractChecker(std::string path, std::string source, SchedulerOptions options)
        : m_path(std::move(path))
        , m_source(std::move(source))
        , m_options(std::move(options))
    {
    }

    // A run, or the policy's error.
    std::variant<Trace, std::string> run(Program const& program, int cores, bool step) const
    {
        auto options = m_options;
        options.cores = cores;
        auto made = make_lua_scheduler_from_source(m_path, m_source, options);
        if (auto const* error = std::get_if<std::string>(&made))
            return *error;
        auto needs = workload_needs(program);
        MachineConfig machine;
        machine.cores = cores;
        machine.ram = std::max<std::uint64_t>(machine.ram, needs.memory);
        // No run of the workload needs more ticks than this: reaching it means threads were lost.
        machine.max_ticks = std::min(needs.tick_bound + 1, max_tick_limit);
        machine.step_every_tick = step;
        try {
            auto& choice = std::get<SchedulerChoice>(made);
            return simulate(machine, program, std::move(choice.scheduler), choice.name, choice.description);
        } catch (PolicyError const& error) {
            return std::string(error.what());
        }
    }

private:
    std::string m_path;
    std::string m_source;
    SchedulerOptions m_options;
};

void broke(PropertyResult& property, std::string what, Program const& program, int cores)
{
    property.verdict = Verdict::Broken;
    property.what = std::move(what);
    property.program = write_program(program);
    property.cores = cores;
}

}

bool ContractReport::all_held() const
{
    return std::none_of(properties.begin(), properties.end(),
        [](PropertyResult const& property) { return property.verdict == Verdict::Broken; });
}

std::variant<ContractReport, std::string> check_policy_contract(std::string_view path, SchedulerOptions const& options)
{
    std::string error;
    auto source = read_input_file(std::filesystem::path(locate_policy_file(std::string(path))), error);
    if (!source)
        return fmt::format("cannot read the policy '{}': {}", path, error);
    auto first = make_lua_scheduler_from_source(path, *source, options);
    if (auto const* failed = std::get_if<std::string>(&first))
        return *failed;
    ContractReport report;
    report.description = std::get<SchedulerChoice>(first).description;
    bool claims = claims_starvation_free(*std::get<SchedulerChoice>(first).scheduler);
    ContractChecker checker(std::string(path), *source, options);

    PropertyResult answers { "answers",
        "every answer is valid: a ready thread allowed on the core, a slice of at least 1 tick, the right types" };
    PropertyResult finishes { "finishes", "every thread of every workload runs to its end (no thread is lost)" };
    PropertyResult replay { "replay", "the same workload and seed give the same run twice" };
    PropertyResult stepping { "stepping", "stepping every tick gives the same run as jumping over quiet ticks" };
    PropertyResult starvation { "starvation",
        fmt::format("a waiting thread runs within {} ticks while newcomers keep arriving", starvation_bound) };

    for (auto const& workload : ladder()) {
        auto const& program = workload.program;
        ++answers.workloads;
        auto jumped = checker.run(program, workload.cores, false);
        if (auto const* failed = std::get_if<std::string>(&jumped)) {
            if (answers.verdict == Verdict::Held)
                broke(answers, *failed, program, workload.cores);
            continue;
        }
        auto const& trace = std::get<Trace>(jumped);
        ++finishes.workloads;
        if (finishes.verdict == Verdict::Held && trace.outcome != Outcome::Finished) {
            std::vector<ThreadId> unfinished;
            for (std::size_t id = 0; id < trace.totals.size(); ++id)
                if (trace.totals[id].finish < 0 && !trace.totals[id].killed)
                    unfinished.push_back(static_cast<ThreadId>(id));
            broke(finishes,
                fmt::format("{} never finished: the run reached tick {}, more than this workload can need; the policy "
                            "lost {} (a thread it was given with enqueue that pick never returned?)",
                    names_of(trace, unfinished), trace.end, unfinished.size() == 1 ? "it" : "them"),
                program, workload.cores);
        }
        ++replay.workloads;
        auto again = checker.run(program, workload.cores, false);
        if (replay.verdict == Verdict::Held) {
            auto const* second = std::get_if<Trace>(&again);
            if (!second || !same_run(trace, *second))
                broke(replay,
                    second ? "a second run of the same workload with the same seed went differently (does the policy "
                             "keep state in a way that depends on more than its hooks' calls?)"
                           : "a second run stopped with an error the first did not have: " + std::get<std::string>(again),
                    program, workload.cores);
        }
        ++stepping.workloads;
        if (stepping.verdict == Verdict::Held) {
            auto stepped = checker.run(program, workload.cores, true);
            auto const* each = std::get_if<Trace>(&stepped);
            if (!each || !same_run(trace, *each))
                broke(stepping,
                    each ? "visiting every tick went differently from jumping over quiet ticks (does pick change "
                           "something even when it returns nil, or does the policy count calls instead of reading "
                           "host.now()?)"
                         : "visiting every tick stopped with an error: " + std::get<std::string>(stepped),
                    program, workload.cores);
        }
    }

    if (!claims) {
        starvation.verdict = Verdict::NotClaimed;
    } else {
        for (int newcomers = 1; newcomers <= 24; ++newcomers) {
            auto jobs = starvation_jobs(newcomers);
            auto parsed = parse_jobs(jobs);
            if (!parsed.ok())
                return "internal: the starvation workload does not parse";
            ++starvation.workloads;
            auto run = checker.run(parsed.program, 1, false);
            auto const* trace = std::get_if<Trace>(&run);
            if (!trace)
                continue; // reported under "answers" when the ladder meets it too
            auto const& low = trace->totals[1];
            Tick first_run = low.first_run >= 0 ? low.first_run : trace->end;
            if (first_run > starvation_bound) {
                broke(starvation,
                    fmt::format("thread 'low' was ready from tick 0 but first ran at tick {}{}, while newcomers kept "
                                "arriving (the policy claims starvation_free = true)",
                        first_run, low.first_run >= 0 ? "" : " (never)"),
                    parsed.program, 1);
                starvation.jobs = jobs;
                break;
            }
        }
    }
    report.properties = { answers, finishes, replay, stepping, starvation };
    return report;
}

}
