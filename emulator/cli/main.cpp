// ticklab's command line: a table of subcommands (`commands`), each parsed by CLI11. This is
// the only part of ticklab that prints; the library returns values and traces.

#include "cli/check_policy_command.hpp"
#include "cli/compare_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/explore_command.hpp"
#include "cli/formats.hpp"
#include "cli/generate_command.hpp"
#include "cli/lesson_command.hpp"
#include "cli/numbers.hpp"
#include "cli/paths.hpp"
#include "cli/quiz_command.hpp"
#include "cli/run_command.hpp"
#include "cli/step_command.hpp"
#include "lang/program.hpp"
#include "lang/suggest.hpp"
#include "sched/lua_policy.hpp"
#include "sched/registry.hpp"
#include "ticklab_config.h"
#include "trace/render.hpp"
#include "trace/render_util.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cctype>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <new>

namespace {

int list_schedulers()
{
    fmt::print("{}", tl::schedulers_listing(tl::lua_policies_available()));
    return tl::exit_code::ok;
}

// CLI11's messages, reworded where a learner would be puzzled by them.
std::string explain(CLI::ParseError const& error, CLI::App const& app, int argc, char** argv)
{
    std::string what = error.what();
    if (what == "A subcommand is required") {
        std::vector<std::string> names;
        for (auto const* command : app.get_subcommands({}))
            names.push_back(command->get_name());
        std::string list;
        for (auto const& name : names)
            list += fmt::format("{}{}", list.empty() ? "" : ", ", name);
        if (argc < 2)
            return fmt::format("no command given; try 'ticklab demo' (the commands are {})", list);
        std::string given = argv[1];
        return fmt::format("unknown command '{}'{} (the commands are {})", given,
            tl::did_you_mean(tl::nearest(given, names)), list);
    }
    // "Could not convert: --cores = zero"
    std::string const convert = "Could not convert: ";
    if (what.rfind(convert, 0) == 0) {
        auto rest = what.substr(convert.size());
        auto equals = rest.find(" = ");
        if (equals != std::string::npos)
            return fmt::format("{} expects a number, not '{}'", rest.substr(0, equals), rest.substr(equals + 3));
    }
    return what;
}

// A program file's description: the first sentence of its opening comment (a sentence ends
// at a full stop before a capital letter, or with the comment's first paragraph).
std::string describe_program(std::filesystem::path const& path)
{
    std::ifstream in(path);
    std::string line;
    std::string paragraph;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.rfind("# ", 0) != 0)
            break;
        paragraph += (paragraph.empty() ? "" : " ") + line.substr(2);
    }
    for (std::size_t i = 0; i + 2 < paragraph.size(); ++i)
        if (paragraph[i] == '.' && paragraph[i + 1] == ' ' && std::isupper(static_cast<unsigned char>(paragraph[i + 2])))
            return paragraph.substr(0, i + 1);
    return paragraph;
}

int list_programs()
{
    namespace fs = std::filesystem;
    for (auto const& directory : tl::data_directories()) {
        std::error_code error;
        auto programs = directory / "programs";
        if (!fs::is_directory(programs, error))
            continue;
        std::vector<fs::path> files;
        for (auto const& entry : fs::directory_iterator(programs, error))
            if (entry.path().extension() == ".tl")
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        std::size_t width = 0;
        for (auto const& file : files)
            width = std::max(width, static_cast<std::size_t>(tl::display_width(file.stem().string())));
        // Descriptions wrap under themselves, so that the list fits 80 columns.
        auto indent = 2 + width + 2;
        auto room = indent + 30 < 80 ? 80 - indent : 30;
        fmt::print("bundled programs (in {}):\n", programs.lexically_normal().string());
        for (auto const& file : files) {
            auto lines = tl::wrap_words(describe_program(file), static_cast<int>(room));
            fmt::print("  {}  {}\n", tl::pad_right(file.stem().string(), static_cast<int>(width)), lines.front());
            for (std::size_t i = 1; i < lines.size(); ++i)
                fmt::print("{:<{}}{}\n", "", indent, lines[i]);
        }
        fmt::print("run one with: ticklab run NAME\n");
        return tl::exit_code::ok;
    }
    fmt::print(stderr, "ticklab: error: no bundled programs found (set TICKLAB_DATA to the folder holding programs/)\n");
    return tl::exit_code::bad_input;
}

