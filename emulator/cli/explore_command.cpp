#include "cli/explore_command.hpp"

#include <CLI/CLI.hpp>

#include "cli/exit_codes.hpp"
#include "cli/numbers.hpp"
#include "explore/explore.hpp"

#include <fmt/format.h>
#include <iostream>
#include <nlohmann/json.hpp>

namespace tl {

void add_explore_options(CLI::App& app, ExploreSettings& settings)
{
    auto* explore = &app;
    explore->add_option("program", settings.run.file, "A program file, a bundled program's name, or - for standard input")
        ->required();
    decimal(explore->add_option("-c,--cores", settings.run.cores, "Number of CPU cores"), 1, 64)->capture_default_str();
    explore->add_option("-f,--format", settings.run.format, "Output: text or json")
        ->check(CLI::IsMember({ "text", "json" }));
    decimal(explore->add_option("--max-states", settings.max_states,
                "Stop after visiting this many distinct states; the result is then partial"),
        1, 100000000)
        ->capture_default_str();
    explore->footer("A schedule answers, at every pick, which ready thread takes the free core; a slice ends after "
                    "every tick, so threads interleave at every instruction and memory step (see docs/explore.md).\n"
                    "Exit codes: 0 complete, 2 usage error, 3 bad input, 5 stopped at --max-states (partial).\n");
}

namespace {

std::string describe(ExploreOutcome const& outcome)
{
    std::string text;
    for (auto const& [name, value] : outcome.variables)
        text += fmt::format("{}{} = {}", text.empty() ? "" : ", ", name, value);
    if (text.empty())
        text = "no shared variables";
    if (outcome.deadlock)
        text += "; deadlock: " + outcome.deadlock_text;
    if (outcome.fault)
        text += "; fault: " + *outcome.fault;
    if (outcome.tick_limit)
        text += "; stopped at the tick limit";
    return text;
}

}

int explore_command(ExploreSettings const& settings)
{
    auto run = settings.run;
    if (run.format == "table")
        run.format = "text";
    auto prepared = prepare(run);
    if (!prepared)
        return exit_code::bad_input;
    auto program = load_program(run);
    if (!program)
        return exit_code::bad_input;
    auto problems = check_program_fits(prepared->machine, *program);
    for (auto const& problem : problems)
        fmt::print(stderr, "ticklab: error: {}\n", problem);
    if (!problems.empty())
        return exit_code::bad_input;
    auto result = explore(prepared->machine, *program, ExploreLimits { settings.max_states });
    int code = result.complete ? exit_code::ok : exit_code::tick_limit;

    if (run.format == "json") {
        auto outcomes = nlohmann::ordered_json::array();
        for (auto const& outcome : result.outcomes) {
            nlohmann::ordered_json variables = nlohmann::ordered_json::object();
            for (auto const& [name, value] : outcome.variables)
                variables[name] = value;
            nlohmann::ordered_json entry;
            entry["variables"] = variables;
            entry["deadlock"] = outcome.deadlock;
            if (outcome.deadlock)
                entry["cycle"] = outcome.deadlock_text;
            entry["fault"] = outcome.fault ? nlohmann::ordered_json(*outcome.fault) : nlohmann::ordered_json(nullptr);
            entry["schedules"] = outcome.schedules;
            entry["witness"] = outcome.witness;
            outcomes.push_back(entry);
        }
        nlohmann::ordered_json document;
        document["complete"] = result.complete;
        document["states"] = result.states;
        document["schedules"] = result.schedules;
        document["outcomes"] = outcomes;
        std::cout << document.dump(2) << '\n';
        return code;
    }

    auto const& machine = prepared->machine;
    fmt::print("ticklab explore: {} on {} core{}: {} distinct states, {} schedule{}, {} outcome{}\n", program->file,
        machine.cores, machine.cores == 1 ? "" : "s", result.states, result.schedules, result.schedules == 1 ? "" : "s", result.outcomes.size(),
        result.outcomes.size() == 1 ? "" : "s");
    if (!result.complete)
        fmt::print("stopped at --max-states {}: the result is PARTIAL. The outcomes below can happen;\n"
                   "others may too, and the counts cover only the schedules explored.\n",
            settings.max_states);
    for (std::size_t i = 0; i < result.outcomes.size(); ++i) {
        auto const& outcome = result.outcomes[i];
        fmt::print("\noutcome {}: {}\n", i + 1, describe(outcome));
        fmt::print("  {} schedule{} lead{} here\n", outcome.schedules, outcome.schedules == 1 ? "" : "s",
            outcome.schedules == 1 ? "s" : "");
        std::string witness;
        for (auto const& name : outcome.witness)
            witness += (witness.empty() ? "" : " ") + name;
        fmt::print("  witness ({} pick{}): {}\n", outcome.witness.size(), outcome.witness.size() == 1 ? "" : "s", witness);
    }
    fmt::print("\nto replay a witness: put its names in a file, one a line, and run\n"
               "  ticklab step {} --manual --quantum 1{} --choices FILE\n",
        run.file, machine.cores == 1 ? std::string() : fmt::format(" --cores {}", machine.cores));
    return code;
}

}
