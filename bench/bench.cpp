// ticklab-bench: a fixed ladder of workloads, run under every registered policy, one row per
// run. The figures and what they mean are in docs/performance.md.
//
//   ticklab-bench                  the whole ladder (seconds; use a release build)
//   ticklab-bench --quick          a small ladder, for a smoke test
//   ticklab-bench --policy rr      only that policy (repeatable)
//   ticklab-bench --case headline  only that case (repeatable)
//   ticklab-bench --repeat 5       the median of 5 runs per row (default 3; 1 with --quick)
//
// Each run happens in a fresh process: the driver re-executes itself with the hidden --child
// flag for every (case, policy). Peak memory (getrusage's ru_maxrss) is a process's
// high-water mark and never goes down, so this is the only way a row's peak belongs to that
// row alone. The child prints one tab-separated record; the driver prints the aligned row.
//
// A plain driver rather than Google Benchmark: the cases are seconds long and run once, the
// figures we need (simulated ticks, events, peak memory per case) are not what a
// micro-benchmark library reports, and one fewer dependency keeps the build cheap.

#include "minimal_rr.hpp"

#include "engine/machine.hpp"
#include "explore/explore.hpp"
#include "gen/generator.hpp"
#include "lang/parser.hpp"
#include "sched/lua_policy.hpp"
#include "sched/registry.hpp"
#include "sched/start_run.hpp"
#include "ticklab_config.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <malloc.h>
#include <map>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using tl::ThreadId;
using tl::Tick;

// One workload on one machine. Every policy runs it with the same machine and quantum.
struct Case {
    std::string name;
    std::string what;
    int cores = 1;
    Tick quantum = 2;
    bool record = false; // keep events, slices and queue snapshots (as `ticklab run` does)
    std::function<tl::Program()> program;
};

// The headline target of the issue "Scale: big workloads in about a second": 64 cores,
// 10,000 threads (1,000 processes of 10), a little over 1,000,000 simulated ticks under
// round-robin with quantum 10. Bursts average 600 ticks, so a thread is mostly compute with
// an io or sleep between bursts; with 10,000 threads on 64 cores the cores never run dry.
tl::GeneratorOptions headline_options()
{
    tl::GeneratorOptions options;
    options.processes = 1000;
    options.threads = 10;
    options.cores = 64;
    options.seed = 1;
    options.arrival_spread = 10'000;
    options.burst = { 200, 1000 };
    options.wait = { 50, 500 };
    options.io_ratio = 0.2;
    options.sleep_ratio = 0.1;
    options.length = 16;
    return options;
}

tl::GeneratorOptions small_options()
{
    tl::GeneratorOptions options;
    options.processes = 20;
    options.threads = 10;
    options.cores = 8;
    options.seed = 1;
    options.arrival_spread = 1'000;
    options.burst = { 20, 100 };
    options.wait = { 5, 50 };
    options.length = 8;
    return options;
}

// Every duration times `factor`: compute, io, sleep and arrivals. Run with the quantum times
// `factor` too, the schedule is the same one stretched: the same events, `factor` times the
// ticks. That isolates what the Machine's jumping over quiet ticks is for.
tl::Program stretched(tl::Program program, Tick factor)
{
    for (auto& process : program.processes) {
        process.arrival *= factor;
        for (auto& thread : process.threads)
            for (auto& instruction : thread.code.edit())
                instruction.ticks *= factor;
    }
    return program;
}

// Only the compute bursts times `factor`, at the same quantum: a round-robin thread now needs
// twice the slices, so the events grow too.
tl::Program longer_bursts(tl::Program program, Tick factor)
{
    for (auto& process : program.processes)
        for (auto& thread : process.threads)
            for (auto& instruction : thread.code.edit())
                if (instruction.opcode == tl::Opcode::Compute)
                    instruction.ticks *= factor;
    return program;
}

tl::Program kitchen()
{
    std::string path = std::string(TICKLAB_SOURCE_DIR) + "/programs/kitchen.tl";
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = tl::parse_program(text.str(), path);
    if (!in || !parsed.ok())
        throw std::runtime_error("cannot load " + path);
    return std::move(parsed.program);
}

// explore on the bundled 100-increment race up to `states` distinct states: the states it
// visits per second of wall time (each is a Machine copy, a tick and a state key).
void explore_row(std::uint64_t states)
{
    std::string path = std::string(TICKLAB_SOURCE_DIR) + "/programs/race.tl";
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = tl::parse_program(text.str(), path);
    if (!in || !parsed.ok())
        throw std::runtime_error("cannot load " + path);
    auto start = std::chrono::steady_clock::now();
    auto result = tl::explore(tl::MachineConfig {}, parsed.program, tl::ExploreLimits { states });
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("\nexplore race (1 core, --max-states {}): {} states{} in {:.0f} ms, {:.0f} states per second, {} "
               "outcomes\n",
        states, result.states, result.complete ? "" : " (partial)", seconds * 1000.0,
        static_cast<double>(result.states) / seconds, result.outcomes.size());
}