int describe_language()
{
    fmt::print("instructions (see docs/language.md for the whole language):\n");
    for (auto const& info : tl::all_opcodes()) {
        std::string_view operand = info.operand == tl::OperandKind::Ticks || info.operand == tl::OperandKind::TicksFromZero ? "N"
            : info.operand == tl::OperandKind::Text                      ? "\"text\""
            : info.operand == tl::OperandKind::Call                      ? "NAME(ARGS)"
            : info.operand == tl::OperandKind::Calls                     ? "NAME(ARGS), ..."
            : info.operand == tl::OperandKind::Variable                  ? "VAR"
            : info.operand == tl::OperandKind::Assign                    ? "VAR N"
            : info.operand == tl::OperandKind::Mutex                     ? "MUTEX"
            : info.operand == tl::OperandKind::Thread                    ? "THREAD"
                                                                         : "";
        fmt::print("  {:<29} {}\n", fmt::format("{} {}", info.mnemonic, operand), info.summary);
    }
    fmt::print("declarations, under a process at the level of its threads:\n");
    fmt::print("  {:<29} {}\n", "shared VAR [= N]", "a shared variable of the process, a whole number (default 0)");
    fmt::print("  {:<29} {}\n", "mutex MUTEX", "a mutex (lock) of the process");
    fmt::print("  {:<29} {}\n", "thread NAME spawned", "a thread that starts only when another runs 'spawn NAME'");
    fmt::print("blocks:\n");
    fmt::print("  {:<29} {}\n", "repeat N", "the instructions indented under it, N times over");
    return tl::exit_code::ok;
}


// What each command's options are read into while CLI11 parses the command line.
struct Settings {
    tl::RunSettings run;
    tl::RunSettings demo;
    std::string check_file;
    tl::GenerateSettings generate;
    tl::CheckPolicySettings check_policy;
    tl::ExploreSettings explore;
    tl::LessonSettings lesson;
    tl::RunSettings step;
    tl::CompareSettings compare;
    tl::QuizCommandSettings quiz;
};

void add_run_options(CLI::App& run, tl::RunSettings& run_settings)
{
    run.add_option("program", run_settings.file,
        "A program file, a bundled program's name (e.g. kitchen), or - to read it from standard input");
    run.add_option("-j,--jobs", run_settings.jobs,
        "Quick jobs instead of a file: NAME:ARRIVAL:BURST[:PRIORITY],... e.g. \"P1:0:24,P2:0:3\"");
    run.add_option("-f,--format", run_settings.format, fmt::format("Output: {}", tl::output_format_names()))
        ->capture_default_str();
    tl::add_machine_options(run, run_settings);
    run.add_flag("--explain", run_settings.explain, "Also tell each tick's decisions in plain sentences");
    run.add_flag("--speedup", run_settings.speedup,
        fmt::format("Measure the speed-up against 1 core (a second run) even for a run of over {} events, where it "
                    "is skipped unasked", tl::speedup_events_unasked));
    run.add_option("--color", run_settings.colour, "Colour the gantt chart: auto, always or never")
        ->check(CLI::IsMember({ "auto", "always", "never" }))
        ->capture_default_str();
    tl::decimal<int>(run.add_option("--width", run_settings.width, "Columns the gantt chart may use (default: $COLUMNS, else 80)"))
        ->check(CLI::Range(20, 100000));
    run.add_option("--lang", run_settings.language, "The words of --format html: en or ko")
        ->check(CLI::IsMember({ "en", "ko" }))
        ->capture_default_str();
    run.add_option("--show", run_settings.show, "Extra columns in the per-tick table: ram (the RAM map: who holds which addresses)")
        ->check(CLI::IsMember({ "ram" }));
    run.add_flag("--all-ticks", run_settings.all_ticks,
        fmt::format("A row for every tick in the per-tick table; without it, {} or more ticks in which nothing changes "
                    "but progress share one row (\"13-109\")", tl::fold_quiet_ticks));
    run.footer("Exit codes: 0 ok, 2 usage error, 3 bad input, 4 a thread faulted or the run deadlocked, 5 tick limit "
                "reached, 6 out of memory, 70 internal error.\n");
}

