#include "cli/run_command.hpp"

#include "cli/exit_codes.hpp"
#include "cli/formats.hpp"
#include "cli/numbers.hpp"
#include "cli/paths.hpp"
#include "cli/policy_table.hpp"
#include "engine/machine.hpp"
#include "lang/parser.hpp"
#include "trace/metrics.hpp"
#include "trace/render.hpp"
#include "trace/stream.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <iostream>
#include <memory>
#include <signal.h>
#include <unistd.h>

namespace tl {

std::span<LikePreset const> like_presets()
{
    static std::vector<LikePreset> const presets {
        { "ostep-process-run", "OSTEP's cpu-intro/process-run.py",
            {
                { "--scheduler", "process-run" }, // next_proc(): the next ready process by pid
                { "--switch-on", "io" },          // its -S default, SWITCH_ON_IO
                { "--io-done", "later" },         // its -I default, IO_RUN_LATER
            } },
        { "ostep-mlfq", "OSTEP's cpu-sched-mlfq/mlfq.py",
            {
                { "--scheduler", "mlfq" },
                { "--quantum", "10" },                  // its -q
                { "--set", "levels=3" },                // its -n
                { "--set", "quanta={quantum}" },        // one quantum for every queue
                { "--set", "allotment={quantum}" },     // its -a 1: one slice a level
                { "--preempted-first", "" },            // a job whose slice ended is queued before arrivals and I/O
                { "--set", "preempted=front" },         // a job preempted by a higher queue keeps its place and slice
                { "--set", "boost-order=lowest-first" }, // its boost: the queues moved up lowest first
            } },
        { "ostep-multi", "OSTEP's cpu-sched-multi/multi.py",
            {
                { "--scheduler", "rr" }, // one queue for all CPUs (its default, without -p)
                { "--cores", "2" },      // its -n
                { "--quantum", "10" },   // its -q
                { "--set", "timer=global" }, // every CPU is interrupted at multiples of the quantum
                { "--cache", "100" },        // its -M: each CPU's cache (threads declare a working-set)
                { "--cache-warmup", "10" },  // its -w
                { "--cache-warm-rate", "2" }, // its -r
            } },
    };
    return presets;
}

namespace {

// Applies `--like`: each setting of the preset that the command line does not give itself.
void apply_like(CLI::App& app, RunSettings& settings)
{
    if (settings.like.empty())
        return;
    auto const* preset = &like_presets()[0];
    for (auto const& candidate : like_presets())
        if (candidate.name == settings.like)
            preset = &candidate;
    auto given = [&](std::string_view option) {
        auto const* found = app.get_option_no_throw(std::string(option));
        return found && found->count() > 0;
    };
    for (auto const& [option, value] : preset->settings) {
        if (option == "--set") {
            auto name = value.substr(0, value.find('='));
            bool set = std::any_of(settings.settings.begin(), settings.settings.end(),
                [&](std::string const& had) { return had.substr(0, had.find('=')) == name; });
            if (set)
                continue;
            std::string text(value);
            if (auto at = text.find("{quantum}"); at != std::string::npos)
                text.replace(at, 9, fmt::format("{}", settings.quantum));
            settings.settings.push_back(std::move(text));
        } else if (!given(option)) {
            if (option == "--scheduler")
                settings.scheduler = value;
            else if (option == "--quantum")
                settings.quantum = std::stoll(std::string(value));
            else if (option == "--cores")
                settings.cores = std::stoi(std::string(value));
            else if (option == "--switch-on")
                settings.switch_on = value;
            else if (option == "--io-done")
                settings.io_done = value;
            else if (option == "--preempted-first")
                settings.preempted_first = true;
            else if (option == "--cache")
                settings.cache = value;
            else if (option == "--cache-warmup")
                settings.cache_warmup = std::stoll(std::string(value));
            else if (option == "--cache-warm-rate")
                settings.cache_warm_rate = std::stoll(std::string(value));
        }
    }
}

}

void add_machine_options(CLI::App& app, RunSettings& settings)
{
    app.add_option("-s,--scheduler", settings.scheduler, "Scheduling policy (see 'ticklab schedulers') or a policy file written in Lua (FILE.lua); a list such as fcfs,sjf,rr or 'all' compares them in one metrics table")
        ->capture_default_str();
    decimal(app.add_option("-c,--cores", settings.cores, "Number of CPU cores"), 1, max_cores)->capture_default_str();
    decimal<Tick>(app.add_option("-q,--quantum", settings.quantum, "Time slice in ticks, for the policies that slice"))
        ->capture_default_str();
    app.add_option("--ram", settings.ram, "Main memory size, e.g. 64K, 1M")->capture_default_str();
    decimal<int>(app.add_option("--bus", settings.bus, "Bus bandwidth in transfers per tick"))->capture_default_str();
    app.add_option("--load", settings.load,
           "Bytes one bus transfer carries while a program loads from storage into RAM, e.g. 4K; 0 loads instantly")
        ->capture_default_str();
    decimal<Tick>(app.add_option("--switch-cost", settings.switch_cost, "Ticks a core spends on each context switch"))
        ->capture_default_str();
    app.add_option("--cache", settings.cache,
           "Cache affinity model: each core's cache size (e.g. 100, 64K; 0: off); threads declare a working-set")
        ->capture_default_str();
    decimal<Tick>(app.add_option("--cache-warm-rate", settings.cache_warm_rate,
                      "With --cache: how many times as fast a thread computes on a core whose cache holds its working set"))
        ->capture_default_str();
    decimal<Tick>(app.add_option("--cache-warmup", settings.cache_warmup,
                      "With --cache: ticks of running on a core before its cache holds the thread's working set"))
        ->capture_default_str();
    decimal(app.add_option("--max-ticks", settings.max_ticks, "Stop the run at this tick (a guard against endless programs)"),
        std::numeric_limits<Tick>::min(), max_tick_limit)
        ->capture_default_str();
    // Negative seeds pass the decimal reading to be refused by the check below.
    decimal(app.add_option("--seed", settings.seed, "Seed for the policies that draw random numbers"),
        std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max())
        ->check(CLI::Validator( // CLI11 would wrap a negative seed round to a huge one
            [](std::string& text) {
                return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos
                    ? std::string()
                    : fmt::format("must be a whole number, 0 or more, not '{}'", text);
            },
            ""))
        ->capture_default_str();
    app.add_option("--set", settings.settings, "A policy setting NAME=VALUE (repeatable; see 'ticklab schedulers')");
    app.add_flag("--preempted-first", settings.preempted_first,
        "Convention: a thread whose slice ends queues ahead of threads arriving at the same tick");
    app.add_flag("--no-wake-preempt", settings.no_wake_preempt,
        "Convention: a waking thread never preempts a running one");
    app.add_option("--switch-on", settings.switch_on,
           "Convention: when the CPU goes to another thread: io (when its thread starts I/O or ends) or end (only when "
           "it ends; the core waits, idle, through the thread's I/O), as process-run.py's -S")
        ->check(CLI::IsMember({ "io", "end" }))
        ->capture_default_str();
    app.add_option("--io-done", settings.io_done,
           "Convention: a thread whose I/O is done waits its turn (later) or runs at once, preempting (immediate), as "
           "process-run.py's -I")
        ->check(CLI::IsMember({ "later", "immediate" }))
        ->capture_default_str();
    std::vector<std::string> preset_names;
    for (auto const& preset : like_presets())
        preset_names.emplace_back(preset.name);
    app.add_option("--like", settings.like,
           fmt::format("Every convention of a classic simulator at once: {} (options given beside it win; "
                       "docs/schedulers.md, \"Matching OSTEP\")",
               fmt::join(preset_names, ", ")))
        ->check(CLI::IsMember(preset_names));
    app.parse_complete_callback([&app, &settings] { apply_like(app, settings); });
    app.add_flag("--step-every-tick", settings.step_every_tick,
        "Visit every tick instead of jumping over quiet ones (same result, slower)");
}

std::variant<Prepared, SettingsProblem> read_run_settings(RunSettings const& settings)
{
    Prepared prepared;
    auto& machine = prepared.machine;
    machine.cores = settings.cores;
    auto ram = parse_size(settings.ram);
    if (!ram)
        return SettingsProblem { "--ram", settings.ram,
            fmt::format("--ram '{}' is not a size; write bytes or a number with K, M or G (e.g. 64K)", settings.ram) };
    machine.ram = *ram;
    if (settings.load != "0") {
        auto chunk = parse_size(settings.load);
        if (!chunk)
            return SettingsProblem { "--load", settings.load,
                fmt::format("--load '{}' is not a size; write bytes or a number with K, M or G (e.g. 4K), or 0 to load "
                            "instantly",
                    settings.load) };
        machine.load_chunk = *chunk;
    }
    if (settings.cache != "0") {
        auto cache = parse_size(settings.cache);
        if (!cache)
            return SettingsProblem { "--cache", settings.cache,
                fmt::format("--cache '{}' is not a size; write a whole number (e.g. 100) or one with K, M or G, or 0 "
                            "for no cache model",
                    settings.cache) };
        machine.cache = *cache;
    }
    machine.cache_warm_rate = settings.cache_warm_rate;
    machine.cache_warmup = settings.cache_warmup;
    machine.bus_bandwidth = settings.bus;
    machine.switch_cost = settings.switch_cost;
    machine.max_ticks = settings.max_ticks;
    machine.arrivals_first = !settings.preempted_first;
    machine.wake_preempts = !settings.no_wake_preempt;
    machine.switch_on_end = settings.switch_on == "end";
    machine.io_done_immediate = settings.io_done == "immediate";
    machine.step_every_tick = settings.step_every_tick;
    auto& options = prepared.options;
    options.quantum = settings.quantum;
    options.cores = settings.cores;
    options.seed = settings.seed;
    for (auto const& setting : settings.settings)
        if (auto problem = add_setting(options, setting))
            return SettingsProblem { "--set", setting, *problem };
    return prepared;
}

std::optional<Prepared> prepare(RunSettings const& settings)
{
    auto read = read_run_settings(settings);
    if (auto const* problem = std::get_if<SettingsProblem>(&read)) {
        fmt::print(stderr, "ticklab: error: {}\n", problem->message);
        return std::nullopt;
    }
    auto& prepared = std::get<Prepared>(read);
    auto problems = check_machine(prepared.machine);
    if (!problems.empty()) {
        for (auto const& problem : problems)
            fmt::print(stderr, "ticklab: error: {}\n", problem);
        return std::nullopt;
    }
    return std::move(prepared);
}

std::optional<Program> load_program(RunSettings const& settings)
{
    if (!settings.jobs.empty() && !settings.file.empty()) {
        fmt::print(stderr, "ticklab: error: give either a program file or --jobs, not both\n");
        return std::nullopt;
    }
    if (settings.jobs.empty() && settings.file.empty()) {
        fmt::print(stderr, "ticklab: error: nothing to run: give a program file (e.g. 'ticklab run kitchen') or --jobs\n");
        return std::nullopt;
    }
    ParseResult parsed;
    if (!settings.jobs.empty()) {
        parsed = parse_jobs(settings.jobs);
    } else {
        std::string error;
        auto file = load_program_file(settings.file, error, true);
        if (!file) {
            fmt::print(stderr, "ticklab: error: {}\n", error);
            return std::nullopt;
        }
        parsed = parse_program(file->content, file->name);
    }
    if (!parsed.ok()) {
        std::cerr << format_diagnostics(parsed.errors);
        auto count = std::max(parsed.error_count, parsed.errors.size());
        fmt::print(stderr, "{} error{}; nothing was run\n", count, count == 1 ? "" : "s");
        return std::nullopt;
    }
    return std::move(parsed.program);
}

namespace {

volatile std::sig_atomic_t s_interrupted = 0;

extern "C" void on_interrupt(int) { s_interrupted = 1; }

// Catches Ctrl-C while a run is computed, once (SA_RESETHAND: a second Ctrl-C ends ticklab).
class InterruptHandler {
public:
    InterruptHandler()
    {
        struct sigaction action {};
        action.sa_handler = on_interrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        m_installed = s_interrupted == 0 && sigaction(SIGINT, &action, &m_previous) == 0;
    }
    ~InterruptHandler()
    {
        if (m_installed && s_interrupted == 0)
            sigaction(SIGINT, &m_previous, nullptr);
    }
    InterruptHandler(InterruptHandler const&) = delete;
    InterruptHandler& operator=(InterruptHandler const&) = delete;

private:
    struct sigaction m_previous {};
    bool m_installed = false;
};

std::string duration_text(double seconds)
{
    if (seconds < 120)
        return fmt::format("{:.0f} seconds", seconds);
    if (seconds < 2 * 3600)
        return fmt::format("{:.0f} minutes", seconds / 60);
    if (seconds < 2 * 86400)
        return fmt::format("{:.0f} hours", seconds / 3600);
    return fmt::format("{:.0f} days", seconds / 86400);
}

// A line on stderr, on a terminal only, once a run has taken two seconds: the tick reached
// and, at the pace so far, how long until the tick limit.
class RunProgress {
public:
    explicit RunProgress(Tick limit)
        : m_limit(limit)
        , m_start(std::chrono::steady_clock::now())
        , m_terminal(isatty(STDERR_FILENO) != 0)
    {
    }
    ~RunProgress()
    {
        if (m_shown)
            fmt::print(stderr, "\r\033[K");
    }
    RunProgress(RunProgress const&) = delete;
    RunProgress& operator=(RunProgress const&) = delete;