std::vector<Case> full_ladder()
{
    auto headline = headline_options();
    auto doubled = headline;
    doubled.processes *= 2;
    auto medium = headline;
    medium.processes = 100;
    medium.cores = 16;
    medium.burst = { 20, 100 };
    medium.wait = { 5, 50 };
    return {
        { "kitchen", "programs/kitchen.tl as `ticklab run kitchen` runs it: startup-scale cost", 1, 2, true, kitchen },
        { "headline", "64 cores, 10,000 threads, >1M ticks, quantum 10, recording off", 64, 10, false,
            [=] { return tl::generate_program(headline); } },
        { "stretch-x2", "headline with every compute burst doubled, and io, sleep, arrivals and quantum with it: "
                        "same events, twice the ticks",
            64, 20, false, [=] { return stretched(tl::generate_program(headline), 2); } },
        { "compute-x2", "headline with only compute bursts doubled, quantum still 10: more slices, more events", 64,
            10, false, [=] { return longer_bursts(tl::generate_program(headline), 2); } },
        { "threads-x2", "headline with twice the processes: 20,000 threads", 64, 10, false,
            [=] { return tl::generate_program(doubled); } },
        { "medium", "16 cores, 1,000 threads, shorter bursts, recording off", 16, 10, false,
            [=] { return tl::generate_program(medium); } },
        { "medium-full", "medium with events, slices and queue snapshots recorded: what the trace costs", 16, 10,
            true, [=] { return tl::generate_program(medium); } },
    };
}

std::vector<Case> quick_ladder()
{
    auto small = small_options();
    auto doubled = small;
    doubled.processes *= 2;
    return {
        { "kitchen", "programs/kitchen.tl as `ticklab run kitchen` runs it", 1, 2, true, kitchen },
        { "small", "8 cores, 200 threads, quantum 10, recording off", 8, 10, false,
            [=] { return tl::generate_program(small); } },
        { "small-stretch-x2", "small stretched twice: same events, twice the ticks", 8, 20, false,
            [=] { return stretched(tl::generate_program(small), 2); } },
        { "small-threads-x2", "small with 400 threads", 8, 10, false, [=] { return tl::generate_program(doubled); } },
        { "small-full", "small with everything recorded", 8, 10, true, [=] { return tl::generate_program(small); } },
    };
}

Case const* find_case(std::string_view name)
{
    static auto const cases = [] {
        auto all = full_ladder();
        for (auto& each : quick_ladder())
            all.push_back(std::move(each));
        return all;
    }();
    for (auto const& each : cases)
        if (each.name == name)
            return &each;
    return nullptr;
}

// What one run measured.
struct Result {
    bool ok = false;
    std::string error;
    Tick ticks = 0;
    std::int64_t events = 0;
    std::int64_t slices = 0;
    double wall = 0;           // seconds, the median over `runs`
    double cpu = 0;            // user + system seconds of that same run: unlike wall time, not
                               // inflated while the process waits for a core on a busy machine
    int runs = 1;
    long peak_kib = 0;         // the child process's ru_maxrss
    std::uint64_t trace_bytes = 0; // what the stored events, slices and snapshots take
    bool finished = false;
};

std::uint64_t stored_bytes(tl::Trace const& trace)
{
    std::uint64_t bytes = trace.events.capacity() * sizeof(tl::Event);
    for (auto const& slices : trace.core_slices)
        bytes += slices.capacity() * sizeof(tl::Slice);
    for (auto const& snapshot : trace.queue_snapshots) {
        bytes += sizeof(tl::QueueSnapshot) + snapshot.queues.capacity() * sizeof(tl::ReadyQueue);
        for (auto const& queue : snapshot.queues)
            bytes += queue.threads.capacity() * sizeof(tl::ThreadId) + queue.label.capacity();
    }
    return bytes;
}

// The machine a case runs on: its cores, RAM for every process at once, no tick limit.
tl::MachineConfig machine_for(Case const& bench_case, tl::Program const& program)
{
    tl::MachineConfig machine;
    machine.cores = bench_case.cores;
    machine.ram = std::max<std::uint64_t>(tl::workload_needs(program).memory, machine.ram);
    machine.max_ticks = tl::max_tick_limit;
    machine.record_events = bench_case.record;
    machine.record_queues = bench_case.record;
    return machine;
}