void add_demo_options(CLI::App& demo, tl::RunSettings& demo_settings)
{
    demo.add_option("program", demo_settings.file, "Another program to show the same way")->capture_default_str();
    tl::decimal<tl::Tick>(demo.add_option("-q,--quantum", demo_settings.quantum, "Time slice in ticks"))->capture_default_str();
    tl::decimal<tl::Tick>(demo.add_option("--switch-cost", demo_settings.switch_cost, "Ticks a core spends on each context switch"))
        ->capture_default_str();
    demo.add_option("-f,--format", demo_settings.format, "table (every tick) or summary")->capture_default_str();
}

void add_check_options(CLI::App& check, std::string& check_file)
{
    check.add_option("program", check_file, "A program file, a bundled program name, or - for standard input")->required();
}

// One row per command: its name, its line in `ticklab --help`, its options, and what it does.
// To add a command: a row here (and its file pair under cli/, when it is more than a few lines).
struct Command {
    std::string_view name;
    std::string_view help;
    void (*setup)(CLI::App&, Settings&);
    int (*run)(Settings const&);
};

std::vector<Command> const commands {
    { "run", "Run a program (or quick jobs) and show each tick and the metrics",
        [](CLI::App& app, Settings& settings) { add_run_options(app, settings.run); },
        [](Settings const& settings) { return tl::run_command(settings.run); } },
    { "demo", "The kitchen: Jarvis cooks three orders on 1 core (round-robin), then three robots on 3 cores (per-core)",
        [](CLI::App& app, Settings& settings) { add_demo_options(app, settings.demo); },
        [](Settings const& settings) { return tl::demo_command(settings.demo); } },
    { "check", "Check a program for errors and show how it was understood",
        [](CLI::App& app, Settings& settings) { add_check_options(app, settings.check_file); },
        [](Settings const& settings) { return tl::check_command(settings.check_file); } },
    { "schedulers", "List the scheduling policies and their settings", [](CLI::App&, Settings&) {},
        [](Settings const&) { return list_schedulers(); } },
    { "programs", "List the bundled example programs", [](CLI::App&, Settings&) {},
        [](Settings const&) { return list_programs(); } },
    { "language", "List the toy language's instructions", [](CLI::App&, Settings&) {},
        [](Settings const&) { return describe_language(); } },
    { "generate", "Write a seeded random workload (processes x threads) as a program",
        [](CLI::App& app, Settings& settings) { tl::add_generate_options(app, settings.generate); },
        [](Settings const& settings) { return tl::generate_command(settings.generate); } },
    { "lesson", "List the lessons, or play one: read, predict, and watch the emulator show what happens",
        [](CLI::App& app, Settings& settings) { tl::add_lesson_options(app, settings.lesson); },
        [](Settings const& settings) { return tl::lesson_command(settings.lesson); } },
    { "step", "Step through a program tick by tick, like a debugger: next, continue, until TICK, back, break, inspect",
        [](CLI::App& app, Settings& settings) { tl::add_step_options(app, settings.step); },
        [](Settings const& settings) { return tl::step_command(settings.step); } },
    { "explore",
        "Every schedule of a program: each distinct outcome (final variables, deadlock, fault), how many schedules "
        "reach it, and one to replay with step --manual",
        [](CLI::App& app, Settings& settings) { tl::add_explore_options(app, settings.explore); },
        [](Settings const& settings) { return tl::explore_command(settings.explore); } },
    { "compare",
        "Run one program on two configurations and draw both on one time axis, with speed-up and efficiency",
        [](CLI::App& app, Settings& settings) { tl::add_compare_options(app, settings.compare); },
        [](Settings const& settings) { return tl::compare_command(settings.compare); } },
    { "check-policy", "Check a policy written in Lua against the contract the built-in policies keep, on generated workloads",
        [](CLI::App& app, Settings& settings) { tl::add_check_policy_options(app, settings.check_policy); },
        [](Settings const& settings) { return tl::check_policy_command(settings.check_policy); } },
    { "quiz", "A homework worksheet from a topic and a seed (like OSTEP's simulators); --answers computes the answers, --check grades yours",
        [](CLI::App& app, Settings& settings) { tl::add_quiz_options(app, settings.quiz); },
        [](Settings const& settings) { return tl::quiz_command(settings.quiz); } },
};

}

