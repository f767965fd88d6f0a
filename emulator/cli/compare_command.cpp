#include "cli/compare_command.hpp"

#include "cli/exit_codes.hpp"
#include "cli/formats.hpp"
#include "cli/numbers.hpp"
#include "cli/run_command.hpp"
#include "trace/html.hpp"
#include "trace/metrics.hpp"
#include "trace/visual.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <iostream>
#include <optional>

namespace tl {

namespace {

constexpr std::array<std::string_view, 3> s_compare_formats { "gantt", "svg", "html" };

// One side's option string, parsed by the same CLI11 options `ticklab run` has, so that every
// machine and scheduler option means the same thing here. CLI11 splits the string as a shell
// would (quotes group words).
// On failure, `failure` is the exit code: usage, or bad_input for a value out of range.
std::optional<RunSettings> parse_side(
    std::string const& options, std::string_view side, CompareSettings const& settings, int& failure)
{
    RunSettings parsed;
    parsed.file = settings.file.empty() && settings.jobs.empty() ? "kitchen" : settings.file;
    parsed.jobs = settings.jobs;
    CLI::App parser { "", fmt::format("--{}", side) };
    add_machine_options(parser, parsed);
    try {
        parser.parse(options, false);
    } catch (CLI::ParseError const& error) {
        fmt::print(stderr, "ticklab: error: --{} \"{}\": {}\n", side, options, error.what());
        failure = std::max(failure, dynamic_cast<OutOfRange const*>(&error) ? exit_code::bad_input : exit_code::usage);
        return std::nullopt;
    }
    return parsed;
}

std::string trimmed(std::string const& text)
{
    auto first = text.find_first_not_of(' ');
    if (first == std::string::npos)
        return "";
    return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

}

void add_compare_options(CLI::App& app, CompareSettings& settings)
{
    auto* compare = &app;
    compare->add_option("program", settings.file, "A program file or bundled program name (default: kitchen)");
    compare->add_option("-j,--jobs", settings.jobs, "Quick jobs instead of a file: NAME:ARRIVAL:BURST[:PRIORITY],...");
    compare->add_option("-l,--left", settings.left, "The first configuration's run options, quoted")->capture_default_str();
    compare->add_option("-r,--right", settings.right, "The second configuration's run options, quoted")
        ->capture_default_str();
    compare->add_option("-f,--format", settings.format, "Output: gantt (the terminal chart), svg or html")
        ->capture_default_str();
    compare->add_option("--color", settings.colour, "Colour the chart: auto, always or never")
        ->check(CLI::IsMember({ "auto", "always", "never" }))
        ->capture_default_str();
    compare->add_option("--lang", settings.language, "The words of --format html: en or ko")
        ->check(CLI::IsMember({ "en", "ko" }))
        ->capture_default_str();
    decimal<int>(compare->add_option("--width", settings.width, "Columns the chart may use (default: $COLUMNS, else 80)"))
        ->check(CLI::Range(20, 100000));
    compare->footer("Example: ticklab compare kitchen --left \"-c 1 -s rr\" --right \"-c 3 -s per-core\"\n"
                    "Speed-up = left makespan / right makespan; efficiency = speed-up / (right cores / left cores).");
}

int compare_command(CompareSettings const& settings)
{
    if (std::find(s_compare_formats.begin(), s_compare_formats.end(), settings.format) == s_compare_formats.end()) {
        fmt::print(stderr, "ticklab: error: unknown compare format '{}' (choose one of: gantt, svg, html)\n",
            settings.format);
        return exit_code::usage;
    }
    int failure = exit_code::ok;
    auto left = parse_side(settings.left, "left", settings, failure);
    auto right = parse_side(settings.right, "right", settings, failure);
    if (!left || !right)
        return failure;

    auto program = load_program(*left);
    if (!program)
        return exit_code::bad_input;
    auto prepared_left = prepare(*left);
    auto prepared_right = prepare(*right);
    if (!prepared_left || !prepared_right)
        return exit_code::bad_input;
    auto trace_left = simulate_with(*prepared_left, *program, left->scheduler);
    if (!trace_left)
        return exit_code::bad_input;
    auto trace_right = simulate_with(*prepared_right, *program, right->scheduler);
    if (!trace_right)
        return exit_code::bad_input;

    auto metrics_left = compute_metrics(*trace_left);
    auto metrics_right = compute_metrics(*trace_right);
    std::array runs {
        ChartRun { "left", trimmed(settings.left), &*trace_left, &metrics_left },
        ChartRun { "right", trimmed(settings.right), &*trace_right, &metrics_right },
    };
    if (settings.format == "svg")
        render_svg(std::cout, runs);
    else if (settings.format == "html")
        render_lab_page(std::cout, runs, PageOptions { settings.language == "ko" ? Language::Ko : Language::En });
    else
        render_gantt_compare(std::cout, runs, GanttStyle { colour_wanted(settings.colour), terminal_width(settings.width) });
    std::cout.flush();
    if (run_interrupted()) {
        fmt::print(stderr, "ticklab: interrupted (Ctrl-C): the runs above end where they were stopped\n");
        return exit_code::interrupted;
    }
    for (auto const* trace : { &*trace_left, &*trace_right })
        if (trace->outcome == Outcome::TickLimit)
            fmt::print(stderr, "ticklab: a run stopped at the tick limit ({} ticks); raise --max-ticks in its options\n",
                trace->machine.max_ticks);
    return std::max(exit_for(*trace_left), exit_for(*trace_right));
}

}
