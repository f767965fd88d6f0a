#include "cli/policy_table.hpp"

#include "cli/exit_codes.hpp"
#include "sched/registry.hpp"
#include "trace/metrics.hpp"
#include "trace/render_util.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <iostream>
#include <vector>

namespace tl {

bool is_policy_list(std::string const& scheduler)
{
    return scheduler == "all" || scheduler.find(',') != std::string::npos;
}

namespace {

using Row = PolicyRow;

std::string two(double value) { return fmt::format("{:.2f}", value); }

}

void print_policy_rows(std::vector<PolicyRow> const& rows)
{
    std::vector<std::string> header { "policy", "turnaround", "waiting", "response", "makespan", "switches",
        "utilisation" };
    std::vector<std::vector<std::string>> cells;
    for (auto const& row : rows) {
        bool limit = row.trace.outcome == Outcome::TickLimit;
        cells.push_back({ row.policy + (limit ? " (tick limit)" : ""), two(row.metrics.averages.turnaround),
            two(row.metrics.averages.waiting), two(row.metrics.averages.response), fmt::format("{}", row.metrics.makespan),
            fmt::format("{}", row.metrics.context_switches), fmt::format("{:.1f}%", row.metrics.utilisation * 100.0) });
    }
    std::vector<int> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = display_width(header[c]);
        for (auto const& line : cells)
            width[c] = std::max(width[c], display_width(line[c]));
    }
    auto print_line = [&](std::vector<std::string> const& line) {
        std::string text = pad_right(line[0], width[0]);
        for (std::size_t c = 1; c < line.size(); ++c)
            text += "  " + pad_left(line[c], width[c]);
        fmt::print("{}\n", text);
    };
    print_line(header);
    for (auto const& line : cells)
        print_line(line);
}

int run_policy_table(RunSettings const& settings, Prepared const& prepared, Program const& program)
{
    if (settings.format != "table" && settings.format != "summary" && settings.format != "json") {
        fmt::print(stderr, "ticklab: error: comparing policies prints one metrics table (--format summary or "
                           "json), not '{}'\n",
            settings.format);
        return exit_code::usage;
    }
    auto names = split_policy_list(settings.scheduler);
    for (auto const& name : names) {
        if (name.empty()) {
            fmt::print(stderr, "ticklab: error: --scheduler '{}' has an empty name in its list; separate policies "
                               "with single commas, e.g. fcfs,sjf,rr\n",
                settings.scheduler);
            return exit_code::usage;
        }
        if (std::count(names.begin(), names.end(), name) > 1) {
            fmt::print(stderr, "ticklab: error: --scheduler '{}' names '{}' twice\n", settings.scheduler, name);
            return exit_code::usage;
        }
    }
    std::vector<Row> rows;
    for (auto const& name : names) {
        auto trace = simulate_with(prepared, program, name);
        if (!trace)
            return exit_code::bad_input;
        auto metrics = compute_metrics(*trace);
        rows.push_back(Row { name, std::move(*trace), std::move(metrics) });
    }
    bool any_limit = std::any_of(rows.begin(), rows.end(),
        [](Row const& row) { return row.trace.outcome == Outcome::TickLimit; });

    if (settings.format == "json") {
        auto table = nlohmann::json::array();
        for (auto const& row : rows)
            table.push_back({
                { "scheduler", row.policy },
                { "description", row.trace.scheduler_description },
                { "outcome", std::string(to_string(row.trace.outcome)) },
                { "averages",
                    { { "turnaround", row.metrics.averages.turnaround }, { "waiting", row.metrics.averages.waiting },
                        { "response", row.metrics.averages.response } } },
                { "makespan", row.metrics.makespan },
                { "context_switches", row.metrics.context_switches },
                { "utilisation", row.metrics.utilisation },
            });
        std::cout << nlohmann::json { { "program", rows.front().trace.program_file }, { "policies", table } }.dump(2)
                  << '\n';
        return any_limit ? exit_code::tick_limit : exit_code::ok;
    }

    auto const& machine = prepared.machine;
    fmt::print("ticklab: {} on {} core{}, quantum {}, switch cost {}: the same workload under {} policies\n\n",
        rows.front().trace.program_file, machine.cores, machine.cores == 1 ? "" : "s", prepared.options.quantum,
        machine.switch_cost, rows.size());
    print_policy_rows(rows);
    fmt::print("\naverages are over the threads that finished; turnaround = finish - arrival, waiting = time ready "
               "but not running, response = first run - arrival\n");
    if (any_limit)
        fmt::print("a policy marked (tick limit) did not finish by --max-ticks {}; its figures cover what finished\n",
            machine.max_ticks);
    return any_limit ? exit_code::tick_limit : exit_code::ok;
}

}
