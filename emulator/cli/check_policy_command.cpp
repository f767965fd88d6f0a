#include "cli/check_policy_command.hpp"

#include "cli/exit_codes.hpp"
#include "cli/numbers.hpp"
#include "engine/config.hpp"
#include "sched/policy_contract.hpp"

#include <fmt/format.h>

namespace tl {

void add_check_policy_options(CLI::App& app, CheckPolicySettings& settings)
{
    auto* command = &app;
    command->add_option("policy", settings.file, "The policy file (.lua); see docs/writing-a-scheduler.md")->required();
    decimal(command->add_option("-q,--quantum", settings.quantum, "Time slice in ticks (host.quantum)"), 1,
        static_cast<std::uint64_t>(max_tick_limit))
        ->capture_default_str();
    decimal<std::uint64_t>(command->add_option("--seed", settings.seed, "Seed of the policy's random numbers"))
        ->capture_default_str();
    command->add_option("--set", settings.settings, "A setting the policy reads with host.setting, NAME=VALUE (repeatable)");
    command->footer("Exit codes: 0 every property held, 1 a property is broken, 2 usage error, 3 the policy cannot be "
                    "loaded.\n");
}

int check_policy_command(CheckPolicySettings const& settings)
{
    SchedulerOptions options;
    options.quantum = settings.quantum;
    options.seed = settings.seed;
    for (auto const& setting : settings.settings) {
        if (auto problem = add_setting(options, setting)) {
            fmt::print(stderr, "ticklab: error: {}\n", *problem);
            return exit_code::bad_input;
        }
    }
    auto checked = check_policy_contract(settings.file, options);
    if (auto const* error = std::get_if<std::string>(&checked)) {
        fmt::print(stderr, "ticklab: error: {}\n", *error);
        return exit_code::bad_input;
    }
    auto const& report = std::get<ContractReport>(checked);
    fmt::print("checking {}: {}\n\n", settings.file, report.description);
    int broken = 0;
    for (auto const& property : report.properties) {
        char const* verdict = property.verdict == Verdict::Held ? "held"
            : property.verdict == Verdict::Broken                ? "BROKEN"
                                                                 : "-";
        fmt::print("  {:<7} {:<11} {}\n", verdict, property.name, property.promise);
        if (property.verdict == Verdict::Held)
            fmt::print("  {:<7} {:<11} (checked on {} workloads)\n", "", "", property.workloads);
        if (property.verdict == Verdict::NotClaimed)
            fmt::print("  {:<7} {:<11} not checked: the policy does not claim it (add `starvation_free = true`)\n", "", "");
        if (property.verdict != Verdict::Broken)
            continue;
        ++broken;
        fmt::print("\n    {}\n\n", property.what);
        if (!property.jobs.empty()) {
            fmt::print("    the smallest workload that shows it:\n\n      ticklab run --jobs \"{}\" --scheduler {}\n\n",
                property.jobs, settings.file);
            continue;
        }
        fmt::print("    the smallest workload that shows it ({} core{}; save it as a file and run\n"
                   "    'ticklab run FILE --scheduler {} --cores {}'):\n\n",
            property.cores, property.cores == 1 ? "" : "s", settings.file, property.cores);
        std::string_view text = property.program;
        while (!text.empty()) {
            auto end = text.find('\n');
            auto line = text.substr(0, end);
            fmt::print("{}{}\n", line.empty() ? "" : "      ", line);
            text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        }
        fmt::print("\n");
    }
    if (broken == 0) {
        fmt::print("\nevery property held\n");
        return exit_code::ok;
    }
    fmt::print("{} propert{} broken\n", broken, broken == 1 ? "y" : "ies");
    return 1;
}

}