    void update(Tick now)
    {
        if (!m_terminal)
            return;
        auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        if (elapsed < m_next)
            return;
        m_next = elapsed + 1;
        double pace = static_cast<double>(now) / elapsed; // ticks a second
        double left = pace > 0 ? static_cast<double>(m_limit - now) / pace : 0;
        fmt::print(stderr, "\r\033[Kticklab: tick {} of at most {} after {}; the tick limit is some {} away at this "
                           "pace (Ctrl-C stops here and shows the run so far)",
            now, m_limit, duration_text(elapsed), duration_text(left));
        std::fflush(stderr);
        m_shown = true;
    }

private:
    Tick m_limit;
    std::chrono::steady_clock::time_point m_start;
    bool m_terminal;
    bool m_shown = false;
    double m_next = 2;
};

}

void print_problems(std::vector<RunProblem> const& problems)
{
    for (auto const& problem : problems)
        fmt::print(stderr, "ticklab: error: {}\n", problem.message);
}

std::optional<Trace> simulate_with(Prepared const& prepared, Program const& program, std::string const& scheduler_name,
    std::function<void(Machine&)> const& before)
{
    auto started = start_run(prepared.machine, program, scheduler_name, prepared.options);
    if (auto const* problems = std::get_if<std::vector<RunProblem>>(&started)) {
        print_problems(*problems);
        return std::nullopt;
    }
    auto& machine = *std::get<std::unique_ptr<Machine>>(started);
    if (before)
        before(machine);
    InterruptHandler handler;
    RunProgress progress(prepared.machine.max_ticks);
    for (std::uint32_t boundaries = 1; machine.advance(); ++boundaries) {
        if (s_interrupted)
            machine.stop_soon();
        if (boundaries % 4096 == 0)
            progress.update(machine.now());
    }
    return machine.take_trace();
}

bool run_interrupted() { return s_interrupted != 0; }

int exit_for(Trace const& trace)
{
    if (trace.outcome == Outcome::TickLimit)
        return exit_code::tick_limit;
    if (trace.outcome == Outcome::Deadlock)
        return exit_code::program_failed;
    for (auto const& event : trace.events)
        if (event.kind == EventKind::Fault)
            return exit_code::program_failed;
    return exit_code::ok;
}

std::optional<Tick> one_core_makespan(Prepared const& prepared, Program const& program, std::string const& scheduler_name)
{
    if (prepared.machine.cores == 1)
        return std::nullopt;
    Prepared one = prepared;
    one.machine.cores = 1;
    one.options.cores = 1;
    one.machine.record_events = false;
    one.machine.record_queues = false;
    auto run = simulate_run(one.machine, program, scheduler_name, one.options);
    auto const* trace = std::get_if<Trace>(&run);
    if (!trace || trace->outcome != Outcome::Finished)
        return std::nullopt;
    return trace->end;
}

int run_command(RunSettings const& settings)
{
    if (!is_output_format(settings.format)) {
        fmt::print(stderr, "ticklab: error: unknown format '{}' (choose one of: {})\n", settings.format,
            output_format_names());
        return exit_code::usage;
    }
    // What to run is a question of the command line itself: a usage error, not bad input.
    if (settings.file.empty() == settings.jobs.empty()) {
        load_program(settings); // says which of the two mistakes it is
        return exit_code::usage;
    }
    auto prepared = prepare(settings);
    if (!prepared)
        return exit_code::bad_input;
    prepared->machine.record_queues = format_reads_queues(settings.format, current_presentation());
    // The per-tick table shows only the head of each ready queue: with thousands of ready
    // threads, a snapshot of every one of them at every change would grow as their square.
    if (settings.format == "table" && !current_presentation().explain)
        prepared->machine.queue_snapshot_limit = queue_heads_shown;
    // JSON, the tick CSV and the Perfetto trace are written as the run goes (trace/stream.hpp):
    // the run keeps only what the metrics, races and output read, as for the summary.
    bool streams = settings.format == "json" || settings.format == "csv" || settings.format == "perfetto";
    if (streams)
        prepared->machine.record_queues = false;
    if (streams || format_reads_notable_only(settings.format, current_presentation())) {
        // The summary reads the totals and the few events that are not routine scheduling.
        prepared->machine.record_events = false;
        prepared->machine.record_notable = true;
    }
    auto program = load_program(settings);
    if (!program)
        return exit_code::bad_input;
    if (is_policy_list(settings.scheduler)) {
        auto code = run_policy_table(settings, *prepared, *program);
        if (run_interrupted()) {
            std::cout.flush();
            fmt::print(stderr, "ticklab: interrupted (Ctrl-C): the rows above end where their runs were stopped\n");
            return exit_code::interrupted;
        }
        return code;
    }
    std::unique_ptr<JsonStreamWriter> writer;
    std::unique_ptr<CsvStreamWriter> csv;
    std::unique_ptr<PerfettoStreamWriter> perfetto;
    auto trace = simulate_with(*prepared, *program, settings.scheduler, [&](Machine& machine) {
        if (settings.format == "json") {
            writer = std::make_unique<JsonStreamWriter>(machine.trace());
            machine.set_observer(writer.get());
        } else if (settings.format == "csv") {
            csv = std::make_unique<CsvStreamWriter>(std::cout, machine.trace());
            machine.set_observer(csv.get());
        } else if (settings.format == "perfetto") {
            perfetto = std::make_unique<PerfettoStreamWriter>(machine.trace());
            machine.set_observer(perfetto.get());
        }
    });
    if (!trace)
        return exit_code::bad_input;
    bool reports_metrics = settings.format == "table" || settings.format == "summary" || settings.format == "json"
        || settings.format == "html";
    auto presentation = current_presentation();
    if (reports_metrics && trace->outcome == Outcome::Finished && prepared->machine.cores > 1) {
        if (settings.speedup || trace->event_count <= speedup_events_unasked)
            presentation.one_core_makespan = one_core_makespan(*prepared, *program, settings.scheduler);
        else
            presentation.one_core_skipped = true;
    }
    if (writer) {
        auto metrics = compute_metrics(*trace);
        metrics.one_core_makespan = presentation.one_core_makespan;
        metrics.one_core_skipped = presentation.one_core_skipped;
        writer->write(std::cout, *trace, metrics);
        if (!writer->ok()) {
            std::cout.flush();
            fmt::print(stderr, "ticklab: error: {}\n", writer->error());
            return exit_code::output_failed;
        }
    } else if (csv) {
        csv->finish(*trace);
    } else if (perfetto) {
        perfetto->write(std::cout, *trace);
        if (!perfetto->ok()) {
            std::cout.flush();
            fmt::print(stderr, "ticklab: error: {}\n", perfetto->error());
            return exit_code::output_failed;
        }
    } else {
        print_run(std::cout, *trace, settings.format, presentation);
    }
    std::cout.flush();
    if (run_interrupted()) {
        fmt::print(stderr, "ticklab: interrupted (Ctrl-C) at tick {}: the output is the run up to that tick, ended "
                           "as at a tick limit there\n",
            trace->end);
        return exit_code::interrupted;
    }
    // The table and summary already say so in their closing lines; the other formats
    // are for machines, so the person running them hears it on stderr.
    bool says_it_itself = settings.format == "table" || settings.format == "summary";
    if (trace->outcome == tl::Outcome::TickLimit && !says_it_itself)
        fmt::print(stderr, "ticklab: the run stopped at the tick limit ({} ticks); raise --max-ticks if it is meant to run longer\n",
            trace->machine.max_ticks);
    if (!says_it_itself)
        for (auto const& event : trace->events)
            if (event.kind == EventKind::Deadlock || event.kind == EventKind::Fault)
                fmt::print(stderr, "ticklab: {} at tick {}: {}{}\n", event.kind == EventKind::Fault ? "fault" : "stopped",
                    event.tick, event.kind == EventKind::Fault ? trace->name(event.thread) + " " : std::string(),
                    trace->text(event));
    return exit_for(*trace);
}

int demo_command(RunSettings const& settings)
{
    // The study note's picture: Jarvis cooks three orders alone on one core, switching
    // between them (concurrency); then Jarvis, Friday and Karen cook one each on three
    // cores (parallelism).
    if (settings.format != "table" && settings.format != "summary") {
        fmt::print(stderr, "ticklab: error: the demo shows a table or a summary, not '{}'; for other formats use "
                           "'ticklab run' or 'ticklab compare'\n",
            settings.format);
        return exit_code::usage;
    }
    RunSettings one = settings;
    one.file = settings.file.empty() ? "kitchen" : settings.file;
    one.cores = 1;
    one.scheduler = "rr";
    RunSettings three = one;
    three.cores = 3;
    three.scheduler = "per-core";

    auto program = load_program(one);
    if (!program)
        return exit_code::bad_input;
    // The two runs share every setting but the cores: a mistake in one is in both, and is
    // said once.
    auto prepared_one = prepare(one);
    if (!prepared_one)
        return exit_code::bad_input;
    auto prepared_three = prepare(three);
    if (!prepared_three)
        return exit_code::bad_input;
    auto trace_one = simulate_with(*prepared_one, *program, one.scheduler);
    if (!trace_one)
        return exit_code::bad_input;
    auto trace_three = simulate_with(*prepared_three, *program, three.scheduler);
    if (!trace_three)
        return exit_code::bad_input;

    auto& out = std::cout;
    out << "== Concurrency: Jarvis alone cooks every order on 1 core, switching between them ==\n\n";
    print_run(out, *trace_one, settings.format == "summary" ? "summary" : "table");
    out << "\n== Parallelism: Jarvis, Friday and Karen cook one order each on 3 cores at once ==\n\n";
    print_run(out, *trace_three, settings.format == "summary" ? "summary" : "table");
    auto m1 = compute_metrics(*trace_one);
    auto m3 = compute_metrics(*trace_three);
    out << "\n== Side by side ==\n";
    out << fmt::format("1 core, {}: makespan {} ticks, {} context switches\n", trace_one->scheduler_description,
        m1.makespan, m1.context_switches);
    out << fmt::format("3 cores, {}: makespan {} ticks, {} context switches\n", trace_three->scheduler_description,
        m3.makespan, m3.context_switches);
    // What the two runs show, from their figures: the time spent waiting for a core, and
    // when each thread finished.
    auto waited = [](Metrics const& metrics) {
        Tick total = 0;
        for (auto const& job : metrics.jobs)
            total += job.waiting;
        return total;
    };
    auto finish = [](JobMetrics const& job) { return job.finished ? fmt::format("{}", job.finish) : std::string("-"); };
    std::string finishes;
    for (std::size_t i = 0; i < m1.jobs.size() && i < m3.jobs.size(); ++i)
        finishes += fmt::format("{}{} {} -> {}", i == 0 ? "" : ", ", m1.jobs[i].name, finish(m1.jobs[i]), finish(m3.jobs[i]));
    if (m3.makespan > 0)
        out << fmt::format("speed-up {:.2f}x with 3 cores. ", static_cast<double>(m1.makespan) / static_cast<double>(m3.makespan));
    auto ticks = [](Tick n) { return fmt::format("{} tick{}", n, n == 1 ? "" : "s"); };
    out << fmt::format("On 1 core the threads take turns (concurrency): together they wait {} for the core. {}\n"
                       "Each finishes at tick (1 core -> 3 cores): {}.\n",
        ticks(waited(m1)),
        waited(m3) == 0 ? std::string("On 3 cores they run at the same time (parallelism): none waits for a core.")
                        : fmt::format("On 3 cores up to three run at the same time (parallelism): together they wait {}.",
                              ticks(waited(m3))),
        finishes);
    if (run_interrupted()) {
        fmt::print(stderr, "ticklab: interrupted (Ctrl-C): the runs above end where they were stopped\n");
        return exit_code::interrupted;
    }
    return std::max(exit_for(*trace_one), exit_for(*trace_three));
}

int check_command(std::string const& name)
{
    std::string error;
    auto file = load_program_file(name, error, true);
    if (!file) {
        fmt::print(stderr, "ticklab: error: {}\n", error);
        return exit_code::bad_input;
    }
    auto parsed = parse_program(file->content, file->name);
    if (!parsed.ok()) {
        std::cerr << format_diagnostics(parsed.errors);
        auto count = std::max(parsed.error_count, parsed.errors.size());
        fmt::print(stderr, "{} error{}\n", count, count == 1 ? "" : "s");
        return exit_code::bad_input;
    }
    std::size_t threads = 0;
    for (auto const& process : parsed.program.processes)
        threads += process.threads.size();
    fmt::print("{}: ok, {} process{}, {} thread{}\n", file->name, parsed.program.processes.size(),
        parsed.program.processes.size() == 1 ? "" : "es", threads, threads == 1 ? "" : "s");
    for (auto const& process : parsed.program.processes) {
        fmt::print("  process {} (arrives at {}, memory {}, priority {})\n", process.name, process.arrival,
            format_bytes(process.memory), process.priority);
        for (std::size_t v = 0; v < process.variables.size(); ++v)
            fmt::print("    shared {} = {}\n", process.variables[v], process.initial_values[v]);
        for (auto const& mutex : process.mutexes)
            fmt::print("    mutex {}\n", mutex);
        for (auto const& thread : process.threads) {
            fmt::print("    thread {}{}\n", thread.name, thread.spawned ? " (spawned)" : "");
            for (auto const& instruction : thread.code)
                fmt::print("      {:>4}  {}\n", instruction.where.line, to_string(instruction));
        }
    }
    return exit_code::ok;
}

}