// This process's CPU time (user + system), in seconds.
double cpu_seconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The child's side: one case under one policy, in this process.
Result run_case(Case const& bench_case, std::string const& policy, int repeats, double budget)
{
    Result result;
    auto program = bench_case.program();
    auto machine = machine_for(bench_case, program);
    tl::SchedulerOptions options;
    options.quantum = bench_case.quantum;
    options.cores = bench_case.cores;
    // Like for like: CFS has no quantum, so its shortest slice is set to the case's quantum
    // (and its latency to six of them, Linux's default ratio is about that). With its own
    // defaults (2 and 12 ticks) 10,000 threads would switch every 2 ticks: five times
    // round-robin's events, a different workload rather than a slower policy.
    if (policy == "cfs") {
        options.settings["min-granularity"] = std::to_string(bench_case.quantum);
        options.settings["latency"] = std::to_string(6 * bench_case.quantum);
    }

    // Every case runs `repeats` times and the median is taken: a run that is memory-latency
    // bound swings by a fifth from one run to the next on a shared machine. Runs under 0.25 s
    // go on for `budget` seconds (1 s; less for --quick, a smoke test): one run of the kitchen
    // is microseconds, below the clock's noise, and a 60 ms run swings by a third. Each run frees its
    // trace before the next, so the peak is still one run's.
    std::vector<std::pair<double, double>> walls; // (wall, cpu)
    double spent = 0;
    while (true) {
        double cpu_start = cpu_seconds();
        auto start = std::chrono::steady_clock::now();
        auto simulated = tl::simulate_run(machine, program, policy, options);
        auto stop = std::chrono::steady_clock::now();
        double cpu = cpu_seconds() - cpu_start;
        double wall = std::chrono::duration<double>(stop - start).count();
        if (auto const* problems = std::get_if<std::vector<tl::RunProblem>>(&simulated)) {
            result.error = problems->front().message;
            return result;
        }
        auto const& trace = std::get<tl::Trace>(simulated);
        walls.push_back({ wall, cpu });
        spent += wall;
        if (walls.size() == 1) {
            result.ticks = trace.end;
            result.events = trace.event_count;
            result.slices = trace.slice_count;
            result.finished = trace.outcome == tl::Outcome::Finished;
            result.trace_bytes = stored_bytes(trace);
        }
        if (static_cast<int>(walls.size()) >= repeats && (spent > budget || walls.size() >= 2000 || wall > 0.25))
            break;
    }
    std::sort(walls.begin(), walls.end());
    result.wall = walls[walls.size() / 2].first;
    result.cpu = walls[walls.size() / 2].second;
    result.runs = static_cast<int>(walls.size());
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    result.peak_kib = usage.ru_maxrss; // kibibytes on Linux
    result.ok = true;
    return result;
}

std::string encode(Result const& r)
{
    if (!r.ok)
        return "error\t" + r.error + "\n";
    return fmt::format("ok\t{}\t{}\t{}\t{:.9f}\t{}\t{}\t{}\t{}\t{:.6f}\n", r.ticks, r.events, r.slices, r.wall,
        r.runs, r.peak_kib, r.trace_bytes, r.finished ? 1 : 0, r.cpu);
}

Result decode(std::string const& line)
{
    Result r;
    std::vector<std::string> fields;
    std::stringstream in(line);
    std::string field;
    while (std::getline(in, field, '\t'))
        fields.push_back(field);
    if (fields.size() == 2 && fields[0] == "error") {
        r.error = fields[1];
        return r;
    }
    if (fields.size() != 10 || fields[0] != "ok") {
        r.error = "the child printed no result";
        return r;
    }
    r.ok = true;
    r.ticks = std::stoll(fields[1]);
    r.events = std::stoll(fields[2]);
    r.slices = std::stoll(fields[3]);
    r.wall = std::stod(fields[4]);
    r.runs = std::stoi(fields[5]);
    r.peak_kib = std::stol(fields[6]);
    r.trace_bytes = std::stoull(fields[7]);
    r.finished = fields[8] == "1";
    r.cpu = std::stod(fields[9]);
    return r;
}

// One `ticklab` command as a user types it, timed from outside: wall time around the whole
// process, its CPU time and peak memory (wait4's rusage: the child's alone), and the bytes it
// wrote to standard output (read through a pipe and counted, never stored).
struct Command {
    double wall = 0;
    double cpu = 0;
    long peak_kib = 0;
    std::uint64_t bytes = 0;
    int exit = -1;   // its exit status, or 128 + the signal that ended it
    int signal = 0;  // the signal that ended it, or 0
    std::string error;
};

