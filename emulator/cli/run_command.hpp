#pragma once

// `ticklab run`, `ticklab demo` and `ticklab check`: from command-line settings to a run.

#include "engine/config.hpp"
#include "lang/program.hpp"
#include "trace/trace.hpp"
#include "sched/registry.hpp"
#include "sched/start_run.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

// CLI11 is included by the .cpp files that define options; declaring its two types here
// keeps the heavy header out of every file that includes this one.
namespace CLI {
class App;
class Option;
}

namespace tl {

class Machine;

struct RunSettings {
    std::string file;
    std::string jobs;
    std::string scheduler = "rr";
    std::string format = "table";
    int cores = 1;
    std::string ram = "1M";
    std::string load = "0";       // --load: bytes a bus transfer carries while a program loads; 0: instant
    int bus = 8;
    Tick switch_cost = 0;
    std::string cache = "0";      // --cache: each core's cache size (the cache model); 0: off
    Tick cache_warm_rate = 2;     // --cache-warm-rate
    Tick cache_warmup = 10;       // --cache-warmup
    Tick quantum = 2;
    Tick max_ticks = 1'000'000;
    std::uint64_t seed = 1;
    std::vector<std::string> settings; // NAME=VALUE
    bool preempted_first = false;
    bool no_wake_preempt = false;
    bool step_every_tick = false;
    std::string switch_on = "io";     // --switch-on io|end (process-run.py's -S)
    std::string io_done = "later";    // --io-done later|immediate (process-run.py's -I)
    std::string like;                 // --like PRESET: a classic simulator's conventions (like_presets())
    bool explain = false;         // --explain: tell each tick in sentences
    std::string colour = "auto";  // --color: auto, always or never (the gantt chart)
    int width = 0;                // --width: columns for the gantt chart; 0: $COLUMNS, else 80
    std::vector<std::string> show; // --show ram: extra columns of the per-tick table
    bool all_ticks = false;        // --all-ticks: a row for every tick, quiet stretches not folded
    std::string language = "en";   // --lang: en or ko, the words of the html page
    bool manual = false;           // step --manual: the learner picks who runs (cli/manual.hpp)
    std::string choices;           // step --manual --choices FILE: the picks, one a line
    std::string compare_with = "all"; // step --manual --compare-with LIST: the built-in policies shown beside you
    bool quantum_given = false;    // --quantum was on the command line
    bool format_given = false;       // step: --format was on the command line (only with --manual)
    bool compare_with_given = false; // step: --compare-with was (only with --manual)
    bool speedup = false;          // --speedup: measure the speed-up even for a long run
};

// `--like NAME`: the conventions of a classic simulator, as the options that set them, applied
// for each option the command line does not give itself. A new convention adds a row.
struct LikeSetting {
    std::string_view option; // "--scheduler", "--quantum", "--cores", "--switch-on", "--io-done",
                             // "--preempted-first" or "--set"
    std::string_view value;  // for --set, NAME=VALUE; "{quantum}" stands for the run's quantum
};
struct LikePreset {
    std::string_view name;   // "ostep-mlfq"
    std::string_view tool;   // "OSTEP's cpu-sched-mlfq/mlfq.py"
    std::vector<LikeSetting> settings;
};
std::span<LikePreset const> like_presets();

struct Prepared {
    MachineConfig machine;
    SchedulerOptions options;
};

// The first bad run setting: the option ("--ram", "--load" or "--set"), the value given, and
// a one-line message.
struct SettingsProblem {
    std::string option;
    std::string given;
    std::string message;
};

// A run's settings as the machine and the policy's options: the one translation, used by
// every command that runs something and by a lesson's @run. The machine is not yet checked
// (check_machine).
std::variant<Prepared, SettingsProblem> read_run_settings(RunSettings const&);

// The steps every running command shares. Each prints its own one-line error (or the
// program's diagnostics) to stderr and returns nothing on failure; the caller then exits
// with exit_code::bad_input.
std::optional<Prepared> prepare(RunSettings const&);
std::optional<Program> load_program(RunSettings const&); // the file or --jobs of the settings
// Each of a run's problems (start_run) as a line "ticklab: error: ..." on stderr.
void print_problems(std::vector<RunProblem> const&);
// The run (start_run, its problems printed). `before`, when given, sees the Machine before it
// runs (to set an observer on it).
std::optional<Trace> simulate_with(Prepared const&, Program const&, std::string const& scheduler_name,
    std::function<void(Machine&)> const& before = {});
int exit_for(Trace const&); // exit_code::ok, program_failed (a fault or a deadlock), or tick_limit

// Whether Ctrl-C (SIGINT) stopped a run simulate_with() was computing. The run then ended at
// the tick it had reached, as at a tick limit there, and its trace is complete up to it.
// (A second Ctrl-C ends ticklab at once.) While a run takes more than two seconds, a line
// on stderr, when stderr is a terminal, tells the tick reached and how far the tick limit is.
bool run_interrupted();
// ticklab run measures the speed-up (a second run, on one core) unasked only for runs of at
// most this many events: past it the second run would double the time of a long run.
inline constexpr std::int64_t speedup_events_unasked = 1'000'000;
// The makespan of the same run on one core, for the speed-up; nothing when the machine has
// one core already, or the program cannot run on one (a thread pinned to another core).
std::optional<Tick> one_core_makespan(Prepared const&, Program const&, std::string const& scheduler_name);

// Adds the machine and scheduler options shared by every command that runs something.
void add_machine_options(CLI::App&, RunSettings&);

int run_command(RunSettings const&);
int demo_command(RunSettings const&);
int check_command(std::string const& file);

}
