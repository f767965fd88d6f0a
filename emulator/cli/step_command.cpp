#include "cli/step_command.hpp"

#include "cli/exit_codes.hpp"
#include "cli/manual.hpp"
#include "cli/policy_table.hpp"
#include "lesson/stepper.hpp"

#include <CLI/CLI.hpp>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <editline/readline.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <iostream>
#include <langinfo.h>
#include <string_view>
#include <unistd.h>

namespace tl {

namespace {

bool ctype_is_utf8()
{
    std::string_view codeset = nl_langinfo(CODESET);
    return codeset == "UTF-8" || codeset == "utf8";
}

}

bool use_utf8_ctype()
{
    if (std::setlocale(LC_CTYPE, "") && ctype_is_utf8())
        return true;
    for (auto const* name : { "C.UTF-8", "C.utf8", "en_US.UTF-8" })
        if (std::setlocale(LC_CTYPE, name) && ctype_is_utf8())
            return true;
    std::setlocale(LC_CTYPE, "C");
    return false;
}

LineReader terminal_line_reader()
{
    bool terminal = isatty(STDIN_FILENO);
    // Line editing only under a UTF-8 LC_CTYPE (see use_utf8_ctype); without one, the
    // terminal's own line reading, which passes every byte through.
    bool editing = terminal && use_utf8_ctype();
    return [terminal, editing](std::string const& prompt) -> std::optional<std::string> {
        std::cout.flush();
        if (editing) {
            char* raw = readline(prompt.c_str());
            if (!raw)
                return std::nullopt;
            std::string line(raw);
            std::free(raw);
            if (line.find_first_not_of(" \t") != std::string::npos)
                add_history(line.c_str());
            return line;
        }
        // Not a terminal (a script or a test), or one without line editing. From a script the
        // line is echoed after the prompt, so the output shows what was answered where; a
        // terminal echoes it itself.
        std::cout << prompt;
        std::cout.flush();
        std::string line;
        if (!std::getline(std::cin, line)) {
            std::cout << '\n';
            std::cout.flush();
            return std::nullopt;
        }
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!terminal)
            std::cout << line << '\n';
        std::cout.flush();
        return line;
    };
}

void add_step_options(CLI::App& app, RunSettings& settings)
{
    auto* step = &app;
    step->add_option("program", settings.file,
        "A program file, a bundled program's name (e.g. kitchen), or - for standard input (the commands are then read "
        "from the terminal)");
    step->add_option("-j,--jobs", settings.jobs, "Quick jobs instead of a file: NAME:ARRIVAL:BURST[:PRIORITY],...");
    add_machine_options(*step, settings);
    // The debugger follows one run: one policy, not a list or 'all'; and it visits every
    // tick anyway, so --step-every-tick would change nothing.
    step->get_option("--scheduler")->description("Scheduling policy, one name (see 'ticklab schedulers')");
    step->remove_option(step->get_option("--step-every-tick"));
    step->add_flag("--manual", settings.manual,
        "You are the scheduler: pick which ready thread runs whenever a core needs one (with --quantum Q also when a "
        "slice ends); 'back' undoes a choice. From a script, one choice a line");
    step->add_option("-f,--format", settings.format,
        "With --manual: table (the session, your metrics beside the policies') or json (the run's JSON and a "
        "'choices' array)")
        ->check(CLI::IsMember({ "table", "json" }));
    step->add_option("--choices", settings.choices,
        "With --manual: take the choices from this file first, one thread name a line (a schedule to replay)");
    step->add_option("--compare-with", settings.compare_with,
        "With --manual: the built-in policies shown beside you, at each choice and at the end: a list such as "
        "fcfs,sjf,rr, or all")
        ->capture_default_str();
    step->callback([step, &settings] {
        settings.quantum_given = step->get_option("--quantum")->count() > 0;
        settings.format_given = step->get_option("--format")->count() > 0;
        settings.compare_with_given = step->get_option("--compare-with")->count() > 0;
    });
    step->footer("Type 'help' at the prompt for the commands. Exit codes: 0 ok, 2 usage error, 3 bad input.\n");
}

int step_command(RunSettings const& settings)
{
    if (is_policy_list(settings.scheduler)) {
        fmt::print(stderr, "ticklab: error: ticklab step follows one run: give --scheduler one policy, not '{}' (to "
                           "compare policies: ticklab run PROGRAM -s {})\n",
            settings.scheduler, settings.scheduler);
        return exit_code::usage;
    }
    auto prepared = prepare(settings);
    if (!prepared)
        return exit_code::bad_input;
    auto program = load_program(settings);
    if (!program)
        return exit_code::bad_input;
    // The run must be able to start before stepping it (the Stepper and manual mode start it
    // again, as often as they go back).
    if (auto started = start_run(prepared->machine, *program, settings.scheduler, prepared->options);
        auto const* problems = std::get_if<std::vector<RunProblem>>(&started)) {
        print_problems(*problems);
        return exit_code::bad_input;
    }

    if (!settings.choices.empty() && !settings.manual) {
        fmt::print(stderr, "ticklab: error: --choices replays a schedule chosen by hand: give --manual too\n");
        return exit_code::usage;
    }
    if (settings.format_given && !settings.manual) {
        fmt::print(stderr, "ticklab: error: --format chooses what a schedule chosen by hand ends with (its table or "
                           "the run's JSON): give --manual too\n");
        return exit_code::usage;
    }
    if (settings.compare_with_given && !settings.manual) {
        fmt::print(stderr, "ticklab: error: --compare-with chooses the policies shown beside a schedule chosen by hand: "
                           "give --manual too\n");
        return exit_code::usage;
    }
    if (settings.manual)
        return manual_command(settings, *prepared, *program);

    if (settings.file == "-") {
        // The program came through standard input, so the commands come from the terminal,
        // as `less` reads its keys; without one there is nothing more to read.
        int terminal = open("/dev/tty", O_RDONLY | O_CLOEXEC);
        if (terminal >= 0 && dup2(terminal, STDIN_FILENO) >= 0)
            std::clearerr(stdin);
        else
            fmt::print(stderr, "ticklab: note: the program came from standard input and there is no terminal to "
                               "type commands on; only tick 0 is shown\n");
        if (terminal >= 0)
            close(terminal);
    }
    Stepper stepper(std::move(*program), prepared->machine, prepared->options, settings.scheduler);
    auto read = terminal_line_reader();
    std::cout << stepper.banner() << '\n' << stepper.current();
    while (true) {
        auto line = read(fmt::format("(tick {}) ", stepper.now()));
        if (!line)
            break;
        auto reply = stepper.execute(*line);
        // A blank line after each answer keeps the stops apart in a long session.
        std::cout << reply.text << (reply.text.empty() ? "" : "\n");
        if (reply.quit)
            break;
    }
    std::cout.flush();
    return exit_code::ok;
}

}