// `output`, when given, receives what the command wrote as well.
Command run_command(std::vector<std::string> args, std::string* output = nullptr)
{
    Command result;
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (spawned != 0) {
        close(pipe_fds[0]);
        result.error = fmt::format("cannot start {}: {}", args[0], std::strerror(spawned));
        return result;
    }
    static char buffer[1 << 16];
    ssize_t got = 0;
    while ((got = read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
        result.bytes += static_cast<std::uint64_t>(got);
        if (output)
            output->append(buffer, static_cast<std::size_t>(got));
    }
    close(pipe_fds[0]);
    int status = 0;
    rusage usage {};
    wait4(pid, &status, 0, &usage);
    result.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto seconds = [](timeval const& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    result.cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    result.peak_kib = usage.ru_maxrss;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result.exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + result.signal;
    return result;
}

// The driver's side: runs `self --child --case NAME --policy P` and reads its record.
Result run_child(std::string const& self, std::string const& case_name, std::string const& policy, int repeats,
    bool quick)
{
    std::vector<std::string> args { self, "--child", "--case", case_name, "--policy", policy, "--repeat",
        std::to_string(repeats) };
    if (quick)
        args.push_back("--quick");
    std::string output;
    auto command = run_command(args, &output);
    if (!command.error.empty())
        return Result { .error = command.error };
    if (command.signal != 0)
        return Result { .error = fmt::format("the child died of signal {}", command.signal) };
    if (!output.empty() && output.back() == '\n')
        output.pop_back();
    return decode(output);
}

// 1234567 -> "1,234,567".
std::string grouped(std::int64_t value)
{
    auto digits = fmt::format("{}", value < 0 ? -value : value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

// 12345678.0 -> "12.3M".
std::string si(double value)
{
    char const* units[] = { "", "k", "M", "G", "T" };
    int unit = 0;
    while (value >= 1000 && unit < 4) {
        value /= 1000;
        ++unit;
    }
    return fmt::format("{:.3g}{}", value, units[unit]);
}

std::string megabytes(double bytes) { return fmt::format("{:.1f}", bytes / (1024.0 * 1024.0)); }

constexpr auto row_format = "{:<17} {:<{}} {:>5} {:>7} {:>13} {:>12} {:>10} {:>9} {:>12} {:>10} {:>8} {:>8}\n";

// The policy column fits the longest registered name: others add policies.
std::size_t policy_width = 9;

void print_header()
{
    fmt::print(row_format, "case", "policy", policy_width, "cores", "threads", "ticks", "events", "wall ms", "cpu ms",
        "core-ticks/s", "events/s", "peak MB", "trace MB");
}

void print_row(Case const& bench_case, std::string const& policy, std::size_t threads, Result const& r)
{
    if (!r.ok) {
        fmt::print("{:<17} {:<{}} {:>5} {:>7}  error: {}\n", bench_case.name, policy, policy_width, bench_case.cores,
            threads, r.error);
        return;
    }
    fmt::print(row_format, bench_case.name, policy, policy_width, bench_case.cores, threads,
        grouped(r.ticks) + (r.finished ? "" : "!"), grouped(r.events), fmt::format("{:.{}f}", r.wall * 1000, r.wall < 0.01 ? 3 : 1),
        r.runs > 1 && r.cpu < 0.01 ? std::string("-") : fmt::format("{:.0f}", r.cpu * 1000),
        si(static_cast<double>(bench_case.cores) * static_cast<double>(r.ticks) / r.wall),
        si(static_cast<double>(r.events) / r.wall), megabytes(static_cast<double>(r.peak_kib) * 1024),
        bench_case.record ? megabytes(static_cast<double>(r.trace_bytes)) : std::string("-"));
    std::fflush(stdout);
}

std::size_t thread_count(tl::Program const& program)
{
    std::size_t threads = 0;
    for (auto const& process : program.processes)
        threads += process.threads.size();
    return threads;
}

// The targets of docs/performance.md, checked on whichever of their cases ran.
void print_verdicts(std::map<std::pair<std::string, std::string>, Result> const& results,
    std::vector<std::string> const& policies, double load_at_start)
{
    auto find = [&](std::string const& name, std::string const& policy) -> Result const* {
        auto it = results.find({ name, policy });
        return it != results.end() && it->second.ok ? &it->second : nullptr;
    };
    auto mark = [](bool good) { return good ? "ok  " : "MISS"; };
    std::vector<std::string> lines;
    if (auto const* rr = find("headline", "rr")) {
        lines.push_back(fmt::format("{} headline under rr: {:.3f} s wall (target < 1 s)", mark(rr->wall < 1.0), rr->wall));
        double peak = static_cast<double>(rr->peak_kib) / 1024.0;
        lines.push_back(fmt::format("{} headline under rr: {:.1f} MB peak (target < 200 MB)", mark(peak < 200), peak));
        lines.push_back(fmt::format("{} headline under rr: {} simulated ticks (target >= 1,000,000)",
            mark(rr->ticks >= 1'000'000), grouped(rr->ticks)));
    }
    // Every built-in policy within 3x of rr's row of the same ladder, in CPU time: on a shared
    // machine the wall time of a memory-bound run swings with the neighbours' load far more.
    if (auto const* rr = find("headline", "rr"); rr && rr->cpu > 0)
        for (auto const& policy : policies) {
            auto const* other = find("headline", policy);
            if (!other || policy == "rr" || tl::is_lua_policy(policy))
                continue;
            double ratio = other->cpu / rr->cpu;
            lines.push_back(fmt::format("{} headline under {}: {:.2f}x rr's CPU time ({:.0f} ms against {:.0f} ms; "
                                        "wall {:.2f}x) (target <= 3x)",
                mark(ratio <= 3.0), policy, ratio, other->cpu * 1000, rr->cpu * 1000, other->wall / rr->wall));
        }
    for (auto const& policy : policies) {
        auto const* base = find("headline", policy);
        if (!base)
            continue;
        if (auto const* x2 = find("stretch-x2", policy))
            lines.push_back(fmt::format("{} stretch-x2 under {}: wall {:+.1f}% for {:.2f}x ticks and {:.2f}x events "
                                        "(target: within 10%)",
                mark(std::abs(x2->wall / base->wall - 1) < 0.10), policy, (x2->wall / base->wall - 1) * 100,
                static_cast<double>(x2->ticks) / static_cast<double>(base->ticks),
                static_cast<double>(x2->events) / static_cast<double>(base->events)));
        if (auto const* x2 = find("threads-x2", policy))
            lines.push_back(fmt::format("{} threads-x2 under {}: {:.2f}x the wall time for {:.2f}x events (target: "
                                        "a little over 2x at most, <= 2.3x)",
                mark(x2->wall / base->wall <= 2.3), policy, x2->wall / base->wall,
                static_cast<double>(x2->events) / static_cast<double>(base->events)));
    }
    // A policy written in Lua against its built-in twin (policies/fcfs.lua against fcfs).
    for (auto const& policy : policies) {
        if (!tl::is_lua_policy(policy))
            continue;
        auto twin = policy.substr(policy.rfind('/') + 1);
        twin = twin.substr(0, twin.size() - 4);
        auto const* lua = find("medium", policy);
        auto const* builtin = find("medium", twin);
        // The target is FCFS's (the simplest policy: what the Lua calls themselves cost);
        // the others' ratios are shown for what they are.
        if (lua && builtin && twin == "fcfs")
            lines.push_back(fmt::format("{} medium under {}: {:.2f}x the wall time of the built-in {} (target <= 10x)",
                mark(lua->wall <= 10 * builtin->wall), policy, lua->wall / builtin->wall, twin));
        else if (lua && builtin)
            lines.push_back(fmt::format("     medium under {}: {:.2f}x the wall time of the built-in {} (no target)", policy,
                lua->wall / builtin->wall, twin));
    }
    if (lines.empty())
        return;
    fmt::print("\ntargets (docs/performance.md):\n");
    // Before the first child runs, the load is someone else's. The big cases are memory-latency
    // bound, so a neighbour's work slows them even when this process has a core to itself.
    if (load_at_start >= 0.5)
        fmt::print("  warning: the load average was {:.2f} before the ladder started: something else was running, so\n"
                   "  wall times and their ratios may be off by a factor of 2 or more; compare the cpu column, or\n"
                   "  rerun on a quiet machine\n",
            load_at_start);
    for (auto const& line : lines)
        fmt::print("  {}\n", line);
}

// The 1-minute load average, or a negative number when it cannot be read.
double load_now()
{
    std::ifstream in("/proc/loadavg");
    double one = -1;
    if (!(in >> one))
        return -1;
    return one;
}

// Others may be using the machine's cores: a busy machine inflates wall times.
std::string load_average()
{
    std::ifstream in("/proc/loadavg");
    double one = 0, five = 0;
    if (!(in >> one >> five))
        return "";
    return fmt::format("Load average now: {:.2f} (1 min), {:.2f} (5 min), on {} cores.", one, five,
        sysconf(_SC_NPROCESSORS_ONLN));
}

// A workload of about 10^8 ticks and a few thousand events: long bursts on two cores under
// round-robin with a long quantum, so nearly every tick is quiet.
std::string long_and_quiet_program()
{
    return "# long and quiet: about 10^8 ticks, a few thousand events\n"
           "process quiet\n"
           "  thread a\n    compute 40000000\n    io 1000\n    compute 40000000\n"
           "  thread b\n    repeat 1000\n      compute 20000\n      sleep 30000\n"
           "  thread c\n    compute 60000000\n"
           "  thread d\n    repeat 500\n      compute 100000\n      sleep 50000\n";
}

std::vector<std::string> split_words(std::string_view text)
{
    std::vector<std::string> words;
    std::istringstream in { std::string(text) };
    for (std::string word; in >> word;)
        words.push_back(word);
    return words;
}

// The rows of what users run: `ticklab run` on the headline (the command `ticklab generate`
// prints for it) and on the long-and-quiet workload, in each output format, beside the
// engine-only row of the same headline run, so the ratio between them is measured in one
// session. `ticklab` is the binary built beside this one.
int user_path_rows(std::string const& self, std::string const& ticklab, bool quick, int repeats)
{
    char directory_template[] = "/tmp/ticklab-bench-XXXXXX";
    if (!mkdtemp(directory_template))
        throw std::runtime_error(std::string("cannot make a temporary folder: ") + std::strerror(errno));
    std::string directory = directory_template;
    auto options = quick ? small_options() : headline_options();
    std::string headline_file = directory + "/headline.tl";
    std::string quiet_file = directory + "/quiet.tl";
    std::vector<std::string> headline_args;
    {
        auto program = tl::generate_program(options);
        std::ofstream out(headline_file, std::ios::binary);
        out << tl::generated_text(options, program);
        std::ofstream quiet(quiet_file, std::ios::binary);
        quiet << long_and_quiet_program();
        if (!out || !quiet)
            throw std::runtime_error("cannot write the workloads to " + directory);
        // "ticklab run FILE --cores 64 ... --format summary": the options, without the format.
        headline_args = split_words(tl::suggested_run(options, program, headline_file));
    }
    // A child's peak memory starts from this process's size when it was started (the pages
    // it shares until exec count), so this process gives back what the workload took.
    malloc_trim(0);
    std::vector<std::string> headline_options_only;
    for (std::size_t i = 2; i < headline_args.size(); ++i) {
        if (headline_args[i] == "--format" || headline_args[i] == "-f") {
            ++i;
            continue;
        }
        headline_options_only.push_back(headline_args[i]);
    }
    headline_options_only.push_back("--quantum");
    headline_options_only.push_back("10");
    std::vector<std::string> quiet_options { quiet_file, "--cores", "2", "--quantum", "100000", "--max-ticks", "400000000" };

    std::string engine_case = quick ? "small" : "headline";
    auto engine = run_child(self, engine_case, "rr", repeats, quick);
    fmt::print("\nwhat users run: `ticklab run` from outside, the median of {} runs; wall and cpu of the whole process, "
               "peak its ru_maxrss,\noutput what it wrote. {}\n\n",
        repeats, load_average());
    constexpr auto format = "{:<14} {:<9} {:>9} {:>9} {:>8} {:>11} {:>8} {:>10}\n";
    fmt::print(format, "workload", "format", "wall ms", "cpu ms", "peak MB", "output MB", "MB/s", "x engine");
    if (engine.ok)
        fmt::print(format, engine_case, "(engine)", fmt::format("{:.0f}", engine.wall * 1000),
            fmt::format("{:.0f}", engine.cpu * 1000), megabytes(static_cast<double>(engine.peak_kib) * 1024), "-", "-",
            "1.00");
    int failures = 0;
    struct Workload {
        std::string name;
        std::vector<std::string> options;
        std::vector<std::string> formats;
    };
    // Not the tick CSV or the Perfetto trace of the headline: every CSV row lists every ready
    // thread (about 100 GB), and the Perfetto trace is 9.6 GB; the quiet workload has both.
    std::vector<Workload> workloads {
        { engine_case, headline_options_only, { "summary", "json", "table" } },
        { "long-and-quiet", quiet_options, { "summary", "json", "csv", "perfetto", "table" } },
    };
    for (auto const& workload : workloads)
        for (auto const& format_name : workload.formats) {
            std::vector<Command> runs;
            for (int i = 0; i < repeats; ++i) {
                std::vector<std::string> args { ticklab, "run" };
                args.insert(args.end(), workload.options.begin(), workload.options.end());
                args.push_back("--format");
                args.push_back(format_name);
                runs.push_back(run_command(args));
            }
            std::sort(runs.begin(), runs.end(), [](auto const& a, auto const& b) { return a.cpu < b.cpu; });
            auto const& median = runs[runs.size() / 2];
            if (!median.error.empty() || median.exit != 0) {
                ++failures;
                fmt::print("{:<14} {:<9} error: {}\n", workload.name, format_name,
                    median.error.empty() ? fmt::format("exit {}", median.exit) : median.error);
                continue;
            }
            bool comparable = workload.name == engine_case && engine.ok && engine.cpu > 0;
            fmt::print(format, workload.name, format_name, fmt::format("{:.0f}", median.wall * 1000),
                fmt::format("{:.0f}", median.cpu * 1000), megabytes(static_cast<double>(median.peak_kib) * 1024),
                megabytes(static_cast<double>(median.bytes)),
                median.wall > 0 ? fmt::format("{:.0f}", static_cast<double>(median.bytes) / (1024.0 * 1024.0) / median.wall)
                                : std::string("-"),
                comparable ? fmt::format("{:.2f}", median.cpu / engine.cpu) : std::string("-"));
            std::fflush(stdout);
        }
    std::filesystem::remove_all(directory);
    return failures;
}

// The engine against a minimal round-robin loop (bench/minimal_rr.cpp) on the same program:
// both run `repeats` times, alternately, in this process; the medians of their CPU times are
// divided by the same number of events (the engine's count: the schedule is the same, which
// is checked thread by thread). Returns 1 when the schedules differ.
int minimal_rr_row(std::string const& case_name, int repeats)
{
    auto const* bench_case = find_case(case_name);
    if (!bench_case)
        throw std::runtime_error("unknown case '" + case_name + "'");
    auto program = bench_case->program();
    if (auto why = bench::minimal_rr_unsupported(program); !why.empty())
        throw std::runtime_error("the minimal loop cannot follow case '" + case_name + "': " + why);
    auto machine = machine_for(*bench_case, program);
    tl::SchedulerOptions options;
    options.quantum = bench_case->quantum;
    options.cores = bench_case->cores;

    std::vector<double> engine_cpu, minimal_cpu;
    std::optional<tl::Trace> trace;
    std::optional<bench::MinimalRun> minimal;
    for (int i = 0; i < repeats; ++i) {
        double start = cpu_seconds();
        auto simulated = tl::simulate_run(machine, program, "rr", options);
        engine_cpu.push_back(cpu_seconds() - start);
        if (auto const* problems = std::get_if<std::vector<tl::RunProblem>>(&simulated))
            throw std::runtime_error(problems->front().message);
        if (!trace)
            trace = std::move(std::get<tl::Trace>(simulated));
        start = cpu_seconds();
        auto run = bench::minimal_rr(program, bench_case->cores, bench_case->quantum);
        minimal_cpu.push_back(cpu_seconds() - start);
        if (!minimal)
            minimal = std::move(run);
    }

    // The same schedule: every thread's finish tick, the end, the switches and migrations.
    std::size_t differ = 0;
    std::string first;
    std::size_t t = 0; // the same thread in the minimal loop's finish ticks, declaration order
    for (ThreadId id = 0; id < static_cast<ThreadId>(trace->totals.size()); ++id, ++t)
        if (t >= minimal->finish.size() || trace->totals[id].finish != minimal->finish[t]) {
            if (differ++ == 0)
                first = fmt::format("thread {} ({}): the engine finishes it at {}, the minimal loop at {}", id,
                    trace->threads[id].display_name, trace->totals[id].finish,
                    t < minimal->finish.size() ? minimal->finish[t] : -1);
        }
    std::int64_t migrations = 0;
    for (auto const& totals : trace->totals)
        migrations += totals.migrations;
    bool same = differ == 0 && trace->totals.size() == minimal->finish.size() && trace->end == minimal->end
        && trace->context_switches == minimal->context_switches && migrations == minimal->migrations;

    auto median = [](std::vector<double> values) {
        std::sort(values.begin(), values.end());
        return values[values.size() / 2];
    };
    double engine = median(engine_cpu);
    double loop = median(minimal_cpu);
    auto events = static_cast<double>(trace->event_count);
    fmt::print("engine against a minimal round-robin loop: case {} ({} threads, {} cores, rr quantum {}), {} runs "
               "each, alternately; CPU time, median\n",
        case_name, trace->totals.size(), bench_case->cores, bench_case->quantum, repeats);
    fmt::print("  same schedule: {} ({} threads' finish ticks, end {} against {}, {} against {} context switches, {} "
               "against {} migrations)\n",
        same ? "yes" : "NO", trace->totals.size(), trace->end, minimal->end, trace->context_switches,
        minimal->context_switches, migrations, minimal->migrations);
    if (!same) {
        fmt::print(stderr, "ticklab-bench: error: the minimal loop's schedule differs from the engine's: {} threads "
                           "finish at another tick{}{}\n",
            differ, differ > 0 ? "; first " : "", first);
        return 1;
    }
    fmt::print("  events (the engine's count; the same schedule): {}\n", grouped(trace->event_count));
    fmt::print("  engine:       {:8.1f} ms CPU, {:5.1f} ns per event\n", engine * 1000, engine / events * 1e9);
    fmt::print("  minimal loop: {:8.1f} ms CPU, {:5.1f} ns per event\n", loop * 1000, loop / events * 1e9);
    fmt::print("  ratio: {:.2f}x (target <= 1.5x)\n", engine / loop);
    return 0;
}

int usage(char const* message)
{
    fmt::print(stderr, "ticklab-bench: error: {}\n", message);
    fmt::print(stderr, "usage: ticklab-bench [--quick] [--policy NAME]... [--case NAME]... [--repeat N]\n");
    return 2;
}

}

int main(int argc, char** argv)
{
    bool quick = false;
    bool child = false;
    bool user_path = false; // only the rows of what users run
    bool minimal = false;   // only the engine against the minimal round-robin loop
    int repeats = 0; // 0: not given; 3, or 1 with --quick
    std::vector<std::string> policies;
    std::vector<std::string> case_names;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--child") {
            child = true;
        } else if (arg == "--repeat" && i + 1 < argc) {
            repeats = std::atoi(argv[++i]);
            if (repeats < 1 || repeats > 100)
                return usage("--repeat must be a whole number from 1 to 100");
        } else if ((arg == "--policy" || arg == "--case") && i + 1 < argc) {
            (arg == "--policy" ? policies : case_names).push_back(argv[++i]);
        } else if (arg == "--explore") {
            explore_row(100'000);
            return 0;
        } else if (arg == "--user-path") {
            user_path = true;
        } else if (arg == "--minimal-rr") {
            minimal = true;
        } else if (arg == "-h" || arg == "--help") {
            fmt::print("usage: ticklab-bench [--quick] [--policy NAME]... [--case NAME]... [--repeat N] | --explore | "
                       "--user-path [--quick] | --minimal-rr [--case NAME] [--repeat N]\n"
                       "--explore: only the row of explore's states per second (the race, 100000 states).\n"
                       "--user-path: only the rows of `ticklab run` as users run it, on the headline (summary, json, table)\n"
                       "(the small case with --quick) and a long-and-quiet workload (also csv, perfetto), beside the\n"
                       "engine-only row.\n"
                       "--minimal-rr: only the engine against a minimal round-robin loop on the headline (the case\n"
                       "given, small with --quick), same schedule checked, ns per event and their ratio (default 5 runs).\n"
                       "Runs a fixed ladder of workloads under every registered policy, each in a fresh process,\n"
                       "and prints one row per run. See docs/performance.md.\n");
            return 0;
        } else {
            return usage(fmt::format("unknown or incomplete option '{}'", arg).c_str());
        }
    }

    if (repeats == 0)
        repeats = minimal ? 5 : quick ? 1 : 3;
    try {
        if (minimal) {
            if (case_names.size() > 1)
                return usage("--minimal-rr takes at most one --case");
            return minimal_rr_row(case_names.empty() ? (quick ? "small" : "headline") : case_names[0], repeats);
        }
        if (child) {
            if (case_names.size() != 1 || policies.size() != 1)
                return usage("--child needs exactly one --case and one --policy");
            auto const* bench_case = find_case(case_names[0]);
            if (!bench_case)
                return usage("unknown case");
            fmt::print("{}", encode(run_case(*bench_case, policies[0], repeats, quick ? 0.02 : 1.0)));
            return 0;
        }

        // Every registered policy, looked up now: a policy added to the registry joins the ladder.
        if (policies.empty())
            for (auto const& entry : tl::all_schedulers())
                policies.emplace_back(entry.name);
        for (auto const& policy : policies)
            if (!tl::find_scheduler(policy) && !tl::is_lua_policy(policy)) // a .lua file: a policy written in Lua
                return usage(fmt::format("unknown policy '{}'", policy).c_str());
        std::vector<Case> ladder;
        if (case_names.empty()) {
            ladder = quick ? quick_ladder() : full_ladder();
        } else {
            for (auto const& name : case_names) {
                auto const* found = find_case(name);
                if (!found)
                    return usage(fmt::format("unknown case '{}'", name).c_str());
                ladder.push_back(*found);
            }
        }

        char self[4096];
        auto length = readlink("/proc/self/exe", self, sizeof self - 1);
        if (length <= 0)
            return usage("cannot find my own executable in /proc/self/exe");
        self[length] = '\0';
        // The ticklab command built beside this benchmark (build/bench/ticklab-bench -> build/ticklab).
        auto ticklab = (std::filesystem::path(self).parent_path().parent_path() / "ticklab").string();
        if (user_path)
            return user_path_rows(self, ticklab, quick, repeats) > 0 ? 1 : 0;

        fmt::print("ticklab-bench: each row is one run in a fresh process. wall: steady_clock around simulate_run() only\n"
                   "(the median of {} runs, more for runs under 250 ms); cpu: user+system time of that run, which waiting for a\n"
                   "core does not inflate; peak: that process's ru_maxrss (program + trace + everything); trace: the\n"
                   "stored events, slices and queue snapshots (the cases without recording keep only totals). '!' after\n"
                   "ticks: stopped at the tick limit. {}\n\n",
            repeats, load_average());
        for (auto const& bench_case : ladder)
            fmt::print("  {:<17} {}\n", bench_case.name, bench_case.what);
        fmt::print("\n");
        for (auto const& policy : policies)
            policy_width = std::max(policy_width, policy.size());
        print_header();
        double load_at_start = load_now();
        std::map<std::pair<std::string, std::string>, Result> results;
        bool failed = false;
        for (auto const& bench_case : ladder) {
            auto threads = thread_count(bench_case.program());
            for (auto const& policy : policies) {
                auto result = run_child(self, bench_case.name, policy, repeats, quick);
                failed = failed || !result.ok;
                print_row(bench_case, policy, threads, result);
                results[{ bench_case.name, policy }] = result;
            }
        }
        print_verdicts(results, policies, load_at_start);
        if (case_names.empty()) {
            explore_row(quick ? 10'000 : 100'000);
            failed = user_path_rows(self, ticklab, quick, repeats) > 0 || failed;
        }
        fmt::print("\n{}\n", load_average());
        return failed ? 1 : 0;
    } catch (std::exception const& error) {
        fmt::print(stderr, "ticklab-bench: error: {}\n", error.what());
        return 1;
    }
}
