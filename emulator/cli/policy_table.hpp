#pragma once

// `ticklab run PROGRAM --scheduler fcfs,sjf,rr` (or `--scheduler all`): the same workload
// under several policies, one row of metrics per policy.

#include "cli/run_command.hpp"
#include "trace/metrics.hpp"

#include <string>
#include <vector>

namespace tl {

// True when --scheduler names several policies (a comma-separated list) or `all`.
bool is_policy_list(std::string const& scheduler);

// One policy's run, for a table of policies.
struct PolicyRow {
    std::string policy; // its name, or a label such as "you"
    Trace trace;
    Metrics metrics;
};

// The table's header and one line per row: turnaround, waiting, response, makespan, switches,
// utilisation (a row whose run hit the tick limit is marked so).
void print_policy_rows(std::vector<PolicyRow> const&);

// Runs the program under each policy of settings.scheduler and prints one metrics table
// (format table or summary), or a JSON array (format json). Returns the exit code.
int run_policy_table(RunSettings const&, Prepared const&, Program const&);

}