// Everything ticklab prints goes through stdio's stdout (std::cout is synchronised with it),
// so one check after the last flush catches every failed write: a full disk, a closed file.
static int finish_output(int code)
{
    errno = 0;
    std::cout.flush(); // flushes stdout too, and so may be what fails
    int error = errno;
    bool flushed = std::fflush(stdout) == 0;
    if (!flushed)
        error = errno;
    if (code == tl::exit_code::output_failed || (flushed && !std::ferror(stdout) && !std::cout.fail()))
        return code; // all written, or the command said already what failed
    fmt::print(stderr, "ticklab: error: cannot write the output to standard output{}\n",
        error != 0 ? fmt::format(": {}", std::strerror(error)) : std::string());
    return tl::exit_code::output_failed;
}

static int run_ticklab(int argc, char** argv)
{
    CLI::App app { "ticklab: watch an operating system schedule threads, tick by tick.\n"
                   "Concurrency is one core switching between tasks; parallelism is several cores at once.",
        "ticklab" };
    app.set_version_flag("--version", std::string("ticklab ") + TICKLAB_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);

    // The subcommands, in the order `ticklab --help` lists them.
    Settings settings;
    std::vector<CLI::App*> subcommands;
    for (auto const& command : commands) {
        auto* subcommand = app.add_subcommand(std::string(command.name), std::string(command.help));
        command.setup(*subcommand, settings);
        subcommands.push_back(subcommand);
    }

    tl::set_policy_finder(tl::find_policy_file); // bundled policies/*.lua from any directory

    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& error) {
        if (error.get_exit_code() == 0)
            return app.exit(error);
        if (dynamic_cast<tl::OutOfRange const*>(&error)) {
            fmt::print(stderr, "ticklab: error: {}\n", error.what());
            return tl::exit_code::bad_input;
        }
        fmt::print(stderr, "ticklab: error: {}\n", explain(error, app, argc, argv));
        fmt::print(stderr, "run 'ticklab --help' or 'ticklab COMMAND --help' for the options\n");
        return tl::exit_code::usage;
    }

    try {
        auto const& shown = settings.run;
        auto presentation = tl::presentation_for(shown.colour, shown.width, shown.explain);
        presentation.ram = std::find(shown.show.begin(), shown.show.end(), "ram") != shown.show.end();
        presentation.all_ticks = shown.all_ticks;
        presentation.language = shown.language == "ko" ? tl::Language::Ko : tl::Language::En;
        tl::set_presentation(presentation);
        for (std::size_t i = 0; i < commands.size(); ++i)
            if (*subcommands[i])
                return commands[i].run(settings);
    } catch (tl::PolicyError const& error) {
        // A policy written in Lua broke a rule: the learner's bad input, not a ticklab bug.
        fmt::print(stderr, "ticklab: error: {}\n", error.what());
        return tl::exit_code::bad_input;
    } catch (std::bad_alloc const&) {
        // Not a bug: a run (or a file) too big for this computer's memory.
        fmt::print(stderr, "ticklab: error: out of memory: this needs more memory than the computer can give; try a "
                           "smaller program, a lower --max-ticks or --format summary\n");
        return tl::exit_code::out_of_memory;
    } catch (std::exception const& error) {
        if (std::ferror(stdout))
            return finish_output(tl::exit_code::ok); // fmt::print's complaint, said plainly
        fmt::print(stderr, "ticklab: internal error: {}\n", error.what());
        return tl::exit_code::internal;
    }
    return tl::exit_code::usage;
}

int main(int argc, char** argv) { return finish_output(run_ticklab(argc, argv)); }
